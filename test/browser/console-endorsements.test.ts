/**
 * Endorsements in the console (issue 13 §1), in headless Chromium, in French on a 360 px phone: an operator
 * endorses a partner's badge from /console/endorsements, sees it listed, withdraws it after confirming; then, on
 * her own badge's page, attaches an endorsement issued elsewhere (a VC-JWT from a foreign did:web issuer), sees
 * a refused one explained, and removes the attached one. Nothing serious or critical for axe on the pages.
 *
 * THE TESTS OF THIS FILE DEPEND ON EACH OTHER: they run in order, from the state the previous ones left.
 */
import type { Browser } from 'playwright-core';
import { setPasswordDirectly } from '../../src/app/accounts.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startForeignIssuer, type ForeignIssuer } from '../support/foreign-issuer.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';
import { fr, PASSWORD, signIn } from './console-support.js';
import {
  closeWatched,
  launchBrowser,
  PHONE,
  screenshot,
  seriousAccessibilityViolations,
  watchedPage,
  type WatchedPage,
} from './support.js';

const COMMENT = 'Nos conseillers reconnaissent ce badge pour l’accompagnement à la création.';

let service: InProcessService;
let foreign: ForeignIssuer;
let browser: Browser;
let operator: WatchedPage;
let ownBadge: string;
let partnerBadge: string;
/** A badge the partner awarded, by its page's address. */
let partnerCredentialUrl: string;

beforeAll(async () => {
  foreign = await startForeignIssuer({ name: 'France Travail Hauts-de-France' });
  const port = await freePort();
  const hosts = [`127.0.0.1:${port}`, foreign.hosts].join(',');
  service = await startInProcess({ port, extra: { BLASON_FETCH_ALLOW_HOSTS: hosts, BLASON_FETCH_INSECURE_HTTP_HOSTS: hosts } });
  const admin = apiClient(service.url, service.token);
  const own = await setUpIssuer(admin, service.url, 'BGE Littoral');
  const partner = await setUpIssuer(admin, service.url, 'Initiative Flandres');
  ownBadge = own.achievementId;
  partnerBadge = partner.achievementId;
  const awarded = await partner.operator.post<{ url: string }>('/api/v1/credentials', {
    achievementId: partnerBadge,
    recipient: { email: 'lea@example.fr' },
  });
  partnerCredentialUrl = awarded.body.url;
  // The partner vouches for the operator: the operator's page lists it as received.
  await partner.operator.post('/api/v1/endorsements', {
    subject: { type: 'issuer', id: own.issuerId },
    comment: 'Partenaire fiable depuis dix ans.',
  });
  const email = `admin-${own.issuerId.slice(0, 8)}@example.org`;
  const app = service.running.app;
  const user = await app.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  await setPasswordDirectly(app, user.id, PASSWORD);
  browser = await launchBrowser();
  operator = await watchedPage(browser, PHONE);
  operator.context.setDefaultTimeout(10_000);
  await signIn(operator.page, service.url, email, PASSWORD);
}, 60_000);

afterAll(async () => {
  if (operator) await closeWatched([operator]);
  await browser?.close();
  await service?.stop();
  await foreign?.close();
});

describe('an operator, in French on a phone', () => {
  test('finds "Recommandations" in the menu, with the form and a link to the requests', async () => {
    const { page } = operator;
    await page.goto(`${service.url}/console`);
    await page.getByRole('link', { name: fr('console.nav.endorsements'), exact: true }).first().click();
    await page.waitForURL(/\/console\/endorsements$/);
    await expect(page.locator('h1').textContent()).resolves.toBe(fr('consoleEndorsements.title'));
    expect(await page.getByRole('link', { name: fr('consoleEndorsements.requestsLink') }).getAttribute('href')).toBe(
      '/console/endorsement-requests',
    );
    await expect(page.locator('[data-given]').count()).resolves.toBe(0);
    await screenshot(page, 'console-endorsements-empty-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  test("endorses a partner's badge with a comment, and sees it listed as standing", async () => {
    const { page } = operator;
    await page.check('#kind-achievement');
    await page.selectOption('#achievementId', partnerBadge);
    await page.fill('#comment', COMMENT);
    await page.getByRole('button', { name: fr('consoleEndorsements.form.submit') }).click();
    await page.waitForURL(/done=consoleEndorsements\.created/);
    await expect(page.locator('.notice').textContent()).resolves.toBe(fr('consoleEndorsements.created'));
    const item = page.locator('[data-given-endorsement]');
    await expect(item.count()).resolves.toBe(1);
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('Initiative Flandres');
    expect(text).toContain(COMMENT);
    expect(text).toContain(fr('consoleEndorsements.state.current'));
    await screenshot(page, 'console-endorsements-given-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  test('a comment left empty is refused with the reason, and nothing is signed', async () => {
    const { page } = operator;
    await page.check('#kind-issuer');
    await page.selectOption('#issuerId', { label: 'Initiative Flandres' });
    // The browser would stop an empty required field: a blank comment gets past it, and the server says why.
    await page.fill('#comment', '   ');
    await page.getByRole('button', { name: fr('consoleEndorsements.form.submit') }).click();
    await page.waitForLoadState();
    await expect(page.locator('.problem').textContent()).resolves.toContain(
      fr('consoleEndorsements.form.commentInvalid', { max: 2000 }),
    );
    await expect(page.locator('[data-given-endorsement]').count()).resolves.toBe(1);
  });

  test('sees what her organisation received: the partner vouching for it', async () => {
    const received = (await operator.page.locator('[data-received-endorsement]').allTextContents()).join(' ');
    expect(received).toContain(fr('consoleEndorsements.by', { endorser: 'Initiative Flandres' }));
    expect(received).toContain('Partenaire fiable depuis dix ans.');
  });

  test('endorses one awarded badge by pasting its address; an address of no badge here is refused', async () => {
    const { page } = operator;
    await page.check('#kind-credential');
    await page.fill('#credentialAddress', 'https://ailleurs.example/credentials/123');
    await page.fill('#comment', 'Vu en entretien.');
    await page.getByRole('button', { name: fr('consoleEndorsements.form.submit') }).click();
    await page.waitForLoadState();
    await expect(page.locator('.problem').textContent()).resolves.toContain(fr('consoleEndorsements.form.notFound'));
    await page.check('#kind-credential');
    await page.fill('#credentialAddress', partnerCredentialUrl);
    await page.fill('#comment', 'Vu en entretien.');
    await page.getByRole('button', { name: fr('consoleEndorsements.form.submit') }).click();
    await page.waitForURL(/done=consoleEndorsements\.created/);
    const items = page.locator('[data-given-endorsement]');
    await expect(items.count()).resolves.toBe(2);
    expect(await items.first().textContent()).toContain('Vu en entretien.');
  });

  test('withdraws it after a confirmation page, and sees it marked withdrawn', async () => {
    const { page } = operator;
    await page.goto(`${service.url}/console/endorsements`);
    await page.locator('[data-given-endorsement]', { hasText: COMMENT }).locator('[data-withdraw]').click();
    await page.waitForURL(/\/withdraw\/confirm$/);
    await expect(page.locator('[data-confirm-question]').textContent()).resolves.toContain('Initiative Flandres');
    await screenshot(page, 'console-endorsements-withdraw-confirm-phone');
    await page.locator('[data-confirm]').click();
    await page.waitForURL(/done=consoleEndorsements\.withdrawn/);
    const withdrawn = page.locator('[data-given-endorsement]', { hasText: COMMENT });
    expect(await withdrawn.textContent()).toMatch(/Retirée le/);
    await expect(withdrawn.locator('[data-withdraw]').count()).resolves.toBe(0);
    await expect(page.locator('[data-withdraw]').count()).resolves.toBe(1);
    await screenshot(page, 'console-endorsements-withdrawn-phone');
  });

  test('on her badge page, attaches an endorsement issued elsewhere by pasting its JWT', async () => {
    const { page } = operator;
    const jwt = await foreign.signEndorsementJwt({
      subjectId: `${service.url}/achievements/${ownBadge}`,
      comment: 'Badge reconnu par nos équipes.',
    });
    await page.goto(`${service.url}/console/badges/${ownBadge}`);
    await page.fill('#imported-endorsement', jwt);
    await page.getByRole('button', { name: fr('importedEndorsements.submit') }).click();
    await page.waitForURL(/done=importedEndorsements\.added/);
    const item = page.locator('[data-imported-endorsement]');
    await expect(item.count()).resolves.toBe(1);
    expect(await item.textContent()).toContain('France Travail Hauts-de-France');
    expect(await item.textContent()).toContain('Badge reconnu par nos équipes.');
    await page.locator('#imported-endorsements').scrollIntoViewIfNeeded();
    await screenshot(page, 'console-imported-endorsement-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  test('the endorsement page lists it as received from elsewhere', async () => {
    const { page } = operator;
    await page.goto(`${service.url}/console/endorsements`);
    const received = (await page.locator('[data-received-endorsement]').allTextContents()).join(' ');
    expect(received).toContain('France Travail Hauts-de-France');
    expect(received).toContain(fr('consoleEndorsements.received.imported'));
  });

  test("an endorsement of another badge is refused, and the page says why in French", async () => {
    const { page } = operator;
    const signed = await foreign.signEndorsement({ subjectId: `${service.url}/achievements/${partnerBadge}` });
    await page.goto(`${service.url}/console/badges/${ownBadge}`);
    await page.fill('#imported-endorsement', JSON.stringify(signed));
    await page.getByRole('button', { name: fr('importedEndorsements.submit') }).click();
    await page.waitForLoadState();
    await expect(page.locator('[data-confirm-items]').textContent()).resolves.toContain(
      fr('importedEndorsements.refused.other-subject'),
    );
    await screenshot(page, 'console-imported-endorsement-refused-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  test('removes the attached endorsement after confirming', async () => {
    const { page } = operator;
    await page.goto(`${service.url}/console/badges/${ownBadge}`);
    await page.getByRole('button', { name: fr('importedEndorsements.remove') }).click();
    await page.waitForURL(/\/remove\/confirm$/);
    await page.locator('[data-confirm]').click();
    await page.waitForURL(/done=importedEndorsements\.removed/);
    await expect(page.locator('[data-imported-endorsement]').count()).resolves.toBe(0);
  });

  test('attaches one from a file, and a file over 64 KB is refused as too large', async () => {
    const { page } = operator;
    const signed = await foreign.signEndorsement({
      subjectId: `${service.url}/achievements/${ownBadge}`,
      comment: 'Reçu par courriel.',
    });
    await page.goto(`${service.url}/console/badges/${ownBadge}`);
    await page.setInputFiles('#imported-endorsement-file', {
      name: 'recommandation.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(signed)),
    });
    await page.getByRole('button', { name: fr('importedEndorsements.submit') }).click();
    await page.waitForURL(/done=importedEndorsements\.added/);
    expect(await page.locator('[data-imported-endorsement]').textContent()).toContain('Reçu par courriel.');

    await page.setInputFiles('#imported-endorsement-file', {
      name: 'trop-gros.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...signed, padding: 'x'.repeat(70_000) })),
    });
    await page.getByRole('button', { name: fr('importedEndorsements.submit') }).click();
    await page.waitForLoadState();
    await expect(page.locator('[data-confirm-items]').textContent()).resolves.toContain(
      fr('importedEndorsements.tooLarge', { kb: 64 }),
    );
  });
});
