// At the track on a phone (issue 24): the roster shows whom to call for an athlete whose family
// keeps a profile (a tel: link), opens its medical notes only when asked, and flags the
// athletes booked before the waiver's current wording; the booking form asks whom to call and the
// roster flags a booking without anyone; in Chromium at 390 px, on both databases.
import { test, expect } from './fixtures';
import { startMailDev, startServer, RunningServer } from './server';
import { book } from './stripe';
import { expectAccessible, fillBooking, fillEmergency, loginAt, signInByMail } from './helpers';

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
    await signInByMail(page, server.baseURL, mail, email);
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

test('the booking form asks whom to call, and the roster flags a booking without anyone', async ({ page, database }, testInfo) => {
  server = await startServer({ database });
  // A walk-in entered by the admin: no contact asked.
  await loginAt(page, server.baseURL);
  await page.goto(server.baseURL + '/admin/bookings/new');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Session').selectOption('1');
  await page.getByLabel('Paid outside Stripe').check();
  await page.getByLabel("Parent's name").fill('Walk In');
  await page.getByLabel("Parent's email").fill('walk.in@example.com');
  await page.getByLabel("Athlete's name").fill('Lee Walk');
  await page.getByLabel("Athlete's age").fill('12');
  await page.getByRole('button', { name: 'Create booking' }).click();
  await expect(page).toHaveURL(/\/admin\/bookings\/\d+\?done=saved$/);

  // A parent on a phone: the contact is asked for, named back when missing.
  const parent = await (await page.context().browser()!.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } })).newPage();
  await parent.goto(server.baseURL + '/book?session=1');
  await expect(parent.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await fillBooking(parent, 'Nia Track', 'nia@example.com');
  await parent.getByLabel('Who should we call?').fill('');
  await parent.getByLabel('Their phone').fill('');
  await parent.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(parent.locator('#field-emergency_name-error')).toHaveText('Enter the name of someone we can call in an emergency.');
  await expect(parent.locator('#field-emergency_phone-error')).toHaveText('Enter their phone number.');
  await expect(parent.getByTestId('error-summary')).toContainText('Enter the name of someone we can call in an emergency.');
  await expectAccessible(parent, 'the booking form asking for an emergency contact');
  const scrolls = await parent.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(scrolls).toBe(false);
  const path = testInfo.outputPath('book-emergency-390.png');
  await parent.screenshot({ path, fullPage: true });
  await testInfo.attach('book-emergency-390', { path, contentType: 'image/png' });
  await fillEmergency(parent, 'Omar Track', '+44 7700 900777');
  await parent.getByLabel('Medical or allergy notes').fill('Asthma: inhaler in the side pocket');
  await parent.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(parent.getByTestId('simulated-pay')).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(server.baseURL + '/admin/sessions/1/roster');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const nia = page.locator('li[data-roster-id]', { hasText: 'Alex (Nia Track)' });
  await expect(nia.getByTestId('emergency')).toContainText('In an emergency: Omar Track');
  await expect(nia.getByRole('link', { name: '+44 7700 900777' })).toHaveAttribute('href', 'tel:+447700900777');
  await expect(nia.getByTestId('contact-missing')).toHaveCount(0);
  await expect(nia).not.toContainText('Asthma');
  await nia.getByTestId('show-medical-notes').click();
  await expect(nia.getByTestId('medical-notes')).toHaveText('Asthma: inhaler in the side pocket');
  const walkIn = page.locator('li[data-roster-id]', { hasText: 'Lee Walk' });
  await expect(walkIn.getByTestId('contact-missing')).toHaveText('No emergency contact');
  await expectAccessible(page, 'the roster flagging a missing contact');
});
