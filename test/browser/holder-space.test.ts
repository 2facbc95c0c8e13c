/**
 * The holder's space ("Mon espace de badges") and the OAuth consent page, in headless Chromium, in French, as
 * a holder uses them: Léa received badges from two operators; she asks for a code by e-mail (real SMTP capture),
 * types it and sees both badges; an unknown address gets the same page and no e-mail; a wrong code is refused,
 * the e-mail's link opens the space once; she hides a badge (its public page becomes private) and shows it
 * again; she sets her name and shows it; the page passes axe and fits a phone; she authorises a backpack on the
 * consent page, sees it among her applications, removes it, and refuses it; she deletes her account (her badges'
 * public pages then say erased); the language switch gives English.
 *
 * THE TESTS OF THIS FILE DEPEND ON EACH OTHER: they share one service, one mailbox and Léa's signed-in browser
 * (`lea`), and each one starts from the state the previous ones left (signed in after the first, a name after
 * the fifth, no account after the eighth). Run the file as a whole, never one test alone (`-t`). About ten
 * sign-in requests in all: under the limit of 20 a minute.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { allStrings } from '../../src/views/i18n.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { signInMessage } from '../support/holder.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { fr } from './console-support.js';
import { DESKTOP, launchBrowser, PHONE, screenshot, seriousAccessibilityViolations, watchedPage, type WatchedPage } from './support.js';

const en = allStrings('en');

const LEA = 'lea.martin@exemple.fr';
const LEA_NAME = 'Léa Martin';
const UNKNOWN = 'personne.inconnue@exemple.fr';
const ISSUER_A = 'BGE Hauts-de-France';
const ISSUER_B = 'Initiative Lille Métropole';

const SCOPE = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/';
const SCOPES = ['credential.readonly', 'credential.upsert', 'profile.readonly', 'profile.update'];
const CLIENT_NAME = 'Sac à badges';
/** A 1×1 PNG: the backpack's logo. */
const LOGO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

interface Awarded {
  id: string;
  url: string;
}

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;
/** Léa's browser: signed in from the first test on. */
let lea: WatchedPage;
/** Other browser contexts of one test (a stranger, an anonymous visitor, a phone), closed after it. */
let others: WatchedPage[] = [];
let operatorA: Api;
let operatorB: Api;
let achievementA: string;
let badgeA: Awarded;
let badgeB: Awarded;
let clientId = '';
/**
 * The backpack, on loopback: its callback (plain HTTP, which the service allows for this host only) records where
 * the browser was sent. A redirect to a made-up host could not be watched without a DNS query: Playwright does
 * not intercept the requests of a redirect.
 */
let backpack: { server: Server; port: number; origin: string; callbacks: string[] };
const state = { codeStepText: '', badgeNameA: '', badgeNameB: '' };

/** A browser context of this file: actions fail after 10 s rather than at the test's timeout, with the reason. */
async function open(options: typeof DESKTOP): Promise<WatchedPage> {
  const w = await watchedPage(browser, options);
  w.context.setDefaultTimeout(10_000);
  return w;
}

async function other(options: typeof DESKTOP = DESKTOP): Promise<WatchedPage> {
  const w = await open(options);
  others.push(w);
  return w;
}

async function award(operator: Api, achievementId: string, recipient: Record<string, unknown>): Promise<Awarded> {
  const res = await operator.post<Awarded>('/api/v1/credentials', { achievementId, recipient });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body;
}

/** Types the address on /holder/login and submits it; answers the status of the page that follows. */
async function askForCode(p: Page, email: string): Promise<number> {
  await p.goto(`${service.url}/holder/login`);
  await p.fill('#email', email);
  const [res] = await Promise.all([
    p.waitForResponse((r) => new URL(r.url()).pathname === '/holder/login' && r.request().method() === 'POST'),
    p.click('main form button[type="submit"]'),
  ]);
  await p.waitForLoadState();
  return res.status();
}

/** Types a code on the code step of /holder/login and submits it; answers the status of the answer to the form. */
async function typeCode(p: Page, code: string): Promise<number> {
  await p.fill('#code', code);
  const [res] = await Promise.all([
    p.waitForResponse((r) => new URL(r.url()).pathname === '/holder/verify' && r.request().method() === 'POST'),
    p.click('main form button[type="submit"]'),
  ]);
  await p.waitForLoadState();
  return res.status();
}

/** The card of one badge on the holder's page. */
function card(p: Page, id: string) {
  return p.locator(`li[data-held="${id}"]`);
}

/** Registers the backpack as an OAuth client (RFC 7591, as Open Badges 3.0 profiles it). */
async function registerClient(): Promise<string> {
  const res = await fetch(`${service.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration()) });
  const body = (await res.json()) as { client_id?: string };
  if (res.status !== 201 || !body.client_id) throw new Error(`registration: ${res.status} ${JSON.stringify(body)}`);
  return body.client_id;
}

/** An authorization request with PKCE (S256), as a backpack would send the holder's browser. */
function authorizationUrl(oauthState: string): string {
  // The code is never exchanged here (test/oauth/backpack.test.ts does): the verifier only makes the challenge.
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = new URL(`${service.url}/oauth/auth`);
  url.search = new URLSearchParams({
    client_id: clientId, redirect_uri: `${backpack.origin}/callback`, response_type: 'code', scope: registration().scope, state: oauthState, code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

async function startBackpack(): Promise<typeof backpack> {
  const port = await freePort();
  const callbacks: string[] = [];
  const server = createServer((req, res) => {
    callbacks.push(new URL(req.url ?? '/', `http://127.0.0.1:${port}`).href);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="fr"><title>Sac à badges</title><p>Retour au sac à badges.</p></html>');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port, origin: `http://127.0.0.1:${port}`, callbacks };
}

/** The backpack's registration: its redirect URI on loopback, its other links in https on the same host name. */
function registration() {
  const site = `https://127.0.0.1:${backpack.port}`;
  return {
    client_name: CLIENT_NAME, client_uri: `${site}/`, logo_uri: `${site}/logo.png`, tos_uri: `${site}/tos`, policy_uri: `${site}/privacy`,
    software_id: 'a3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', software_version: '1.0.0',
    redirect_uris: [`${backpack.origin}/callback`], scope: SCOPES.map((s) => `${SCOPE}${s}`).join(' '),
  };
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  backpack = await startBackpack();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_OAUTH_INSECURE_REDIRECT_HOSTS: `127.0.0.1:${backpack.port}` } });
  const admin = apiClient(service.url, service.token);
  const a = await setUpIssuer(admin, service.url, ISSUER_A);
  const b = await setUpIssuer(admin, service.url, ISSUER_B);
  operatorA = a.operator;
  operatorB = b.operator;
  achievementA = a.achievementId;
  const pitch = await operatorB.post<{ id: string }>('/api/v1/achievements', { issuerId: b.issuerId, catalogueKey: 'pitch' });
  if (pitch.status !== 201) throw new Error(JSON.stringify(pitch.body));
  state.badgeNameA = service.running.app.catalogue.badge('de-l-idee-a-l-opportunite')!.name.fr;
  state.badgeNameB = service.running.app.catalogue.badge('pitch')!.name.fr;
  // Léa's name is on the first badge, not shown until she says so.
  badgeA = await award(operatorA, achievementA, { email: LEA, name: LEA_NAME, showName: false });
  badgeB = await award(operatorB, pitch.body.id, { email: LEA });
  browser = await launchBrowser();
  lea = await open(DESKTOP);
}, 60_000);

afterEach(async () => {
  for (const w of [lea, ...others]) {
    expect(w.dialogs).toEqual([]);
    expect(w.errors).toEqual([]);
    // Nothing leaves loopback.
    expect(w.external).toEqual([]);
  }
  for (const w of others) await w.context.close();
  others = [];
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await smtp?.close();
  await new Promise((resolve) => backpack?.server.close(resolve));
});

test('a holder types their address, receives a code by e-mail, types it, and sees their badges from two operators', async () => {
  const p = lea.page;
  // The space sends a signed-out visitor to the sign-in page.
  await p.goto(`${service.url}/holder`);
  expect(new URL(p.url()).pathname).toBe('/holder/login');
  expect(await p.locator('h1').textContent()).toBe(fr('holder.login.title'));
  expect(await p.locator('main').innerText()).toContain(fr('holder.login.intro'));

  const before = smtp.messages.length;
  expect(await askForCode(p, LEA)).toBe(200);
  expect(await p.locator('main').innerText()).toContain(fr('holder.code.intro', { email: LEA }));
  state.codeStepText = await p.locator('main').innerText();
  const { code } = await signInMessage(smtp, LEA, before);
  const message = smtp.messages.slice(before).find((m) => m.to.includes(LEA) && m.text.includes(code))!;
  expect(message.subject).toBe(fr('email.holderCode.subject', { code }));

  expect(await typeCode(p, code)).toBe(303);
  expect(new URL(p.url()).pathname).toBe('/holder');
  expect(await p.locator('h1').textContent()).toBe(fr('holder.title'));
  expect(await p.locator('main').innerText()).toContain(fr('holder.intro', { email: LEA }));
  expect(await p.locator('ul.held > li').count()).toBe(2);
  expect(await card(p, badgeA.id).locator('h2').textContent()).toBe(state.badgeNameA);
  expect(await card(p, badgeA.id).innerText()).toContain(fr('holder.issuedBy', { issuer: ISSUER_A }));
  expect(await card(p, badgeB.id).locator('h2').textContent()).toBe(state.badgeNameB);
  expect(await card(p, badgeB.id).innerText()).toContain(fr('holder.issuedBy', { issuer: ISSUER_B }));
  // The card's first link opens the public page; the holder's own downloads follow it.
  expect(await card(p, badgeA.id).locator('a').first().getAttribute('href')).toBe(badgeA.url);
});

test('an unknown address gets the very same page, and no e-mail', async () => {
  const { page: p } = await other();
  expect(await askForCode(p, UNKNOWN)).toBe(200);
  // Word for word the page a holder gets, but for the address typed.
  expect((await p.locator('main').innerText()).replaceAll(UNKNOWN, LEA)).toBe(state.codeStepText);
  expect(await p.locator('#code').isVisible()).toBe(true);
  // A code is queued before the page answers: nothing was queued, and nothing reached the mailbox.
  const queued = await service.running.app.db.selectFrom('outbox').select('id').where('to_email', '=', UNKNOWN).execute();
  expect(queued).toEqual([]);
  expect(smtp.messages.filter((m) => m.to.includes(UNKNOWN))).toEqual([]);
});

test('a wrong code is refused in French; the link of the e-mail opens the space once, and never again', async () => {
  const { page: p } = await other();
  const before = smtp.messages.length;
  expect(await askForCode(p, LEA)).toBe(200);
  const { code, link } = await signInMessage(smtp, LEA, before);
  const wrong = code === '000000' ? '111111' : '000000';
  expect(await typeCode(p, wrong)).toBe(401);
  expect(await p.locator('.problem').textContent()).toBe(fr('holder.code.invalid'));
  // Still on the code step, for another try.
  expect(await p.locator('#code').isVisible()).toBe(true);

  await p.goto(link);
  expect(new URL(p.url()).pathname).toBe('/holder');
  expect(await p.locator('h1').textContent()).toBe(fr('holder.title'));
  expect(await p.locator('ul.held > li').count()).toBe(2);

  const { page: again } = await other();
  const res = await again.goto(link);
  expect(res!.status()).toBe(401);
  expect(await again.locator('.problem').textContent()).toBe(fr('holder.code.invalid'));
  await again.goto(`${service.url}/holder`);
  expect(new URL(again.url()).pathname).toBe('/holder/login');
});

test("hiding a badge makes its public page private for everyone else; showing it again restores it", async () => {
  const p = lea.page;
  await p.goto(`${service.url}/holder`);
  const a = card(p, badgeA.id);
  expect(await a.innerText()).toContain(fr('holder.public'));
  await a.getByRole('button', { name: fr('holder.makePrivate') }).click();
  expect(await p.locator('p.notice').textContent()).toBe(fr('console.done'));
  expect(await a.innerText()).toContain(fr('holder.private'));

  const { page: visitor } = await other();
  const hidden = await visitor.goto(badgeA.url);
  expect(hidden!.status()).toBe(404);
  expect(await visitor.locator('main').innerText()).toContain(fr('holder.privateBadge'));
  // The other badge is untouched.
  expect((await visitor.goto(badgeB.url))!.status()).toBe(200);

  await a.getByRole('button', { name: fr('holder.makePublic') }).click();
  expect(await a.innerText()).toContain(fr('holder.public'));
  const shown = await visitor.goto(badgeA.url);
  expect(shown!.status()).toBe(200);
  expect(await visitor.locator('.verdict').getAttribute('data-verdict')).toBe('valid');
});

test('setting a name and ticking "show my name" persists, and the name shows on the badge page', async () => {
  const p = lea.page;
  await p.goto(`${service.url}/holder`);
  expect(await p.inputValue('#name')).toBe('');
  expect(await p.isChecked('#show')).toBe(false);
  await p.fill('#name', LEA_NAME);
  await p.check('#show');
  await p.getByRole('button', { name: fr('holder.saveName') }).click();
  expect(await p.locator('p.notice').textContent()).toBe(fr('console.done'));
  await p.reload();
  expect(await p.inputValue('#name')).toBe(LEA_NAME);
  expect(await p.isChecked('#show')).toBe(true);

  const { page: visitor } = await other();
  await visitor.goto(badgeA.url);
  expect(await visitor.locator('main').innerText()).toContain(LEA_NAME);
});

test('the space and its sign-in page pass axe, and fit a 360 px phone without sideways scrolling', async () => {
  const p = lea.page;
  await p.goto(`${service.url}/holder`);
  expect(await seriousAccessibilityViolations(p)).toEqual([]);
  await screenshot(p, 'holder-space-desktop');

  const signedOut = await other();
  await signedOut.page.goto(`${service.url}/holder/login`);
  expect(await seriousAccessibilityViolations(signedOut.page)).toEqual([]);

  const phone = await other(PHONE);
  await phone.context.addCookies(await lea.context.cookies(service.url));
  await phone.page.goto(`${service.url}/holder`);
  expect(await phone.page.locator('h1').textContent()).toBe(fr('holder.title'));
  expect(await phone.page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
  expect(await seriousAccessibilityViolations(phone.page)).toEqual([]);
  await screenshot(phone.page, 'holder-space-phone');
  await phone.page.goto(`${service.url}/holder/login?lang=fr`);
  expect(await phone.page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
  await screenshot(phone.page, 'holder-login-phone');
});

test('the consent page names the application and what it asks in French; "Autoriser" sends the code back; the space lists the application and removes it; "Refuser" sends access_denied', async () => {
  clientId = await registerClient();
  const p = lea.page;
  const callback = `${backpack.origin}/callback`;
  // The logo is the backpack's (https, on loopback): answered here.
  await p.route(`https://127.0.0.1:${backpack.port}/logo.png`, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: LOGO }));

  const allowState = randomBytes(12).toString('base64url');
  await p.goto(authorizationUrl(allowState));
  expect(new URL(p.url()).pathname).toMatch(/^\/oauth\/interaction\/[A-Za-z0-9_-]+$/);
  expect(await p.locator('h1').textContent()).toBe(fr('consent.title'));
  expect(await p.locator('main').innerText()).toContain(fr('consent.intro', { client: CLIENT_NAME, email: LEA }));
  expect(await p.locator('ul.scopes li').allTextContents()).toEqual(SCOPES.map((s) => fr(`consent.scope.${s}`)));
  // The application's logo shows (its origin, and only it, is allowed for images on this page).
  expect(await p.locator('img.client-logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect(await seriousAccessibilityViolations(p)).toEqual([]);
  await screenshot(p, 'holder-consent-desktop');

  await Promise.all([p.waitForURL((url) => url.href.startsWith(callback)), p.getByRole('button', { name: fr('consent.allow') }).click()]);
  expect(backpack.callbacks).toHaveLength(1);
  const allowed = new URL(p.url());
  expect(backpack.callbacks[0]).toBe(allowed.href);
  expect(allowed.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(allowed.searchParams.get('state')).toBe(allowState);
  expect(allowed.searchParams.get('error')).toBeNull();

  await p.goto(`${service.url}/holder`);
  const apps = p.locator('section[aria-labelledby="apps-title"]');
  expect(await apps.locator('h2').textContent()).toBe(fr('holder.connectedApps'));
  const listed = apps.locator('li[data-app]');
  expect(await listed.count()).toBe(1);
  expect(await listed.locator('strong').textContent()).toBe(CLIENT_NAME);
  for (const s of SCOPES) expect(await listed.innerText()).toContain(fr(`consent.scope.${s}`));
  await listed.getByRole('button', { name: fr('holder.revokeApp') }).click();
  expect(await p.locator('p.notice').textContent()).toBe(fr('console.done'));
  expect(await apps.count()).toBe(0);

  // Access removed, the application must ask again: this time the holder refuses.
  const denyState = randomBytes(12).toString('base64url');
  await p.goto(authorizationUrl(denyState));
  expect(await p.locator('h1').textContent()).toBe(fr('consent.title'));
  await Promise.all([p.waitForURL((url) => url.href.startsWith(callback)), p.getByRole('button', { name: fr('consent.deny') }).click()]);
  expect(backpack.callbacks).toHaveLength(2);
  const denied = new URL(p.url());
  expect(denied.searchParams.get('error')).toBe('access_denied');
  expect(denied.searchParams.get('state')).toBe(denyState);
  expect(denied.searchParams.get('code')).toBeNull();
  await p.goto(`${service.url}/holder`);
  expect(await p.locator('section[aria-labelledby="apps-title"]').count()).toBe(0);
});

test('deleting the account erases the holder: the confirmation in French, badge pages that say erased, an address forgotten until a new badge', async () => {
  const p = lea.page;
  await p.goto(`${service.url}/holder`);
  const remove = p.getByRole('button', { name: fr('holder.delete'), exact: true });
  // The box must be ticked: the browser will not send the form without it.
  await remove.click();
  expect(new URL(p.url()).pathname).toBe('/holder');
  await p.check('#confirm-delete');
  await remove.click();
  expect(new URL(p.url()).pathname).toBe('/holder/delete');
  expect(await p.locator('h1').textContent()).toBe(fr('holder.deleteTitle'));
  expect(await p.locator('main p').textContent()).toBe(fr('holder.deleted'));
  // Signed out.
  await p.goto(`${service.url}/holder`);
  expect(new URL(p.url()).pathname).toBe('/holder/login');

  // The badges Blason issued her still exist, but their server copies and her name are gone.
  const { page: visitor } = await other();
  for (const badge of [badgeA, badgeB]) {
    await visitor.goto(badge.url);
    expect(await visitor.locator('.verdict').getAttribute('data-verdict')).toBe('erased');
    expect(await visitor.locator('main').innerText()).not.toContain(LEA_NAME);
    const json = await fetch(badge.url, { headers: { accept: 'application/vc+ld+json' } });
    expect(json.status).toBe(410);
  }

  // Her address is forgotten: asking for a code gets the usual page, and no code.
  const before = smtp.messages.length;
  expect(await askForCode(p, LEA)).toBe(200);
  expect(await service.running.app.db.selectFrom('holder_codes').select('id').where('email', '=', LEA).execute()).toEqual([]);

  // A new badge makes her a holder again: she signs in and finds only that one, and no name.
  const fresh = await award(operatorA, achievementA, { email: LEA });
  expect(await askForCode(p, LEA)).toBe(200);
  const { code } = await signInMessage(smtp, LEA, before);
  expect(await typeCode(p, code)).toBe(303);
  expect(new URL(p.url()).pathname).toBe('/holder');
  expect(await p.locator('ul.held > li').count()).toBe(1);
  expect(await card(p, fresh.id).count()).toBe(1);
  expect(await p.inputValue('#name')).toBe('');
});

test('the language switch of the space gives English, and English stays', async () => {
  const p = lea.page;
  await p.goto(`${service.url}/holder`);
  expect(await p.getAttribute('html', 'lang')).toBe('fr');
  await p.click('header nav a[hreflang="en"]');
  expect(await p.getAttribute('html', 'lang')).toBe('en');
  expect(await p.locator('h1').textContent()).toBe(en['holder.title']);
  expect(await p.getByRole('button', { name: en['holder.signOut'] }).count()).toBe(1);
  await p.goto(`${service.url}/holder`);
  expect(await p.locator('h1').textContent()).toBe(en['holder.title']);
  await p.click('header nav a[hreflang="fr"]');
  expect(await p.locator('h1').textContent()).toBe(fr('holder.title'));
});
