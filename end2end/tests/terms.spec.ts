// Terms (issue 23), in Chromium on both databases: an admin creates a ten-week term skipping
// one date, its sessions at 17:00 London time on both sides of a clock change; a parent on a
// phone books and pays the whole term in one checkout; the admin cancels one session and the
// family sees that session's share refunded while the others stay paid, as the term's page does.
import { test, expect } from './fixtures';
import { startMailDev, startServer, RunningServer } from './server';
import { createTerm, expectAccessible, fillBooking, loginAt, signInByMail } from './helpers';

let server: RunningServer;
test.use({ baseURL: undefined, bypassCSP: true });
test.afterEach(async () => {
  await server?.stop();
});

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** A Tuesday at least a week ahead from which ten weeks cross London's next clock change. */
function termAcrossAClockChange(): { first: Date; skipped: Date } {
  const soon = Date.now() + 7 * 86_400_000;
  for (let year = new Date().getUTCFullYear(); ; year++) {
    for (const month of [2, 9]) {
      // The last Sunday of March or October.
      const change = new Date(Date.UTC(year, month, 31));
      change.setUTCDate(31 - change.getUTCDay());
      const first = new Date(change.getTime() - 5 * 7 * 86_400_000);
      while (first.getUTCDay() !== 2) first.setUTCDate(first.getUTCDate() + 1);
      if (first.getTime() >= soon) {
        return { first, skipped: new Date(first.getTime() + 2 * 7 * 86_400_000) };
      }
    }
  }
}

test('an admin creates a term, a family books and pays it at once, one cancelled session is refunded alone', async ({ page, browser, database }, testInfo) => {
  const mail = await startMailDev();
  try {
    server = await startServer({
      database,
      env: { BUSINESS_TIMEZONE: 'Europe/London', SMTP_URL: mail.smtpUrl, MAIL_FROM: 'Riverside Coaching <bookings@example.com>' },
    });
    const { first, skipped } = termAcrossAClockChange();

    await loginAt(page, server.baseURL);
    await createTerm(page, server.baseURL, {
      title: 'Tuesday sprinters', first: iso(first), weeks: '10', skip: iso(skipped), places: '12', price: '270',
    });
    await expectAccessible(page, 'the new term form');
    await page.getByRole('button', { name: 'Create the term' }).click();
    await expect(page).toHaveURL(/\/admin\/sessions$/);
    await expect(page.getByTestId('sessions-notice')).toHaveText('Term saved: 9 sessions made.');
    const rows = page.getByTestId('sessions-table-upcoming').locator('tr', { hasText: 'Term: Tuesday sprinters' });
    await expect(rows).toHaveCount(9);
    // Every session at 17:00 local, on both sides of the clock change (GMT and BST).
    for (const row of await rows.all()) await expect(row).toContainText('17:00');
    const whens = (await rows.allInnerTexts()).join('\n');
    expect(whens).toMatch(/GMT/);
    expect(whens).toMatch(/BST/);

    // A parent on a phone books the whole term and pays once.
    const phone = await (await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } })).newPage();
    await phone.goto(server.baseURL + '/book');
    await expect(phone.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const card = phone.locator('li[data-term-id]', { hasText: 'Tuesday sprinters' });
    await expect(card.getByTestId('term-price')).toHaveText('£270.00 for the whole term');
    await expect(card.getByTestId('term-dates')).toContainText('9 sessions');
    await card.getByRole('link', { name: 'Book the term' }).click();
    await expect(phone).toHaveURL(/\/book\/term\/\d+$/);
    await expect(phone.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const email = 'terry@example.com';
    await fillBooking(phone, 'Terry Term', email);
    await expectAccessible(phone, 'the term booking form');
    const scrolls = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(scrolls).toBe(false);
    const shot = testInfo.outputPath('term-booking-390.png');
    await phone.screenshot({ path: shot, fullPage: true });
    await testInfo.attach('term-booking-390', { path: shot, contentType: 'image/png' });
    await phone.getByRole('button', { name: 'Continue to payment' }).click();
    await expect(phone.getByTestId('simulated-pay')).toContainText('£270.00');
    await phone.getByTestId('simulated-pay').click();
    await expect(phone.getByTestId('payment-banner')).toContainText('Payment received', { timeout: 20_000 });

    // The coach is ill for the second session: the admin cancels it.
    await page.goto(server.baseURL + '/admin/sessions');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await rows.nth(1).getByRole('link', { name: 'Cancel…' }).click();
    const summary = page.getByTestId('cancel-summary');
    await expect(summary).toContainText('1 paid booking will be refunded in full: £30.00 in all');
    await page.getByTestId('confirm-cancel-session').click();
    await expect(page).toHaveURL(/\/admin\/sessions$/);

    // The family sees that session refunded, the others paid.
    await signInByMail(phone, server.baseURL, mail, email);
    const bookings = phone.getByTestId('upcoming').getByTestId('family-booking');
    await expect(async () => {
      await phone.reload();
      await expect(bookings.locator('[data-payment-status="refunded"]')).toHaveCount(1, { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(bookings.locator('[data-payment-status="paid"]')).toHaveCount(8);
    await expectAccessible(phone, 'the family page with a term');

    // The term's page: its sessions, the cancelled one marked, and the family's bookings.
    await page.goto(server.baseURL + '/admin/sessions');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByTestId('term-tag').first().click();
    await expect(page).toHaveURL(/\/admin\/terms\/\d+$/);
    await expect(page.getByTestId('term-sessions').locator('li')).toHaveCount(9);
    await expect(page.getByTestId('term-sessions').locator('li', { hasText: 'Cancelled' })).toHaveCount(1);
    await expect(page.getByTestId('term-families')).toContainText('8 sessions booked: 8 paid, 1 refunded');
    await expectAccessible(page, "the term's page");
  } finally {
    await mail.stop();
  }
});
