import { test, expect } from './fixtures';

test('the landing page is rendered on the server and hydrated in the browser', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const wasm: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Book a coaching session' })).toBeVisible();

  // The steps only open once the wasm is running: the server renders the button, not the list.
  const toggle = page.locator('#how-it-works-toggle');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('#how-it-works')).toHaveCount(0);
  await expect(async () => {
    await toggle.click();
    await expect(page.locator('#how-it-works')).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  expect(errors).toEqual([]);
  // The admin's pages are separate chunks (`--split`): a parent's browser never fetches them.
  // Every file carries its content's hash in its name (cargo-leptos `hash-files`).
  expect(wasm).toEqual(expect.arrayContaining([expect.stringMatching(/^\/pkg\/booking\.[A-Za-z0-9_-]{22}\.wasm$/)]));
  expect(wasm.filter((path) => path.includes('route_view'))).toEqual([]);
});

test('an admin page fetches its own chunk and hydrates with it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const chunk = page.waitForRequest((r) => /login_route_view.*\.wasm$/.test(r.url()));
  await page.goto('/admin/login');
  await chunk;
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  // Hydrated: a wrong password is answered in place, without a page load.
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('not-the-password');
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  expect(errors).toEqual([]);
});

test('the stylesheet generated from the class names is served', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="stylesheet"]').getAttribute('href');
  expect(href).toMatch(/^\/pkg\/booking\.[A-Za-z0-9_-]{22}\.css$/);
  const css = await request.get(href!);
  expect(css.ok()).toBeTruthy();
  expect(css.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  const text = await css.text();
  expect(text).toContain('.rounded-full');
  const radius = await page.locator('#how-it-works-toggle').evaluate((el) => getComputedStyle(el).borderRadius);
  expect(radius).not.toBe('0px');
});
