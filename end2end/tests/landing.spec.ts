import { test, expect } from './fixtures';

test('the landing page is rendered on the server and hydrated in the browser', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
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
});

test('the stylesheet generated from the class names is served', async ({ page, request }) => {
  const css = await request.get('/pkg/booking.css');
  expect(css.ok()).toBeTruthy();
  const text = await css.text();
  expect(text).toContain('.rounded-full');
  await page.goto('/');
  const radius = await page.locator('#how-it-works-toggle').evaluate((el) => getComputedStyle(el).borderRadius);
  expect(radius).not.toBe('0px');
});
