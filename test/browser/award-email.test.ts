/**
 * The award e-mail as people see it, in Chromium: the HTML part at 1280 and 360 px wide (the badge image loads,
 * the buttons lead to the badge page, LinkedIn and the holder's space, and following one marks the badge opened
 * in the console); and the operator writing the organisation's own message in the console, previewing it, saving
 * it, then the next e-mail saying it (read from the capturing SMTP server).
 */
import type { Browser, Page } from 'playwright-core';
import { actorOf } from '../../src/app/auth.js';
import { awardCredential } from '../../src/app/award.js';
import { enqueueAwardEmails, type AwardEmail } from '../../src/app/notifications.js';
import type { Actor } from '../../src/app/policies.js';
import { DEFAULT_ISSUER_SLUG } from '../../src/app/seed.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type Captured, type SmtpCapture } from '../support/smtp.js';
import { fr, signIn, waitForMail } from './console-support.js';
import {
  closeWatched,
  DESKTOP,
  launchBrowser,
  PHONE,
  screenshot,
  seriousAccessibilityViolations,
  watchedPage,
  type WatchedPage,
} from './support.js';

const ADMIN_PASSWORD = 'mot-de-passe-administrateur';

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;
let admin: Actor;
let org: { id: string; name: string; achievementId: string; badgeName: string };
const pages: WatchedPage[] = [];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  browser = await launchBrowser();
  const app = service.running.app;
  const user = await app.db.selectFrom('users').selectAll().where('email', '=', app.config.adminEmail).executeTakeFirstOrThrow();
  admin = actorOf(user);
  const issuer = await app.db.selectFrom('organisations').selectAll().where('slug', '=', DEFAULT_ISSUER_SLUG).executeTakeFirstOrThrow();
  const badge = await app.db.selectFrom('achievements').selectAll().where('organisation_id', '=', issuer.id).orderBy('name_fr').executeTakeFirstOrThrow();
  org = { id: issuer.id, name: issuer.name, achievementId: badge.id, badgeName: badge.name_fr };
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await smtp?.close();
});
afterEach(() => closeWatched(pages, { externalAllowed: true }));

async function open(options: typeof DESKTOP): Promise<WatchedPage> {
  const watched = await watchedPage(browser, options);
  watched.context.setDefaultTimeout(10_000);
  pages.push(watched);
  return watched;
}

/** Awards the badge to `email` and waits for its e-mail to arrive. */
async function awardAndReceive(email: string): Promise<{ award: AwardEmail; mail: Captured }> {
  const app = service.running.app;
  const awarded = await awardCredential(app, admin, { achievementId: org.achievementId, recipient: { email, name: 'Camille Martin' } });
  const award: AwardEmail = {
    credentialId: awarded.id, url: awarded.url, holderUrl: awarded.holderUrl, email, name: 'Camille Martin',
    badgeName: org.badgeName, issuerName: org.name, language: 'fr', organisationId: org.id,
  };
  await enqueueAwardEmails(app, [award]);
  const [mail] = await waitForMail(smtp, (m) => m.to.includes(email));
  return { award, mail: mail! };
}

/** Shows the e-mail's HTML part as a mail client would (a page of its own; its images load from the service). */
async function showMail(page: Page, mail: Captured): Promise<void> {
  await page.setContent(mail.html, { waitUntil: 'load' });
}

test('the award e-mail shows the badge image and three real buttons, at 1280 and at 360 px wide', async () => {
  const { award, mail } = await awardAndReceive('camille.martin@exemple.fr');
  for (const [options, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    const { page } = await open(options);
    await showMail(page, mail);
    const image = page.locator('img[alt^="Image du badge"]');
    expect(await image.getAttribute('src')).toBe(`${service.url}/achievements/${org.achievementId}/image.png?lang=fr`);
    expect(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const href = (label: string) => page.getByRole('link', { name: fr(label), exact: true }).getAttribute('href');
    expect(await href('email.button.view')).toMatch(new RegExp(`^${award.url}\\?open=[\\w-]{22}$`));
    expect(await href('email.button.linkedin')).toMatch(new RegExp(`^${award.url}/linkedin\\?open=[\\w-]{22}$`));
    expect(await href('email.button.space')).toMatch(new RegExp(`^${service.url}/holder\\?open=[\\w-]{22}$`));
    expect(await page.locator('h1').textContent()).toBe(org.badgeName);
    // Nothing wider than the screen: the e-mail narrows with it.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(options.viewport!.width);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, `award-email-${name}`);
  }
}, 90_000);

test('following "Voir mon badge" opens the badge page without the token, and the console shows it opened', async () => {
  const { award, mail } = await awardAndReceive('bruno.leroy@exemple.fr');
  const operator = await open(DESKTOP);
  await signIn(operator.page, service.url, service.running.app.config.adminEmail, ADMIN_PASSWORD);
  const emailState = async () => {
    await operator.page.goto(`${service.url}/console/credentials?q=bruno.leroy`);
    return (await operator.page.locator('[data-email-state]').textContent())?.trim();
  };
  expect(await emailState()).toBe(fr('emails.state.unopened'));

  const holder = await open(PHONE);
  await showMail(holder.page, mail);
  await Promise.all([holder.page.waitForURL(award.url, { waitUntil: 'domcontentloaded', timeout: 30_000 }), holder.page.getByRole('link', { name: fr('email.button.view'), exact: true }).click({ noWaitAfter: true })]);
  expect(holder.page.url()).toBe(award.url);
  expect(await holder.page.locator('h1').textContent()).toBe(org.badgeName);
  await screenshot(holder.page, 'award-email-followed-phone');

  expect(await emailState()).toBe(fr('emails.state.opened'));
  await screenshot(operator.page, 'award-email-console-opened');
}, 90_000);

test('"Ajouter à LinkedIn" leads to LinkedIn\'s form filled in with the badge', async () => {
  const { award, mail } = await awardAndReceive('claire.dubois@exemple.fr');
  const holder = await open(DESKTOP);
  await showMail(holder.page, mail);
  const request = holder.page.waitForRequest((r) => r.url().startsWith('https://www.linkedin.com/'));
  await holder.page.getByRole('link', { name: fr('email.button.linkedin'), exact: true }).click();
  const linkedin = new URL((await request).url());
  expect(linkedin.pathname).toBe('/profile/add');
  expect(linkedin.searchParams.get('name')).toBe(org.badgeName);
  expect(linkedin.searchParams.get('certUrl')).toBe(award.url);
  // The same form as the badge page's own button (src/views/presenters/share.ts): the badge link is its id.
  expect(linkedin.searchParams.get('certId')).toBe(award.url);
}, 90_000);

test('the operator writes the message in the console, previews it, saves it, and the next e-mail says it', async () => {
  const operator = await open(DESKTOP);
  const p = operator.page;
  await signIn(p, service.url, service.running.app.config.adminEmail, ADMIN_PASSWORD);
  await p.getByRole('link', { name: fr('console.nav.emails') }).click();
  expect(await p.locator('h1').textContent()).toBe(fr('emails.title'));
  const frame = p.frameLocator('iframe[name="email-preview"]');
  await frame.locator('h1').waitFor();
  expect(await seriousAccessibilityViolations(p)).toEqual([]);
  await screenshot(p, 'console-award-email-desktop');

  await p.fill('#fr-subject', 'Bravo pour « {badge} » !');
  await p.fill('#fr-intro', "Merci d'être venue à l'atelier pitch de jeudi.\nVotre badge « {badge} » vous attend.");
  await p.fill('#fr-signature', 'Nadia Benali\nChargée d\'accompagnement');
  await p.fill('#firstReminderDays', '5');
  await p.fill('#secondReminderDays', '15');
  await p.click('[data-email-preview]');
  await frame.locator('p', { hasText: "Merci d'être venue à l'atelier pitch de jeudi." }).waitFor();
  // {badge} became the name of a badge (the organisation's latest one, in a preview).
  expect(await frame.locator('body').innerText()).toMatch(/^Objet : Bravo pour « [^{}]+ » !/);
  await screenshot(p, 'console-award-email-preview');

  // A preview saves nothing.
  const before = await awardAndReceive('avant.enregistrement@exemple.fr');
  expect(before.mail.subject).toBe(fr('email.award.subject', { badge: org.badgeName, issuer: org.name }));

  await Promise.all([p.waitForURL(/done=emails\.saved/), p.click('[data-email-save]')]);
  expect(await p.locator('.notice').textContent()).toBe(fr('emails.saved'));
  expect(await p.inputValue('#firstReminderDays')).toBe('5');

  // The saved e-mail, as the preview frame shows it (a page of its own here, for the screenshot).
  await p.goto(`${service.url}/console/emails/preview?previewLang=fr`);
  expect(await p.locator('p', { hasText: "Merci d'être venue à l'atelier pitch de jeudi." }).count()).toBe(1);
  await screenshot(p, 'console-award-email-saved-preview');

  const { mail } = await awardAndReceive('dylan.moreau@exemple.fr');
  expect(mail.subject).toBe(`Bravo pour « ${org.badgeName} » !`);
  expect(mail.text).toContain("Merci d'être venue à l'atelier pitch de jeudi.");
  expect(mail.text).toContain("Nadia Benali\nChargée d'accompagnement");
  const { page } = await open(PHONE);
  await showMail(page, mail);
  await screenshot(page, 'award-email-own-words-phone');
}, 90_000);

test('on a phone the settings page reads in one column, and a refused value says which field to fix', async () => {
  const operator = await open(PHONE);
  const p = operator.page;
  await signIn(p, service.url, service.running.app.config.adminEmail, ADMIN_PASSWORD);
  await p.goto(`${service.url}/console/emails`);
  await p.frameLocator('iframe[name="email-preview"]').locator('h1').waitFor();
  // The page's own content fits (the platform administrator's organisation picker, above it, is another matter).
  expect(await p.evaluate(() => document.querySelector('main')!.scrollWidth)).toBeLessThanOrEqual(360);
  const [form, preview] = await Promise.all(['form.email-form', 'section.email-preview'].map((s) => p.locator(s).boundingBox()));
  expect(preview!.y).toBeGreaterThan(form!.y + form!.height - 1);
  expect(await seriousAccessibilityViolations(p)).toEqual([]);
  await screenshot(p, 'console-award-email-phone');
  await p.fill('#firstReminderDays', '10');
  await p.fill('#secondReminderDays', '4');
  await p.click('[data-email-save]');
  expect(await p.locator('.problem').textContent()).toContain(fr('emails.invalidField.secondReminderDays'));
  await screenshot(p, 'console-award-email-refused-phone');
}, 90_000);
