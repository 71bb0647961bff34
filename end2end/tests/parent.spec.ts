// The parent's side in Chromium, simulated payments: book, pay, decline, delayed bank payment,
// form errors, no JavaScript, and the layout at 390 px.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { fillBooking } from './helpers';


async function startBooking(page: Page, parent: string) {
  await page.goto('/');
  await page.getByRole('link', { name: /^Book Sprint technique/ }).click();
  await expect(page).toHaveURL(/\/book\?session=\d+/);
  await expect(page.getByLabel('Session')).not.toHaveValue('');
  await fillBooking(page, parent);
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page).toHaveURL(/\/checkout\/simulated\/cs_sim_/);
}

test('book and pay, then see "Payment received"', async ({ page }) => {
  await startBooking(page, 'Pat Payer');
  await expect(page.getByRole('heading', { name: /Pay \$45\.00/ })).toBeVisible();
  await page.getByTestId('simulated-pay').click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-z]{20}\/paid/);
  await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
  await expect(page.locator('[data-payment-status="paid"]')).toHaveClass(/bg-green-500/);
});

test('on a phone, the booking page says until when the place is held and the booking can be changed', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await startBooking(page, 'Dee Deadline');
  await page.getByRole('link', { name: 'Back (cancel)' }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-z]{20}\/cancelled$/);
  await expect(page.getByTestId('payment-banner')).toContainText('Payment cancelled');
  await expect(page.getByTestId('payment-banner')).toContainText(/its place is held until \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2}/);
  await page.goto(page.url().replace(/\/cancelled$/, ''));
  await expect(page.getByTestId('payment-banner')).toContainText(/place is held until .*: pay by then to confirm it/);
  await expect(page.getByTestId('changeable-until')).toContainText(/You can change or cancel this booking online until \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2}/);
});

test('a declined card shows the failure and a way to retry', async ({ page }) => {
  await startBooking(page, 'Dee Clined');
  await page.getByTestId('simulated-decline').click();
  await expect(page.getByTestId('payment-banner')).toContainText('Payment failed');
  await expect(page.getByTestId('payment-banner')).toContainText('Your card was declined.');
  await expect(page.locator('[data-payment-status="failed"]')).toHaveClass(/bg-red-500/);
  await page.getByRole('button', { name: 'Try paying again' }).click();
  await expect(page).toHaveURL(/\/checkout\/simulated\/cs_sim_/);
  await page.getByTestId('simulated-pay').click();
  await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
});

test('a delayed bank payment moves from confirming to received by itself', async ({ page }) => {
  await startBooking(page, 'Bank Payer');
  await page.getByTestId('simulated-delayed').click();
  await expect(page).toHaveURL(/\/paid/);
  const banner = page.getByTestId('payment-banner');
  await expect(banner).toContainText('Confirming your payment');
  const url = page.url();
  await expect(banner).toContainText('Payment received', { timeout: 15_000 });
  expect(page.url()).toBe(url); // no navigation: the page updated itself
});

test('form errors are shown beside their fields and what was typed is kept', async ({ page }) => {
  await page.goto('/book');
  await page.getByLabel('Your name').fill('Pat Parent');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel("Athlete's age").fill('200');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  const summary = page.getByTestId('error-summary');
  await expect(summary).toContainText('There are problems with 7 fields');
  await expect(page.locator('#field-parent_email-error')).toHaveText('Enter an email address like name@example.com.');
  await expect(page.locator('#field-athlete_age-error')).toHaveText("The athlete's age must be between 3 and 99.");
  await expect(page.locator('#field-session-error')).toHaveText('Choose a session.');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-describedby', /field-parent_email-error/);
  await expect(page.getByLabel('Your name')).toHaveValue('Pat Parent');
  await expect(page.getByLabel('Email')).toHaveValue('not-an-email');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a booking can still be made, paid and confirmed', async ({ page }) => {
    await page.goto('/book');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    // The server sends the form back with the errors and the values (no script ran).
    await expect(page.getByTestId('error-summary')).toBeVisible();
    await expect(page.locator('#field-consent-error')).toContainText('Please confirm');

    await page.getByLabel('Session').selectOption({ index: 1 });
    await fillBooking(page, 'No Script');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await expect(page).toHaveURL(/\/checkout\/simulated\/cs_sim_/);
    await page.getByTestId('simulated-pay').click();
    await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
  });
});

test('the booking form works at 390 px wide', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/book');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page.getByTestId('error-summary')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(overflow).toBeLessThanOrEqual(390);
  // Keyboard: the first field takes focus with a visible ring.
  await page.getByLabel('Session').focus();
  const ring = await page.getByLabel('Session').evaluate((el) => getComputedStyle(el).boxShadow);
  expect(ring).not.toBe('none');
  const path = testInfo.outputPath('booking-form-390.png');
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach('booking-form-390', { path, contentType: 'image/png' });
});

test('a parent cancels a paid booking after a confirmation step, and is refunded', async ({ page }) => {
  await startBooking(page, 'Can Celler');
  await page.getByTestId('simulated-pay').click();
  await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
  const booking = page.url().replace(/\/paid.*$/, '');
  await page.goto(booking);
  await page.getByTestId('cancel-link').click();
  await expect(page).toHaveURL(/\/cancel$/);
  await expect(page.getByRole('heading', { name: 'Cancel this booking?' })).toBeVisible();
  await expect(page.getByText(/refunded in full to your card/)).toBeVisible();
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('payment-banner')).toContainText('Booking cancelled');
  await expect(page.getByTestId('refund-note')).toBeVisible();
  // The simulated provider's refund comes back through the webhook.
  await expect(async () => {
    await page.reload();
    await expect(page.locator('[data-payment-status="refunded"]')).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByTestId('cancel-link')).toHaveCount(0);
});

test('find my booking says the same whether or not the address has bookings', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Find my booking' }).click();
  await expect(page).toHaveURL(/\/find$/);
  const ask = async (email: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send me the links' }).click();
    const sent = page.getByTestId('find-sent');
    await expect(sent).toBeVisible();
    return sent.textContent();
  };
  const known = await ask('pat@example.com');
  await page.goto('/find');
  const unknown = await ask('nobody.at.all@example.com');
  expect(known).toEqual(unknown);
});
