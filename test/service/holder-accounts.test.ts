/**
 * Holder accounts over HTTP: the sign-in by e-mail code cannot be used to learn who holds badges, cannot be
 * guessed, and opens only the holder's own badges; the holder's forms need their CSRF token; deleting the
 * account erases their personal data and ends their sessions.
 */
import { apiClient, setUpIssuer } from '../support/api.js';
import { CookieJar, hiddenField, requestCode, signInHolder, signInMessage } from '../support/holder.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';

const ANA = 'ana.martin@example.fr';
const BOB = 'bob.durand@example.fr';

let smtp: SmtpCapture;
let service: InProcessService;
let anaBadge: { id: string; url: string };
let bobBadge: { id: string; url: string };

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_SIGNIN_RATE_LIMIT: '1000' } });
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  anaBadge = (await issuer.operator.post<{ id: string; url: string }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: ANA, name: 'Ana Martin' } })).body;
  bobBadge = (await issuer.operator.post<{ id: string; url: string }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: BOB } })).body;
}, 30_000);

afterAll(async () => {
  await service?.stop();
  await smtp?.close();
});

const sentTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email)).length;
const held = (page: string) => [...page.matchAll(/data-held="([^"]+)"/g)].map((m) => m[1]);
/** The code step's page, without what differs on every request (tokens, the address typed). */
const shape = (page: string, email: string) => page.replace(/value="[^"]*"/g, 'value=""').replaceAll(email, 'EMAIL');

describe('asking for a code', () => {
  test('sends a code and a one-time link to an address Blason issued a badge to', async () => {
    const before = smtp.messages.length;
    await requestCode(new CookieJar(), service.url, ANA);
    const { code, link } = await signInMessage(smtp, ANA, before);
    expect(code).toMatch(/^\d{6}$/);
    expect(link).toContain(`${service.url}/holder/verify?link=`);
  });

  test('answers an unknown address with the same page, and sends nothing', async () => {
    const known = await (await requestCode(new CookieJar(), service.url, BOB)).text();
    const unknown = await requestCode(new CookieJar(), service.url, 'nobody@example.fr');
    expect(unknown.status).toBe(200);
    expect(shape(await unknown.text(), 'nobody@example.fr')).toBe(shape(known, BOB));
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo('nobody@example.fr')).toBe(0);
  });

  test('refuses something that is not an address with 422 and the reason', async () => {
    const res = await requestCode(new CookieJar(), service.url, 'pas-une-adresse');
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('not a valid email address');
  });

  test('answers 429 with Retry-After when one client asks too often', async () => {
    const strict = await startInProcess({ extra: { BLASON_SIGNIN_RATE_LIMIT: '3' } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await requestCode(new CookieJar(), strict.url, ANA)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await strict.stop();
    }
  });

  test('refuses a form without its CSRF token', async () => {
    const res = await new CookieJar().post(`${service.url}/holder/login`, { email: ANA });
    expect(res.status).toBe(403);
  });
});

describe('signing in', () => {
  test('the right code opens the space with the holder\'s badges only', async () => {
    const jar = new CookieJar();
    await signInHolder(jar, service.url, smtp, ANA);
    const page = await (await jar.fetch(`${service.url}/holder`)).text();
    expect(held(page)).toEqual([anaBadge.id]);
  });

  test('a wrong code is refused with 401', async () => {
    const jar = new CookieJar();
    const csrf = hiddenField(await (await requestCode(jar, service.url, BOB)).text(), '_csrf');
    const res = await jar.post(`${service.url}/holder/verify`, { _csrf: csrf, email: BOB, code: '000000' });
    expect(res.status).toBe(401);
    expect(jar.get('blason_holder')).toBeUndefined();
  });

  test('after five wrong codes, even the right code is refused', async () => {
    const jar = new CookieJar();
    const before = smtp.messages.length;
    const csrf = hiddenField(await (await requestCode(jar, service.url, BOB)).text(), '_csrf');
    const { code } = await signInMessage(smtp, BOB, before);
    const wrong = code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) await jar.post(`${service.url}/holder/verify`, { _csrf: csrf, email: BOB, code: wrong });
    const res = await jar.post(`${service.url}/holder/verify`, { _csrf: csrf, email: BOB, code });
    expect(res.status).toBe(401);
  });

  test('a code works only with the address it was sent to', async () => {
    const jar = new CookieJar();
    const before = smtp.messages.length;
    const csrf = hiddenField(await (await requestCode(jar, service.url, ANA)).text(), '_csrf');
    const { code } = await signInMessage(smtp, ANA, before);
    const res = await jar.post(`${service.url}/holder/verify`, { _csrf: csrf, email: BOB, code });
    expect(res.status).toBe(401);
  });

  test('the link from the e-mail opens the space once', async () => {
    const before = smtp.messages.length;
    await requestCode(new CookieJar(), service.url, ANA);
    const { link } = await signInMessage(smtp, ANA, before);
    const first = new CookieJar();
    expect((await first.fetch(link)).status).toBe(303);
    expect(first.get('blason_holder')).toEqual(expect.any(String));
    const second = await new CookieJar().fetch(link);
    expect(second.status).toBe(401);
  });

  test('the space without a session sends to the sign-in page', async () => {
    const res = await new CookieJar().fetch(`${service.url}/holder`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/holder\/login/);
  });

  test('a sign-in can only continue to Blason\'s own pages', async () => {
    const jar = new CookieJar();
    const res = await signInHolder(jar, service.url, smtp, ANA, 'https://evil.example/');
    expect(res.headers.get('location')).toBe('/holder');
  });
});

describe('the holder\'s choices', () => {
  const ana = new CookieJar();
  let csrf: string;

  beforeAll(async () => {
    await signInHolder(ana, service.url, smtp, ANA);
    csrf = hiddenField(await (await ana.fetch(`${service.url}/holder`)).text(), '_csrf');
  });

  test('hiding a badge makes its public page and data answer 404; showing it brings them back', async () => {
    const hidden = await ana.post(`${service.url}/holder/credentials/${anaBadge.id}/visibility`, { _csrf: csrf, public: '0' });
    expect([hidden.status, await hidden.text()]).toEqual([303, expect.anything()]);
    expect((await fetch(anaBadge.url, { headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await fetch(anaBadge.url, { headers: { accept: 'application/ld+json' } })).status).toBe(404);
    await ana.post(`${service.url}/holder/credentials/${anaBadge.id}/visibility`, { _csrf: csrf, public: '1' });
    expect((await fetch(anaBadge.url, { headers: { accept: 'application/ld+json' } })).status).toBe(200);
  });

  test('a holder cannot hide someone else\'s badge (404, and it stays public)', async () => {
    const res = await ana.post(`${service.url}/holder/credentials/${bobBadge.id}/visibility`, { _csrf: csrf, public: '0' });
    expect(res.status).toBe(404);
    expect((await fetch(bobBadge.url, { headers: { accept: 'application/ld+json' } })).status).toBe(200);
  });

  test('a choice without the session\'s CSRF token is refused and changes nothing', async () => {
    const res = await ana.post(`${service.url}/holder/credentials/${anaBadge.id}/visibility`, { _csrf: 'x'.repeat(32), public: '0' });
    expect(res.status).toBe(403);
    expect((await fetch(anaBadge.url, { headers: { accept: 'application/ld+json' } })).status).toBe(200);
  });

  test('showing the name puts it on the badge page; hiding it takes it off', async () => {
    await ana.post(`${service.url}/holder/name`, { _csrf: csrf, name: 'Ana Martin', show: '1' });
    expect(await (await fetch(anaBadge.url, { headers: { accept: 'text/html' } })).text()).toContain('Ana Martin');
    await ana.post(`${service.url}/holder/name`, { _csrf: csrf, name: 'Ana Martin' });
    expect(await (await fetch(anaBadge.url, { headers: { accept: 'text/html' } })).text()).not.toContain('Ana Martin');
  });

  test('signing out ends the session', async () => {
    const jar = new CookieJar();
    await signInHolder(jar, service.url, smtp, ANA);
    const token = jar.get('blason_holder')!;
    const page = await (await jar.fetch(`${service.url}/holder`)).text();
    await jar.post(`${service.url}/holder/logout`, { _csrf: hiddenField(page, '_csrf') });
    const again = await fetch(`${service.url}/holder`, { headers: { cookie: `blason_holder=${token}` }, redirect: 'manual' });
    expect(again.status).toBe(303);
  });
});

describe('deleting the account', () => {
  const bob = new CookieJar();
  let otherSession: string;

  beforeAll(async () => {
    await signInHolder(bob, service.url, smtp, BOB);
    const page = await (await bob.fetch(`${service.url}/holder`)).text();
    const other = new CookieJar();
    await signInHolder(other, service.url, smtp, BOB);
    const res = await bob.post(`${service.url}/holder/delete`, { _csrf: hiddenField(page, '_csrf'), confirm: '1' });
    expect(res.status).toBe(200);
    // The second session, on another device, must end too.
    otherSession = other.get('blason_holder')!;
  });

  test('erases the holder\'s data from the badges Blason issued them: the server copy answers 410', async () => {
    expect((await fetch(bobBadge.url, { headers: { accept: 'application/ld+json' } })).status).toBe(410);
  });

  test('ends every session of the account', async () => {
    const res = await fetch(`${service.url}/holder`, { headers: { cookie: `blason_holder=${otherSession}` }, redirect: 'manual' });
    expect(res.status).toBe(303);
  });

  test('leaves no account, session or code for the address', async () => {
    const db = service.running.app.db;
    expect(await db.selectFrom('holders').select('id').where('email', '=', BOB).execute()).toEqual([]);
    expect(await db.selectFrom('holder_codes').select('id').where('email', '=', BOB).execute()).toEqual([]);
  });

  test('the address no longer receives codes (no badge is linked to it any more)', async () => {
    const before = sentTo(BOB);
    await requestCode(new CookieJar(), service.url, BOB);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(BOB)).toBe(before);
  });

  test('without the confirmation box ticked, nothing is deleted', async () => {
    const ana = new CookieJar();
    await signInHolder(ana, service.url, smtp, ANA);
    const page = await (await ana.fetch(`${service.url}/holder`)).text();
    const res = await ana.post(`${service.url}/holder/delete`, { _csrf: hiddenField(page, '_csrf') });
    expect(res.status).toBe(422);
    expect((await ana.fetch(`${service.url}/holder`)).status).toBe(200);
  });
});
