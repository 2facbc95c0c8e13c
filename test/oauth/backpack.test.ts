/**
 * Blason as an Open Badges 3.0 API host, seen by a third-party backpack that speaks OAuth 2.0 through a real
 * client library (oauth4webapi): it reads the Service Description Document, registers itself (RFC 7591), sends
 * the holder through the authorization code flow with PKCE, where the holder signs in by e-mail code (real SMTP)
 * and consents on Blason's page, then uses the API: pages through the credentials, imports a foreign badge,
 * reads and updates the profile, refreshes and revokes its tokens. Every body is checked against the official
 * schemas. Refusals: no token, wrong scope, revoked or expired token, another holder's data.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import * as oauth from 'oauth4webapi';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { startForeignIssuer, type ForeignIssuer } from '../support/foreign-issuer.js';
import { CookieJar, hiddenField, signInHolder } from '../support/holder.js';
import { expectValid } from '../support/ob3-schemas.js';
import { fromRoot } from '../../src/shared/paths.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { BACKPACK, backpackRegistration } from '../support/backpack.js';

const SCOPE = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/';
const READ = `${SCOPE}credential.readonly`;
const UPSERT = `${SCOPE}credential.upsert`;
const PROFILE_READ = `${SCOPE}profile.readonly`;
const PROFILE_UPDATE = `${SCOPE}profile.update`;
const ALL = [READ, UPSERT, PROFILE_READ, PROFILE_UPDATE].join(' ');

const REDIRECT = `${BACKPACK}/callback`;
/** The foreign issuer's badges name this address, and Blason awards it three badges. */
const LEA = 'lea.dupont@example.fr';
const OMAR = 'omar.benali@example.fr';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

const registration = backpackRegistration(REDIRECT, ALL);

/** The parts of the Service Description Document a backpack uses. */
interface Sdd {
  paths: Record<string, Record<string, { operationId: string }>>;
  components: { securitySchemes: { OAuth2ACG: { 'x-imssf-registrationUrl': string; flows: { authorizationCode: { authorizationUrl: string; tokenUrl: string; scopes: Record<string, string> } } } } };
}

/** What the API answers: a credentials page, a profile or an Imsx_StatusInfo. */
interface ApiBody {
  credential?: { id: string }[];
  compactJwsString?: string[];
  email?: string;
  name?: string;
  imsx_description?: string;
  imsx_codeMinor?: { imsx_codeMinorField: { imsx_codeMinorFieldValue: string }[] };
  [key: string]: unknown;
}

/** One Blason service with a holder or two, as a backpack meets it. */
interface World {
  service: InProcessService;
  as: oauth.AuthorizationServer;
  sdd: Sdd;
  smtp: SmtpCapture;
}

async function startWorld(smtp: SmtpCapture, foreign: ForeignIssuer | undefined, extra: Record<string, string> = {}): Promise<World> {
  const port = await freePort();
  const hosts = [`127.0.0.1:${port}`, ...(foreign ? [foreign.hosts] : [])].join(',');
  // Its tests register a client each, more than the registration limit lets one client do in a minute.
  const service = await startInProcess({ port, extra: {
    SMTP_URL: smtp.url, BLASON_FETCH_ALLOW_HOSTS: hosts, BLASON_FETCH_INSECURE_HTTP_HOSTS: hosts,
    BLASON_REGISTRATION_RATE_LIMIT: '1000', ...extra,
  } });
  const sdd = await (await fetch(`${service.url}/ims/ob/v3p0/discovery`)).json() as Sdd;
  // The authorization server's own metadata, at its issuer (OIDC discovery), completes the SDD with revocation.
  const issuer = new URL(`${service.url}/oauth`);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
  return { service, as, sdd, smtp };
}

async function register(world: World, metadata: Parameters<typeof oauth.dynamicClientRegistrationRequest>[1] = registration): Promise<{ client: oauth.Client; secret: string }> {
  const registrationUrl = world.sdd.components.securitySchemes.OAuth2ACG['x-imssf-registrationUrl'];
  const response = await oauth.dynamicClientRegistrationRequest({ ...world.as, registration_endpoint: registrationUrl }, metadata, insecure);
  const client = await oauth.processDynamicClientRegistrationResponse(response);
  return { client: client as oauth.Client, secret: client.client_secret as string };
}

/** Follows the service's redirects (never the backpack's) with the holder's cookies. */
async function follow(jar: CookieJar, start: Response, from: string): Promise<{ res: Response; url: string }> {
  let res = start;
  let url = from;
  while (res.status >= 300 && res.status < 400) {
    const next = new URL(res.headers.get('location')!, url);
    if (next.href.startsWith(BACKPACK)) return { res, url: next.href };
    url = next.href;
    res = await jar.fetch(url);
  }
  return { res, url };
}

function authorizationUrl(world: World, client: oauth.Client, params: Record<string, string>): string {
  const url = new URL(world.sdd.components.securitySchemes.OAuth2ACG.flows.authorizationCode.authorizationUrl);
  url.search = new URLSearchParams({ client_id: client.client_id, redirect_uri: REDIRECT, response_type: 'code', ...params }).toString();
  return url.href;
}

/** Starts an authorization with PKCE; answers the consent page (or wherever the service stopped). */
async function beginAuthorization(world: World, jar: CookieJar, client: oauth.Client, scope: string) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = authorizationUrl(world, client, { scope, state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const { res, url: at } = await follow(jar, await jar.fetch(url), url);
  return { verifier, state, res, at };
}

/** The whole dance: sign-in (if needed), consent, code, tokens. */
async function authorize(world: World, jar: CookieJar, client: oauth.Client, secret: string, scope: string, email: string): Promise<oauth.TokenEndpointResponse> {
  if (!jar.get('blason_holder')) await signInHolder(jar, world.service.url, world.smtp, email);
  const begun = await beginAuthorization(world, jar, client, scope);
  let callback = begun.at;
  // Scopes this holder already granted this client are not asked again: the service answers the backpack at once.
  if (!begun.at.startsWith(BACKPACK)) {
    if (begun.res.status !== 200) throw new Error(`Expected the consent page, got ${begun.res.status} at ${begun.at}`);
    const page = await begun.res.text();
    const action = /action="(\/oauth\/interaction\/[^"]+\/confirm)"/.exec(page)![1]!;
    callback = (await follow(jar, await jar.post(`${world.service.url}${action}`, { _csrf: hiddenField(page, '_csrf') }), `${world.service.url}${action}`)).url;
  }
  const params = oauth.validateAuthResponse(world.as, client, new URL(callback), begun.state);
  const response = await oauth.authorizationCodeGrantRequest(world.as, client, oauth.ClientSecretBasic(secret), params, REDIRECT, begun.verifier, insecure);
  return oauth.processAuthorizationCodeResponse(world.as, client, response);
}

async function api(world: World, token: string, method: string, path: string, body?: string, type?: string) {
  const headers = new Headers(type ? { 'content-type': type } : {});
  let res: Response;
  try {
    res = await oauth.protectedResourceRequest(token, method, new URL(`${world.service.url}/ims/ob/v3p0${path}`), headers, body ?? null, insecure);
  } catch (error) {
    // The library raises RFC 6750 challenges (401, 403 with WWW-Authenticate); the test looks at the response.
    if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
    res = error.response;
  }
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) as ApiBody : undefined };
}

let smtp: SmtpCapture;
let foreign: ForeignIssuer;
let world: World;
let admin: Api;
let issued: { id: string; url: string }[] = [];
let omarsBadge: { id: string; url: string };
let client: oauth.Client;
let secret: string;
let lea: oauth.TokenEndpointResponse;
const leaJar = new CookieJar();

beforeAll(async () => {
  smtp = await startSmtpCapture();
  foreign = await startForeignIssuer();
  world = await startWorld(smtp, foreign);
  admin = apiClient(world.service.url, world.service.token);
  const issuer = await setUpIssuer(admin, world.service.url);
  for (const key of ['pitch', 'modele-economique']) {
    const achievement = await issuer.operator.post<{ id: string }>('/api/v1/achievements', { issuerId: issuer.issuerId, catalogueKey: key });
    const res = await issuer.operator.post<{ id: string; url: string }>('/api/v1/credentials', { achievementId: achievement.body.id, recipient: { email: LEA } });
    issued.push(res.body);
  }
  const third = await issuer.operator.post<{ id: string; url: string }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: LEA } });
  issued.push(third.body);
  omarsBadge = (await issuer.operator.post<{ id: string; url: string }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: OMAR } })).body;
  issued = issued.filter(Boolean);
  ({ client, secret } = await register(world));
  lea = await authorize(world, leaJar, client, secret, `${ALL} offline_access`, LEA);
}, 60_000);

afterAll(async () => {
  await world?.service.stop();
  await foreign?.close();
  await smtp?.close();
});

describe('discovery', () => {
  test('the Service Description Document validates against the official schema', () => {
    expectValid('ServiceDescriptionDocument', world.sdd);
  });

  test('the SDD names the registration, authorization and token endpoints, which the authorization server confirms', () => {
    const scheme = world.sdd.components.securitySchemes.OAuth2ACG;
    expect(scheme['x-imssf-registrationUrl']).toBe(world.as.registration_endpoint);
    expect(scheme.flows.authorizationCode.authorizationUrl).toBe(world.as.authorization_endpoint);
    expect(scheme.flows.authorizationCode.tokenUrl).toBe(world.as.token_endpoint);
    expect(world.as.revocation_endpoint).toBe(`${world.service.url}/oauth/revoke`);
  });

  test('the SDD lists exactly the four Open Badges scopes', () => {
    expect(Object.keys(world.sdd.components.securitySchemes.OAuth2ACG.flows.authorizationCode.scopes).sort()).toEqual([READ, UPSERT, PROFILE_READ, PROFILE_UPDATE].sort());
  });

  test('the authorization server accepts only PKCE S256 and client_secret_basic', () => {
    expect(world.as.code_challenge_methods_supported).toEqual(['S256']);
    expect(world.as.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic']);
  });

  test('the SDD profiles the official OpenAPI description: the operations Blason serves, as 1EdTech wrote them', () => {
    const official = JSON.parse(readFileSync(fromRoot('schemas', 'ob3', 'openapi.json'), 'utf8')) as Sdd;
    const served = Object.fromEntries(Object.entries(world.sdd.paths).map(([p, ops]) => [p, Object.keys(ops).sort()]));
    expect(served).toEqual({ '/credentials': ['get', 'post'], '/profile': ['get', 'put'], '/discovery': ['get'] });
    for (const [p, ops] of Object.entries(world.sdd.paths)) {
      for (const [method, operation] of Object.entries(ops)) expect(operation).toEqual(official.paths[p]![method]);
    }
  });

  test('every reference in the SDD resolves within it', () => {
    const text = JSON.stringify(world.sdd);
    const refs = [...new Set([...text.matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]!))];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) {
      const at = (node: unknown, key: string) => (node as Record<string, unknown> | undefined)?.[key];
      const target = ref.split('/').reduce<unknown>(at, world.sdd);
      expect({ ref, found: target !== undefined }).toEqual({ ref, found: true });
    }
  });

  test('the SDD is cacheable: an unchanged document answers 304', async () => {
    const first = await fetch(`${world.service.url}/ims/ob/v3p0/discovery`);
    const again = await fetch(`${world.service.url}/ims/ob/v3p0/discovery`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});

describe('dynamic client registration', () => {
  test('gives the backpack a client id and a secret for client_secret_basic', () => {
    expect(client.client_id).toEqual(expect.any(String));
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(client.token_endpoint_auth_method).toBe('client_secret_basic');
  });

  const refusals: [string, Record<string, unknown>][] = [
    ['a missing required field (policy_uri)', { ...registration, policy_uri: undefined }],
    ['a plain-http redirect URI', { ...registration, redirect_uris: ['http://backpack.example/callback'] }],
    ['URLs on different host names', { ...registration, logo_uri: 'https://cdn.elsewhere.example/logo.png' }],
    ['a scope that is not an Open Badges scope', { ...registration, scope: `${READ} openid email` }],
    ['another client authentication method', { ...registration, token_endpoint_auth_method: 'none' }],
    ['the implicit grant', { ...registration, grant_types: ['implicit'] }],
  ];
  test.each(refusals)('refuses %s with 400 and an RFC 7591 error', async (_name, metadata) => {
    const res = await fetch(world.as.registration_endpoint!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
    expect(res.status).toBe(400);
    const body = await res.json() as { error: string; error_description: string };
    expect(['invalid_client_metadata', 'invalid_redirect_uri']).toContain(body.error);
    expect(body.error_description.length).toBeGreaterThan(10);
  });
});

describe('authorization', () => {
  /** A client this holder has never consented to. */
  const newClient = async () => (await register(world)).client;

  test('sends a signed-out holder to the sign-in page first', async () => {
    const { res, at } = await beginAuthorization(world, new CookieJar(), client, READ);
    expect(res.status).toBe(200);
    expect(at).toMatch(/\/holder\/login\?next=%2Foauth%2Finteraction%2F/);
  });

  test('shows a consent page in French naming the client and each scope, and grants nothing before the click', async () => {
    const fresh = await newClient();
    const { res } = await beginAuthorization(world, leaJar, fresh, `${READ} ${PROFILE_READ}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('lang="fr"');
    expect(page).toContain('Sac à badges');
    expect(page).toMatch(/data-scope="credential.readonly">[^<]*badges/i);
    expect(page).toMatch(/data-scope="profile.readonly">/);
    expect(page).not.toMatch(/data-scope="credential.upsert"/);
  });

  test('the consent page is in English on request', async () => {
    const fresh = await newClient();
    const { res, at } = await beginAuthorization(world, leaJar, fresh, READ);
    await res.text();
    const english = await leaJar.fetch(`${at}?lang=en`);
    const page = await english.text();
    expect(page).toContain('lang="en"');
    expect(page).toMatch(/Allow|Authorise|Authorize/);
  });

  test('a holder who refuses sends the backpack access_denied', async () => {
    const fresh = await newClient();
    const begun = await beginAuthorization(world, leaJar, fresh, READ);
    const page = await begun.res.text();
    const action = /action="(\/oauth\/interaction\/[^"]+\/abort)"/.exec(page)![1]!;
    const back = await follow(leaJar, await leaJar.post(`${world.service.url}${action}`, { _csrf: hiddenField(page, '_csrf') }), `${world.service.url}${action}`);
    let refusal: unknown;
    try {
      oauth.validateAuthResponse(world.as, fresh, new URL(back.url), begun.state);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(oauth.AuthorizationResponseError);
    expect((refusal as oauth.AuthorizationResponseError).error).toBe('access_denied');
  });

  test('a consent form without its CSRF token is refused', async () => {
    const fresh = await newClient();
    const begun = await beginAuthorization(world, leaJar, fresh, READ);
    const page = await begun.res.text();
    const action = /action="(\/oauth\/interaction\/[^"]+\/confirm)"/.exec(page)![1]!;
    const res = await leaJar.post(`${world.service.url}${action}`, { _csrf: 'forged' });
    expect(res.status).toBe(403);
  });

  test('does not ask again for scopes the holder already granted this client', async () => {
    const { at } = await beginAuthorization(world, leaJar, client, READ);
    expect(new URL(at).searchParams.get('code')).toEqual(expect.any(String));
  });

  test('refuses an authorization request without PKCE', async () => {
    const url = authorizationUrl(world, client, { scope: READ, state: 'x' });
    const { url: back } = await follow(leaJar, await leaJar.fetch(url), url);
    expect(new URL(back).searchParams.get('error')).toBe('invalid_request');
  });

  test('refuses the plain PKCE method', async () => {
    const url = authorizationUrl(world, client, { scope: READ, state: 'x', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    const { url: back } = await follow(leaJar, await leaJar.fetch(url), url);
    expect(new URL(back).searchParams.get('error')).toBe('invalid_request');
  });

  test('the token endpoint refuses a wrong client secret', async () => {
    const response = await oauth.refreshTokenGrantRequest(world.as, client, oauth.ClientSecretBasic('not-the-secret'), lea.refresh_token!, insecure);
    expect(response.status).toBe(401);
    expect((await response.json() as { error: string }).error).toBe('invalid_client');
  });

  test('issues an opaque access token for the OB API with the granted scopes and a refresh token', () => {
    expect(lea.token_type.toLowerCase()).toBe('bearer');
    expect(lea.access_token.split('.')).toHaveLength(1);
    expect(lea.scope!.split(' ').sort()).toEqual(expect.arrayContaining([READ, UPSERT, PROFILE_READ, PROFILE_UPDATE]));
    expect(lea.refresh_token).toEqual(expect.any(String));
    expect(lea.expires_in).toBeGreaterThan(0);
  });
});

describe('GET /credentials', () => {
  test('lists the holder\'s badges, with a body that validates against the official schema', async () => {
    const res = await api(world, lea.access_token, 'GET', '/credentials');
    expect(res.status).toBe(200);
    expectValid('getopenbadgecredentialsresponse', res.body);
    const ids = (res.body!.credential as { id: string }[]).map((c) => c.id).sort();
    expect(ids).toEqual(issued.map((c) => c.url).sort());
  });

  test('pages with limit and offset, and says where the pages are in X-Total-Count and Link', async () => {
    const first = await api(world, lea.access_token, 'GET', '/credentials?limit=2');
    expect(first.headers.get('x-total-count')).toBe('3');
    expect(first.body!.credential).toHaveLength(2);
    const link = first.headers.get('link')!;
    expect(link).toMatch(/rel="first"/);
    expect(link).toMatch(/rel="last"/);
    expect(link).not.toMatch(/rel="prev"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    const second = await api(world, lea.access_token, 'GET', new URL(next).pathname.replace('/ims/ob/v3p0', '') + new URL(next).search);
    expect(second.body!.credential).toHaveLength(1);
    expect(second.headers.get('link')).toMatch(/rel="prev"/);
    expect(second.headers.get('link')).not.toMatch(/rel="next"/);
    const all = [...first.body!.credential!, ...second.body!.credential!].map((c) => c.id).sort();
    expect(all).toEqual(issued.map((c) => c.url).sort());
  });

  test('filters with since', async () => {
    const future = await api(world, lea.access_token, 'GET', `/credentials?since=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`);
    expect(future.status).toBe(200);
    expect(future.headers.get('x-total-count')).toBe('0');
    expectValid('getopenbadgecredentialsresponse', future.body);
  });

  test.each([['limit=0'], ['limit=abc'], ['offset=-1'], ['since=yesterday']])('refuses %s with 400 Imsx_StatusInfo', async (query) => {
    const res = await api(world, lea.access_token, 'GET', `/credentials?${query}`);
    expect(res.status).toBe(400);
    expectValid('imsx_statusinfo', res.body);
    expect(res.body!.imsx_codeMinor!.imsx_codeMinorField[0]!.imsx_codeMinorFieldValue).toBe('invalid_query_parameter');
  });
});

describe('POST /credentials', () => {
  let foreignBadge: string;

  beforeAll(async () => {
    foreignBadge = JSON.stringify(await foreign.sign({ achievementName: 'Pitch devant un jury', issuerName: 'Incubateur des Flandres' }));
  });

  test('imports a foreign badge that verifies: 201 Created, then listed', async () => {
    const res = await api(world, lea.access_token, 'POST', '/credentials', foreignBadge, 'application/json');
    expect(res.status).toBe(201);
    expectValid('achievementcredential', res.body);
    const list = await api(world, lea.access_token, 'GET', '/credentials');
    expect(list.headers.get('x-total-count')).toBe('4');
    expect((list.body!.credential as { id: string }[]).map((c) => c.id)).toContain(JSON.parse(foreignBadge).id);
  });

  test('the same badge again (same issuer and id) replaces it: 200 OK', async () => {
    const res = await api(world, lea.access_token, 'POST', '/credentials', foreignBadge, 'application/json');
    expect(res.status).toBe(200);
    expect((await api(world, lea.access_token, 'GET', '/credentials')).headers.get('x-total-count')).toBe('4');
  });

  test('a badge Blason issued to the holder, posted back, is one she already has: 200 OK, listed once', async () => {
    const before = await api(world, lea.access_token, 'GET', '/credentials');
    const ours = (before.body!.credential as { id: string }[]).find((c) => c.id === issued[0]!.url)!;
    const res = await api(world, lea.access_token, 'POST', '/credentials', JSON.stringify(ours), 'application/json');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual(ours);
    const after = await api(world, lea.access_token, 'GET', '/credentials');
    expect(after.headers.get('x-total-count')).toBe(before.headers.get('x-total-count'));
    expect((after.body!.credential as { id: string }[]).filter((c) => c.id === ours.id)).toHaveLength(1);
  });

  test('imports a VC-JWT, which comes back as a compactJwsString', async () => {
    const jwt = await foreign.signJwt({ achievementName: 'Jury de fin de parcours' });
    const res = await api(world, lea.access_token, 'POST', '/credentials', jwt, 'text/plain');
    expect(res.status).toBe(201);
    const list = await api(world, lea.access_token, 'GET', '/credentials');
    expectValid('getopenbadgecredentialsresponse', list.body);
    expect(list.body!.compactJwsString).toContain(jwt);
  });

  test('refuses a tampered badge with 400 Imsx_StatusInfo, and keeps nothing', async () => {
    const tampered = JSON.parse(JSON.stringify(await foreign.sign({ achievementName: 'Vrai' }))) as { credentialSubject: { achievement: { name: string } } };
    tampered.credentialSubject.achievement.name = 'Faux';
    const before = (await api(world, lea.access_token, 'GET', '/credentials')).headers.get('x-total-count');
    const res = await api(world, lea.access_token, 'POST', '/credentials', JSON.stringify(tampered), 'application/json');
    expect(res.status).toBe(400);
    expectValid('imsx_statusinfo', res.body);
    expect(res.body!.imsx_description).toMatch(/does not verify/);
    expect((await api(world, lea.access_token, 'GET', '/credentials')).headers.get('x-total-count')).toBe(before);
  });

  test('refuses a body that is not JSON with 400', async () => {
    const res = await api(world, lea.access_token, 'POST', '/credentials', '{"@context": [', 'application/json');
    expect(res.status).toBe(400);
    expectValid('imsx_statusinfo', res.body);
  });

  test('refuses an unknown media type with 415', async () => {
    const res = await api(world, lea.access_token, 'POST', '/credentials', foreignBadge, 'application/xml');
    expect(res.status).toBe(415);
    expectValid('imsx_statusinfo', res.body);
  });
});

describe('profile', () => {
  test('GET /profile answers the holder\'s profile, valid against the official schema', async () => {
    const res = await api(world, lea.access_token, 'GET', '/profile');
    expect(res.status).toBe(200);
    expectValid('profile', res.body);
    expect(res.body!.email).toBe(LEA);
  });

  test('PUT /profile changes the name, and GET shows it', async () => {
    const current = (await api(world, lea.access_token, 'GET', '/profile')).body!;
    const res = await api(world, lea.access_token, 'PUT', '/profile', JSON.stringify({ ...current, name: 'Léa Dupont' }), 'application/json');
    expect(res.status).toBe(200);
    expectValid('profile', res.body);
    expect((await api(world, lea.access_token, 'GET', '/profile')).body!.name).toBe('Léa Dupont');
  });

  test('PUT /profile refuses to change the e-mail address (the account itself)', async () => {
    const current = (await api(world, lea.access_token, 'GET', '/profile')).body!;
    const res = await api(world, lea.access_token, 'PUT', '/profile', JSON.stringify({ ...current, email: 'someone@else.example' }), 'application/json');
    expect(res.status).toBe(400);
    expectValid('imsx_statusinfo', res.body);
  });
});

describe('refusals', () => {
  test('no token: 401 Imsx_StatusInfo with a Bearer challenge', async () => {
    const res = await fetch(`${world.service.url}/ims/ob/v3p0/credentials`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectValid('imsx_statusinfo', await res.json());
  });

  test('a made-up token: 401 invalid_token', async () => {
    const res = await api(world, 'x'.repeat(43), 'GET', '/credentials');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
    expectValid('imsx_statusinfo', res.body);
  });

  describe('a token granted only credential.readonly', () => {
    let readOnly: oauth.TokenEndpointResponse;
    beforeAll(async () => {
      readOnly = await authorize(world, leaJar, client, secret, READ, LEA);
    });

    test('reads the credentials', async () => {
      expect((await api(world, readOnly.access_token, 'GET', '/credentials')).status).toBe(200);
    });

    test('cannot import: 403 insufficient_scope', async () => {
      const res = await api(world, readOnly.access_token, 'POST', '/credentials', JSON.stringify(await foreign.sign()), 'application/json');
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
      expectValid('imsx_statusinfo', res.body);
    });

    test('cannot read the profile: 403', async () => {
      expect((await api(world, readOnly.access_token, 'GET', '/profile')).status).toBe(403);
    });

    test('cannot update the profile: 403', async () => {
      expect((await api(world, readOnly.access_token, 'PUT', '/profile', '{"id":"x","type":["Profile"]}', 'application/json')).status).toBe(403);
    });
  });

  describe('another holder', () => {
    let omar: oauth.TokenEndpointResponse;
    beforeAll(async () => {
      omar = await authorize(world, new CookieJar(), client, secret, ALL, OMAR);
    });

    test('sees only their own badge, none of Léa\'s', async () => {
      const res = await api(world, omar.access_token, 'GET', '/credentials');
      expect(res.headers.get('x-total-count')).toBe('1');
      expect((res.body!.credential as { id: string }[]).map((c) => c.id)).toEqual([omarsBadge.url]);
    });

    test('sees their own profile, not Léa\'s', async () => {
      expect((await api(world, omar.access_token, 'GET', '/profile')).body!.email).toBe(OMAR);
    });

    test('cannot import a badge issued to Léa\'s address: 403', async () => {
      const res = await api(world, omar.access_token, 'POST', '/credentials', JSON.stringify(await foreign.sign({ achievementName: 'À Léa' })), 'application/json');
      expect(res.status).toBe(403);
      expectValid('imsx_statusinfo', res.body);
    });
  });
});

describe('every error is an Imsx_StatusInfo', () => {
  /** The status, and the Imsx_StatusInfo body (validated) with its one code minor. */
  type Refusal = { status: number; codeMinor: string; body: ApiBody };
  async function refusal(res: Awaited<ReturnType<typeof api>> | Response): Promise<Refusal> {
    const body = (res instanceof Response ? await res.json() : res.body) as ApiBody;
    expectValid('imsx_statusinfo', body);
    expect(body).toMatchObject({ imsx_codeMajor: 'failure', imsx_severity: 'error' });
    const codeMinor = body.imsx_codeMinor!.imsx_codeMinorField[0]!.imsx_codeMinorFieldValue;
    return { status: res.status, codeMinor, body };
  }

  test('a profile in a charset other than UTF-8: 415', async () => {
    const latin1 = 'application/json; charset=iso-8859-1';
    const res = await api(world, lea.access_token, 'PUT', '/profile', '{"type":["Profile"]}', latin1);
    expect(await refusal(res)).toMatchObject({ status: 415, codeMinor: 'not_acceptable' });
  });

  test('a credential in a charset other than UTF-8: 415', async () => {
    const res = await api(world, lea.access_token, 'POST', '/credentials', '{}', 'application/json; charset=latin1');
    expect(await refusal(res)).toMatchObject({ status: 415, codeMinor: 'not_acceptable' });
  });

  test('a body in an unsupported Content-Encoding: 415', async () => {
    const url = new URL(`${world.service.url}/ims/ob/v3p0/credentials`);
    const headers = new Headers({ 'content-type': 'application/json', 'content-encoding': 'compress' });
    const res = await oauth.protectedResourceRequest(lea.access_token, 'POST', url, headers, '{}', insecure);
    expect(await refusal(res)).toMatchObject({ status: 415, codeMinor: 'not_acceptable' });
  });

  test('an unknown endpoint: 404; a method an endpoint does not have: 405', async () => {
    const unknown = await fetch(`${world.service.url}/ims/ob/v3p0/badges`);
    expect(await refusal(unknown)).toMatchObject({ status: 404, codeMinor: 'not_found' });
    const deleted = await fetch(`${world.service.url}/ims/ob/v3p0/credentials`, { method: 'DELETE' });
    expect(await refusal(deleted)).toMatchObject({ status: 405, codeMinor: 'not_allowed' });
  });

  test('a failure on Blason\'s side: 500 with a reference, and nothing of the internals', async () => {
    const app = world.service.running.app;
    const secret = app.recipientSecret;
    // Breaks the holder's lookup: the pseudonymous key cannot be computed without its secret.
    app.recipientSecret = undefined as unknown as Buffer;
    try {
      const res = await api(world, lea.access_token, 'GET', '/credentials');
      const { status, codeMinor, body } = await refusal(res);
      expect({ status, codeMinor }).toEqual({ status: 500, codeMinor: 'internal_server_error' });
      expect(body.imsx_description).toContain(res.headers.get('x-request-id')!);
      expect(res.text).not.toMatch(/\bat \S+ \(|TypeError|node_modules/);
    } finally {
      app.recipientSecret = secret;
    }
  });

  test('a database locked by another program: 503 server_busy with Retry-After, then 200 again', async () => {
    const lock = new SQLite(path.join(world.service.env.BLASON_DATA_DIR!, 'blason.db'), { fileMustExist: true });
    const body = JSON.stringify((await api(world, lea.access_token, 'GET', '/profile')).body!);
    try {
      lock.exec('BEGIN EXCLUSIVE');
      const res = await api(world, lea.access_token, 'PUT', '/profile', body, 'application/json');
      expect(await refusal(res)).toMatchObject({ status: 503, codeMinor: 'server_busy' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      if (lock.inTransaction) lock.exec('ROLLBACK');
      lock.close();
    }
    expect((await api(world, lea.access_token, 'PUT', '/profile', body, 'application/json')).status).toBe(200);
  }, 20_000);
});

describe('refresh and revocation', () => {
  let refreshed: oauth.TokenEndpointResponse;

  beforeAll(async () => {
    const response = await oauth.refreshTokenGrantRequest(world.as, client, oauth.ClientSecretBasic(secret), lea.refresh_token!, insecure);
    refreshed = await oauth.processRefreshTokenResponse(world.as, client, response);
  });

  test('a refresh gives a new access token that works, and a new refresh token', async () => {
    expect(refreshed.access_token).not.toBe(lea.access_token);
    expect(refreshed.refresh_token).not.toBe(lea.refresh_token);
    expect((await api(world, refreshed.access_token, 'GET', '/credentials')).status).toBe(200);
  });

  test('a revoked access token is refused with 401', async () => {
    const response = await oauth.revocationRequest(world.as, client, oauth.ClientSecretBasic(secret), refreshed.access_token, insecure);
    await oauth.processRevocationResponse(response);
    const res = await api(world, refreshed.access_token, 'GET', '/credentials');
    expect(res.status).toBe(401);
    expectValid('imsx_statusinfo', res.body);
  });

  test('a revoked refresh token cannot be used again', async () => {
    await oauth.processRevocationResponse(await oauth.revocationRequest(world.as, client, oauth.ClientSecretBasic(secret), refreshed.refresh_token!, insecure));
    const response = await oauth.refreshTokenGrantRequest(world.as, client, oauth.ClientSecretBasic(secret), refreshed.refresh_token!, insecure);
    expect(response.status).toBe(400);
    expect((await response.json() as { error: string }).error).toBe('invalid_grant');
  });
});

describe('an expired access token', () => {
  let short: World;
  let shortSmtp: SmtpCapture;

  beforeAll(async () => {
    shortSmtp = await startSmtpCapture();
    short = await startWorld(shortSmtp, undefined, { BLASON_OAUTH_ACCESS_TOKEN_TTL: '1' });
    const issuer = await setUpIssuer(apiClient(short.service.url, short.service.token), short.service.url);
    await issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: LEA } });
  }, 30_000);
  afterAll(async () => {
    await short?.service.stop();
    await shortSmtp?.close();
  });

  test('is refused with 401 invalid_token once its lifetime is over', async () => {
    const { client: c, secret: s } = await register(short);
    const tokens = await authorize(short, new CookieJar(), c, s, READ, LEA);
    expect(tokens.expires_in).toBe(1);
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await api(short, tokens.access_token, 'GET', '/credentials');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
  }, 20_000);
});

describe('in the holder\'s space', () => {
  const jar = new CookieJar();
  let tokens: oauth.TokenEndpointResponse;
  let page: string;

  beforeAll(async () => {
    const { client: c, secret: s } = await register(world, { ...registration, client_name: 'Passeport de badges' });
    tokens = await authorize(world, jar, c, s, `${READ} offline_access`, OMAR);
    page = await (await jar.fetch(`${world.service.url}/holder`)).text();
  });

  test('the holder sees the application they authorised, with what it may do', () => {
    const item = /<li data-app="[^"]+">[\s\S]*?<\/li>/.exec(page.slice(page.indexOf('Passeport de badges') - 200))![0];
    expect(item).toContain('Passeport de badges');
    expect(item).toContain('lire vos badges');
  });

  test('removing its access ends its tokens at once', async () => {
    const grant = new RegExp(`data-app="([^"]+)">\\s*<strong>(?:<a [^>]+>)?Passeport de badges`).exec(page)![1]!;
    const res = await jar.post(`${world.service.url}/holder/apps/${grant}/revoke`, { _csrf: hiddenField(page, '_csrf') });
    expect(res.status).toBe(303);
    expect((await api(world, tokens.access_token, 'GET', '/credentials')).status).toBe(401);
    const refresh = await oauth.refreshTokenGrantRequest(world.as, { client_id: 'x' }, oauth.None(), tokens.refresh_token!, insecure);
    expect(refresh.status).toBeGreaterThanOrEqual(400);
  });

  test('another holder cannot remove it (404)', async () => {
    const lea = await (await leaJar.fetch(`${world.service.url}/holder`)).text();
    const res = await leaJar.post(`${world.service.url}/holder/apps/${'a'.repeat(43)}/revoke`, { _csrf: hiddenField(lea, '_csrf') });
    expect(res.status).toBe(404);
  });
});

describe('the stored tokens', () => {
  test('are kept only as hashes', async () => {
    const rows = await world.service.running.app.db.selectFrom('oauth_records').select(['id_hash', 'payload']).execute();
    const stored = rows.map((r) => `${r.id_hash} ${r.payload}`).join('\n');
    expect(stored).not.toContain(lea.access_token);
    expect(stored).not.toContain(lea.refresh_token!);
  });
});
