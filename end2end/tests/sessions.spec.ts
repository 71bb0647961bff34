// Training sessions, every word true: the coach's phone gets cards, a compact menu and the
// roster on the first screen; a session says what it is about, for which ages and with which
// coach, on its card and the booking form; the admin is told what a save did, with or without
// JavaScript; and the booking form says when the session asked for cannot be booked.
import { test, expect } from './fixtures';
import type { Browser, Page } from '@playwright/test';
import { startServer, RunningServer } from './server';
import { book } from './stripe';
import { expectAccessible, fillBooking, loginAt } from './helpers';

let server: RunningServer;
test.use({ baseURL: undefined, bypassCSP: true });
test.beforeEach(async ({ database }) => {
  server = await startServer({ database });
});
test.afterEach(async () => {
  await server.stop();
});

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, bypassCSP: true };

async function hydrated(page: Page, path: string) {
  await page.goto(server.baseURL + path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function nothingScrollsSideways(page: Page, what: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${what} is ${width} px wide`).toBeLessThanOrEqual(390);
}

async function onScreen(page: Page, locator: ReturnType<Page['locator']>, what: string) {
  await expect(locator, what).toBeVisible();
  const box = (await locator.boundingBox())!;
  expect(box.x, what).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, what).toBeLessThanOrEqual(390);
}

/** Creates a session through the admin's form, `days` from now at 17:00; returns its id. */
async function newSession(page: Page, title: string, days: number, extra: Record<string, string> = {}): Promise<number> {
  const date = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  await hydrated(page, '/admin/sessions/new');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Date').fill(date);
  await page.getByLabel('Start time').fill('17:00');
  await page.getByLabel('Length (minutes)').fill('60');
  await page.getByLabel('Places', { exact: true }).fill('8');
  await page.getByLabel('Place', { exact: true }).fill('Riverside Track');
  await page.getByLabel('Price').fill('30');
  await page.getByLabel('Currency').fill('USD');
  for (const [label, value] of Object.entries(extra)) await page.getByLabel(label).fill(value);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/admin\/sessions$/);
  const href = await page.locator('tr', { hasText: title }).getByRole('link', { name: 'Roster' }).getAttribute('href');
  return Number(href!.match(/sessions\/(\d+)\/roster/)![1]);
}

test("at 390 px the coach's sessions are cards, the menu one line and the roster on the first screen", async ({ browser }, testInfo) => {
  for (const parent of ['Ada Track', 'Ben Field', 'Cy Relay']) await book(server.baseURL, 1, parent);
  const page = await (await browser.newContext(PHONE)).newPage();
  await loginAt(page, server.baseURL);
  await hydrated(page, '/admin/sessions');
  await nothingScrollsSideways(page, '/admin/sessions');
  await expect(page.getByTestId('sessions-table-upcoming')).toBeHidden();
  const card = page.locator('[data-testid="session-cards-upcoming"] li[data-session-id="1"]');
  await onScreen(page, card.getByTestId('card-price'), 'the price');
  for (const name of ['Roster', 'Edit', 'Cancel…']) await onScreen(page, card.getByRole('link', { name }), name);
  // The date reads on one or two lines, not six.
  const when = (await card.locator('p').first().boundingBox())!;
  expect(when.height).toBeLessThanOrEqual(48);

  // Admin pages show the admin's menu only, folded into one line.
  await expect(page.getByRole('link', { name: 'Find my booking' })).toHaveCount(0);
  const menu = page.getByTestId('admin-menu');
  const folded = (await menu.boundingBox())!;
  expect(folded.height).toBeLessThanOrEqual(48);
  const banner = (await page.getByTestId('simulated-banner').boundingBox())!;
  expect(banner.height).toBeLessThanOrEqual(48);
  await expect(page.getByRole('link', { name: 'Bookings' })).toBeHidden();
  await menu.locator('summary').click();
  await expect(menu.getByRole('link', { name: 'Bookings' })).toBeVisible();
  await expectAccessible(page, '/admin/sessions at 390 px, menu open');
  await page.screenshot({ path: testInfo.outputPath('sessions-390.png'), fullPage: true });

  await card.getByRole('link', { name: 'Roster' }).click();
  await expect(page).toHaveURL(/\/admin\/sessions\/1\/roster$/);
  // The menu folds again on the new page.
  await expect(menu.getByRole('link', { name: 'Bookings' })).toBeHidden();
  const first = page.locator('li[data-roster-id]').first();
  await expect(first).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('roster-first-screen-390.png') });
  const row = (await first.boundingBox())!;
  expect(row.y + row.height, 'the first child is on the first screen').toBeLessThanOrEqual(844);
  await nothingScrollsSideways(page, 'the roster');
  await expectAccessible(page, 'the roster at 390 px');

  // At a desk the table still works.
  const desk = await (await browser.newContext({ bypassCSP: true })).newPage();
  await loginAt(desk, server.baseURL);
  await hydrated(desk, '/admin/sessions');
  await expect(desk.getByTestId('admin-menu')).toBeHidden();
  const tr = desk.locator('[data-testid="sessions-table-upcoming"] tr[data-session-id="1"]');
  await expect(tr).toBeVisible();
  await expect(tr.getByRole('link', { name: 'Roster' })).toBeVisible();
  await expect(desk.locator('[data-testid="session-cards-upcoming"]')).toBeHidden();
  await expectAccessible(desk, '/admin/sessions at a desk');
});

async function adminPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await loginAt(page, server.baseURL);
  return page;
}

test("a session's description, ages and coach show on its card and booking form, which refuses other ages", async ({ browser }) => {
  const admin = await adminPage(browser);
  const id = await newSession(admin, 'Relay skills for juniors with a long name', 5, {
    "Coach's name": 'Sam Rivers',
    'Youngest age': '8',
    'Oldest age': '12',
    Description: 'Baton passes, bends and a relay race to finish.',
  });
  await expect(admin.getByTestId('sessions-notice')).toHaveText('Session saved.');
  await expectAccessible(admin, 'the sessions list with its notice');

  const parent = await (await browser.newContext(PHONE)).newPage();
  await hydrated(parent, '/');
  const item = parent.locator(`li[data-session-id="${id}"]`);
  await expect(item).toContainText('Baton passes, bends and a relay race to finish.');
  await expect(item.getByTestId('session-ages')).toHaveText('ages 8 to 12');
  await expect(item.getByTestId('session-coach')).toHaveText('Sam Rivers');
  await expectAccessible(parent, 'the start page with a described session');

  await item.getByRole('link', { name: /Book/ }).click();
  await expect(parent.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await nothingScrollsSideways(parent, 'the booking form');
  await onScreen(parent, parent.getByLabel('Session'), 'the session select');
  // The chosen session is readable whole, whatever the select cuts off.
  const chosen = parent.getByTestId('chosen-session');
  await onScreen(parent, chosen, 'the chosen session');
  await expect(chosen).toContainText('Relay skills for juniors with a long name');
  await expect(chosen).toContainText('17:00');
  await expect(chosen).toContainText('ages 8 to 12');
  await expect(chosen).toContainText('Sam Rivers');
  await fillBooking(parent, 'Too Old Parent');
  await parent.getByLabel("Athlete's age").fill('14');
  await parent.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(parent.locator('#field-athlete_age-error')).toHaveText(
    'This session is for ages 8 to 12: an athlete of 14 cannot book it. Choose another session.',
  );
  await expectAccessible(parent, 'the booking form refusing an age');
  // Another choice follows in the details shown.
  await parent.getByLabel('Session').selectOption('1');
  await expect(chosen).not.toContainText('Relay skills');

  // A session that is not there is said to be so.
  await hydrated(parent, '/book?session=999');
  await expect(parent.getByTestId('session-unavailable')).toHaveText(
    'That session is not available (it has passed or does not exist); choose another.',
  );
  await expectAccessible(parent, 'the booking form for a missing session');
});

test.describe('without JavaScript', () => {
  test('a saved session is said to be saved', async ({ browser }) => {
    const admin = await adminPage(browser);
    const page = await (await browser.newContext({ javaScriptEnabled: false, storageState: await admin.context().storageState() })).newPage();
    await page.goto(server.baseURL + '/admin/sessions/1');
    await page.getByLabel('Title').fill('Renamed without script');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/admin\/sessions$/);
    await expect(page.getByTestId('sessions-notice')).toHaveText('Session saved.');
    await expect(page.locator('tr', { hasText: 'Renamed without script' })).toHaveCount(1);
    // Said once.
    await page.reload();
    await expect(page.getByTestId('sessions-notice')).toHaveCount(0);
  });
});
