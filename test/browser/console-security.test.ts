/**
 * The operators' console under attack and under audit, in headless Chromium: one organisation's operator never
 * sees another's data; forms without their CSRF token change nothing; repeated wrong passwords lock the account;
 * signing out ends the session; a viewer reads but cannot award; the main pages pass axe (serious and critical,
 * in French) and fit a 360 px phone; every console page is `no-store` with a CSP that forbids inline scripts.
 *
 * Two organisations, A and B, are set up before the tests (through the API and the use cases); each test opens its
 * own browser contexts and signs in itself, so the tests do not depend on each other (what one leaves behind, a
 * locked account or an invited viewer, no other looks at). About 17 sign-ins in all: under the limit of 30 a minute.
 */
import type { Browser, Page } from 'playwright-core';
import { setPasswordDirectly } from '../../src/app/accounts.js';
import { actorOf } from '../../src/app/auth.js';
import { awardWorkshop, createWorkshop, setClaimOpen } from '../../src/app/workshops.js';
import { apiClient, type Api } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { cookieHeader, csrfOf, fr, linkIn, PASSWORD, postFromPage, sentTo, signIn, statValue, tableRows, waitForMail } from './console-support.js';
import { closeWatched, DESKTOP, launchBrowser, PHONE, seriousAccessibilityViolations, watchedPage, type WatchedPage } from './support.js';

interface Organisation {
  name: string;
  id: string;
  email: string;
  userId: string;
  api: Api;
  badgeId: string;
  badgeName: string;
  sessionId: string;
  sessionTitle: string;
  credentialId: string;
  recipient: { email: string; name: string };
  claimCode: string;
}

const A_NAME = 'Entreprendre Ensemble Roubaix';
const B_NAME = 'Couveuse Tourcoing Confidentielle';
const LOCKED_EMAIL = 'distrait@roubaix.example';

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;
let a: Organisation;
let b: Organisation;
const open: WatchedPage[] = [];

async function organisation(admin: Api, name: string, prefix: string, people: number): Promise<Organisation> {
  const app = service.running.app;
  const issuer = await admin.post<{ id: string }>('/api/v1/issuers', { name, url: 'https://www.example.org', email: `contact@${prefix}.example` });
  if (issuer.status !== 201) throw new Error(`issuer: ${issuer.status} ${JSON.stringify(issuer.body)}`);
  const email = `responsable@${prefix}.example`;
  const user = await admin.post<{ user: { id: string }; token: string }>(`/api/v1/issuers/${issuer.body.id}/users`, { email, role: 'operator_admin' });
  await setPasswordDirectly(app, user.body.user.id, PASSWORD);
  const api = apiClient(service.url, user.body.token);
  const badgeName = `Badge réservé ${name}`;
  const badge = await api.post<{ id: string }>('/api/v1/achievements', {
    issuerId: issuer.body.id, name: { fr: badgeName, en: `Reserved badge ${name}` },
    description: { fr: 'Une description.', en: 'A description.' }, criteria: { fr: 'Un critère.', en: 'A criterion.' },
  });
  if (badge.status !== 201) throw new Error(`achievement: ${badge.status} ${JSON.stringify(badge.body)}`);
  const actor = actorOf({ id: user.body.user.id, role: 'operator_admin', organisation_id: issuer.body.id });
  const sessionTitle = `Atelier à huis clos ${name}`;
  const session = await createWorkshop(app, actor, { issuerId: issuer.body.id, title: sessionTitle, workshopType: 'BP', heldOn: new Date().toISOString().slice(0, 10), achievementIds: [badge.body.id] });
  const recipient = { email: `titulaire@${prefix}.example`, name: `Titulaire ${prefix}` };
  const list = [`${recipient.email};${recipient.name}`, ...Array.from({ length: people - 1 }, (_, i) => `personne${i}@${prefix}.example;Personne ${i}`)].join('\n');
  await awardWorkshop(app, actor, session.id, list);
  const credentials = await api.get<{ credentials: { id: string }[] }>(`/api/v1/credentials?email=${encodeURIComponent(recipient.email)}`);
  await setClaimOpen(app, actor, session.id, true);
  return {
    name, id: issuer.body.id, email, userId: user.body.user.id, api, badgeId: badge.body.id, badgeName, sessionId: session.id, sessionTitle,
    credentialId: credentials.body.credentials[0]!.id, recipient, claimCode: session.claimCode,
  };
}

/** B's names and addresses, none of which A may ever read. */
function secretsOf(org: Organisation): string[] {
  return [org.name, org.badgeName, org.sessionTitle, org.recipient.email, org.recipient.name, org.email];
}

async function page(options = DESKTOP): Promise<WatchedPage> {
  const watched = await watchedPage(browser, options);
  watched.context.setDefaultTimeout(10_000);
  open.push(watched);
  return watched;
}

/** A browser signed in as `email`. */
async function signedIn(email: string, options = DESKTOP): Promise<Page> {
  const { page: p } = await page(options);
  await signIn(p, service.url, email, PASSWORD);
  expect(new URL(p.url()).pathname).toBe('/console');
  return p;
}

async function countCredentials(organisationId: string): Promise<number> {
  const row = await service.running.app.db.selectFrom('credentials').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_ADMIN_PASSWORD: 'mot-de-passe-administrateur' } });
  const admin = apiClient(service.url, service.token);
  a = await organisation(admin, A_NAME, 'roubaix', 1);
  b = await organisation(admin, B_NAME, 'tourcoing', 4);
  const locked = await admin.post<{ user: { id: string } }>(`/api/v1/issuers/${a.id}/users`, { email: LOCKED_EMAIL, role: 'issuer' });
  await setPasswordDirectly(service.running.app, locked.body.user.id, PASSWORD);
  browser = await launchBrowser();
}, 60_000);

afterEach(() => closeWatched(open));

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await smtp?.close();
});

describe('tenant isolation', () => {
  test("an operator opening another organisation's session, badge or credential gets a 404 page with none of its names", async () => {
    const p = await signedIn(a.email);
    for (const path of [`/console/sessions/${b.sessionId}`, `/console/badges/${b.badgeId}`, `/console/credentials/${b.credentialId}`]) {
      const res = await p.goto(`${service.url}${path}`);
      expect([path, res!.status()]).toEqual([path, 404]);
      expect(await p.locator('h1').textContent()).toBe(fr('error.title'));
      const html = await p.content();
      for (const secret of secretsOf(b)) expect([path, html.includes(secret)]).toEqual([path, false]);
    }
  });

  test("an operator cannot act on another organisation's credential or session either: 404, and nothing changes", async () => {
    const p = await signedIn(a.email);
    const csrf = await csrfOf(p);
    const revoke = await postFromPage(p, `/console/credentials/${b.credentialId}/status`, { _csrf: csrf, action: 'revoke', reason: 'intrusion' });
    expect(revoke.status).toBe(404);
    const award = await postFromPage(p, `/console/sessions/${b.sessionId}/award`, { _csrf: csrf, list: 'intrus@roubaix.example;Intrus' });
    expect(award.status).toBe(404);
    const credential = await b.api.get<{ state: string }>(`/api/v1/credentials/${b.credentialId}`);
    expect(credential.body.state).toBe('active');
    expect(await countCredentials(b.id)).toBe(4);
  });

  test("an operator's lists show nothing of another organisation", async () => {
    const p = await signedIn(a.email);
    const pages = ['/console', '/console/badges', '/console/sessions', `/console/credentials?email=${encodeURIComponent(b.recipient.email)}`, '/console/credentials', '/console/outbox', '/console/audit'];
    for (const path of pages) {
      await p.goto(`${service.url}${path}`);
      const text = await p.locator('main').innerText();
      for (const secret of secretsOf(b)) expect([path, secret, text.includes(secret)]).toEqual([path, secret, false]);
    }
    await p.goto(`${service.url}/console/credentials?email=${encodeURIComponent(b.recipient.email)}`);
    expect(await p.locator('main table').count()).toBe(0);
    expect(await p.locator('main').innerText()).toContain(fr('credentials.none'));
    // A's own things are there.
    await p.goto(`${service.url}/console/sessions`);
    expect(await p.locator('main').innerText()).toContain(a.sessionTitle);
    await p.goto(`${service.url}/console/badges`);
    expect(await p.locator('.badge-grid .tile-title').allInnerTexts()).toEqual([a.badgeName]);
  });

  test("an operator's indicators count only their own organisation", async () => {
    const p = await signedIn(a.email);
    await p.goto(`${service.url}/console/indicators`);
    expect(await statValue(p, fr('console.indicators.issued'))).toBe('1');
    expect(await statValue(p, fr('console.indicators.sessions'))).toBe('1');
    expect(await statValue(p, fr('console.indicators.partners'))).toBe('1');
    const operators = await tableRows(p, 'table[data-operators]');
    expect(operators.map((row) => row[0])).toEqual([A_NAME]);
    expect(operators[0]![2]).toBe('1');
    expect(await p.content()).not.toContain(B_NAME);
  });
});

describe('sessions and forms', () => {
  test('a console form posted without its CSRF token (or with a wrong one) is refused with 403 and changes nothing', async () => {
    const p = await signedIn(a.email);
    // From the page itself, as a script injected into it would.
    for (const fields of [{}, { _csrf: 'not-the-token-of-this-session-xxxxxxxx' }] as Record<string, string>[]) {
      const res = await postFromPage(p, '/console/issuer', { ...fields, name: 'Organisation piratée', linkedinOrganizationId: '666' });
      expect(res.status).toBe(403);
    }
    // From another program holding the session cookie.
    const cookie = await cookieHeader(p.context(), service.url);
    expect(cookie).toContain('blason_session=');
    const res = await fetch(`${service.url}/console/badges`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name_fr: 'Badge forgé', description_fr: 'd', criteria_fr: 'c' }).toString(),
    });
    expect(res.status).toBe(403);

    await p.goto(`${service.url}/console/issuer`);
    expect(await p.inputValue('#name')).toBe(A_NAME);
    expect(await p.inputValue('#linkedin')).toBe('');
    const badges = await a.api.get<{ achievements: { id: string }[] }>(`/api/v1/achievements?issuerId=${a.id}`);
    expect(badges.body.achievements.map((x) => x.id)).toEqual([a.badgeId]);
  });

  test('five wrong passwords lock the account: the sixth attempt, even with the right password, is refused as locked', async () => {
    const { page: p } = await page();
    for (let attempt = 1; attempt <= 5; attempt++) {
      await signIn(p, service.url, LOCKED_EMAIL, `mauvais-mot-de-passe-${attempt}`);
      expect(new URL(p.url()).pathname).toBe('/console/login');
      if (attempt < 5) expect(await p.locator('.problem').innerText()).toBe(fr('login.invalid'));
    }
    await signIn(p, service.url, LOCKED_EMAIL, PASSWORD);
    expect(new URL(p.url()).pathname).toBe('/console/login');
    expect(await p.locator('.problem').innerText()).toBe(fr('login.locked', { minutes: 15 }));
    expect((await p.context().cookies()).some((c) => c.name === 'blason_session')).toBe(false);
  });

  test('signing out ends the session: the old cookie no longer opens the console', async () => {
    const p = await signedIn(a.email);
    const cookies = await p.context().cookies();
    expect(cookies.some((c) => c.name === 'blason_session')).toBe(true);
    await p.click('form[action="/console/logout"] button[type="submit"]');
    expect(new URL(p.url()).pathname).toBe('/console/login');

    // Someone who kept a copy of the cookie.
    const { page: other, context } = await page();
    await context.addCookies(cookies);
    await other.goto(`${service.url}/console`);
    const url = new URL(other.url());
    expect(url.pathname).toBe('/console/login');
    expect(url.searchParams.get('next')).toBe('/console');
    const res = await fetch(`${service.url}/console/sessions`, { redirect: 'manual', headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/login?next=%2Fconsole%2Fsessions');
  });

  test('a viewer sees the sessions and badges, but posting an award is refused with 403', async () => {
    const viewerEmail = 'vera.lecture@roubaix.example';
    const p = await signedIn(a.email);
    await p.goto(`${service.url}/console/team`);
    await p.fill('#email', viewerEmail);
    await p.fill('#name', 'Véra Lecture');
    await p.selectOption('#role', 'viewer');
    await p.click('form[action="/console/team"] button[type="submit"]');
    expect(await p.locator('p.notice').textContent()).toBe(fr('team.invited'));
    const [invitation] = await waitForMail(smtp, sentTo(viewerEmail));

    const { page: viewer } = await page();
    await viewer.goto(linkIn(invitation!, `${service.url}/console/password?token=`));
    await viewer.fill('#password', PASSWORD);
    await viewer.fill('#confirm', PASSWORD);
    await viewer.click('main form button[type="submit"]');
    expect(new URL(viewer.url()).pathname).toBe('/console');

    await viewer.goto(`${service.url}/console/sessions`);
    expect(await viewer.locator('main').innerText()).toContain(a.sessionTitle);
    await viewer.goto(`${service.url}/console/badges`);
    expect(await viewer.locator('.badge-grid .tile-title').allInnerTexts()).toEqual([a.badgeName]);
    await viewer.goto(`${service.url}/console/sessions/${a.sessionId}`);
    expect(await viewer.locator('h1').textContent()).toBe(a.sessionTitle);
    // The page offers no award form; posting one anyway is refused.
    expect(await viewer.locator(`form[action="/console/sessions/${a.sessionId}/preview"]`).count()).toBe(0);
    const before = await countCredentials(a.id);
    const res = await postFromPage(viewer, `/console/sessions/${a.sessionId}/award`, { _csrf: await csrfOf(viewer), list: 'nouvelle@roubaix.example;Nouvelle Personne' });
    expect(res.status).toBe(403);
    expect(await countCredentials(a.id)).toBe(before);
  });
});

describe('accessibility, phones and headers', () => {
  test('the sign-in page, the dashboard, the badge form, the session page and the claim page have no serious or critical axe violation', async () => {
    const { page: anonymous } = await page();
    await anonymous.goto(`${service.url}/console/login`);
    expect(['login', await seriousAccessibilityViolations(anonymous)]).toEqual(['login', []]);
    await anonymous.goto(`${service.url}/claim/${a.claimCode}`);
    expect(await anonymous.locator('#claim-name').count()).toBe(1);
    expect(['claim', await seriousAccessibilityViolations(anonymous)]).toEqual(['claim', []]);
    await anonymous.goto(`${service.url}/claim`);
    expect(['claim code', await seriousAccessibilityViolations(anonymous)]).toEqual(['claim code', []]);

    const p = await signedIn(a.email);
    for (const path of ['/console', '/console/badges/new', `/console/sessions/${a.sessionId}`]) {
      await p.goto(`${service.url}${path}`);
      expect(await p.getAttribute('html', 'lang')).toBe('fr');
      expect([path, await seriousAccessibilityViolations(p)]).toEqual([path, []]);
    }
  }, 60_000);

  test('the claim page and the session page fit a 360 px phone without sideways scrolling', async () => {
    const { page: phone } = await page(PHONE);
    await phone.goto(`${service.url}/claim/${a.claimCode}`);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const p = await signedIn(a.email, PHONE);
    await p.goto(`${service.url}/console/sessions/${a.sessionId}`);
    expect(await p.locator('[data-claim-code]').isVisible()).toBe(true);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  test("every console page answers with Cache-Control: no-store and a CSP without 'unsafe-inline' scripts", async () => {
    const { page: anonymous } = await page();
    const p = await signedIn(a.email);
    const signedOut = ['/console/login', '/console/forgot', '/console/password?token=not-a-token'];
    const signedInPages = [
      '/console', '/console/sessions', '/console/sessions/new', `/console/sessions/${a.sessionId}`, '/console/badges', '/console/badges/new', `/console/badges/${a.badgeId}`,
      '/console/catalogue', '/console/credentials', `/console/credentials/${a.credentialId}`, '/console/indicators', '/console/outbox', '/console/audit',
      '/console/issuer', '/console/team',
      // Error pages too: another organisation's session (404), the administration (403), a path that does not exist.
      `/console/sessions/${b.sessionId}`, '/console/admin', '/console/nowhere',
    ];
    const checked: [string, number, string, string][] = [];
    for (const [who, paths] of [[anonymous, signedOut], [p, signedInPages]] as const) {
      for (const path of paths) {
        const res = (await who.goto(`${service.url}${path}`))!;
        const headers = await res.allHeaders();
        const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(headers['content-security-policy'] ?? '')?.[1] ?? '(none)';
        checked.push([path, res.status(), headers['cache-control'] ?? '(none)', scriptSrc]);
      }
    }
    for (const [path, status, cacheControl, scriptSrc] of checked) {
      expect([path, status < 500, cacheControl, scriptSrc.includes("'unsafe-inline'"), scriptSrc === '(none)']).toEqual([path, true, 'no-store', false, false]);
    }
  });
});
