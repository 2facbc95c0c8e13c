/**
 * Endorsement requests in headless Chromium, in French, on a 360 px phone: the platform administrator creates a
 * partner organisation ("Partenaire qui recommande"); an operator asks it to endorse one of its badges; the
 * partner, told on its dashboard and by e-mail, follows the e-mail's link, reads the badge's criteria and EntreComp competences and accepts;
 * the operator sees the request accepted. Nothing serious or critical for axe on the pages.
 *
 * THE TESTS OF THIS FILE DEPEND ON EACH OTHER and run in order; run the file as a whole.
 */
import type { Browser } from 'playwright-core';
import { setPasswordDirectly } from '../../src/app/accounts.js';
import { apiClient } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { fr, linkIn, PASSWORD, sentTo, signIn, waitForMail } from './console-support.js';
import {
  closeWatched,
  launchBrowser,
  PHONE,
  screenshot,
  seriousAccessibilityViolations,
  watchedPage,
  type WatchedPage,
} from './support.js';

const ADMIN_PASSWORD = 'mot-de-passe-administrateur';
const OPERATOR_ORG = 'BGE Littoral';
const OPERATOR_EMAIL = 'marie@bge-littoral.example';
const PARTNER_ORG = 'France Travail Hauts-de-France';
const PARTNER_EMAIL = 'paul@francetravail.example';
const CATALOGUE_KEY = 'de-l-idee-a-l-opportunite';
const MESSAGE = 'Vos conseillers orientent déjà des porteurs de projet vers cet atelier.';
const COMMENT = 'Nos conseillers reconnaissent ce badge pour l’accompagnement à la création.';

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;
const pages: WatchedPage[] = [];
const state = { requestUrl: '' };

async function phone(): Promise<WatchedPage> {
  const w = await watchedPage(browser, PHONE);
  w.context.setDefaultTimeout(10_000);
  pages.push(w);
  return w;
}

async function userId(email: string): Promise<string> {
  const row = await service.running.app.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  browser = await launchBrowser();
  const admin = apiClient(service.url, service.token);
  const operator = await admin.post<{ id: string }>('/api/v1/issuers', { name: OPERATOR_ORG });
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${operator.body.id}/users`, {
    email: OPERATOR_EMAIL,
    role: 'operator_admin',
  });
  await apiClient(service.url, user.body.token).post('/api/v1/achievements', {
    issuerId: operator.body.id,
    catalogueKey: CATALOGUE_KEY,
  });
  await setPasswordDirectly(service.running.app, await userId(OPERATOR_EMAIL), PASSWORD);
}, 60_000);
afterAll(async () => {
  await closeWatched(pages);
  await browser?.close();
  await service?.stop();
  await smtp?.close();
});

test('the platform administrator creates a partner organisation that recommends', async () => {
  const { page } = await phone();
  await signIn(page, service.url, service.env.BLASON_ADMIN_EMAIL ?? 'admin@blason.local', ADMIN_PASSWORD);
  await page.goto(`${service.url}/console/admin`);
  await page.fill('#org-name', PARTNER_ORG);
  await page.fill('#org-email', 'partenariats@francetravail.example');
  await page.getByLabel(fr('admin.kind.partner')).check();
  await page.fill('#org-admin', PARTNER_EMAIL);
  await page.click('form[action="/console/admin/organisations"] button[type="submit"]');
  expect(await page.locator('p.notice').textContent()).toBe(fr('admin.created'));
  expect(await page.locator('main ul.rows').innerText()).toContain(`${fr('admin.kind.partner')}`);
  const row = await service.running.app.db
    .selectFrom('organisations')
    .select('kind')
    .where('name', '=', PARTNER_ORG)
    .executeTakeFirstOrThrow();
  expect(row.kind).toBe('partner');
  await setPasswordDirectly(service.running.app, await userId(PARTNER_EMAIL), PASSWORD);
});

test('an operator asks the partner to endorse one of its badges', async () => {
  const { page } = await phone();
  await signIn(page, service.url, OPERATOR_EMAIL, PASSWORD);
  await page.goto(`${service.url}/console/endorsement-requests`);
  expect(await page.locator('h1').textContent()).toBe(fr('endorsementRequests.title'));
  const badgeName = service.running.app.catalogue.badge(CATALOGUE_KEY)!.name.fr;
  await page.getByLabel(fr('endorsementRequests.badge')).selectOption({ label: badgeName });
  await page
    .getByLabel(fr('endorsementRequests.partner'))
    .selectOption({ label: `${PARTNER_ORG} (${fr('endorsementRequests.partnerKind.partner')})` });
  await page.getByLabel(fr('endorsementRequests.message')).fill(MESSAGE);
  await page.getByRole('button', { name: fr('endorsementRequests.send') }).click();
  expect(await page.locator('p.notice').textContent()).toBe(fr('endorsementRequests.sentDone'));
  const sent = page.locator('[data-list="sent"] li');
  expect(await sent.count()).toBe(1);
  expect(await sent.innerText()).toContain(badgeName);
  expect(await sent.innerText()).toContain(fr('endorsementRequests.status.pending'));
  await screenshot(page, 'endorsement-request-sent-phone');
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  // No horizontal scrolling at 360 px.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

  const [mail] = await waitForMail(smtp, (m) => sentTo(PARTNER_EMAIL)(m) && m.subject.includes(OPERATOR_ORG));
  expect(mail!.subject).toContain(`${OPERATOR_ORG} vous demande de recommander le badge`);
  state.requestUrl = linkIn(mail!, `${service.url}/console/endorsement-requests/`);
});

test('the partner follows the e-mail, reads the criteria and competences, and accepts', async () => {
  const { page } = await phone();
  await signIn(page, service.url, PARTNER_EMAIL, PASSWORD);
  // The dashboard says a request is waiting.
  expect(new URL(page.url()).pathname).toBe('/console');
  expect(await page.locator('[data-pending-requests]').innerText()).toBe(fr('endorsementRequests.dashboardPending.one'));
  // A partner awards nothing: its console offers no badge or session pages, and its first steps are its profile only.
  const nav = await page.locator('.console-nav a').allTextContents();
  expect(nav).toContain(fr('console.nav.endorsements'));
  expect(nav).not.toContain(fr('console.nav.badges'));
  expect(nav).not.toContain(fr('console.nav.sessions'));
  expect(await page.locator('main').textContent()).not.toContain(fr('dashboard.checklist.badge'));
  await page.goto(state.requestUrl);
  const badge = service.running.app.catalogue.badge(CATALOGUE_KEY)!;
  expect(await page.locator('h1').textContent()).toBe(
    fr('endorsementRequests.heading', { requester: OPERATOR_ORG, badge: badge.name.fr }),
  );
  const main = await page.locator('main').innerText();
  expect(main).toContain(MESSAGE);
  expect(main).toContain(badge.criteria.fr.split('\n')[0]!.trim());
  const competences = await page.locator('[data-list="competences"] li').allInnerTexts();
  expect(competences).toHaveLength(badge.competences.length);
  const first = service.running.app.catalogue.competence(badge.competences[0]!.code)!;
  expect(competences[0]).toContain(first.name.fr);
  expect(competences[0]).toContain(badge.competences[0]!.code);
  await screenshot(page, 'endorsement-request-partner-phone');
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

  // An empty comment is refused by the browser; a blank one sent anyway is refused by the server, in French.
  await page.getByLabel(fr('endorsementRequests.comment')).fill('   ');
  await page.getByRole('button', { name: fr('endorsementRequests.accept') }).click();
  expect(await page.locator('.problem').innerText()).toContain(fr('endorsementRequests.commentRequired'));

  await page.getByLabel(fr('endorsementRequests.comment')).fill(COMMENT);
  await page.getByRole('button', { name: fr('endorsementRequests.accept') }).click();
  expect(await page.locator('p.notice').textContent()).toBe(fr('endorsementRequests.accepted'));
  expect(await page.locator('[data-status]').first().textContent()).toBe(fr('endorsementRequests.status.accepted'));
  await screenshot(page, 'endorsement-request-accepted-phone');
  await page.getByRole('link', { name: fr('endorsementRequests.seeEndorsement') }).click();
  await expect(page.locator('[data-verdict]').getAttribute('data-verdict')).resolves.toBe('valid');
  expect(await page.locator('main').innerText()).toContain(COMMENT);
});

test('the operator is told by e-mail and sees the request accepted', async () => {
  const [mail] = await waitForMail(smtp, (m) => sentTo(OPERATOR_EMAIL)(m) && m.subject.includes(PARTNER_ORG));
  expect(mail!.subject).toContain(`${PARTNER_ORG} recommande votre badge`);
  const { page } = await phone();
  await signIn(page, service.url, OPERATOR_EMAIL, PASSWORD);
  await page.goto(`${service.url}/console/endorsement-requests`);
  expect(await page.locator('[data-list="sent"] li').innerText()).toContain(fr('endorsementRequests.status.accepted'));
});
