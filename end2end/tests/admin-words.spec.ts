// Every word true for a coach at a desk (issue 26): the booking's timeline in words, the
// bookings table (addresses that break only at @ and dots, one attendance control, no pager for
// one page), the Emails page saying what each mail said, and a manual booking that says it was
// saved, with and without JavaScript.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { startServer, RunningServer } from './server';
import { book, deliver, failedEvent, paidEvent, refundedEvent } from './stripe';
import { contrasts, expectAccessible, loginAt } from './helpers';

// axe-core is injected as a script: the pages' CSP would refuse it.
test.use({ bypassCSP: true, baseURL: undefined });

let server: RunningServer;

test.beforeEach(async ({ database }) => {
  server = await startServer({ database });
});
test.afterEach(async () => {
  await server.stop();
});

async function idOf(page: Page, parent: string): Promise<number> {
  return Number(await page.locator('tr[data-booking-id]', { hasText: parent }).getAttribute('data-booking-id'));
}

test('the booking detail is a timeline in words: amounts in the currency, each event once, the raw event one click away', async ({ page }) => {
  await book(server.baseURL, 1, 'Timeline Parent');
  await loginAt(page, server.baseURL);
  const id = await idOf(page, 'Timeline Parent');
  expect(await deliver(server.baseURL, failedEvent('evt_words_declined', id))).toBe(200);
  expect(await deliver(server.baseURL, paidEvent('evt_words_paid', id))).toBe(200);
  expect(await deliver(server.baseURL, refundedEvent('evt_words_refund', 'evt_words_paid', id, 1000))).toBe(200);

  await page.goto(server.baseURL + `/admin/bookings/${id}`);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const entries = page.getByTestId('timeline-entry');
  await expect(entries).toHaveCount(3);
  await expect(entries.nth(0)).toContainText('Payment failed: Your card was declined.');
  await expect(entries.nth(1)).toContainText('Payment received: $45.00');
  await expect(entries.nth(2)).toContainText('Partly refunded: $10.00 of $45.00 so far');
  const timeline = page.getByTestId('timeline');
  for (const stripes of ['()', '(1000)', '->', 'checkout.session.completed']) {
    expect(await timeline.innerText(), `"${stripes}" on screen`).not.toContain(stripes);
  }
  // The raw event, behind a click.
  const raw = entries.nth(1).getByTestId('raw-event');
  await expect(raw).toBeHidden();
  await entries.nth(1).getByText('What Stripe sent').click();
  await expect(raw).toHaveText('checkout.session.completed · evt_words_paid · via webhook');
  await expectAccessible(page, 'the booking detail');
  // A new event shows live, in words, once.
  expect(await deliver(server.baseURL, refundedEvent('evt_words_refund_2', 'evt_words_paid', id, 2500))).toBe(200);
  await expect(entries).toHaveCount(4);
  await expect(entries.nth(3)).toContainText('Partly refunded: $25.00 of $45.00 so far');
});

test('at a desk, an address breaks only at its @ and dots, the attendance shows once (coloured), and one page has no pager', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await book(server.baseURL, 1, 'Desk Parent', 'alexandra.montgomery-fitzwilliam@longfamilyname-example.co.uk');
  await book(server.baseURL, 1, 'Other Parent');
  await loginAt(page, server.baseURL);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const row = page.locator('tr[data-booking-id]', { hasText: 'Desk Parent' });
  const email = row.getByTestId('parent-email');
  await expect(email).toHaveText('alexandra.montgomery-fitzwilliam@longfamilyname-example.co.uk');
  // Where the address goes onto a new line, it is after its @ or a hyphen, or before a dot:
  // never mid-word. (Each character's line, by the top of its box.)
  const breaks: string[] = await email.evaluate((element) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const chars: { c: string; top: number }[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      for (let i = 0; i < text.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        chars.push({ c: text[i], top: Math.round(range.getBoundingClientRect().top) });
      }
    }
    const found: string[] = [];
    for (let i = 1; i < chars.length; i++) {
      if (chars[i].top !== chars[i - 1].top) found.push(`${chars[i - 1].c}|${chars[i].c}`);
    }
    return found;
  });
  for (const at of breaks) {
    expect(at.startsWith('@') || at.startsWith('-') || at.endsWith('.'), `the address breaks at "${at}"`).toBe(true);
  }

  // One attendance value per row: the control, in the tag's colour; changing it shows at once.
  const attendance = row.locator('[data-attendance-status]');
  await expect(attendance).toHaveCount(1);
  await expect(attendance).toHaveClass(/\bbg-gray-300\b/);
  // The table's rows hydrate a moment after the page's mark: choose again until it takes.
  await expect(async () => {
    await row.getByTestId('attendance-select').selectOption('completed');
    await expect(attendance).toHaveText('Present', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(attendance).toHaveClass(/\bbg-blue-500\b/);
  for (const { text, ratio } of await contrasts(page, '[data-payment-status], [data-attendance-status]')) {
    expect(ratio, `contrast of the "${text}" tag`).toBeGreaterThanOrEqual(4.5);
  }
  // The select takes the keyboard, and the ring shows where the focus is.
  await row.getByTestId('attendance-select').focus();
  await expect(row.getByTestId('attendance-select')).toBeFocused();

  // Everything on one page: no pager.
  await expect(page.getByTestId('bookings-total')).toContainText('page 1 of 1');
  await expect(page.getByRole('navigation', { name: 'Pages' })).toHaveCount(0);
  await expect(page.getByText('Previous', { exact: true })).toHaveCount(0);
  await expectAccessible(page, 'the bookings table');
});

test('the Emails page says what each mail said', async ({ page }) => {
  await book(server.baseURL, 1, 'Mail Parent');
  await loginAt(page, server.baseURL);
  const id = await idOf(page, 'Mail Parent');
  expect(await deliver(server.baseURL, failedEvent('evt_words_mail', id, 'Your card has insufficient funds.'))).toBe(200);
  await page.goto(server.baseURL + '/admin/emails');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const failed = page.locator('[data-email-status]', { hasText: 'payment failed' });
  await expect(failed).toHaveCount(1);
  const text = failed.getByTestId('email-text');
  await expect(text).toBeHidden();
  await failed.getByText('What it says').click();
  await expect(failed.getByTestId('email-subject')).not.toBeEmpty();
  await expect(text).toContainText('Your card has insufficient funds.');
  await expectAccessible(page, 'the Emails page, a mail open');
});

async function fillManual(page: Page, athlete: string) {
  await page.getByLabel('Session').selectOption({ index: 1 });
  await page.getByLabel('Paid outside Stripe').check();
  await page.getByLabel("Parent's name").fill(`Parent of ${athlete}`);
  await page.getByLabel("Parent's email").fill(`${athlete.toLowerCase()}@example.com`);
  await page.getByLabel("Athlete's name").fill(athlete);
  await page.getByLabel("Athlete's age").fill('11');
}

test('a saved manual booking says so, with and without JavaScript', async ({ page, browser }) => {
  await loginAt(page, server.baseURL);
  await page.goto(server.baseURL + '/admin/bookings/new');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await fillManual(page, 'Casey');
  await page.getByRole('button', { name: 'Create booking' }).click();
  await expect(page).toHaveURL(/\/admin\/bookings\/\d+\?done=saved$/);
  await expect(page.getByTestId('money-done')).toContainText('Booking saved for Casey in ');
  await expectAccessible(page, 'a manual booking, saved');

  const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const noScript = await plain.newPage();
  await noScript.goto(server.baseURL + '/admin/bookings/new');
  await fillManual(noScript, 'Robin');
  await noScript.getByRole('button', { name: 'Create booking' }).click();
  await expect(noScript).toHaveURL(/\/admin\/bookings\/\d+\?done=saved$/);
  await expect(noScript.getByTestId('money-done')).toContainText('Booking saved for Robin in ');
  await plain.close();
});
