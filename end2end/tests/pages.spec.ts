// Every page right for a real person: return pages that follow the booking to the truth, refused
// input answered 4xx with its messages (and focus on them), nothing typed in the URL, readable
// tags, axe-core on every page, the admin on a phone, payment issues worth reading, manual
// bookings that say how they were settled, and a CSV a spreadsheet can sum.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { startServer, RunningServer } from './server';
import { book, deliver, failedEvent, paidEvent, refundedEvent } from './stripe';
import { contrasts, expectAccessible, fillBooking, loginAt } from './helpers';

// axe-core is injected as a script: the pages' CSP would refuse it.
test.use({ bypassCSP: true });

async function fillBookingAndSession(page: Page, parent: string) {
  await page.getByLabel('Session').selectOption({ index: 1 });
  await fillBooking(page, parent, 'pages@example.com');
}

async function toCheckout(page: Page, parent: string) {
  await page.goto('/book');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await fillBookingAndSession(page, parent);
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page).toHaveURL(/\/checkout\/simulated\/cs_sim_/);
}

test.describe('return pages that never lie', () => {
  test('after a declined card, a bank payment is followed until it lands', async ({ page }) => {
    await toCheckout(page, 'Decline Then Bank');
    const checkout = page.url();
    await page.getByTestId('simulated-decline').click();
    await expect(page.getByTestId('payment-banner')).toContainText('Payment failed');
    await page.goto(checkout);
    await page.getByTestId('simulated-delayed').click();
    const banner = page.getByTestId('payment-banner');
    await expect(banner).toContainText('Confirming your payment');
    await expect(banner).not.toContainText('declined');
    // No "Pay now" while a payment is on its way.
    await expect(page.getByTestId('pay-button')).toHaveCount(0);
    await expect(banner).toContainText('Payment received', { timeout: 15_000 });
  });

  test('a closed checkout is a styled page with a way back', async ({ page, context }) => {
    await toCheckout(page, 'Two Tabs');
    const second = await context.newPage();
    await second.goto(page.url());
    await page.getByTestId('simulated-pay').click();
    await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
    // The other tab still shows the buttons; using them now is refused in words.
    const answer = second.waitForResponse((r) => r.url().includes('/api/simulated/checkout/'));
    await second.getByTestId('simulated-pay').click();
    expect((await answer).status()).toBe(303);
    await expect(second.getByTestId('checkout-refused')).toContainText('This checkout is closed');
    await expect(second.locator('link[rel="stylesheet"]')).toHaveCount(1);
    await second.getByRole('link', { name: 'Back to the booking' }).click();
    await expect(second.getByTestId('payment-banner')).toContainText('Payment received');
  });

  test('an unknown booking reference is a 404 page with a way to find the booking', async ({ page }) => {
    const response = await page.goto('/bookings/aaaaaaaaaaaaaaaaaaaa');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Booking not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Find my booking by email' }).click();
    await expect(page).toHaveURL(/\/find$/);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the confirming page reloads itself until the bank payment lands', async ({ page }) => {
    await page.goto('/book');
    await fillBookingAndSession(page, 'No Script Bank');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.getByTestId('simulated-delayed').click();
    await expect(page.getByTestId('payment-banner')).toContainText('Confirming your payment');
    await expect(page.locator('meta[http-equiv="refresh"]')).toHaveCount(1);
    await expect(page.getByTestId('payment-banner')).toContainText('Payment received', { timeout: 20_000 });
    await expect(page.locator('meta[http-equiv="refresh"]')).toHaveCount(0);
  });

  test('a refused form comes back with what was typed, none of it in the address', async ({ page }) => {
    await page.goto('/book');
    await page.getByLabel('Your name').fill('Private Person');
    await page.getByLabel('Email').fill('private.person@example');
    await page.getByLabel(/^Phone/).fill('+1 555 0100');
    await page.getByLabel('Notes for the coach').fill('Allergic to peanuts');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'GET' && r.url().includes('/book')),
      page.getByRole('button', { name: 'Continue to payment' }).click(),
    ]);
    expect(response.status()).toBe(422);
    await expect(page.getByTestId('error-summary')).toBeVisible();
    const address = decodeURIComponent(page.url());
    expect(address).not.toContain('__err');
    for (const typed of ['Private', 'private.person', '555', 'peanuts']) expect(address).not.toContain(typed);
    await expect(page.getByLabel('Your name')).toHaveValue('Private Person');
    await expect(page.getByLabel('Email')).toHaveValue('private.person@example');
    await expect(page.getByLabel(/^Phone/)).toHaveValue('+1 555 0100');
    await expect(page.getByLabel('Notes for the coach')).toHaveValue('Allergic to peanuts');
    // Taken once: a reload shows the empty form.
    await page.reload();
    await expect(page.getByTestId('error-summary')).toHaveCount(0);
    await expect(page.getByLabel('Your name')).toHaveValue('');
  });

  test('a wrong password comes back as a page saying so', async ({ page, server }) => {
    await page.goto('/admin/login');
    await page.getByLabel('Email').fill('coach@example.com');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('login-error')).toHaveText('Wrong email or password.');
    expect(page.url()).not.toContain('__err');
    expect(server.baseURL).toBeTruthy();
  });
});

test.describe('errors people and screen readers notice', () => {
  test('refused input is a 4xx with the field messages; a wrong password a 401', async ({ page, server }) => {
    const post = (path: string, form: Record<string, string>) =>
      page.request.post(server.baseURL + path, {
        headers: { accept: 'application/json', origin: server.baseURL },
        form,
      });
    const bad = await post('/api/book', { session: '', parent_name: '', parent_email: 'x', athlete_name: '', athlete_age: '1' });
    expect(bad.status()).toBe(422);
    expect(await bad.text()).toContain('Enter an email address like name@example.com.');
    const login = await post('/api/admin/login', { email: 'coach@example.com', password: 'wrong' });
    expect(login.status()).toBe(401);

    await loginAt(page, server.baseURL);
    const session = await post('/api/admin/sessions/save', {
      title: 'Hurdles', date: '', time: '', duration: '60', location: 'Track', capacity: '8', price: '45', currency: 'USD',
    });
    expect(session.status()).toBe(422);
    const text = await session.text();
    expect(text).toContain('Enter the date.');
    expect(text).toContain('Enter the start time.');
  });

  test('after a refused submit the summary takes the focus and its links focus their fields', async ({ page }) => {
    await page.goto('/book');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    const summary = page.getByTestId('error-summary');
    await expect(summary).toHaveAttribute('role', 'alert');
    await expect(summary).toBeFocused();
    await summary.getByRole('link', { name: /email address like/ }).click();
    await expect(page.getByLabel('Email')).toBeFocused();
  });

  test('notes have a limit, a live count, and are never cut', async ({ page }) => {
    await page.goto('/book');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const notes = page.getByLabel('Notes for the coach');
    await expect(notes).toHaveAttribute('maxlength', '1000');
    await notes.fill('Asthma');
    await expect(page.getByTestId('notes-count')).toHaveText('6 of 1000 characters');
    // Past the limit (only a script can put it there): refused, and nothing cut.
    const long = 'n'.repeat(1001);
    await notes.evaluate((el, value) => ((el as HTMLTextAreaElement).value = value), long);
    await notes.dispatchEvent('input');
    await fillBookingAndSession(page, 'Long Notes');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await expect(page.locator('#field-notes-error')).toContainText('1000 characters or fewer (they have 1001)');
    await expect(notes).toHaveValue(long);
    await expect(page).toHaveURL(/\/book/);
  });
});

let server: RunningServer;

async function bookingIds(page: Page): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const row of await page.locator('tr[data-booking-id]').all()) {
    const name = (await row.locator('td').nth(1).innerText()).split('\n').find((l) => l && l !== 'Parent')!;
    ids[name.trim()] = Number(await row.getAttribute('data-booking-id'));
  }
  return ids;
}

test.describe('the admin', () => {
  test.use({ baseURL: undefined });
  test.beforeEach(async ({ database }) => {
    server = await startServer({ database });
  });
  test.afterEach(async () => {
    await server.stop();
  });

  test('every tag reads at 4.5:1 or better, refunded included, in the table and on the detail page', async ({ page }) => {
    for (const parent of ['Paid Parent', 'Failed Parent', 'Refunded Parent', 'Waiting Parent', 'Noshow Parent', 'Done Parent']) {
      await book(server.baseURL, 1, parent);
    }
    await loginAt(page, server.baseURL);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const ids = await bookingIds(page);
    expect(await deliver(server.baseURL, paidEvent('evt_tags_paid', ids['Paid Parent']))).toBe(200);
    expect(await deliver(server.baseURL, failedEvent('evt_tags_failed', ids['Failed Parent']))).toBe(200);
    expect(await deliver(server.baseURL, paidEvent('evt_tags_rpaid', ids['Refunded Parent']))).toBe(200);
    expect(await deliver(server.baseURL, refundedEvent('evt_tags_refund', 'evt_tags_rpaid', ids['Refunded Parent']))).toBe(200);
    const row = (name: string) => page.locator('tr[data-booking-id]', { hasText: name });
    // The table updates live from those events: let it settle before changing attendance.
    await expect(row('Refunded Parent').locator('[data-payment-status]')).toHaveText('Refunded');
    await expect(row('Failed Parent').locator('[data-payment-status]')).toHaveText('Failed');
    for (const [parent, value, label] of [
      ['Paid Parent', 'confirmed', 'Confirmed'],
      ['Noshow Parent', 'no-show', 'No-show'],
      ['Done Parent', 'completed', 'Present'],
      ['Failed Parent', 'cancelled', 'Cancelled'],
    ]) {
      // Each change comes back as a live update that redraws the table: the next change waits
      // for it, so that it is made on the row on screen rather than one being replaced.
      const redrawn = page.waitForResponse((r) => r.url().endsWith('/api/admin/bookings') && r.request().method() === 'POST');
      await row(parent).getByTestId('attendance-select').selectOption(value);
      await expect(row(parent).locator('[data-attendance-status]')).toHaveText(label);
      await redrawn;
    }
    await page.goto(server.baseURL + '/admin/bookings/new');
    await page.getByLabel('Session').selectOption({ index: 1 });
    await page.getByLabel('Free').check();
    await page.getByLabel("Parent's name").fill('Manual Parent');
    await page.getByLabel("Parent's email").fill('manual@example.com');
    await page.getByLabel("Athlete's name").fill('Max');
    await page.getByLabel("Athlete's age").fill('10');
    await page.getByRole('button', { name: 'Create booking' }).click();
    await expect(page).toHaveURL(/\/admin\/bookings\/\d+\?done=saved$/);

    await page.goto(server.baseURL + '/admin');
    const refunded = row('Refunded Parent').locator('[data-payment-status]');
    await expect(refunded).toHaveText('Refunded');
    await expect(refunded).toBeVisible();
    const tags = '[data-payment-status], [data-attendance-status]';
    const seen = new Set((await page.locator(tags).allInnerTexts()).map((t) => t.trim()));
    for (const label of ['Paid', 'Failed', 'Unpaid', 'Refunded', 'Not marked yet', 'Confirmed', 'Present', 'Cancelled', 'No-show', 'Manual', 'Free']) {
      expect(seen, `the table shows a ${label} tag`).toContain(label);
    }
    for (const { text, ratio } of await contrasts(page, tags)) {
      expect(ratio, `contrast of the "${text}" tag`).toBeGreaterThanOrEqual(4.5);
    }
    await page.goto(server.baseURL + `/admin/bookings/${ids['Refunded Parent']}`);
    await expect(page.locator('[data-payment-status="refunded"]').first()).toBeVisible();
    for (const { text, ratio } of await contrasts(page, tags)) {
      expect(ratio, `contrast of the "${text}" tag on the detail page`).toBeGreaterThanOrEqual(4.5);
    }
  });

  test('every admin page passes axe-core', async ({ page }) => {
    await book(server.baseURL, 1, 'Axe Parent');
    await page.goto(server.baseURL + '/admin/login');
    await expectAccessible(page, 'login');
    await loginAt(page, server.baseURL);
    const ids = await bookingIds(page);
    expect(await deliver(server.baseURL, failedEvent('evt_axe_failed', ids['Axe Parent']))).toBe(200);
    for (const path of [
      '/admin',
      '/admin?payment=failed',
      '/admin/issues',
      '/admin/sessions',
      '/admin/sessions/new',
      '/admin/sessions/1',
      '/admin/sessions/1/cancel',
      '/admin/emails',
      '/admin/bookings/new',
      `/admin/bookings/${ids['Axe Parent']}`,
      `/admin/bookings/${ids['Axe Parent']}/confirm?action=cancel`,
    ]) {
      await page.goto(server.baseURL + path);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expect(page.locator('main')).not.toContainText('Loading');
      await expectAccessible(page, path);
    }
    await page.goto(server.baseURL + '/admin/sessions/new');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('error-summary')).toBeVisible();
    await expect(page.locator('#field-date-error')).toHaveText('Enter the date.');
    await expect(page.locator('#field-time-error')).toHaveText('Enter the start time.');
    await expectAccessible(page, 'the new-session form with its errors');
  });

  test('at 390 px the bookings are cards with their tags on screen, and nothing scrolls sideways', async ({ page }, testInfo) => {
    for (const parent of ['Phone Parent One', 'Phone Parent Two']) await book(server.baseURL, 1, parent);
    await page.setViewportSize({ width: 390, height: 844 });
    await loginAt(page, server.baseURL);
    for (const path of ['/admin', '/admin/issues', '/admin/sessions', '/admin/bookings/1']) {
      await page.goto(server.baseURL + path);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${path} is ${width} px wide`).toBeLessThanOrEqual(390);
    }
    await page.goto(server.baseURL + '/admin');
    for (const tag of await page.locator('[data-payment-status], [data-attendance-status]').all()) {
      const box = (await tag.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await expect(page.getByText('Payment', { exact: true }).first()).toBeVisible();
    const path = testInfo.outputPath('admin-bookings-390.png');
    await page.screenshot({ path, fullPage: true });
  });

  test('payment issues say who, group repeats, show the booking now, and can be resolved', async ({ page }) => {
    await book(server.baseURL, 1, 'Retry Parent');
    await book(server.baseURL, 1, 'Stuck Parent');
    await loginAt(page, server.baseURL);
    const ids = await bookingIds(page);
    expect(await deliver(server.baseURL, failedEvent('evt_issue_retry', ids['Retry Parent']))).toBe(200);
    expect(await deliver(server.baseURL, paidEvent('evt_issue_paid', ids['Retry Parent']))).toBe(200);
    expect(await deliver(server.baseURL, failedEvent('evt_issue_stuck', ids['Stuck Parent']))).toBe(200);
    // The same event about a booking that is not ours, three times (three deliveries, three ids).
    for (const n of [1, 2, 3]) {
      expect(await deliver(server.baseURL, failedEvent(`evt_issue_stranger_${n}`, 987654))).toBe(200);
    }

    await page.goto(server.baseURL + '/admin/issues');
    const issues = page.getByTestId('issue');
    // The declined card paid since resolved itself (issue 26): it is among the resolved.
    await expect(issues).toHaveCount(2);
    await expect(issues.filter({ hasText: 'Retry Parent' })).toHaveCount(0);
    const stuck = issues.filter({ hasText: 'Stuck Parent' });
    await expect(stuck).toContainText('Your card was declined.');
    await expect(stuck).toContainText('Athlete of Stuck Parent');
    await expect(stuck.locator('[data-payment-status]')).toHaveText('Failed');
    await expect(stuck.getByTestId('issue-since')).toHaveCount(0);
    const stranger = issues.filter({ hasText: 'No booking of ours was named.' });
    await expect(stranger.getByTestId('issue-times')).toHaveText('×3');

    await stuck.getByTestId('resolve-issue').click();
    await expect(issues).toHaveCount(1);
    await expect(page.getByTestId('issues-total')).toHaveText('1 issue');
    await page.getByRole('link', { name: 'Resolved' }).click();
    await expect(page.getByTestId('issue')).toHaveCount(2);
    const retry = page.getByTestId('issue').filter({ hasText: 'Retry Parent' });
    await expect(retry.locator('[data-payment-status]')).toHaveText('Paid');
    await expect(retry.getByTestId('issue-resolved')).toContainText('Resolved by the later payment');
    await expect(retry.getByTestId('issue-since')).toContainText('Paid since');
    await expect(page.getByTestId('issue').filter({ hasText: 'Stuck Parent' }).getByTestId('issue-resolved')).toContainText('Resolved by coach@example.com');
    // The stranger's issue resolved, then seen again: the new delivery is a new open issue.
    await page.getByRole('link', { name: 'Open' }).click();
    await issues.filter({ hasText: 'No booking of ours was named.' }).getByTestId('resolve-issue').click();
    await expect(issues).toHaveCount(0);
    expect(await deliver(server.baseURL, failedEvent('evt_issue_stranger_4', 987654))).toBe(200);
    await page.reload();
    await expect(issues).toHaveCount(1);
    await expect(issues.filter({ hasText: 'No booking of ours was named.' }).getByTestId('issue-times')).toHaveCount(0);
  });

  test('a manual booking says how it was settled, is never listed as owed and is never offered a checkout', async ({ page, browser }) => {
    await book(server.baseURL, 1, 'Owing Parent');
    await loginAt(page, server.baseURL);
    await page.goto(server.baseURL + '/admin/bookings/new');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByLabel('Session').selectOption({ index: 1 });
    await page.getByLabel("Parent's name").fill('Cash Parent');
    await page.getByLabel("Parent's email").fill('cash@example.com');
    await page.getByLabel("Athlete's name").fill('Casey');
    await page.getByLabel("Athlete's age").fill('11');
    await page.getByRole('button', { name: 'Create booking' }).click();
    await expect(page.locator('#field-settled-error')).toHaveText('Choose whether it was paid outside Stripe or is free.');
    await expect(page.getByLabel("Parent's name")).toHaveValue('Cash Parent');
    await page.getByLabel('Paid outside Stripe').check();
    await page.getByRole('button', { name: 'Create booking' }).click();
    await expect(page).toHaveURL(/\/admin\/bookings\/\d+\?done=saved$/);
    await expect(page.getByTestId('manual-payment')).toHaveText('Paid outside Stripe');
    const reference = (await page.locator('dt:has-text("Reference") + dd').innerText()).trim();

    // The family's page: settled, no Pay now, on a desk and on a phone; the server refuses a
    // checkout for it anyway.
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const family = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
      await family.goto(server.baseURL + `/bookings/${reference}`);
      await expect(family.getByTestId('payment-banner')).toContainText('Booking confirmed');
      await expect(family.getByTestId('payment-banner')).toContainText('nothing to pay online');
      await expect(family.getByTestId('manual-payment')).toHaveText('Paid outside Stripe');
      await expect(family.getByTestId('pay-button')).toHaveCount(0);
      await expectAccessible(family, 'a booking settled outside Stripe');
      await family.close();
    }
    const pay = await page.request.post(server.baseURL + '/api/bookings/pay', {
      headers: { accept: 'application/json', origin: server.baseURL },
      form: { reference },
    });
    expect(pay.status()).toBe(409);
    expect(await pay.text()).toContain('nothing to pay online');

    await page.goto(server.baseURL + '/admin');
    const cash = page.locator('tr[data-booking-id]', { hasText: 'Cash Parent' });
    await expect(cash.getByTestId('manual-payment')).toHaveText('Paid outside Stripe');
    await page.goto(server.baseURL + '/admin?payment=unpaid');
    await expect(page.locator('tr[data-booking-id]', { hasText: 'Owing Parent' })).toHaveCount(1);
    await expect(page.locator('tr[data-booking-id]', { hasText: 'Cash Parent' })).toHaveCount(0);
  });

  test('the CSV has notes, amounts in major units with their currency, and ISO dates', async ({ page }) => {
    await book(server.baseURL, 1, 'Csv Parent');
    await loginAt(page, server.baseURL);
    const csv = await (await page.request.get(server.baseURL + '/admin/bookings.csv')).text();
    const [header, first] = csv.trim().split('\n');
    const columns = header.split(',');
    for (const name of ['notes', 'amount', 'currency', 'session_starts', 'created', 'manual_payment']) {
      expect(columns).toContain(name);
    }
    const cells = first.split('","').map((c) => c.replace(/^"|"$/g, ''));
    const cell = (name: string) => cells[columns.indexOf(name)];
    expect(cell('amount')).toBe('45.00');
    expect(cell('currency')).toBe('USD');
    expect(cell('session_starts')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect(cell('created')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });

  test('admin pages load only the code they use', async ({ page }) => {
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning' || message.type() === 'error') warnings.push(message.text());
    });
    await loginAt(page, server.baseURL);
    for (const path of ['/admin', '/admin/issues', '/admin/sessions', '/admin/emails']) {
      await page.goto(server.baseURL + path);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      // Chromium reports an unused preload a few seconds after the load event.
      await page.waitForTimeout(3_500);
    }
    expect(warnings.filter((w) => w.includes('preloaded'))).toEqual([]);
  });
});

test.describe('the parent pages', () => {
  test('pass axe-core', async ({ page }) => {
    for (const path of ['/', '/book', '/find']) {
      await page.goto(path);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expectAccessible(page, path);
    }
    await page.goto('/book');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await expect(page.getByTestId('error-summary')).toBeVisible();
    await expectAccessible(page, 'the booking form with its errors');
    await toCheckout(page, 'Axe Family');
    await expectAccessible(page, 'the simulated checkout');
    await page.getByTestId('simulated-pay').click();
    await expect(page.getByTestId('payment-banner')).toContainText('Payment received');
    await expectAccessible(page, 'the paid page');
  });
});
