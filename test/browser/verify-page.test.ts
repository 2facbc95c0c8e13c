/**
 * The employer's page, /verify, in headless Chromium: a badge pasted, chosen as a file, dropped, or given by
 * its URL; Blason's own badges and another organisation's (a did:web issuer on loopback); the specific
 * messages of the common failures; French by default, English on request; without JavaScript; on a phone;
 * accessibility (axe-core). Nothing may leave loopback.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { ed25519PublicKeyMultibase } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { fromRoot } from '../../src/shared/paths.js';
import { allStrings, formatDate } from '../../src/views/i18n.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startForeignIssuer, type ForeignIssuer } from '../support/foreign-issuer.js';
import { newEd25519 } from '../support/keys.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';
import { DESKTOP, expectNothingUntoward, PHONE, launchBrowser, screenshot, seriousAccessibilityViolations, watchedPage, type WatchedPage } from './support.js';

type Strings = Readonly<Record<string, string>>;
/** Every UI string, as src/views/locales holds them (French is the default language). */
const fr = allStrings('fr');
const en = allStrings('en');

/** A locale string with its {params} filled, as the page shows it. */
function text(strings: Strings, key: string, params: Record<string, string> = {}): string {
  const template = strings[key];
  if (template === undefined) throw new Error(`No locale string ${key}`);
  return template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
}

interface Awarded {
  id: string;
  url: string;
  holderUrl: string;
  credential: Record<string, unknown> & { name: string; credentialSubject: { achievement: { name: string } } };
  jwt: string;
}

let browser: Browser;
let service: InProcessService;
/** Another organisation's issuer, on loopback. */
let foreign: ForeignIssuer;
/** A second one, whose status list is stopped by one test. */
let flaky: ForeignIssuer;
let awarded: Awarded;
/** A loopback port the service may fetch from, where nothing listens: an issuer whose site is down. */
let deadHost: string;
let issuerName: string;
let achievementId: string;
const opened: WatchedPage[] = [];

/** Chromium asks for English by default; an employer in France asks for French (the default language anyway). */
const FRENCH: BrowserContextOptions = { ...DESKTOP, locale: 'fr-FR' };
const FRENCH_PHONE: BrowserContextOptions = { ...PHONE, locale: 'fr-FR' };

beforeAll(async () => {
  browser = await launchBrowser();
  foreign = await startForeignIssuer();
  flaky = await startForeignIssuer({ name: 'Pépinière du Hainaut' });
  const port = await freePort();
  deadHost = `127.0.0.1:${await freePort()}`;
  const hosts = [`127.0.0.1:${port}`, foreign.hosts, flaky.hosts, deadHost].join(',');
  service = await startInProcess({ port, extra: { BLASON_FETCH_ALLOW_HOSTS: hosts, BLASON_FETCH_INSECURE_HTTP_HOSTS: hosts } });
  issuerName = 'BGE Hauts-de-France';
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url, issuerName);
  achievementId = issuer.achievementId;
  const res = await issuer.operator.post<Awarded>('/api/v1/credentials', { achievementId, recipient: { email: 'ana.martin@example.fr', name: 'Ana Martin' } });
  if (res.status !== 201) throw new Error(`award: ${res.status} ${JSON.stringify(res.body)}`);
  awarded = res.body;
}, 60_000);

afterEach(async () => {
  for (const watched of opened.splice(0)) await watched.context.close();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await foreign?.close();
  await flaky?.close();
});

async function open(path = '/verify', options: BrowserContextOptions = FRENCH): Promise<WatchedPage> {
  const watched = await watchedPage(browser, options);
  opened.push(watched);
  await watched.page.goto(`${service.url}${path}`);
  return watched;
}

/** Submits the verification form and waits for the answer page; returns its HTTP status. */
async function submit(page: Page): Promise<number> {
  const [response] = await Promise.all([page.waitForNavigation(), page.click('.verify-form button[type="submit"]')]);
  return response?.status() ?? 0;
}

async function pasteAndVerify(page: Page, value: string): Promise<number> {
  await page.fill('#credential-text', value);
  return submit(page);
}

async function verdictOf(page: Page): Promise<{ verdict: string | null; title: string }> {
  const section = page.locator('.verdict');
  return { verdict: await section.getAttribute('data-verdict'), title: (await section.locator('h2').textContent())?.trim() ?? '' };
}

/** The texts of every check, as shown once the "details" is opened. */
async function checkTexts(page: Page): Promise<string[]> {
  const details = page.locator('details.checks');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('> summary').click();
  return (await page.locator('.check-list .check-text').allTextContents()).map((t) => t.trim());
}

async function factsText(page: Page): Promise<string> {
  return (await page.locator('dl.facts').innerText()).replace(/\s+/g, ' ');
}

async function bytesOf(path: string): Promise<Buffer> {
  const res = await fetch(`${service.url}${path}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const badgeName = () => awarded.credential.credentialSubject.achievement.name;

describe('a badge Blason issued', () => {
  test('pasted as JSON: the valid verdict first, the badge and issuer in the facts, the checks behind a details that opens', async () => {
    const watched = await open();
    const { page } = watched;
    expect(await pasteAndVerify(page, JSON.stringify(awarded.credential))).toBe(200);
    expect(await verdictOf(page)).toEqual({ verdict: 'valid', title: text(fr, 'verdict.valid') });
    // The verdict comes before the facts and the checks.
    const order = await page.evaluate(() => {
      const verdict = document.querySelector('.verdict')!;
      const facts = document.querySelector('dl.facts')!;
      const checks = document.querySelector('details.checks')!;
      const first = document.querySelector('main .result > :not(h2)');
      return {
        beforeFacts: Boolean(verdict.compareDocumentPosition(facts) & Node.DOCUMENT_POSITION_FOLLOWING),
        beforeChecks: Boolean(verdict.compareDocumentPosition(checks) & Node.DOCUMENT_POSITION_FOLLOWING),
        firstInResult: first === verdict,
      };
    });
    expect(order).toEqual({ beforeFacts: true, beforeChecks: true, firstInResult: true });
    const facts = await factsText(page);
    expect(facts).toContain(badgeName());
    expect(facts).toContain(issuerName);
    const details = page.locator('details.checks');
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.locator('.check-list').isVisible()).toBe(false);
    await details.locator('> summary').click();
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await page.locator('.check-list').isVisible()).toBe(true);
    expect(await page.locator('.check-list .check-text').allTextContents()).toContain(text(fr, 'checks.status.notRevoked'));
    expectNothingUntoward(watched);
  });

  test('chosen as a file: the baked PNG downloaded from /credentials/{id}/badge.png', async () => {
    const png = await bytesOf(`/credentials/${awarded.id}/badge.png`);
    const watched = await open();
    await watched.page.setInputFiles('#credential-file', { name: 'badge.png', mimeType: 'image/png', buffer: png });
    expect(await submit(watched.page)).toBe(200);
    expect((await verdictOf(watched.page)).verdict).toBe('valid');
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.parse.ok', { format: text(fr, 'format.png') }));
    expect(await factsText(watched.page)).toContain(badgeName());
    expectNothingUntoward(watched);
  });

  test('chosen as a file: the baked SVG', async () => {
    const svg = await bytesOf(`/credentials/${awarded.id}/badge.svg`);
    const watched = await open();
    await watched.page.setInputFiles('#credential-file', { name: 'badge.svg', mimeType: 'image/svg+xml', buffer: svg });
    expect(await submit(watched.page)).toBe(200);
    expect((await verdictOf(watched.page)).verdict).toBe('valid');
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.parse.ok', { format: text(fr, 'format.svg') }));
    expectNothingUntoward(watched);
  });

  test('dropped on the drop zone: the form is submitted and the verdict appears', async () => {
    const png = await bytesOf(`/credentials/${awarded.id}/badge.png`);
    const watched = await open();
    const { page } = watched;
    expect(await page.locator('[data-drop-hint]').isVisible()).toBe(true);
    expect(await page.locator('.verdict').count()).toBe(0);
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.evaluate((base64) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'badge.png', { type: 'image/png' }));
        const zone = document.querySelector('[data-dropzone]')!;
        zone.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: transfer }));
        zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: transfer }));
        zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }, png.toString('base64')),
    ]);
    expect(response?.request().method()).toBe('POST');
    expect(response?.status()).toBe(200);
    expect((await verdictOf(page)).verdict).toBe('valid');
    expect(await checkTexts(page)).toContain(text(fr, 'checks.parse.ok', { format: text(fr, 'format.png') }));
    expectNothingUntoward(watched);
  });

  test('by URL typed in the one box: the link is kept by the form, to ask about it again', async () => {
    const watched = await open();
    await watched.page.fill('#credential-text', awarded.url);
    expect(await submit(watched.page)).toBe(200);
    expect((await verdictOf(watched.page)).verdict).toBe('valid');
    expect(await factsText(watched.page)).toContain(badgeName());
    expect(await watched.page.inputValue('.verify-form input[name="carried"]')).toBe(awarded.url);
    expect(await watched.page.locator('[data-kept]').innerText()).toContain(awarded.url);
    expectNothingUntoward(watched);
  });

  test('its link pasted in the text box is verified as a link: valid', async () => {
    const watched = await open();
    await pasteAndVerify(watched.page, awarded.url);
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'valid', title: text(fr, 'verdict.valid') });
    expectNothingUntoward(watched);
  });

  test('by URL: GET /verify?url=<badge url>', async () => {
    const watched = await open(`/verify?url=${encodeURIComponent(awarded.url)}`);
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'valid', title: text(fr, 'verdict.valid') });
    expect(await factsText(watched.page)).toContain(issuerName);
    expectNothingUntoward(watched);
  });
});

describe('a badge from another organisation (a did:web issuer on loopback)', () => {
  test('as JSON: valid, with its issuer and badge name', async () => {
    const credential = await foreign.sign({ achievementName: 'Pitch devant un jury', issuerName: 'Incubateur des Flandres', statusIndex: 3 });
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify(credential, null, 2));
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'valid', title: text(fr, 'verdict.valid') });
    const facts = await factsText(watched.page);
    expect(facts).toContain('Pitch devant un jury');
    expect(facts).toContain('Incubateur des Flandres');
    expect(facts).toContain(foreign.did);
    const checks = await checkTexts(watched.page);
    expect(checks).toContain(text(fr, 'checks.key.confirmed'));
    expect(checks).toContain(text(fr, 'checks.status.notRevoked'));
    expectNothingUntoward(watched);
  });

  test('as a JWT: valid', async () => {
    const jwt = await foreign.signJwt({ statusIndex: 4 });
    const watched = await open();
    await pasteAndVerify(watched.page, jwt);
    expect((await verdictOf(watched.page)).verdict).toBe('valid');
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.parse.ok', { format: text(fr, 'format.jwt') }));
    expectNothingUntoward(watched);
  });

  test('once its issuer revokes it, the page says revoked', async () => {
    const credential = JSON.stringify(await foreign.sign({ statusIndex: 17 }));
    const watched = await open();
    await pasteAndVerify(watched.page, credential);
    expect((await verdictOf(watched.page)).verdict).toBe('valid');
    foreign.revoke(17);
    await watched.page.goto(`${service.url}/verify`);
    await pasteAndVerify(watched.page, credential);
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'revoked', title: text(fr, 'verdict.revoked') });
    const checks = await checkTexts(watched.page);
    expect(checks).toContain(text(fr, 'checks.status.revoked'));
    expect(checks).not.toContain(text(fr, 'checks.status.notRevoked'));
    expectNothingUntoward(watched);
  });

  test('when its status list cannot be reached, the page says the status could not be checked, never "not revoked"', async () => {
    const credential = JSON.stringify(await flaky.sign({ statusIndex: 5 }));
    // The DID document still resolves: only the revocation list is gone.
    await flaky.stopStatusList();
    const watched = await open();
    await pasteAndVerify(watched.page, credential);
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'status-unknown', title: text(fr, 'verdict.status-unknown') });
    const checks = await checkTexts(watched.page);
    expect(checks).toContain(text(fr, 'checks.status.unreachable'));
    expect(checks).toContain(text(fr, 'checks.key.confirmed'));
    const body = await watched.page.locator('main').textContent();
    expect(body).not.toContain(text(fr, 'checks.status.notRevoked'));
    expect(body).not.toContain(text(fr, 'verdict.valid'));
    expectNothingUntoward(watched);
  });
});

describe('clear, specific messages', () => {
  const unsigned = () => structuredClone(awarded.credential);

  test('a tampered badge (one character of its name changed): the signature does not match', async () => {
    const tampered = unsigned();
    tampered.name = `X${tampered.name.slice(1)}`;
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify(tampered));
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'invalid', title: text(fr, 'verdict.invalid') });
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.proof.signatureMismatch'));
    // What an unverified document says is flagged as such.
    expect(await watched.page.locator('.problem', { hasText: text(fr, 'verify.untrustedNote') }).count()).toBe(1);
    expectNothingUntoward(watched);
  });

  test('a proof of a type Blason cannot check, named as unsupported', async () => {
    const fixture = readFileSync(fromRoot('test', 'fixtures', 'ob30', 'simple-multiple-proofs.json'), 'utf8');
    const watched = await open();
    await pasteAndVerify(watched.page, fixture);
    expect((await verdictOf(watched.page)).verdict).toBe('invalid');
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.proof.unsupportedType', { type: 'SomeProofType' }));
    expectNothingUntoward(watched);
  });

  test('an unknown context URL, named in the message', async () => {
    const odd = unsigned();
    const url = 'https://contexts.example.org/unknown/v1.jsonld';
    odd['@context'] = [...(odd['@context'] as string[]), url];
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify(odd));
    expect((await verdictOf(watched.page)).verdict).toBe('invalid');
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.context.unknown', { url }));
    expectNothingUntoward(watched);
  });

  test('a signing key the issuer does not publish', async () => {
    const credential = await foreign.sign({ signWith: { key: newEd25519(), verificationMethod: `${foreign.did}#ed-2` } });
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify(credential));
    expect((await verdictOf(watched.page)).verdict).toBe('invalid');
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.key.notPublished'));
    expectNothingUntoward(watched);
  });

  test('a badge whose issuer\'s site does not answer: "issuer unreachable", never valid, with a reason to try later', async () => {
    const did = `did:web:${encodeURIComponent(deadHost)}:issuers:pepiniere`;
    const credential = await foreign.sign({ issuer: { id: did, type: ['Profile'], name: 'Pépinière' }, signWith: { key: newEd25519(), verificationMethod: `${did}#ed-1` } });
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify(credential));
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'issuer-unconfirmed', title: text(fr, 'verdict.issuer-unconfirmed') });
    expect(await watched.page.locator('.verdict').innerText()).toContain(text(fr, 'verdict.issuer-unconfirmed.detail'));
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.key.issuerUnreachable'));
    await screenshot(watched.page, 'verify-issuer-unconfirmed-fr');
    expectNothingUntoward(watched);
  });

  test('an authentic W3C credential that is not an Open Badge: "authentic, but not a conformant Open Badge", in English too', async () => {
    const key = newEd25519();
    const multibase = await ed25519PublicKeyMultibase(key);
    const did = `did:key:${multibase}`;
    const plain = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: did, validFrom: '2026-01-15T09:00:00Z', credentialSubject: { id: 'did:example:ana' } };
    const credential = await signDataIntegrity(plain, ed25519Signer(`${did}#${multibase}`, key));
    const watched = await open('/verify?lang=en', DESKTOP);
    await pasteAndVerify(watched.page, JSON.stringify(credential));
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'nonconformant', title: text(en, 'verdict.nonconformant') });
    expect(await checkTexts(watched.page)).toContain(text(en, 'checks.context.notOpenBadge'));
    await watched.page.goto(`${service.url}/verify?lang=fr`);
    await pasteAndVerify(watched.page, JSON.stringify(credential));
    expect((await verdictOf(watched.page)).title).toBe(text(fr, 'verdict.nonconformant'));
    await screenshot(watched.page, 'verify-nonconformant-fr');
    expectNothingUntoward(watched);
  });

  test('an expired badge, validly signed: verdict expired', async () => {
    const day = 86_400_000;
    const credential = await foreign.sign({ validFrom: new Date(Date.now() - 30 * day), validUntil: new Date(Date.now() - 2 * day) });
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify(credential));
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'expired', title: text(fr, 'verdict.expired') });
    const checks = await checkTexts(watched.page);
    expect(checks).toContain(text(fr, 'checks.proof.ok', { suite: 'eddsa-rdfc-2022' }));
    expect(checks).toContain(text(fr, 'checks.validUntil.past', { date: formatDate(credential.validUntil, 'fr')! }));
    expectNothingUntoward(watched);
  });

  test('an Open Badges 2.0 badge as JSON: verified with its issuer, valid', async () => {
    const assertion = (await bytesOf(`/ob2/assertions/${awarded.id}`)).toString('utf8');
    const watched = await open();
    await pasteAndVerify(watched.page, assertion);
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'valid', title: text(fr, 'verdict.valid') });
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.ob2.copyMatches'));
    expectNothingUntoward(watched);
  });

  test('an Open Badges 2.0 badge baked in the PNG Blason offers for download: valid', async () => {
    const png = await bytesOf(`/ob2/assertions/${awarded.id}/badge.png`);
    const watched = await open();
    await watched.page.setInputFiles('#credential-file', { name: 'ob2.png', mimeType: 'image/png', buffer: png });
    await submit(watched.page);
    expect((await verdictOf(watched.page)).verdict).toBe('valid');
    expectNothingUntoward(watched);
  });

  test('an altered Open Badges 2.0 copy is invalid: it differs from what the issuer hosts', async () => {
    const assertion = JSON.parse((await bytesOf(`/ob2/assertions/${awarded.id}`)).toString('utf8')) as Record<string, unknown>;
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify({ ...assertion, issuedOn: '2020-01-01T00:00:00Z' }));
    expect((await verdictOf(watched.page)).verdict).toBe('invalid');
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.ob2.hostedMismatch'));
    expectNothingUntoward(watched);
  });

  test('an Open Badges 1.0 badge: too old to verify, and what to ask the issuer', async () => {
    const ob1 = { uid: 'abc', recipient: 'sha256$abc', badge: 'https://issuer.example/badge.json', issuedOn: 1356998400, verify: { type: 'hosted', url: 'https://issuer.example/a.json' } };
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify(ob1));
    expect((await verdictOf(watched.page)).verdict).toBe('invalid');
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.ob1.tooOld'));
    expectNothingUntoward(watched);
  });

  test('nothing given: 400 and a message saying what to give', async () => {
    const watched = await open();
    expect(await submit(watched.page)).toBe(400);
    expect((await watched.page.locator('.problem[role="alert"]').textContent())?.trim()).toBe(text(fr, 'verify.nothing'));
    expect(await watched.page.locator('.verdict').count()).toBe(0);
    expectNothingUntoward(watched);
  });

  test('a file over 5 MB: 413 and a message saying so', async () => {
    const big = Buffer.alloc(5_200_000, 0x20);
    big.write('{"a":"', 0);
    const watched = await open();
    await watched.page.setInputFiles('#credential-file', { name: 'big.json', mimeType: 'application/json', buffer: big });
    expect(await submit(watched.page)).toBe(413);
    expect((await watched.page.locator('.problem[role="alert"]').textContent())?.trim()).toBe(text(fr, 'verify.tooLarge'));
    expectNothingUntoward(watched);
  }, 30_000);
});

describe('languages', () => {
  test('?lang=en shows the page in English, and the choice persists on the next visit (cookie)', async () => {
    const watched = await open('/verify?lang=en');
    const { page } = watched;
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.title()).toBe(text(en, 'verify.title'));
    expect((await page.locator('h1').textContent())?.trim()).toBe(text(en, 'verify.title'));
    await page.goto(`${service.url}/verify`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.title()).toBe(text(en, 'verify.title'));
    await pasteAndVerify(page, JSON.stringify(awarded.credential));
    expect(await verdictOf(page)).toEqual({ verdict: 'valid', title: text(en, 'verdict.valid') });
    expectNothingUntoward(watched);
  });

  test('Accept-Language en: the page starts in English', async () => {
    const watched = await open('/verify', { ...DESKTOP, locale: 'en-GB' });
    expect(await watched.page.getAttribute('html', 'lang')).toBe('en');
    expect(await watched.page.title()).toBe(text(en, 'verify.title'));
    expectNothingUntoward(watched);
  });

  test('a browser asking for neither language gets French, the default', async () => {
    const watched = await open('/verify', { ...DESKTOP, locale: 'de-DE' });
    expect(await watched.page.getAttribute('html', 'lang')).toBe('fr');
    expect(await watched.page.title()).toBe(text(fr, 'verify.title'));
  });

  test('the switch link goes back to French', async () => {
    const watched = await open('/verify', { ...DESKTOP, locale: 'en-GB' });
    const { page } = watched;
    const link = page.locator('.site-header nav a[hreflang="fr"]');
    expect((await link.textContent())?.trim()).toBe(text(en, 'lang.switch'));
    await Promise.all([page.waitForNavigation(), link.click()]);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.title()).toBe(text(fr, 'verify.title'));
    // And it stays French although the browser asks for English.
    await page.goto(`${service.url}/verify`);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expectNothingUntoward(watched);
  });
});

describe('on any device', () => {
  test('works without JavaScript: pasted JSON still shows the verdict', async () => {
    const watched = await open('/verify', { ...FRENCH, javaScriptEnabled: false });
    expect(await watched.page.locator('[data-drop-hint]').isVisible()).toBe(false);
    expect(await pasteAndVerify(watched.page, JSON.stringify(awarded.credential))).toBe(200);
    expect(await verdictOf(watched.page)).toEqual({ verdict: 'valid', title: text(fr, 'verdict.valid') });
    // The checks still open: <details> needs no script.
    expect(await checkTexts(watched.page)).toContain(text(fr, 'checks.key.confirmed'));
    expectNothingUntoward(watched);
  });

  test('at 360 px wide there is no horizontal scrolling, empty or with a result', async () => {
    const watched = await open('/verify', FRENCH_PHONE);
    const { page } = watched;
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await width()).toBeLessThanOrEqual(360);
    await pasteAndVerify(page, JSON.stringify(awarded.credential));
    await checkTexts(page);
    expect(await width()).toBeLessThanOrEqual(360);
    await page.goto(`${service.url}/verify`);
    await pasteAndVerify(page, JSON.stringify({ ...awarded.credential, name: 'Y' }));
    await checkTexts(page);
    expect(await width()).toBeLessThanOrEqual(360);
    expectNothingUntoward(watched);
  });
});

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  test.each(['fr', 'en'])('the empty form (%s) has no serious or critical violation', async (lang) => {
    const watched = await open(`/verify?lang=${lang}`);
    expect(await seriousAccessibilityViolations(watched.page)).toEqual([]);
  });

  test('a valid result has no serious or critical violation', async () => {
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify(awarded.credential));
    await checkTexts(watched.page);
    expect(await seriousAccessibilityViolations(watched.page)).toEqual([]);
  });

  test('an invalid result has no serious or critical violation', async () => {
    const watched = await open();
    await pasteAndVerify(watched.page, JSON.stringify({ ...awarded.credential, name: 'Y' }));
    await checkTexts(watched.page);
    await watched.page.locator('details.technical > summary').first().click();
    expect(await seriousAccessibilityViolations(watched.page)).toEqual([]);
  });
});

test('screenshots for reviewers', async () => {
  const shots: [string, BrowserContextOptions, string | undefined][] = [
    ['verify-desktop', FRENCH, undefined],
    ['verify-phone', FRENCH_PHONE, undefined],
    ['verify-result-valid-desktop', FRENCH, JSON.stringify(awarded.credential)],
    ['verify-result-valid-phone', FRENCH_PHONE, JSON.stringify(awarded.credential)],
    ['verify-result-invalid-desktop', FRENCH, JSON.stringify({ ...awarded.credential, name: 'Y' })],
  ];
  for (const [name, options, input] of shots) {
    const watched = await open('/verify', options);
    if (input) {
      await pasteAndVerify(watched.page, input);
      await checkTexts(watched.page);
    }
    await screenshot(watched.page, name);
    expectNothingUntoward(watched);
  }
}, 60_000);
