// Brothers and sisters in one booking (issue 22), in Chromium on both databases: the form
// offers more children (folded away, with the sibling discount), one checkout for them all,
// each child's own booking and tags for the admin; with and without JavaScript, at 390 px and
// on a desktop.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { startMailDev, startServer, RunningServer } from './server';
import { expectAccessible, fillBooking, loginAt, signInByMail } from './helpers';

let server: RunningServer;
test.use({ baseURL: undefined, bypassCSP: true });
test.afterEach(async () => {
  await server?.stop();
});

async function bothPaidForTheAdmin(page: Page, parent: string) {
  await loginAt(page, server.baseURL);
  const table = page.getByTestId('bookings-table');
  for (const athlete of [`Alex (${parent})`, `Sam (${parent})`]) {
    const row = table.locator('tr', { hasText: athlete });
    await expect(row).toHaveCount(1);
    await expect(row.locator('[data-payment-status="paid"]')).toHaveCount(1);
  }
}

for (const [device, viewport] of [
  ['on a phone', { width: 390, height: 844 }],
  ['on a desktop', { width: 1280, height: 900 }],
] as const) {
  test.describe(device, () => {
    test.use({ viewport });

    test('two children booked in one form are paid in one checkout', async ({ page, database }) => {
      server = await startServer({ database, env: { SIBLING_DISCOUNT_PERCENT: '10' } });
      await page.goto(server.baseURL + '/book');
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expectAccessible(page, 'the booking form');
      // A second child with no age is named on its own field.
      await page.getByLabel('Session').selectOption({ index: 1 });
      await fillBooking(page, 'Fay Family', 'fay@example.com');
      await page.getByTestId('more-children').locator('summary').click();
      await page.getByLabel("Second child's name").fill('Sam (Fay Family)');
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await expect(page.getByTestId('error-summary')).toContainText("Enter the athlete's age.");
      await expect(page.getByLabel("Second child's age")).toHaveAttribute('aria-invalid', 'true');
      await page.getByLabel("Second child's age").fill('9');
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await expect(page).toHaveURL(/\/checkout\/simulated\/cs_sim_/);
      // $45.00 and $40.50: one payment for both.
      await expect(page.getByRole('heading', { name: 'Pay $85.50' })).toBeVisible();
      await page.getByTestId('simulated-pay').click();
      await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
      const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(scrolls).toBe(false);
      await bothPaidForTheAdmin(page, 'Fay Family');
    });
  });
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });

  test('the form books two children and comes back whole when refused', async ({ page, database }) => {
    server = await startServer({ database, env: { SIBLING_DISCOUNT_PERCENT: '10' } });
    await page.goto(server.baseURL + '/book');
    await page.getByLabel('Session').selectOption({ index: 1 });
    await fillBooking(page, 'Nia Noscript', 'nia@example.com');
    await page.getByTestId('more-children').locator('summary').click();
    await page.getByLabel("Second child's name").fill('Sam (Nia Noscript)');
    await page.getByLabel("Second child's age").fill('nine');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await expect(page.getByTestId('error-summary')).toContainText("Enter the athlete's age as a whole number.");
    // What was typed for the second child came back, its box open.
    await expect(page.getByLabel("Second child's name")).toHaveValue('Sam (Nia Noscript)');
    await page.getByLabel("Second child's age").fill('9');
    await page.getByLabel(/I am the athlete's parent or guardian/).check();
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await expect(page).toHaveURL(/\/checkout\/simulated\/cs_sim_/);
    await expect(page.getByRole('heading', { name: 'Pay $85.50' })).toBeVisible();
    await page.getByTestId('simulated-pay').click();
    await expect(page.getByTestId('payment-banner')).toContainText('Payment received', { timeout: 20_000 });
  });
});

test.describe('a family on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('two children paid together, both on the family page, one cancelled and only its share refunded', async ({ page, database }) => {
    const mail = await startMailDev();
    try {
      server = await startServer({
        database,
        env: { SMTP_URL: mail.smtpUrl, MAIL_FROM: 'Riverside Coaching <bookings@example.com>', SIBLING_DISCOUNT_PERCENT: '10' },
      });
      const email = 'gail@example.com';
      await page.goto(server.baseURL + '/book');
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByLabel('Session').selectOption({ index: 1 });
      await fillBooking(page, 'Gail Group', email);
      await page.getByTestId('more-children').locator('summary').click();
      await page.getByLabel("Second child's name").fill('Sam (Gail Group)');
      await page.getByLabel("Second child's age").fill('9');
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await page.getByTestId('simulated-pay').click();
      await expect(page.getByTestId('payment-banner')).toContainText('Payment received');

      // Signed in by the link mailed to the family.
      await signInByMail(page, server.baseURL, mail, email);

      const upcoming = page.getByTestId('upcoming').getByTestId('family-booking');
      await expect(upcoming).toHaveCount(2);
      const alex = upcoming.filter({ hasText: 'Athlete: Alex (Gail Group)' });
      const sam = upcoming.filter({ hasText: 'Athlete: Sam (Gail Group)' });
      await expect(alex.locator('[data-payment-status="paid"]')).toBeVisible();
      await expect(sam.locator('[data-payment-status="paid"]')).toBeVisible();
      await expectAccessible(page, 'the family page with two children');

      // The second child cancelled from its own page: its share comes back, the first stays paid.
      await sam.getByRole('link').click();
      await page.getByTestId('cancel-link').click();
      await page.getByTestId('confirm-cancel').click();
      await expect(page.getByTestId('payment-banner')).toContainText('Booking cancelled');
      await expect(page.getByTestId('refund-note')).toBeVisible();
      await page.goto(server.baseURL + '/family');
      await expect(async () => {
        await page.reload();
        await expect(sam.locator('[data-payment-status="refunded"]')).toBeVisible({ timeout: 1_000 });
      }).toPass({ timeout: 20_000 });
      // The refunded child's page says how much came back: its share.
      await sam.getByRole('link').click();
      await expect(page.getByTestId('refund-note')).toContainText('$40.50');
      await page.goto(server.baseURL + '/family');
      await expect(sam.locator('[data-attendance-status="cancelled"]')).toBeVisible();
      await expect(alex.locator('[data-payment-status="paid"]')).toBeVisible();
      await expect(alex.locator('[data-attendance-status="pending"]')).toBeVisible();

      // "Book again" fills the form with the same athlete.
      await alex.getByTestId('book-again').click();
      await expect(page).toHaveURL(/\/book(\?session=\d+)?$/);
      await expect(page.getByLabel("Athlete's name")).toHaveValue('Alex (Gail Group)');
      await expect(page.getByLabel('Email')).toHaveValue(email);
    } finally {
      await mail.stop();
    }
  });
});
