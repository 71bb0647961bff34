// The README's screenshots, desktop (1280 px) and phone (390 px), parent and admin, taken from a
// fresh server with a few bookings in each status.
import { test, expect, Page } from '@playwright/test';
import { join, resolve } from 'node:path';
import { startServer } from '../tests/server';
import { book, deliver, failedEvent, paidEvent } from '../tests/stripe';
import { loginAt } from '../tests/helpers';

const out = resolve(__dirname, '..', '..', 'docs', 'screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

async function shoot(page: Page, name: string) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
}

test('README screenshots', async ({ page }) => {
  test.setTimeout(180_000);
  const server = await startServer({ database: 'sqlite' });
  try {
    const at = (path: string) => server.baseURL + path;
    for (const parent of ['Pat Parent', 'Sam Smith', 'Dee Clined', 'Robin Reyes', 'Alex Moreau']) {
      await book(server.baseURL, 1, parent);
    }
    for (const viewport of [DESKTOP, PHONE]) {
      const size = viewport === DESKTOP ? 'desktop' : 'phone';
      await page.setViewportSize(viewport);
      await page.goto(at('/'));
      await shoot(page, `parent-1-sessions-${size}`);
      await page.goto(at('/book'));
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await expect(page.getByTestId('error-summary')).toBeFocused();
      await shoot(page, `parent-2-form-${size}`);
      await page.getByLabel('Session').selectOption({ index: 1 });
      await page.getByLabel('Your name').fill('Jordan Lee');
      await page.getByLabel('Email').fill('jordan@example.com');
      // Another child each time: the same child twice in one session is refused.
      await page.getByLabel("Athlete's name").fill(size === 'desktop' ? 'Casey Lee' : 'Robin Lee');
      await page.getByLabel("Athlete's age").fill('12');
      await page.getByLabel(/I am the athlete's parent or guardian/).check();
      await page.getByRole('button', { name: 'Continue to payment' }).click();
      await expect(page).toHaveURL(/\/checkout\/simulated\//);
      await shoot(page, `parent-3-checkout-${size}`);
      await page.getByTestId('simulated-pay').click();
      await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
      await shoot(page, `parent-4-paid-${size}`);
      // The booking's own page: its deadlines, the calendar entry, change or cancel.
      await page.goto(page.url().replace(/\/paid.*$/, ''));
      await expect(page.getByTestId('add-to-calendar')).toBeVisible();
      await shoot(page, `parent-5-booking-${size}`);
    }

    await page.setViewportSize(DESKTOP);
    await loginAt(page, server.baseURL);
    const ids: Record<string, number> = {};
    for (const row of await page.locator('tr[data-booking-id]').all()) {
      const text = await row.innerText();
      const name = ['Pat Parent', 'Sam Smith', 'Dee Clined', 'Robin Reyes'].find((n) => text.includes(n));
      if (name) ids[name] = Number(await row.getAttribute('data-booking-id'));
    }
    expect(await deliver(server.baseURL, paidEvent('evt_shot_pat', ids['Pat Parent']))).toBe(200);
    expect(await deliver(server.baseURL, paidEvent('evt_shot_robin', ids['Robin Reyes']))).toBe(200);
    expect(await deliver(server.baseURL, failedEvent('evt_shot_dee', ids['Dee Clined']))).toBe(200);
    const row = (name: string) => page.locator('tr[data-booking-id]', { hasText: name });
    await expect(row('Dee Clined').locator('[data-payment-status]')).toHaveText('Failed');
    await row('Pat Parent').getByTestId('attendance-select').selectOption('confirmed');
    await expect(row('Pat Parent').locator('[data-attendance-status]')).toHaveText('Confirmed');
    await row('Robin Reyes').getByTestId('attendance-select').selectOption('completed');
    await expect(row('Robin Reyes').locator('[data-attendance-status]')).toHaveText('Present');

    for (const viewport of [DESKTOP, PHONE]) {
      const size = viewport === DESKTOP ? 'desktop' : 'phone';
      await page.setViewportSize(viewport);
      await page.goto(at('/admin'));
      await shoot(page, `admin-bookings-${size}`);
      await page.goto(at(`/admin/bookings/${ids['Pat Parent']}`));
      await shoot(page, `admin-booking-detail-${size}`);
      await page.goto(at('/admin/issues'));
      await shoot(page, `admin-issues-${size}`);
      await page.goto(at('/admin/sessions/1/roster'));
      await shoot(page, `admin-roster-${size}`);
      await page.goto(at('/admin/sessions'));
      await shoot(page, `admin-sessions-${size}`);
    }
  } finally {
    await server.stop();
  }
});
