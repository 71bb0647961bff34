// The admin's side in Chromium: login, both tags with their exact colours, attendance with
// rollback, a signed webhook turning the payment tag green live, filters and pages.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { startServer, RunningServer, ADMIN_EMAIL, ADMIN_PASSWORD } from './server';
import { book, deliver, paidEvent } from './stripe';
import { expectAccessible, loginAt } from './helpers';

async function login(page: Page) {
  await loginAt(page, server.baseURL);
}

function row(page: Page, parent: string) {
  return page.locator('tr[data-booking-id]', { hasText: parent });
}

// Each test gets its own server and database so counts and ids are known.
let server: RunningServer;
test.beforeEach(async ({ database }) => {
  server = await startServer({ database });
});
test.afterEach(async () => {
  await server.stop();
});
test.use({ baseURL: undefined, bypassCSP: true });

test('logged out, every admin page sends you to the login', async ({ page }) => {
  for (const path of ['/admin', '/admin/issues', '/admin/sessions', '/admin/bookings/1']) {
    await page.goto(server.baseURL + path);
    await expect(page).toHaveURL(/\/admin\/login\?next=/);
  }
  await page.goto(server.baseURL + '/admin/login');
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('Wrong email or password.');
});

test('tags, attendance, a live payment, and logging out', async ({ page, context }) => {
  await book(server.baseURL, 1, 'Pat Parent');
  await book(server.baseURL, 1, 'Sam Smith');
  await page.goto(server.baseURL + '/');
  await login(page);
  await expect(page.getByTestId('simulated-banner')).toBeVisible();

  const pat = row(page, 'Pat Parent');
  const patPayment = pat.locator('[data-payment-status]');
  const patAttendance = pat.locator('[data-attendance-status]');
  await expect(patPayment).toHaveAttribute('data-payment-status', 'unpaid');
  await expect(patPayment).toHaveClass(/\bbg-yellow-400\b/);
  await expect(patPayment).toHaveText('Unpaid');
  await expect(patAttendance).toHaveClass(/\bbg-gray-300\b/);
  await expect(patAttendance).toHaveText('Not marked yet');

  // Attendance: shows at once, and is stored.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await pat.getByTestId('attendance-select').selectOption('completed');
  await expect(patAttendance).toHaveClass(/\bbg-blue-500\b/);
  await expect(patAttendance).toHaveText('Present');
  const sam = row(page, 'Sam Smith');
  await sam.getByTestId('attendance-select').selectOption('no-show');
  await expect(sam.locator('[data-attendance-status]')).toHaveClass(/\bbg-red-300\b/);

  // A signed webhook turns Pat's payment tag green without a reload.
  await page.evaluate(() => ((window as any).__noReload = true));
  const patId = Number(await pat.getAttribute('data-booking-id'));
  expect(await deliver(server.baseURL, paidEvent('evt_e2e_live', patId))).toBe(200);
  await expect(patPayment).toHaveAttribute('data-payment-status', 'paid', { timeout: 3_000 });
  await expect(patPayment).toHaveClass(/\bbg-green-500\b/);
  await expect(patPayment).toHaveText('Paid');
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  await expect(patAttendance).toHaveText('Present'); // the payment did not touch attendance

  await page.reload();
  await expect(row(page, 'Pat Parent').locator('[data-attendance-status]')).toHaveText('Present');

  // The session ends (cookie gone): the list can no longer be read (here, sorted again), and
  // the page says why above the rows it keeps; a change rolls back with a message.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await context.clearCookies();
  await page.locator('thead a').first().click();
  await expect(page.getByRole('alert').filter({ hasText: 'Your admin session has ended: log in again to go on.' })).toBeVisible();
  await expect(row(page, 'Pat Parent')).toBeVisible();
  const samAttendance = row(page, 'Sam Smith').locator('[data-attendance-status]');
  await row(page, 'Sam Smith').getByTestId('attendance-select').selectOption('confirmed');
  await expect(row(page, 'Sam Smith').getByRole('alert')).toBeVisible();
  await expect(samAttendance).toHaveText('No-show');
  await page.goto(server.baseURL + '/admin');
  await expect(page).toHaveURL(/\/admin\/login/);
});

test('filters and pages', async ({ page }) => {
  for (let n = 0; n < 30; n++) {
    await book(server.baseURL, [1, 3, 4][n % 3], `Family ${String(n).padStart(2, '0')}`);
  }
  await page.goto(server.baseURL + '/');
  await login(page);
  await expect(page.getByTestId('bookings-total')).toHaveText('30 bookings · page 1 of 2');
  await expect(page.locator('tr[data-booking-id]')).toHaveCount(25);
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page.getByTestId('bookings-total')).toHaveText('30 bookings · page 2 of 2');
  await expect(page.locator('tr[data-booking-id]')).toHaveCount(5);

  await page.getByLabel('Search').fill('family 07');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('bookings-total')).toHaveText('1 booking · page 1 of 1');
  await expect(page.locator('tr[data-booking-id]')).toContainText('Family 07');

  await page.goto(server.baseURL + '/admin');
  await page.getByLabel('Session', { exact: true }).selectOption('3');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('bookings-total')).toHaveText(/^10 bookings/);
  await page.getByLabel('Payment').selectOption('paid');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('bookings-total')).toHaveText(/^0 bookings/);
});

test('a refund from the booking page, then a session cancelled after its summary', async ({ page }) => {
  await book(server.baseURL, 1, 'Refund Rita');
  await book(server.baseURL, 1, 'Unpaid Uma');
  expect(await deliver(server.baseURL, paidEvent('evt_e2e_refund', 1))).toBe(200);
  await page.goto(server.baseURL + '/');
  await login(page);
  await page.goto(server.baseURL + '/admin/bookings/1');
  await expect(page.locator('[data-payment-status="paid"]').first()).toBeVisible();
  await page.getByLabel(/^Amount/).fill('10');
  await page.getByTestId('refund-button').click();
  // Never one click: a page says what will happen first, and nothing moves until it is confirmed.
  await expect(page).toHaveURL(/\/admin\/bookings\/1\/confirm\?action=refund/);
  await expect(page.getByRole('heading', { name: 'Refund $10.00?' })).toBeVisible();
  await expect(page.getByTestId('money-preview')).toContainText('$10.00 of the $45.00 paid goes back to the card Refund Rita');
  await expect(page.getByTestId('money-preview')).toContainText('Reason given to Stripe: asked by the parent');
  await expect(page.getByTestId('money-preview')).toContainText('the booking stays paid');
  await expectAccessible(page, 'the refund confirmation');
  await page.getByTestId('confirm-money').click();
  await expect(page).toHaveURL(/\/admin\/bookings\/1\?done=refund$/);
  await expect(page.getByText(/Refund asked of Stripe/)).toBeVisible();
  // The simulated provider's charge.refunded lands: partly refunded, still paid.
  await expect(page.getByTestId('refunds')).toContainText('$10.00');
  await expect(page.getByText('$10.00', { exact: true })).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('[data-payment-status="paid"]').first()).toBeVisible();

  await page.goto(server.baseURL + '/admin/sessions');
  await page.locator('tr', { hasText: 'Sprint technique' }).getByRole('link', { name: 'Cancel…' }).click();
  await expect(page).toHaveURL(/\/admin\/sessions\/1\/cancel$/);
  const summary = page.getByTestId('cancel-summary');
  await expect(summary).toContainText('2 bookings will be cancelled');
  await expect(summary).toContainText('1 paid booking will be refunded in full: $35.00 in all');
  await page.getByTestId('confirm-cancel-session').click();
  await expect(page).toHaveURL(/\/admin\/sessions$/);
  await page.goto(server.baseURL + '/admin/bookings/2');
  await expect(page.locator('[data-attendance-status="cancelled"]').first()).toBeVisible();
  await expect(page.getByTestId('timeline')).toContainText(`Attendance: Cancelled (by ${ADMIN_EMAIL})`);
});
