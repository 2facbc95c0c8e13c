/**
 * Dynamic client registration needs no account (OB 3.0), so it is a door for anyone (issue 11 §7.3), tried here
 * with real HTTP requests to /oauth/register:
 * - members naming URLs that oidc-provider would fetch from the server (`sector_identifier_uri` at registration,
 *   `jwks_uri` later), or that Blason has no use for, are refused with invalid_client_metadata, and nothing
 *   connects to the internal address they name (a listener on loopback counts connections);
 * - one client registers at most BLASON_REGISTRATION_RATE_LIMIT clients a minute;
 * - a client that no holder authorises within 24 hours is forgotten; one a holder authorised stays.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { start, type Running } from '../../src/main.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { CookieJar, hiddenField, signInHolder } from '../support/holder.js';
import { serviceEnv } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { BACKPACK, backpackRegistration } from '../support/backpack.js';

const READ = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly';
const HOLDER = 'lea.dupont@example.fr';
const DAY = 24 * 3_600_000;

const registration = backpackRegistration(`${BACKPACK}/callback`, READ);

/** A service whose clock the tests move forward. */
interface Service {
  running: Running;
  url: string;
  token: string;
}

async function startService(extra: Record<string, string>, clock: () => Date): Promise<Service> {
  const env = await serviceEnv({ extra });
  const running = await start(loadConfig(env), { now: clock });
  return { running, url: env.BLASON_BASE_URL!, token: env.BLASON_ADMIN_TOKEN! };
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, string>;
}

async function register(url: string, metadata: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`${url}/oauth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata),
  });
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, string> };
}

describe('members naming URLs', () => {
  let service: Service;
  let internal: Server;
  let connections = 0;
  let internalUrl: string;

  beforeAll(async () => {
    service = await startService({}, () => new Date());
    internal = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    internalUrl = `https://127.0.0.1:${(internal.address() as { port: number }).port}`;
  }, 30_000);

  afterAll(async () => {
    await service?.running.stop();
    await new Promise((resolve) => internal?.close(resolve));
  });

  const members: [string, (base: string) => unknown][] = [
    ['sector_identifier_uri', (base) => `${base}/sector.json`],
    ['jwks_uri', (base) => `${base}/jwks.json`],
    ['initiate_login_uri', (base) => `${base}/login`],
    ['request_uris', (base) => [`${base}/request.jwt`]],
  ];

  test.each(members)('%s naming an internal address: invalid_client_metadata, not fetched', async (member, value) => {
    const answer = await register(service.url, { ...registration, [member]: value(internalUrl) });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_client_metadata');
    expect(answer.body.error_description).toContain(member);
    expect(connections).toBe(0);
  });

  test('a registration without them is accepted', async () => {
    expect((await register(service.url, registration)).status).toBe(201);
  });
});

describe('rate limit', () => {
  let service: Service;

  beforeAll(async () => {
    // A still clock: the four registrations fall in one minute's window whatever the real time.
    const still = new Date();
    service = await startService({ BLASON_REGISTRATION_RATE_LIMIT: '3' }, () => still);
  }, 30_000);

  afterAll(async () => {
    await service?.running.stop();
  });

  test('a fourth registration in a minute from one client is refused with 429 and Retry-After', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await register(service.url, registration));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('clients nobody authorised', () => {
  let service: Service;
  let smtp: SmtpCapture;
  /** How far the service's clock is ahead of the real one. */
  let ahead = 0;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    const clock = () => new Date(Date.now() + ahead);
    service = await startService({ SMTP_URL: smtp.url, BLASON_SIGNIN_RATE_LIMIT: '1000' }, clock);
    const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
    const award = { achievementId: issuer.achievementId, recipient: { email: HOLDER } };
    await issuer.operator.post('/api/v1/credentials', award);
  }, 30_000);

  afterAll(async () => {
    await service?.running.stop();
    await smtp?.close();
  });

  /** The start of an authorization request (PKCE S256) by this client, with the holder's cookies if any. */
  function authorization(jar: CookieJar, clientId: string): Promise<Response> {
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      client_id: clientId, redirect_uri: registration.redirect_uris[0]!, response_type: 'code', scope: READ,
      state: randomBytes(8).toString('hex'), code_challenge_method: 'S256',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    });
    return jar.fetch(`${service.url}/oauth/auth?${query}`);
  }

  /** Follows the service's own redirects; stops at the backpack or at a page. */
  async function follow(jar: CookieJar, res: Response): Promise<{ res: Response; at: string }> {
    let at = '';
    while (res.status >= 300 && res.status < 400) {
      at = new URL(res.headers.get('location')!, service.url).href;
      if (at.startsWith(BACKPACK)) break;
      res = await jar.fetch(at);
    }
    return { res, at };
  }

  test('a client that no holder authorised within a day answers invalid_client', async () => {
    const { body } = await register(service.url, registration);
    expect((await authorization(new CookieJar(), body.client_id!)).status).toBe(303);

    ahead += DAY + 3_600_000;
    const refused = await authorization(new CookieJar(), body.client_id!);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('invalid_client');
  });

  test('its record is deleted by a later registration: unused clients do not pile up', async () => {
    const { body } = await register(service.url, registration);
    ahead += DAY + 3_600_000;
    await register(service.url, registration);
    const clients = await service.running.app.db.selectFrom('oauth_records').select('payload')
      .where('model', '=', 'Client').execute();
    expect(clients.some((c) => c.payload.includes(body.client_id!))).toBe(false);
  });

  test('a client a holder authorised stays registered after the day', async () => {
    const { body } = await register(service.url, registration);
    const jar = new CookieJar();
    await signInHolder(jar, service.url, smtp, HOLDER);
    const consent = await follow(jar, await authorization(jar, body.client_id!));
    const page = await consent.res.text();
    const action = /action="(\/oauth\/interaction\/[^"]+\/confirm)"/.exec(page)![1]!;
    const confirmed = await jar.post(`${service.url}${action}`, { _csrf: hiddenField(page, '_csrf') });
    const granted = await follow(jar, confirmed);
    expect(granted.at).toMatch(/^https:\/\/backpack\.example\/callback\?code=/);

    ahead += DAY + 3_600_000;
    const later = await authorization(new CookieJar(), body.client_id!);
    expect(later.status).toBe(303);
  });
});
