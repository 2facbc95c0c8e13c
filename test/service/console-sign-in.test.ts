/**
 * The console's sign-in under attack over HTTP (issue 11 §7.1, §7.4, §7.5): wrong passwords sent in parallel are
 * all counted, so the lock holds; an address without an account answers exactly as one with an account, locked
 * or not; and a password set through a reset link voids every other link the account still had.
 */
import { setPasswordDirectly } from '../../src/app/accounts.js';
import { apiClient, type Api } from '../support/api.js';
import { CookieJar, hiddenField } from '../support/holder.js';
import { startInProcess, type InProcessService } from '../support/service.js';

const PASSWORD = 'un-mot-de-passe-solide';
const ORG_NAME = 'Couveuse Lilloise';

let service: InProcessService;
let admin: Api;
let organisationId: string;

beforeAll(async () => {
  service = await startInProcess({ extra: { BLASON_SIGNIN_RATE_LIMIT: '1000' } });
  admin = apiClient(service.url, service.token);
  const org = await admin.post<{ id: string }>('/api/v1/issuers', { name: ORG_NAME, url: 'https://www.example.org' });
  organisationId = org.body.id;
}, 30_000);

afterAll(async () => {
  await service?.stop();
});

/** A console account with PASSWORD. */
async function account(email: string): Promise<void> {
  const user = await admin.post<{ user: { id: string } }>(`/api/v1/issuers/${organisationId}/users`, {
    email, role: 'issuer',
  });
  await setPasswordDirectly(service.running.app, user.body.user.id, PASSWORD);
}

/** A signed-out browser on the sign-in page: its cookies and the form's CSRF token. */
async function signInForm(): Promise<{ jar: CookieJar; csrf: string }> {
  const jar = new CookieJar();
  const csrf = hiddenField(await (await jar.fetch(`${service.url}/console/login`)).text(), '_csrf');
  return { jar, csrf };
}

interface Answer {
  status: number;
  page: string;
  signedIn: boolean;
}

async function submit(form: { jar: CookieJar; csrf: string }, email: string, password: string): Promise<Answer> {
  const res = await form.jar.post(`${service.url}/console/login`, { _csrf: form.csrf, email, password, next: '' });
  return { status: res.status, page: await res.text(), signedIn: form.jar.get('blason_session') !== undefined };
}

async function signIn(email: string, password: string): Promise<Answer> {
  return submit(await signInForm(), email, password);
}

/** The page without what differs on every request or by the address typed (CSRF token, the address echoed). */
const shape = (page: string) => page.replace(/value="[^"]*"/g, 'value=""');

/** The one-time links e-mailed to the address so far (read from the outbox, in the order they were queued). */
async function linksSentTo(email: string): Promise<string[]> {
  const rows = await service.running.app.db.selectFrom('outbox').select('text_body')
    .where('to_email', '=', email).execute();
  const links = /\/console\/password\?token=([A-Za-z0-9_-]+)/g;
  return rows.flatMap((r) => [...r.text_body.matchAll(links)].map((m) => m[1]!));
}

async function askForReset(email: string): Promise<string> {
  const before = new Set(await linksSentTo(email));
  const jar = new CookieJar();
  const csrf = hiddenField(await (await jar.fetch(`${service.url}/console/forgot`)).text(), '_csrf');
  await jar.post(`${service.url}/console/forgot`, { _csrf: csrf, email });
  return (await linksSentTo(email)).find((token) => !before.has(token))!;
}

async function choosePassword(token: string, password: string): Promise<number> {
  const { jar, csrf } = await signInForm();
  const res = await jar.post(`${service.url}/console/password`, { _csrf: csrf, token, password, confirm: password });
  return res.status;
}

describe('lockout', () => {
  test('twenty wrong passwords sent at once, then the right one: refused as locked, no session', async () => {
    const email = 'presse@couveuse.example';
    await account(email);
    const forms = await Promise.all(Array.from({ length: 20 }, () => signInForm()));
    const answers = await Promise.all(forms.map((form, i) => submit(form, email, `mauvais-mot-de-passe-${i}`)));
    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
    // Every attempt was counted before its password was checked: only the first five were checked at all.
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(4);

    const right = await signIn(email, PASSWORD);
    expect(right.status).toBe(429);
    expect(right.signedIn).toBe(false);
    expect(right.page).toContain('Trop de tentatives échouées');
  });

  test('a password set through a reset link ends the lock', async () => {
    const email = 'oubli@couveuse.example';
    await account(email);
    for (let i = 0; i < 5; i++) await signIn(email, `mauvais-mot-de-passe-${i}`);
    expect((await signIn(email, PASSWORD)).status).toBe(429);

    expect(await choosePassword(await askForReset(email), 'un-nouveau-mot-de-passe')).toBe(303);
    expect((await signIn(email, 'un-nouveau-mot-de-passe')).signedIn).toBe(true);
  });
});

describe('account enumeration', () => {
  test('with or without an account, an address gets the same statuses and pages, attempt after attempt', async () => {
    const known = 'connue@couveuse.example';
    const unknown = 'inconnue@couveuse.example';
    await account(known);
    const answers: Record<'known' | 'unknown', Answer[]> = { known: [], unknown: [] };
    for (let i = 0; i < 6; i++) {
      answers.known.push(await signIn(known, `mauvais-mot-de-passe-${i}`));
      answers.unknown.push(await signIn(unknown, `mauvais-mot-de-passe-${i}`));
    }
    expect(answers.known.map((a) => a.status)).toEqual([401, 401, 401, 401, 429, 429]);
    expect(answers.unknown.map((a) => a.status)).toEqual(answers.known.map((a) => a.status));
    expect(answers.unknown.map((a) => shape(a.page))).toEqual(answers.known.map((a) => shape(a.page)));
  });
});

describe('password reset links', () => {
  test('a link sent before a newer one stops working once the newer one has set the password', async () => {
    const email = 'reinitialisation@couveuse.example';
    await account(email);
    const older = await askForReset(email);
    const newer = await askForReset(email);
    expect(await choosePassword(newer, 'le-mot-de-passe-du-titulaire')).toBe(303);

    expect((await fetch(`${service.url}/console/password?token=${older}`)).status).toBe(410);
    expect(await choosePassword(older, 'le-mot-de-passe-de-l-intrus')).toBe(410);
    expect((await signIn(email, 'le-mot-de-passe-de-l-intrus')).signedIn).toBe(false);
    expect((await signIn(email, 'le-mot-de-passe-du-titulaire')).signedIn).toBe(true);
  });
});
