/**
 * A project holder's journey through her own space (issue 12), in French, in headless Chromium, once at 1280 px
 * and once on a 360 px phone: from the site header's "Mes badges" she signs in with the code from her mailbox (real
 * SMTP capture), answers whether her name may show (the operator's spelling prefilled), sees her badges with their
 * images, one of them hidden by herself, opens the hidden one (hers to see, 404 for anyone else), downloads its
 * PDF certificate (read back with pdf.js) and finds the share links (LinkedIn's certification form filled in,
 * e-mail, WhatsApp, copy). Every page passes axe and is saved in test-output/screenshots/.
 *
 * Each test is one whole journey, of its own holder: they do not depend on each other.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { signInMessage } from '../support/holder.js';
import { readPdf } from '../support/pdf.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { fr } from './console-support.js';
import {
  closeWatched, DESKTOP, launchBrowser, PHONE, screenshot, seriousAccessibilityViolations, watchedPage, type WatchedPage,
} from './support.js';

const ISSUER = 'BGE Hauts-de-France';
const LINKEDIN_ID = '7654321';
/** A whole journey, several axe runs included, on two shared cores: longer than one step's default 30 s. */
const JOURNEY_MS = 120_000;

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;
let operator: Api;
let achievements: string[];
const open: WatchedPage[] = [];

interface Awarded {
  id: string;
  url: string;
}

async function award(email: string, achievement: number, recipient: Record<string, unknown> = {}): Promise<Awarded> {
  const res = await operator.post<Awarded>('/api/v1/credentials', {
    achievementId: achievements[achievement], recipient: { email, ...recipient },
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body;
}

/** She hid this badge from her space before (the existing holder test drives that button). */
async function hide(id: string): Promise<void> {
  await service.running.app.db.updateTable('credentials').set({ holder_hidden: 1 }).where('id', '=', id).execute();
}

async function page(options: typeof DESKTOP): Promise<WatchedPage> {
  const w = await watchedPage(browser, options);
  w.context.setDefaultTimeout(15_000);
  open.push(w);
  return w;
}

async function checked(p: Page, name: string): Promise<void> {
  expect(await p.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
  expect(await seriousAccessibilityViolations(p)).toEqual([]);
  await screenshot(p, name);
}

/** From any public page: the header's "Mes badges", the address, the code from the mailbox. */
async function signIn(p: Page, email: string): Promise<void> {
  await p.goto(`${service.url}/verify`);
  await p.getByRole('link', { name: fr('site.holderLink'), exact: true }).click();
  expect(new URL(p.url()).pathname).toBe('/holder/login');
  const before = smtp.messages.length;
  await p.fill('#email', email);
  await p.click('main form button[type="submit"]');
  await p.waitForSelector('#code');
  const { code } = await signInMessage(smtp, email, before);
  await p.fill('#code', code);
  await Promise.all([p.waitForURL((url) => url.pathname === '/holder'), p.click('main form button[type="submit"]')]);
}

function card(p: Page, id: string) {
  return p.locator(`li[data-held="${id}"]`);
}

/** The PDF certificate behind a link of the page: downloaded as a person would, then read back. */
async function downloadCertificate(p: Page, link: ReturnType<Page['locator']>) {
  const [download] = await Promise.all([p.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^certificat-[0-9a-f]{8}\.pdf$/);
  const bytes = readFileSync((await download.path())!);
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  return readPdf(bytes);
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url } });
  const admin = apiClient(service.url, service.token);
  const issuer = await setUpIssuer(admin, service.url, ISSUER);
  await admin.patch(`/api/v1/issuers/${issuer.issuerId}`, { linkedinOrganizationId: LINKEDIN_ID });
  operator = issuer.operator;
  const pitch = await operator.post<{ id: string }>('/api/v1/achievements', { issuerId: issuer.issuerId, catalogueKey: 'pitch' });
  achievements = [issuer.achievementId, pitch.body.id];
  browser = await launchBrowser();
}, 60_000);

// Share links are looked at, never followed: nothing may leave loopback.
afterEach(() => closeWatched(open));

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await smtp?.close();
});

test('at 1280 px: she signs in, lets her name show, sees her hidden badge, opens it and downloads its certificate', async () => {
  const email = 'chloe.dupont@exemple.fr';
  const shown = await award(email, 0, { name: 'Chloé Dupont', showName: false });
  const hidden = await award(email, 1, { name: 'Chloé Dupont' });
  await hide(hidden.id);
  const { page: p } = await page(DESKTOP);
  await signIn(p, email);

  // Her first visit asks the name question, with the name her operator typed.
  const question = p.locator('form[data-name-question]');
  expect(await question.locator('h2').textContent()).toBe(fr('holder.question.title'));
  expect(await p.inputValue('#question-name')).toBe('Chloé Dupont');
  await checked(p, 'holder-journey-question-desktop');
  await p.check('#question-yes');
  await question.getByRole('button', { name: fr('holder.question.submit') }).click();
  expect(await p.locator('p.notice').textContent()).toBe(fr('console.done'));
  expect(await p.locator('form[data-name-question]').count()).toBe(0);

  // Her badges, each with its image; the hidden one says so and offers no sharing.
  expect(await p.locator('ul.held > li').count()).toBe(2);
  for (const id of [shown.id, hidden.id]) {
    expect(await card(p, id).locator('img.held-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  }
  expect(await card(p, hidden.id).locator('.held-status').textContent()).toBe(fr('holder.private'));
  expect(await card(p, hidden.id).locator('[data-hidden-note]').textContent()).toBe(fr('holder.shareHidden'));
  expect(await card(p, hidden.id).locator('[data-linkedin]').count()).toBe(0);
  await checked(p, 'holder-journey-space-desktop');

  // Anyone may now read her name on the public badge; the hidden one is nobody else's business.
  const visitor = await page(DESKTOP);
  await visitor.page.goto(shown.url);
  expect(await visitor.page.locator('.facts').innerText()).toContain('Chloé Dupont');
  expect((await visitor.page.goto(hidden.url))!.status()).toBe(404);

  // "Voir" on her hidden badge opens its page, for her.
  await card(p, hidden.id).getByRole('link', { name: fr('holder.open') }).click();
  expect(p.url()).toBe(hidden.url);
  expect(await p.locator('.verdict').getAttribute('data-verdict')).toBe('valid');
  expect(await p.locator('[data-owner]').innerText()).toContain(fr('badge.ownerHidden'));
  expect(await p.locator('[data-download="png"]').textContent()).toBe(fr('actions.downloadImage'));
  expect(await p.locator('details.platforms').evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
  expect(await p.locator('details.platforms summary').textContent()).toBe(fr('actions.forPlatforms'));
  await checked(p, 'holder-journey-hidden-badge-desktop');

  const pdf = await downloadCertificate(p, p.locator('[data-download="pdf"]'));
  expect(pdf.pages).toBe(1);
  for (const expected of ['Pitch', 'Chloé Dupont', `Délivré par ${ISSUER} le`]) expect(pdf.text).toContain(expected);
  expect(pdf.links).toEqual([hidden.url]);

  await p.getByRole('link', { name: fr('badge.ownerSpace') }).click();
  expect(new URL(p.url()).pathname).toBe('/holder');

  // The public badge's card: LinkedIn's certification form filled in, e-mail, WhatsApp, and the link to copy.
  const share = card(p, shown.id).locator('.held-share');
  const linkedin = new URL((await share.locator('[data-linkedin]').getAttribute('href'))!);
  expect(linkedin.origin + linkedin.pathname).toBe('https://www.linkedin.com/profile/add');
  expect(Object.fromEntries(linkedin.searchParams)).toMatchObject({
    startTask: 'CERTIFICATION_NAME', name: "De l'idée à l'opportunité", organizationId: LINKEDIN_ID,
    certUrl: shown.url, certId: shown.url,
  });
  expect(await share.locator('[data-share="email"]').getAttribute('href')).toContain(encodeURIComponent(shown.url));
  expect(await share.locator('[data-share="whatsapp"]').getAttribute('href')).toMatch(/^https:\/\/wa\.me\/\?text=/);
  expect(await share.locator('.share-url').inputValue()).toBe(shown.url);
}, JOURNEY_MS);

test('at 360 px: she signs in on her phone, keeps her name private, and gets a certificate from her space', async () => {
  const email = 'samir.haddad@exemple.fr';
  const shown = await award(email, 0, { name: 'Samir Haddad', showName: true });
  const hidden = await award(email, 1);
  await hide(hidden.id);
  const { page: p } = await page(PHONE);
  await signIn(p, email);
  await checked(p, 'holder-journey-question-phone');

  expect(await p.inputValue('#question-name')).toBe('Samir Haddad');
  await p.check('#question-no');
  await p.locator('form[data-name-question] button[type="submit"]').click();
  expect(await p.locator('form[data-name-question]').count()).toBe(0);
  // His answer is kept: the badge the operator had shown his name on no longer shows it.
  const visitor = await page(PHONE);
  await visitor.page.goto(shown.url);
  expect(await visitor.page.locator('.facts').innerText()).not.toContain('Samir Haddad');

  expect(await p.locator('ul.held > li').count()).toBe(2);
  expect(await card(p, hidden.id).locator('.held-status').textContent()).toBe(fr('holder.private'));
  const share = card(p, shown.id).locator('.held-share');
  expect(await share.locator('[data-linkedin]').textContent()).toBe(fr('actions.linkedin'));
  expect(await share.locator('[data-share="whatsapp"]').textContent()).toBe(fr('actions.shareWhatsapp'));
  expect(await share.locator('[data-share="email"]').textContent()).toBe(fr('actions.shareEmail'));
  await checked(p, 'holder-journey-space-phone');

  // From the space, the certificate of the hidden badge carries his name: it is his copy.
  const pdf = await downloadCertificate(p, card(p, hidden.id).locator('[data-download="pdf"]'));
  expect(pdf.text).toContain('Pitch');
  expect(pdf.text).toContain('Samir Haddad');

  await card(p, hidden.id).getByRole('link', { name: fr('holder.open') }).click();
  expect(await p.locator('[data-owner]').count()).toBe(1);
  await checked(p, 'holder-journey-hidden-badge-phone');
}, JOURNEY_MS);
