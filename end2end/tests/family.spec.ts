// A family's account in Chromium (issue 22): a parent books, signs in by the link mailed to them
// (read from a real SMTP server), finds the booking with its tags on the family page, adds an
// athlete with a medical note, and signs out; at 390 px and on a desktop, and without
// JavaScript. Each page is checked with axe-core and must not scroll sideways.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { startMailDev, startServer, MailDev, RunningServer } from './server';
import { book } from './stripe';
import { expectAccessible } from './helpers';

let server: RunningServer;
let mail: MailDev;
test.use({ baseURL: undefined, bypassCSP: true });
test.beforeEach(async ({ database }) => {
  mail = await startMailDev();
  server = await startServer({
    database,
    env: { SMTP_URL: mail.smtpUrl, MAIL_FROM: 'Riverside Coaching <bookings@example.com>', BUSINESS_NAME: 'Riverside Coaching' },
  });
});
test.afterEach(async () => {
  await server.stop();
  await mail.stop();
});

async function noSidewaysScroll(page: Page, what: string) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, `${what} scrolls sideways`).toBeLessThanOrEqual(width);
}

/** The sign-in link the last mail to `email` carries. */
async function signInLink(email: string): Promise<string> {
  let link = '';
  await expect(async () => {
    const mails = await mail.emails();
    const found = mails.filter((m) => m.to.includes(email) && m.subject.startsWith('Sign in to'));
    expect(found.length).toBeGreaterThan(0);
    link = found[found.length - 1].text.match(/(http\S+\/sign-in\/[0-9a-f]{64})/)![1];
  }).toPass({ timeout: 15_000 });
  return link;
}

async function signInAndUseThePage(page: Page, parent: string, email: string, script: boolean) {
  const hydrated = async () => {
    if (script) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  };
  // axe-core and the scroll check run in the page: with scripts on (the markup is the same).
  const checked = async (what: string) => {
    if (!script) return;
    await expectAccessible(page, what);
    await noSidewaysScroll(page, what);
  };
  await book(server.baseURL, 1, parent, email);

  await page.goto(server.baseURL + '/');
  await hydrated();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await hydrated();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByTestId('sign-in-sent')).toContainText('a sign-in link is on its way');
  await checked('the sign-in page');

  const link = await signInLink(email);
  await page.goto(link);
  await hydrated();
  await checked("the sign-in link's page");
  await page.getByTestId('link-continue').click();
  await expect(page).toHaveURL(/\/family$/);
  await hydrated();

  // The booking, with both tags and the way to its own page.
  const booking = page.getByTestId('upcoming').getByTestId('family-booking');
  await expect(booking).toHaveCount(1);
  await expect(booking).toContainText(`Athlete: Athlete of ${parent}`);
  await expect(booking.locator('[data-attendance-status="pending"]')).toBeVisible();
  await expect(booking.locator('[data-payment-status="unpaid"]')).toBeVisible();
  await expect(booking.getByRole('link')).toHaveAttribute('href', /^\/bookings\/[0-9a-z]{20}$/);
  await expect(page.getByTestId('family-email')).toHaveText(email);
  await checked('the family page');

  // An athlete, kept with the family; the note shown to it.
  await page.getByText('Add an athlete').click();
  await page.locator('#new-athlete-name').fill(`Robin ${parent}`);
  await page.locator('#new-athlete-date_of_birth').fill('2014-05-30');
  await page.locator('#new-athlete-emergency_name').fill('Sam Contact');
  await page.locator('#new-athlete-emergency_phone').fill('+44 7700 900123');
  await page.locator('#new-athlete-medical_notes').fill('Peanut allergy: EpiPen in the bag');
  await page.getByRole('button', { name: 'Add athlete' }).click();
  const athlete = page.getByTestId('athlete');
  await expect(athlete).toHaveCount(1);
  await expect(athlete).toContainText(`Robin ${parent}`);
  await expect(athlete.getByTestId('athlete-notes')).toHaveText('Peanut allergy: EpiPen in the bag');
  await athlete.getByText(`Edit Robin ${parent}`).click();
  await checked('the family page with an athlete, its form open');

  // Signing out ends it: the page sends to sign in again.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in\?signed_out=1$/);
  await expect(page.getByTestId('sign-in-sent')).toContainText('You are signed out');
  await page.goto(server.baseURL + '/family');
  await expect(page).toHaveURL(/\/sign-in$/);

  // The link opened once: a second time it says so, with the way to a new one.
  await page.goto(link);
  await expect(page.getByTestId('link-refused')).toContainText('This link was used already');
  await expect(page.getByRole('link', { name: 'Ask for a new sign-in link' })).toBeVisible();
}

for (const [name, size] of [
  ['at 390 px', { width: 390, height: 844 }],
  ['on a desktop', { width: 1280, height: 900 }],
] as const) {
  test(`a parent books, signs in by the mailed link, sees the booking and adds an athlete, ${name}`, async ({ page }) => {
    await page.setViewportSize(size);
    await signInAndUseThePage(page, 'Fay Family', 'fay.family@example.com', true);
  });
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('signing in, the family page and its athlete form work without a script', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signInAndUseThePage(page, 'Nora Script', 'nora.script@example.com', false);
  });
});
