// The coach's day in Chromium: attendance for a whole session taken by touch at 390 px, a
// second admin's page following it live, the waitlist from a full session to a booked place,
// and a parent moving their booking.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { startMailDev, startServer, RunningServer } from './server';
import { book } from './stripe';
import { expectAccessible, fillEmergency, loginAt } from './helpers';

let server: RunningServer;
test.use({ baseURL: undefined, bypassCSP: true });
test.beforeEach(async ({ database }) => {
  server = await startServer({ database });
});
test.afterEach(async () => {
  await server.stop();
});

/** Creates a session through the admin's form, `days` from now at 17:00; returns its id. */
async function newSession(page: Page, title: string, capacity: number, price: string, days: number): Promise<number> {
  const date = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  await page.goto(server.baseURL + '/admin/sessions/new');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Date').fill(date);
  await page.getByLabel('Start time').fill('17:00');
  await page.getByLabel('Length (minutes)').fill('60');
  await page.getByLabel('Places').fill(String(capacity));
  await page.getByLabel('Place', { exact: true }).fill('Riverside Track');
  await page.getByLabel('Price').fill(price);
  await page.getByLabel('Currency').fill('USD');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/admin\/sessions$/);
  const row = page.locator('tr', { hasText: title });
  const href = await row.getByRole('link', { name: 'Roster' }).getAttribute('href');
  return Number(href!.match(/sessions\/(\d+)\/roster/)![1]);
}

test('attendance for a whole session by touch at 390 px, followed live by a second admin', async ({ browser }, testInfo) => {
  for (const parent of ['Ada Track', 'Ben Field', 'Cy Relay', 'Di Hurdle']) await book(server.baseURL, 1, parent);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, bypassCSP: true });
  const page = await phone.newPage();
  await loginAt(page, server.baseURL);
  // The start page says what today and tomorrow hold; the roster is one tap from the sessions.
  await expect(page.getByTestId('today')).toBeVisible();
  await page.goto(server.baseURL + '/admin/sessions/1/roster');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);

  const desk = await browser.newContext({ bypassCSP: true });
  const other = await desk.newPage();
  await loginAt(other, server.baseURL);
  await other.goto(server.baseURL + '/admin/sessions/1/roster');
  await expect(other.locator('body')).toHaveAttribute('data-hydrated', 'true');

  const card = (p: Page, athlete: string) => p.locator('li[data-roster-id]', { hasText: athlete });
  const count = (p: Page, key: string) => p.locator(`[data-count="${key}"] dd`);
  await expect(count(page, 'booked')).toHaveText('4');
  await expect(count(page, 'unpaid')).toHaveText('4');

  // Thumb-sized buttons.
  const present = card(page, 'Athlete of Ada Track').getByTestId('mark-completed');
  const box = (await present.boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(44);
  expect(box.width).toBeGreaterThanOrEqual(44);

  await present.tap();
  await expect(card(page, 'Athlete of Ada Track').locator('[data-attendance-status]')).toHaveText('Present');
  await expect(present).toHaveAttribute('aria-pressed', 'true');
  await card(page, 'Athlete of Ben Field').getByTestId('mark-no-show').tap();
  await expect(card(page, 'Athlete of Ben Field').locator('[data-attendance-status]')).toHaveText('No-show');
  // The other admin's page follows without a reload.
  await expect(card(other, 'Athlete of Ada Track').locator('[data-attendance-status]')).toHaveText('Present', { timeout: 5_000 });
  await expect(card(other, 'Athlete of Ben Field').locator('[data-attendance-status]')).toHaveText('No-show', { timeout: 5_000 });

  await page.getByTestId('complete-remaining').tap();
  await expect(count(page, 'present')).toHaveText('3');
  await expect(count(page, 'no-show')).toHaveText('1');
  await expect(card(page, 'Athlete of Di Hurdle').locator('[data-attendance-status]')).toHaveText('Present');
  await expect(card(other, 'Athlete of Di Hurdle').locator('[data-attendance-status]')).toHaveText('Present', { timeout: 5_000 });
  const path = testInfo.outputPath('roster-390.png');
  await page.screenshot({ path, fullPage: true });
  // Printed, the roster is the list alone: no navigation, no buttons.
  await expect(page.getByTestId('undo-complete')).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Admin' })).toBeHidden();
  await expect(page.getByTestId('undo-complete')).toBeHidden();
  await expect(page.getByTestId('print-roster')).toBeHidden();
  await expect(card(page, 'Athlete of Cy Relay').getByTestId('mark-completed')).toBeHidden();
  await expect(card(page, 'Athlete of Cy Relay')).toBeVisible();
  await page.emulateMedia({ media: 'screen' });

  // Undo puts back only what the button changed.
  await page.getByTestId('undo-complete').tap();
  await expect(count(page, 'present')).toHaveText('1');
  await expect(card(page, 'Athlete of Cy Relay').locator('[data-attendance-status]')).toHaveText('Not marked yet');
  await expect(card(page, 'Athlete of Ada Track').locator('[data-attendance-status]')).toHaveText('Present');
  await expectAccessible(page, 'the roster');

  // Every tap is in the booking's history.
  const id = await card(page, 'Athlete of Ada Track').getAttribute('data-roster-id');
  await page.goto(server.baseURL + `/admin/bookings/${id}`);
  await expect(page.getByTestId('timeline')).toContainText('Attendance: Present (by ');
  await phone.close();
  await desk.close();
});

test('a full session takes a waitlist; the place is confirmed from its mail, then the freed place is offered, held and booked', async ({ page, browser, database }) => {
  // This server mails through a real SMTP server: the place's link only comes by mail.
  const mail = await startMailDev();
  await server.stop();
  server = await startServer({ database, env: { SMTP_URL: mail.smtpUrl, MAIL_FROM: 'Riverside Coaching <bookings@example.com>' } });
  await loginAt(page, server.baseURL);
  const session = await newSession(page, 'Small group hurdles', 1, '45', 6);
  await book(server.baseURL, session, 'Place Holder');

  const parent = await (await browser.newContext({ bypassCSP: true })).newPage();
  await parent.goto(server.baseURL + '/');
  const item = parent.locator(`li[data-session-id="${session}"]`);
  await expect(item).toContainText('Fully booked');
  await item.getByTestId('join-waitlist').click();
  await expect(parent).toHaveURL(new RegExp(`/waitlist/join\\?session=${session}$`));
  await expect(parent.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(parent.getByLabel('Session')).toHaveValue(String(session));
  await parent.getByLabel('Your name').fill('Wendy Waiting');
  await parent.getByLabel('Email').fill('wendy@example.com');
  await parent.getByLabel("Athlete's name").fill('Sam');
  await parent.getByLabel("Athlete's age").fill('11');
  await parent.getByLabel(/I am the athlete's parent or guardian/).check();
  await parent.getByRole('button', { name: 'Join the waitlist' }).click();
  await expect(parent).toHaveURL(/\/waitlist\/joined$/);
  await expect(parent.getByTestId('waitlist-joined')).toContainText('Check your email');
  await expectAccessible(parent, 'the waitlist joined page');

  // The mail to the address typed carries the place's link; its page confirms it.
  let link = '';
  await expect(async () => {
    const mails = await mail.emails();
    const confirm = mails.find((m) => m.to.includes('wendy@example.com'));
    expect(confirm?.subject).toContain('Confirm your waitlist place');
    link = confirm!.text.match(/Confirm the waitlist place: (\S+)/)![1];
  }).toPass({ timeout: 15_000 });
  await parent.goto(link);
  await expect(parent.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(parent.getByTestId('waitlist-banner')).toContainText('Confirm your waitlist place');
  await parent.getByTestId('confirm-waitlist').click();
  await expect(parent.getByTestId('waitlist-banner')).toContainText('You are on the waitlist');
  await expect(parent.getByTestId('waitlist-banner')).toContainText('number 1 in line');
  const place = parent.url();
  await expectAccessible(parent, 'a waitlist place');

  // The admin sees the waitlist on the roster, then frees the place.
  await page.goto(server.baseURL + `/admin/sessions/${session}/roster`);
  await expect(page.getByTestId('waitlist')).toContainText('Sam');
  await expect(page.getByTestId('waitlist')).toContainText('waiting');
  const holder = await page.locator('li[data-roster-id]').getAttribute('data-roster-id');
  await page.goto(server.baseURL + `/admin/bookings/${holder}`);
  await page.getByTestId('cancel-booking').click();
  await expect(page.getByTestId('money-preview')).toContainText('the place is free at once');
  await page.getByTestId('confirm-money').click();
  await expect(page.locator('[data-attendance-status="cancelled"]').first()).toBeVisible();

  // Within a few seconds the offerer holds the place for Wendy.
  await expect(async () => {
    await parent.goto(place);
    await expect(parent.getByTestId('waitlist-banner')).toContainText('A place is free for you', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.goto(server.baseURL + `/admin/sessions/${session}/roster`);
  await expect(page.getByTestId('waitlist')).toContainText('offered, held until');
  await expect(parent.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await parent.getByTestId('book-offer').click();
  await expect(parent).toHaveURL(/\/checkout\/simulated\/cs_sim_/);
  await parent.getByTestId('simulated-pay').click();
  await expect(parent.getByTestId('payment-banner')).toContainText('Payment received');
  await parent.goto(place);
  await expect(parent.getByTestId('waitlist-banner')).toContainText('Place booked');
  await mail.stop();
});

test('a parent moves their booking to another session of the same price', async ({ page, browser }) => {
  await loginAt(page, server.baseURL);
  const later = await newSession(page, 'Sprint technique, later', 4, '45', 9);
  await newSession(page, 'Sprint technique, dearer', 4, '55', 10);

  const parent = await (await browser.newContext({ bypassCSP: true })).newPage();
  await parent.goto(server.baseURL + '/book?session=1');
  await expect(parent.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await parent.getByLabel('Your name').fill('Mo Mover');
  await parent.getByLabel('Email').fill('mo@example.com');
  await parent.getByLabel("Athlete's name").fill('Max');
  await parent.getByLabel("Athlete's age").fill('13');
  await fillEmergency(parent);
  await parent.getByLabel(/I am the athlete's parent or guardian/).check();
  await parent.getByRole('button', { name: 'Continue to payment' }).click();
  await parent.getByTestId('simulated-pay').click();
  await expect(parent.getByTestId('payment-banner')).toContainText('Payment received');
  const booking = parent.url().replace(/\/paid.*$/, '');
  await parent.goto(booking);
  await parent.getByTestId('move-link').click();
  await expect(parent).toHaveURL(/\/move$/);
  // The options come with the page's data (after "Loading…" on a client-side visit): wait for
  // them. Only the session of the same price is offered.
  const options = parent.getByLabel('New session').locator('option');
  await expect(options).toHaveCount(1);
  await expect(options.first()).toContainText('Sprint technique, later');
  await expectAccessible(parent, 'the move page');
  await parent.getByTestId('confirm-move').click();
  await expect(parent).toHaveURL(/\/bookings\/[0-9a-z]{20}\?moved=1$/);
  // The page says the move, not the payment of before (issue 26).
  await expect(parent.getByTestId('payment-banner')).toContainText('Booking moved');
  await expect(parent.locator('[data-payment-status="paid"]')).toBeVisible();
  await expect(parent.locator('main')).toContainText('Sprint technique, later');

  await page.goto(server.baseURL + `/admin/sessions/${later}/roster`);
  await expect(page.locator('li[data-roster-id]', { hasText: 'Max' }).locator('[data-payment-status]')).toHaveText('Paid');
});
