// The README's family page screenshots (docs/screenshots/family-*.png): a family of two children
// booked and paid together, signed in by its mailed link, with one athlete's profile kept.
import { test, expect, Page } from '@playwright/test';
import { join, resolve } from 'node:path';
import { startMailDev, startServer } from '../tests/server';
import { fillBooking } from '../tests/helpers';

const out = resolve(__dirname, '..', '..', 'docs', 'screenshots');

async function shoot(page: Page, name: string) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
}

test('family page screenshots', async ({ page }) => {
  test.setTimeout(120_000);
  const mail = await startMailDev();
  const server = await startServer({
    database: 'sqlite',
    env: { SMTP_URL: mail.smtpUrl, MAIL_FROM: 'Riverside Coaching <bookings@example.com>', SIBLING_DISCOUNT_PERCENT: '10' },
  });
  try {
    const email = 'jordan@example.com';
    await page.goto(server.baseURL + '/book');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByLabel('Session').selectOption({ index: 1 });
    await fillBooking(page, 'Jordan Lee', email);
    await page.getByLabel("Athlete's name").fill('Casey Lee');
    await page.getByTestId('more-children').locator('summary').click();
    await page.getByLabel("Second child's name").fill('Robin Lee');
    await page.getByLabel("Second child's age").fill('9');
    await shoot(page, 'family-1-form-phone');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.getByTestId('simulated-pay').click();
    await expect(page.getByTestId('payment-banner')).toContainText('Payment received');

    await page.goto(server.baseURL + '/sign-in');
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
    await page.locator('#new-athlete-name').fill('Casey Lee');
    await page.locator('#new-athlete-date_of_birth').fill('2014-05-30');
    await page.locator('#new-athlete-emergency_name').fill('Jordan Lee');
    await page.locator('#new-athlete-emergency_phone').fill('+44 7700 900123');
    await page.locator('#new-athlete-medical_notes').fill('Asthma: inhaler in the blue bag');
    await page.getByRole('button', { name: 'Add athlete' }).click();
    await expect(page.getByTestId('athlete')).toHaveCount(1);
    for (const [size, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(server.baseURL + '/family');
      await shoot(page, `family-2-page-${size}`);
    }
  } finally {
    await server.stop();
    await mail.stop();
  }
});
