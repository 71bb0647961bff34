// At the track on a phone (issue 24): the roster shows whom to call for an athlete whose family
// keeps a profile (a tel: link), opens its medical notes only when asked, and flags the
// athletes booked before the waiver's current wording; in Chromium at 390 px, on both databases.
import { test, expect } from './fixtures';
import { startMailDev, startServer, RunningServer } from './server';
import { book } from './stripe';
import { expectAccessible, loginAt } from './helpers';

let server: RunningServer;
test.use({ baseURL: undefined, bypassCSP: true, viewport: { width: 390, height: 844 } });
test.afterEach(async () => {
  await server?.stop();
});

test('the roster shows an emergency contact, notes on request, and a missing consent', async ({ page, database }, testInfo) => {
  const mail = await startMailDev();
  try {
    server = await startServer({ database, env: { SMTP_URL: mail.smtpUrl, MAIL_FROM: 'Riverside Coaching <bookings@example.com>' } });
    const email = 'tara@example.com';
    await book(server.baseURL, 1, 'Tara Track', email);

    // The family keeps its athlete's profile.
    await page.goto(server.baseURL + '/sign-in');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    let link = '';
    await expect(async () => {
      const found = (await mail.emails()).filter((m) => m.to.includes(email) && m.subject.startsWith('Sign in to'));
      expect(found.length).toBeGreaterThan(0);
      link = found[found.length - 1].text.match(/(http\S+\/sign-in\/[0-9a-f]{64})/)![1];
    }).toPass({ timeout: 15_000 });
    await page.goto(link);
    await page.getByTestId('link-continue').click();
    await expect(page).toHaveURL(/\/family$/);
    await page.getByText('Add an athlete').click();
    await page.locator('#new-athlete-name').fill('Athlete of Tara Track');
    await page.locator('#new-athlete-emergency_name').fill('Uncle Ray');
    await page.locator('#new-athlete-emergency_phone').fill('+44 7700 900456');
    await page.locator('#new-athlete-medical_notes').fill('Bee sting allergy: EpiPen in the red bag');
    await page.getByRole('button', { name: 'Add athlete' }).click();
    await expect(page.getByTestId('athlete')).toHaveCount(1);

    // The admin sets a waiver after the booking was made.
    await loginAt(page, server.baseURL);
    await page.goto(server.baseURL + '/admin/sessions');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.locator('#waiver-text').fill('Sport has risks; we train with care.');
    await page.getByTestId('save-waiver').click();
    await expect(page.getByTestId('waiver-editor')).toContainText('Version 1');

    await page.goto(server.baseURL + '/admin/sessions/1/roster');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const card = page.locator('li[data-roster-id]', { hasText: 'Athlete of Tara Track' });
    await expect(card.getByTestId('consent-missing')).toHaveText('No consent to the current waiver');
    const emergency = card.getByTestId('emergency');
    await expect(emergency).toContainText('In an emergency: Uncle Ray');
    await expect(emergency.getByRole('link', { name: '+44 7700 900456' })).toHaveAttribute('href', 'tel:+447700900456');
    await expect(card).not.toContainText('Bee sting');
    await card.getByTestId('show-medical-notes').click();
    await expect(card.getByTestId('medical-notes')).toHaveText('Bee sting allergy: EpiPen in the red bag');
    await expectAccessible(page, 'the roster with emergency details');
    const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(scrolls).toBe(false);
    const path = testInfo.outputPath('roster-track-390.png');
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach('roster-track-390', { path, contentType: 'image/png' });
  } finally {
    await mail.stop();
  }
});
