/**
 * Nobody can keep a holder out of her space (issue 11 §7.6). A stranger who asks for codes in her name and types
 * wrong ones voids the codes, never the links: the link in an e-mail still signs her in, and once every link sent
 * has expired she can always get a fresh one, however many messages the stranger had sent. The stranger's own
 * client is held back after twenty codes, in series or in parallel, while other clients sign in as usual.
 *
 * Clients are told apart by their IP address: the stranger's requests leave from 127.0.0.2 and up (fromAddress),
 * the holder's from 127.0.0.1. Messages go through a real SMTP server on loopback.
 */
import { loadConfig } from '../../src/config.js';
import { start, type Running } from '../../src/main.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { CookieJar, fromAddress, hiddenField, requestCode, signInHolder, signInMessage } from '../support/holder.js';
import { serviceEnv } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';

const HOLDERS = {
  ana: 'ana.martin@example.fr',
  bob: 'bob.durand@example.fr',
  cleo: 'cleo.petit@example.fr',
  david: 'david.leroy@example.fr',
  eve: 'eve.moreau@example.fr',
  farid: 'farid.haddad@example.fr',
} as const;

let smtp: SmtpCapture;
let running: Running;
let url: string;
/** How far the service's clock is ahead of the real one. */
let ahead = 0;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  const env = await serviceEnv({ extra: { SMTP_URL: smtp.url, BLASON_SIGNIN_RATE_LIMIT: '1000' } });
  running = await start(loadConfig(env), { now: () => new Date(Date.now() + ahead) });
  url = env.BLASON_BASE_URL!;
  const issuer = await setUpIssuer(apiClient(url, env.BLASON_ADMIN_TOKEN!), url);
  for (const email of Object.values(HOLDERS)) {
    await issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email } });
  }
}, 30_000);

afterAll(async () => {
  await running?.stop();
  await smtp?.close();
});

/** Sign-in messages Blason queued for the address (one per code row it created). */
async function codesSentTo(email: string): Promise<number> {
  const row = await running.app.db.selectFrom('holder_codes').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', email).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Waits until `n` sign-in messages in all reached the address, so that a later one is told apart from these. */
async function delivered(email: string, n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (smtp.messages.filter((m) => m.to.includes(email) && m.text.includes('/holder/verify?link=')).length < n) {
    if (Date.now() > deadline) throw new Error(`Fewer than ${n} sign-in messages reached ${email}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A stranger's client asks for a code for `email` and types `times` wrong codes; answers the statuses. */
async function typeWrongCodes(stranger: CookieJar, email: string, times: number): Promise<number[]> {
  const csrf = hiddenField(await (await requestCode(stranger, url, email)).text(), '_csrf');
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const res = await stranger.post(`${url}/holder/verify`, { _csrf: csrf, email, code: String(100000 + i) });
    statuses.push(res.status);
  }
  return statuses;
}

async function opensTheSpace(link: string): Promise<boolean> {
  const jar = new CookieJar();
  const res = await jar.fetch(link);
  return res.status === 303 && jar.get('blason_holder') !== undefined;
}

test('codes asked and typed wrong by a stranger do not lock her out: a link in her mailbox works', async () => {
  const stranger = new CookieJar(fromAddress('127.0.0.2'));
  for (let i = 0; i < 4; i++) await requestCode(stranger, url, HOLDERS.ana);
  expect(await typeWrongCodes(stranger, HOLDERS.ana, 6)).toEqual([401, 401, 401, 401, 401, 401]);
  await delivered(HOLDERS.ana, 5);

  // The hour's five messages are used up and their links still valid: she is sent nothing new, and needs nothing.
  expect((await requestCode(new CookieJar(), url, HOLDERS.ana)).status).toBe(200);
  expect(await codesSentTo(HOLDERS.ana)).toBe(5);
  const { link } = await signInMessage(smtp, HOLDERS.ana, 0);
  expect(await opensTheSpace(link)).toBe(true);
});

test('the link in the e-mail a stranger had sent still signs her in after he used up the code attempts', async () => {
  const stranger = new CookieJar(fromAddress('127.0.0.2'));
  const before = smtp.messages.length;
  await typeWrongCodes(stranger, HOLDERS.bob, 5);
  const { link } = await signInMessage(smtp, HOLDERS.bob, before);
  expect(await opensTheSpace(link)).toBe(true);
});

test('while a link sent this hour is still valid, a sixth request sends nothing: no flooded mailbox', async () => {
  const stranger = new CookieJar(fromAddress('127.0.0.3'));
  for (let i = 0; i < 6; i++) expect((await requestCode(stranger, url, HOLDERS.david)).status).toBe(200);
  expect(await codesSentTo(HOLDERS.david)).toBe(5);
});

test('once the links a stranger had sent have expired, asking again sends her a fresh one that works', async () => {
  const stranger = new CookieJar(fromAddress('127.0.0.4'));
  for (let i = 0; i < 5; i++) await requestCode(stranger, url, HOLDERS.cleo);
  expect(await codesSentTo(HOLDERS.cleo)).toBe(5);
  await delivered(HOLDERS.cleo, 5);
  // Sign-in links are valid 15 minutes; the hour's five messages are used up.
  ahead += 16 * 60_000;

  const before = smtp.messages.length;
  await requestCode(new CookieJar(), url, HOLDERS.cleo);
  expect(await codesSentTo(HOLDERS.cleo)).toBe(6);
  const { link } = await signInMessage(smtp, HOLDERS.cleo, before);
  expect(await opensTheSpace(link)).toBe(true);
});

test('a client that typed twenty wrong codes gets 429 and Retry-After; the holder still signs in', async () => {
  const stranger = new CookieJar(fromAddress('127.0.0.5'));
  const statuses = await typeWrongCodes(stranger, HOLDERS.eve, 21);
  expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
  expect(statuses[20]).toBe(429);

  const csrf = hiddenField(await (await requestCode(stranger, url, HOLDERS.eve)).text(), '_csrf');
  const held = await stranger.post(`${url}/holder/verify`, { _csrf: csrf, email: HOLDERS.eve, code: '123456' });
  expect(held.status).toBe(429);
  expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await held.text()).toContain('Trop de codes faux');

  const holder = new CookieJar();
  await signInHolder(holder, url, smtp, HOLDERS.eve);
  expect(holder.get('blason_holder')).toEqual(expect.any(String));
});

test('codes sent in parallel are all counted: of thirty sent at once, at most twenty are checked', async () => {
  const stranger = new CookieJar(fromAddress('127.0.0.6'));
  const csrf = hiddenField(await (await requestCode(stranger, url, HOLDERS.farid)).text(), '_csrf');
  const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    stranger.post(`${url}/holder/verify`, { _csrf: csrf, email: HOLDERS.farid, code: String(200000 + i) })
      .then((r) => r.status)));
  expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
});
