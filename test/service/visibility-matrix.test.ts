/**
 * One visibility rule, honoured on every public surface (src/app/visibility.ts). One holder, Zéphyrine, holds one
 * badge per state; every badge was issued with her name shown, so every signed file carries it. For each surface
 * and each state the table says the status code, and whether her name appears in the answer's bytes (JWT payloads
 * decoded, baked PNGs unbaked) or must not.
 */
import * as oauth from 'oauth4webapi';
import { readPngTexts } from '../../src/engine/bake/png.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { CookieJar, hiddenField, signInHolder } from '../support/holder.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';

const NAME = 'Zephyrine Quillebeuf';
const EMAIL = 'zephyrine.quillebeuf@example.fr';

type State = 'public' | 'name hidden' | 'hidden' | 'erased' | 'revoked' | 'revoked and hidden';
const STATES: State[] = ['public', 'name hidden', 'hidden', 'erased', 'revoked', 'revoked and hidden'];

/** A status code; "named" when the holder's name is in the answer, otherwise it must not be. */
type Status = 200 | 403 | 404 | 410 | 422;
type Cell = `${Status}` | `${Status} named`;

interface Answer {
  status: number;
  /** Every readable byte of the answer: the body, the payloads of the JWTs in it, the texts baked into a PNG. */
  text: string;
}

let smtp: SmtpCapture;
let service: InProcessService;
const badges = new Map<State, { id: string; url: string; holderUrl: string }>();
const holder = new CookieJar();
let appToken: string;

async function read(res: Response): Promise<Answer> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const png = (res.headers.get('content-type') ?? '').startsWith('image/png');
  let text = png ? readPngTexts(bytes).map((t) => t.text).join('\n') : Buffer.from(bytes).toString('utf8');
  for (const [, payload] of text.matchAll(/eyJ[\w-]+\.([\w-]+)\.[\w-]+/g)) {
    text += `\n${Buffer.from(payload!, 'base64url').toString('utf8')}`;
  }
  return { status: res.status, text };
}

const get = async (url: string, accept = '*/*') => read(await fetch(url, { headers: { accept } }));

/** The Open Graph image the page announces; when there is no page, there is nothing to announce. */
async function openGraphImage(url: string): Promise<Answer> {
  const page = await fetch(url, { headers: { accept: 'text/html' } });
  const image = /<meta property="og:image" content="([^"]+)"/.exec(await page.text())?.[1];
  return image ? get(image.replace(/&amp;/g, '&')) : { status: page.status, text: '' };
}

/** Her authorised app reads her listing: 200 when this badge is in it (with its content), 404 when it is not. */
async function inHerApp(id: string): Promise<Answer> {
  const headers = { authorization: `Bearer ${appToken}` };
  const res = await fetch(`${service.url}/ims/ob/v3p0/credentials`, { headers });
  const listing = await res.json() as { credential?: { id: string }[] };
  const entry = listing.credential?.find((c) => c.id.endsWith(id));
  return entry ? { status: 200, text: JSON.stringify(entry) } : { status: 404, text: '' };
}

const SURFACES: Record<string, (badge: { id: string; url: string }) => Promise<Answer>> = {
  'badge page': (b) => get(b.url, 'text/html'),
  'JSON-LD': (b) => get(b.url, 'application/vc+ld+json'),
  'JWT': (b) => get(b.url, 'application/vc+jwt'),
  'baked PNG': (b) => get(`${b.url}/badge.png`),
  'baked SVG': (b) => get(`${b.url}/badge.svg`),
  'credential.json': (b) => get(`${b.url}/credential.json`),
  'credential.jwt': (b) => get(`${b.url}/credential.jwt`),
  'OB 2.0 assertion': (b) => get(`${service.url}/ob2/assertions/${b.id}`, 'application/ld+json'),
  'OB 2.0 baked PNG': (b) => get(`${service.url}/ob2/assertions/${b.id}/badge.png`),
  'verify page': (b) => get(`${service.url}/verify?url=${encodeURIComponent(b.url)}`, 'text/html'),
  'verify API': async (b) => read(await fetch(`${service.url}/api/v1/verify`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: b.url }),
  })),
  'Open Graph image': (b) => openGraphImage(b.url),
  'her own app (OB 3.0 API)': (b) => inHerApp(b.id),
};

/** One row a surface, one column a state, in the order of STATES. */
const MATRIX: Record<keyof typeof SURFACES, Cell[]> = {
  //                            public       name hidden  hidden  erased  revoked  revoked and hidden
  'badge page': /*             */ ['200 named', '200', '404', '200', '200', '404'],
  'JSON-LD': /*                */ ['200 named', '403', '404', '410', '403', '404'],
  'JWT': /*                    */ ['200 named', '403', '404', '410', '403', '404'],
  'baked PNG': /*              */ ['200 named', '403', '404', '410', '403', '404'],
  'baked SVG': /*              */ ['200 named', '403', '404', '410', '403', '404'],
  'credential.json': /*        */ ['200 named', '403', '404', '410', '403', '404'],
  'credential.jwt': /*         */ ['200 named', '403', '404', '410', '403', '404'],
  // The 2.0 assertion names nobody (a hashed address only): the name rule has nothing to take out of it.
  'OB 2.0 assertion': /*       */ ['200', '200', '404', '404', '410', '404'],
  'OB 2.0 baked PNG': /*       */ ['200', '200', '404', '404', '200', '404'],
  // A hidden or erased badge: the page says the link leads to nothing, as for a badge never issued.
  'verify page': /*            */ ['200 named', '200', '200', '200', '200', '200'],
  'verify API': /*             */ ['200 named', '200', '422', '422', '200', '422'],
  // The page announces the badge's own image, which carries no personal data; a hidden badge announces nothing.
  'Open Graph image': /*       */ ['200', '200', '404', '200', '200', '404'],
  // Her private channel: everything of hers that is not erased, as signed (her name in it).
  'her own app (OB 3.0 API)': /**/ ['200 named', '200 named', '200 named', '404', '200 named', '200 named'],
};

const BACKPACK = 'https://backpack.example';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** The holder authorises an app through the OAuth flow (consent on Blason's page); answers its access token. */
async function authoriseApp(): Promise<string> {
  const issuer = new URL(`${service.url}/oauth`);
  const as = await oauth.processDiscoveryResponse(issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
  const registration = await oauth.dynamicClientRegistrationRequest(as, {
    client_name: 'Sac à badges', client_uri: `${BACKPACK}/`, logo_uri: `${BACKPACK}/logo.png`,
    tos_uri: `${BACKPACK}/tos`, policy_uri: `${BACKPACK}/privacy`, redirect_uris: [`${BACKPACK}/callback`],
    software_id: 'f0c5e8f2-8b0a-4f57-9d1e-2d3a4b5c6d7e', software_version: '1.0.0',
    scope: 'https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly',
  }, insecure);
  const registered = await oauth.processDynamicClientRegistrationResponse(registration);
  const client = registered as oauth.Client;
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  let url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id, redirect_uri: `${BACKPACK}/callback`, response_type: 'code', state,
    scope: 'https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }).toString();
  let res = await holder.fetch(url.href);
  for (;;) {
    while (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url);
      if (url.href.startsWith(BACKPACK)) break;
      res = await holder.fetch(url.href);
    }
    if (url.href.startsWith(BACKPACK)) break;
    const page = await res.text();
    const action = /action="(\/oauth\/interaction\/[^"]+\/confirm)"/.exec(page)![1]!;
    url = new URL(action, url);
    res = await holder.post(url.href, { _csrf: hiddenField(page, '_csrf') });
  }
  const params = oauth.validateAuthResponse(as, client, url, state);
  const secret = oauth.ClientSecretBasic(registered.client_secret as string);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client,
    await oauth.authorizationCodeGrantRequest(as, client, secret, params, `${BACKPACK}/callback`, verifier, insecure));
  return tokens.access_token;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_SIGNIN_RATE_LIMIT: '1000' } });
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  // One badge per state, each of its own kind, since nobody receives the same badge twice.
  for (const state of STATES) {
    const kind = await issuer.operator.post<{ id: string }>('/api/v1/achievements', {
      issuerId: issuer.issuerId, catalogueKey: 'pitch',
    });
    const res = await issuer.operator.post<{ id: string; url: string; holderUrl: string }>('/api/v1/credentials', {
      achievementId: kind.body.id, recipient: { email: EMAIL, name: NAME, showName: true },
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    badges.set(state, res.body);
  }
  await signInHolder(holder, service.url, smtp, EMAIL);
  appToken = await authoriseApp();
  const csrf = hiddenField(await (await holder.fetch(`${service.url}/holder`)).text(), '_csrf');
  const of = (state: State) => badges.get(state)!;
  for (const state of ['hidden', 'revoked and hidden'] as const) {
    await holder.post(`${service.url}/holder/credentials/${of(state).id}/visibility`, { _csrf: csrf, public: '0' });
  }
  // Her choice on this one badge, through the private link she received with it (no showName: unticked).
  const key = new URL(of('name hidden').holderUrl).searchParams.get('key')!;
  expect((await fetch(`${service.url}/credentials/${of('name hidden').id}/manage`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }), redirect: 'manual',
  })).status).toBe(303);
  expect((await issuer.operator.post(`/api/v1/credentials/${of('erased').id}/erase`, {})).status).toBe(200);
  for (const state of ['revoked', 'revoked and hidden'] as const) {
    const revoked = await issuer.operator.post(`/api/v1/credentials/${of(state).id}/revoke`, { reason: 'erreur' });
    expect(revoked.status).toBe(200);
  }
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await smtp?.close();
});

const cells = Object.entries(MATRIX)
  .flatMap(([surface, row]) => STATES.map((state, i) => [surface, state, row[i]!] as const));

test.each(cells)('%s, %s badge: %s', async (surface, state, expected) => {
  const answer = await SURFACES[surface]!(badges.get(state)!);
  const [status, named] = expected.split(' ');
  expect({ status: answer.status, named: answer.text.includes(NAME) })
    .toEqual({ status: Number(status), named: named === 'named' });
});

describe('what a hidden badge looks like from outside', () => {
  const never = '00000000-0000-4000-8000-000000000000';
  const same = (text: string, id: string) => text.replaceAll(id, 'ID');

  const states = ['hidden', 'erased', 'revoked and hidden'] as const;
  test.each(states)('verifying a %s badge by its link answers as for a badge never issued', async (state) => {
    const { id, url } = badges.get(state)!;
    const unknownUrl = url.replace(id, never);
    for (const surface of ['verify page', 'verify API'] as const) {
      const hidden = await SURFACES[surface]!({ id, url });
      const unknown = await SURFACES[surface]!({ id: never, url: unknownUrl });
      expect({ surface, status: hidden.status, text: same(hidden.text, id) })
        .toEqual({ surface, status: unknown.status, text: same(unknown.text, never) });
    }
  });
});

describe('the holder keeps her signed files', () => {
  const states = ['name hidden', 'hidden', 'revoked'] as const;
  test.each(states)('from her space, a %s badge downloads in every form, her name in it', async (state) => {
    const { id } = badges.get(state)!;
    for (const file of ['badge.png', 'badge.svg', 'credential.json', 'credential.jwt']) {
      const answer = await read(await holder.fetch(`${service.url}/holder/credentials/${id}/${file}`));
      expect({ file, status: answer.status, named: answer.text.includes(NAME) })
        .toEqual({ file, status: 200, named: true });
    }
  });

  test('through the private link she received with it, when her name is hidden', async () => {
    const { id, holderUrl } = badges.get('name hidden')!;
    const page = await (await fetch(holderUrl)).text();
    const href = /href="([^"]+)" download data-download="json"/.exec(page)![1]!;
    const link = href.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
    expect(link).toMatch(new RegExp(`^/credentials/${id}/manage/credential\\.json\\?key=`));
    const answer = await get(`${service.url}${link}`);
    expect({ status: answer.status, named: answer.text.includes(NAME) }).toEqual({ status: 200, named: true });
    expect((await fetch(`${service.url}/credentials/${id}/manage/credential.json?key=wrong`)).status).toBe(404);
  });

  test('nobody else gets them from her space: it asks to sign in', async () => {
    const { id } = badges.get('name hidden')!;
    const res = await fetch(`${service.url}/holder/credentials/${id}/credential.json`, { redirect: 'manual' });
    expect(res.status).toBe(303);
  });

  test('the public page of a badge with a hidden name says who may download its signed files, links none', async () => {
    const { url } = badges.get('name hidden')!;
    const html = await (await fetch(url, { headers: { accept: 'text/html', 'accept-language': 'en' } })).text();
    expect(html).toContain('data-holder-only');
    expect(html).not.toMatch(/data-download="(png|svg|json|jwt)"/);
    expect(html).not.toContain('rel="alternate" type="application/vc+ld+json"');
  });
});
