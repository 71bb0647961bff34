// What several browser tests share: logging in as the admin, the axe-core audit, and the
// contrast of what is on screen.
import { readFileSync } from 'node:fs';
import { expect, Page } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, MailDev } from './server';

/** Fills the booking form's parent and athlete fields (the session is chosen apart). */
export async function fillBooking(page: Page, parent: string, email = 'pat@example.com') {
  await page.getByLabel('Your name').fill(parent);
  await page.getByLabel('Email').fill(email);
  // One child per parent's name: one email may not book the same athlete twice into a session.
  await page.getByLabel("Athlete's name").fill(`Alex (${parent})`);
  await page.getByLabel("Athlete's age").fill('12');
  await fillEmergency(page);
  await page.getByLabel(/I am the athlete's parent or guardian/).check();
}

/** Fills the booking form's emergency contact (asked of every parent booking online). */
export async function fillEmergency(page: Page, who = 'Robin Parent', phone = '+44 7700 900123') {
  await page.getByLabel('Who should we call?').fill(who);
  await page.getByLabel('Their phone').fill(phone);
}

/** Signs a family in by the link mailed to `email` (read from MailDev) and lands on its page. */
export async function signInByMail(page: Page, baseURL: string, mail: MailDev, email: string) {
  await page.goto(baseURL + '/sign-in');
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
}

/** Logs in through the login page and lands on the bookings list. */
export async function loginAt(page: Page, baseURL: string) {
  await page.goto(baseURL + '/admin');
  await expect(page).toHaveURL(/\/admin\/login\?next=%2Fadmin/);
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId('bookings-table')).toBeVisible();
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page (the context must bypass CSP) and fails on any WCAG 2.1 A/AA
 * violation, naming each rule and the elements it found. */
export async function expectAccessible(page: Page, what: string) {
  await page.evaluate(axeSource);
  const violations: { id: string; help: string; targets: string[] }[] = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v: any) => ({
      id: v.id,
      help: v.help,
      targets: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 5),
    }));
  });
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** The WCAG contrast ratio of each element's text on its own background. */
export async function contrasts(page: Page, selector: string): Promise<{ text: string; ratio: number }[]> {
  return page.locator(selector).evaluateAll((elements) => {
    // Any CSS colour (the stylesheet's are lab()) to sRGB channels, through a canvas pixel.
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    const channels = (css: string) => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = css;
      context.fillRect(0, 0, 1, 1);
      return Array.from(context.getImageData(0, 0, 1, 1).data.slice(0, 3));
    };
    const luminance = (css: string) => {
      const [r, g, b] = channels(css).map((c) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    return elements.map((element) => {
      const style = getComputedStyle(element);
      const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
      return { text: `${element.textContent ?? ''}: ${style.color} on ${style.backgroundColor}`, ratio: (a + 0.05) / (b + 0.05) };
    });
  });
}

/** The admin's "New term" form filled and sent (the admin signed in on `page`); ends on the
 * sessions list, which says how many sessions were made. */
export async function createTerm(
  page: Page,
  baseURL: string,
  term: { title: string; first: string; weeks: string; skip?: string; places: string; price: string },
) {
  await page.goto(baseURL + '/admin/sessions');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('link', { name: 'New term' }).click();
  await expect(page).toHaveURL(/\/admin\/terms\/new$/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Title').fill(term.title);
  await page.getByLabel('First session').fill(term.first);
  await page.getByLabel('Start time').fill('17:00');
  await page.getByLabel('Weeks').fill(term.weeks);
  if (term.skip) await page.getByLabel('Dates without a session').fill(term.skip);
  await page.getByLabel('Places').fill(term.places);
  await page.getByLabel('Place', { exact: true }).fill('Riverside Track');
  await page.getByLabel('Price of the whole term').fill(term.price);
  await page.getByLabel('Currency').fill('GBP');
}
