// A term after it is booked (issue 23), in Chromium on both databases: a family on a phone
// cancels its whole term from its booking's page (the amount said before the button) and gets
// it all back while the full term offers its waitlist; an admin changes a term before it
// starts (places, price, a dropped date) and the term's page shows the dropped session
// cancelled.
import { test, expect } from './fixtures';
import { startServer, RunningServer } from './server';
import { createTerm, expectAccessible, fillBooking, loginAt } from './helpers';

let server: RunningServer;
test.use({ baseURL: undefined, bypassCSP: true });
test.afterEach(async () => {
  await server?.stop();
});

/** The next Tuesday at least a week ahead (YYYY-MM-DD), and the one `weeks` after it. */
function tuesday(weeks = 0): string {
  const day = new Date(Date.now() + 8 * 86_400_000);
  while (day.getUTCDay() !== 2) day.setUTCDate(day.getUTCDate() + 1);
  day.setUTCDate(day.getUTCDate() + 7 * weeks);
  return day.toISOString().slice(0, 10);
}

test('a family cancels its whole term on a phone and gets back what it paid', async ({ page, browser, database }) => {
  server = await startServer({ database, env: { BUSINESS_TIMEZONE: 'Europe/London' } });
  await loginAt(page, server.baseURL);
  await createTerm(page, server.baseURL, { title: 'Tuesday hurdles', first: tuesday(), weeks: '6', places: '1', price: '120' });
  await page.getByRole('button', { name: 'Create the term' }).click();
  await expect(page.getByTestId('sessions-notice')).toHaveText('Term saved: 6 sessions made.');

  const phone = await (await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } })).newPage();
  await phone.goto(server.baseURL + '/book');
  await expect(phone.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await phone.locator('li[data-term-id]', { hasText: 'Tuesday hurdles' }).getByRole('link', { name: 'Book the term' }).click();
  // The term's own form (the start page has a booking form of its own): wait until it is there.
  await expect(phone).toHaveURL(/\/book\/term\/\d+$/);
  await expect(phone.getByTestId('term-offer')).toContainText('Tuesday hurdles');
  await expect(phone.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await fillBooking(phone, 'Hana Hurdle', 'hana@example.com');
  await phone.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(phone.getByTestId('simulated-pay')).toContainText('£120.00');
  await phone.getByTestId('simulated-pay').click();
  await expect(phone.getByTestId('payment-banner')).toContainText('Payment received', { timeout: 20_000 });
  const booking = phone.url().replace(/\/paid.*$/, '');

  // Full now: the list offers its waitlist instead.
  const other = await (await browser.newContext({ bypassCSP: true })).newPage();
  await other.goto(server.baseURL + '/book');
  const card = other.locator('li[data-term-id]', { hasText: 'Tuesday hurdles' });
  await expect(card.getByRole('link', { name: 'Join the waitlist' })).toBeVisible();

  // From the booking's page: the whole term, the amount before the button.
  await phone.goto(booking);
  await expect(phone.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(phone.getByTestId('term-cancel-offer')).toContainText('This booking is part of the term Tuesday hurdles.');
  await phone.getByTestId('cancel-term-link').click();
  await expect(phone).toHaveURL(/\/cancel-term$/);
  await expect(phone.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(phone.getByTestId('term-cancel-what')).toContainText('Tuesday hurdles: the 6 sessions still to come, for');
  await expect(phone.getByTestId('term-cancel-refund')).toContainText('the £120.00 you paid for them is refunded');
  await expectAccessible(phone, 'cancelling a whole term');
  const scrolls = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(scrolls).toBe(false);
  await phone.getByTestId('confirm-cancel-term').click();
  await expect(phone).toHaveURL(booking);
  await expect(async () => {
    await phone.reload();
    await expect(phone.getByTestId('refund-note')).toContainText('£20.00', { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(phone.getByTestId('term-cancel-offer')).toHaveCount(0);

  // The places are free again: the term can be booked.
  await other.reload();
  await expect(card.getByRole('link', { name: 'Book the term' })).toBeVisible();
});

test('an admin changes a term before it starts, and a dropped date cancels its session', async ({ page, database }) => {
  server = await startServer({ database, env: { BUSINESS_TIMEZONE: 'Europe/London' } });
  await loginAt(page, server.baseURL);
  await createTerm(page, server.baseURL, { title: 'Saturday relays', first: tuesday(), weeks: '5', places: '10', price: '100' });
  await page.getByRole('button', { name: 'Create the term' }).click();
  await expect(page.getByTestId('sessions-notice')).toHaveText('Term saved: 5 sessions made.');
  await page.getByTestId('term-tag').first().click();
  await expect(page).toHaveURL(/\/admin\/terms\/\d+$/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId('change-term').click();
  await expect(page).toHaveURL(/\/admin\/terms\/\d+\/change$/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByLabel('Places')).toHaveValue('10');
  await expect(page.getByLabel('Price of the whole term')).toHaveValue('100.00');

  // A date that is not one of the term's is named on its field; nothing changes.
  await page.getByLabel('Dates to drop').fill(tuesday(9));
  await page.getByRole('button', { name: 'Save the term' }).click();
  await expect(page.locator('#field-skip-error')).toContainText("is not the date of one of this term's sessions");
  await expectAccessible(page, 'changing a term');

  await page.getByLabel('Places').fill('14');
  await page.getByLabel('Price of the whole term').fill('80');
  await page.getByLabel('Dates to drop').fill(tuesday(2));
  await page.getByRole('button', { name: 'Save the term' }).click();
  await expect(page).toHaveURL(/\/admin\/terms\/\d+$/);
  await expect(page.getByText('£80.00 per athlete for the whole term')).toBeVisible();
  const sessions = page.getByTestId('term-sessions').locator('li');
  await expect(sessions).toHaveCount(5);
  await expect(sessions.filter({ hasText: 'Cancelled' })).toHaveCount(1);
  await expect(sessions.filter({ hasText: '0/14 places taken' })).toHaveCount(4);
});
