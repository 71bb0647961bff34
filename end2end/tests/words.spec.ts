// Every word true for a parent (issue 26), in Chromium at 390 px and on a desktop: one mail for
// an instant payment, the calendar entry on the booking page and withdrawn after a cancel, the
// terms one click from the checkbox, the same child refused twice in one session, the headline
// and its tag agreeing after a cancel, and "Change session" only when there is somewhere to go.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { startMailDev, startServer, RunningServer } from './server';
import { expectAccessible, fillBooking, loginAt } from './helpers';

let server: RunningServer;
test.use({ baseURL: undefined, bypassCSP: true });
test.afterEach(async () => {
  await server?.stop();
});

for (const [device, viewport] of [
  ['on a phone', { width: 390, height: 844 }],
  ['on a desktop', { width: 1280, height: 900 }],
] as const) {
  test.describe(device, () => {
    test.use({ viewport });

    async function bookAndPay(page: Page, parent: string, email: string) {
      await page.goto(server.baseURL + '/');
      await page.getByRole('link', { name: /^Book Sprint technique/ }).first().click();
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await fillBooking(page, parent, email);
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await expect(page).toHaveURL(/\/checkout\/simulated\/cs_sim_/);
      await page.getByTestId('simulated-pay').click();
      await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
    }

    test('an instant payment gets one mail: the confirmation with the calendar entry', async ({ page, database }) => {
      const mail = await startMailDev();
      try {
        server = await startServer({
          database,
          env: { SMTP_URL: mail.smtpUrl, MAIL_FROM: 'Riverside Coaching <bookings@example.com>', BOOKING_MAIL_DELAY_SECS: '3' },
        });
        await bookAndPay(page, 'Ivy Instant', 'ivy@example.com');
        // The booking page offers the calendar entry once the place is sure.
        const reference = page.url().match(/\/bookings\/([0-9a-z]{20})/)![1];
        await page.goto(`${server.baseURL}/bookings/${reference}`);
        const add = page.getByTestId('add-to-calendar');
        await expect(add).toBeVisible();
        const ics = await (await page.request.get(server.baseURL + (await add.getAttribute('href'))!)).text();
        expect(ics).toContain('BEGIN:VEVENT');
        // Past the first mail's wait, and then some: one mail only.
        await expect.poll(async () => (await mail.emails()).length, { timeout: 20_000 }).toBe(1);
        await page.waitForTimeout(5_000);
        const mails = await mail.emails();
        expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/^Booking confirmed: Sprint technique/)]);
        expect(mails[0].text).toContain(`Reference: ${reference}`);
        expect(mails[0].text).not.toContain('pi_');
      } finally {
        await mail.stop();
      }
    });

    test('after a cancel the headline and the tag agree, and the calendar entry is withdrawn', async ({ page, database }) => {
      server = await startServer({ database });
      await bookAndPay(page, 'Cal Cancel', 'cal@example.com');
      const reference = page.url().match(/\/bookings\/([0-9a-z]{20})/)![1];
      await page.goto(`${server.baseURL}/bookings/${reference}`);
      await page.getByTestId('cancel-link').click();
      await page.getByTestId('confirm-cancel').click();
      await expect(page.getByTestId('payment-banner')).toContainText('Booking cancelled');
      // Never a green "Paid" beside "Booking cancelled": the refund's state instead.
      await expect(page.locator('[data-payment-status="paid"]')).toHaveCount(0);
      await expect(page.locator('[data-payment-status="refunding"], [data-payment-status="refunded"]')).toHaveCount(1);
      const ics = await (await page.request.get(`${server.baseURL}/bookings/${reference}/calendar.ics`)).text();
      expect(ics).toContain('METHOD:CANCEL');
      await expectAccessible(page, 'a cancelled booking');
    });

    test('the terms are one click from the checkbox, and the same child is not booked twice', async ({ page, database, context }) => {
      server = await startServer({ database });
      await bookAndPay(page, 'Tess Twice', 'tess@example.com');
      await page.goto(server.baseURL + '/');
      await page.getByRole('link', { name: /^Book Sprint technique/ }).first().click();
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      // The terms open beside the form, which keeps what was typed.
      const [terms] = await Promise.all([context.waitForEvent('page'), page.getByTestId('terms-link').click()]);
      await expect(terms.getByTestId('terms-cutoff')).toContainText('Up to 24 hours before the session starts');
      await expectAccessible(terms, 'the terms');
      await terms.close();
      await fillBooking(page, 'Tess Twice', 'tess@example.com');
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await expect(page.locator('#field-athlete_name-error')).toContainText('is already booked into this session with this email address');
      await expect(page).toHaveURL(/\/book/);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(sideways).toBe(false);
    });

    test('"Change session" is offered only when there is a session to change to', async ({ page, database }) => {
      server = await startServer({ database });
      await bookAndPay(page, 'Mo Mover', 'mo@example.com');
      const reference = page.url().match(/\/bookings\/([0-9a-z]{20})/)![1];
      await page.goto(`${server.baseURL}/bookings/${reference}`);
      // No other demo session costs $45.00: no link that would end at "no other session".
      await expect(page.getByTestId('no-move')).toContainText('No other session at this price has a free place');
      await expect(page.getByTestId('move-link')).toHaveCount(0);
      // The coach adds one: the link appears and says how many.
      const desk = await (await page.context().browser()!.newContext({ bypassCSP: true })).newPage();
      await loginAt(desk, server.baseURL);
      await desk.goto(server.baseURL + '/admin/sessions/new');
      await expect(desk.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await desk.getByLabel('Title').fill('Sprint technique II');
      await desk.getByLabel('Date').fill(new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10));
      await desk.getByLabel('Start time').fill('17:00');
      await desk.getByLabel('Length (minutes)').fill('60');
      await desk.getByLabel('Places').fill('8');
      await desk.getByLabel('Place', { exact: true }).fill('Riverside Track');
      await desk.getByLabel('Price').fill('45');
      await desk.getByLabel('Currency').fill('USD');
      await desk.getByRole('button', { name: 'Save' }).click();
      await expect(desk).toHaveURL(/\/admin\/sessions(\?.*)?$/);
      await desk.close();
      await page.reload();
      await expect(page.getByTestId('move-link')).toContainText('Change session (1 with a free place at this price)');
      await page.getByTestId('move-link').click();
      await expect(page).toHaveURL(/\/move$/);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByTestId('confirm-move').click();
      await expect(page).toHaveURL(/\?moved=1$/);
      await expect(page.getByTestId('payment-banner')).toContainText('Booking moved');
      await expect(page.getByTestId('payment-banner')).not.toContainText('Payment received');
      await expect(page.locator('[data-payment-status="paid"]')).toBeVisible();
    });
  });
}
