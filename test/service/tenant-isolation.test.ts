/**
 * Every object route, called by operator A on operator B's objects, answers 404: A cannot read, change, award,
 * revoke, erase or list anything of B's, not even by naming B's ids. Role checks deny by default (403).
 */
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let admin: Api;
let a: Awaited<ReturnType<typeof setUpIssuer>>;
let b: Awaited<ReturnType<typeof setUpIssuer>>;
let bCredentialId: string;

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  a = await setUpIssuer(admin, service.url, 'Opérateur A');
  b = await setUpIssuer(admin, service.url, 'Opérateur B');
  bCredentialId = String((await b.operator.post('/api/v1/credentials', { achievementId: b.achievementId, recipient: { email: 'holder-b@example.fr' } })).body.id);
});
afterAll(() => service.stop());

describe("operator A on operator B's objects gets 404", () => {
  // Every row has four cells: a test function with more parameters than cells would be taken for a `done` callback.
  const routes: [string, string, () => string, unknown][] = [
    ['GET', 'issuer', () => `/api/v1/issuers/${b.issuerId}`, null],
    ['PATCH', 'issuer', () => `/api/v1/issuers/${b.issuerId}`, { name: 'pris' }],
    ['POST', 'key rotation', () => `/api/v1/issuers/${b.issuerId}/keys/rotate`, {}],
    ['POST', 'user creation', () => `/api/v1/issuers/${b.issuerId}/users`, { email: 'intrus@example.org', role: 'issuer' }],
    ['GET', 'user list', () => `/api/v1/issuers/${b.issuerId}/users`, null],
    ['GET', 'achievement', () => `/api/v1/achievements/${b.achievementId}`, null],
    ['PATCH', 'achievement', () => `/api/v1/achievements/${b.achievementId}`, { archived: true }],
    ['GET', 'achievement list by issuer', () => `/api/v1/achievements?issuerId=${b.issuerId}`, null],
    ['POST', 'achievement creation under B', () => '/api/v1/achievements', { issuerId: '{B}', catalogueKey: 'j-ose-entreprendre' }],
    ['POST', 'award of B\'s badge', () => '/api/v1/credentials', { achievementId: '{BA}', recipient: { email: 'x@example.fr' } }],
    ['POST', 'bulk award of B\'s badge', () => `/api/v1/credentials/bulk?achievementId=${b.achievementId}&dryRun=false`, 'email\nx@example.fr'],
    ['GET', 'credential', () => `/api/v1/credentials/${bCredentialId}`, null],
    ['POST', 'revocation', () => `/api/v1/credentials/${bCredentialId}/revoke`, {}],
    ['POST', 'suspension', () => `/api/v1/credentials/${bCredentialId}/suspend`, {}],
    ['POST', 'reinstatement', () => `/api/v1/credentials/${bCredentialId}/unsuspend`, {}],
    ['POST', 'erasure', () => `/api/v1/credentials/${bCredentialId}/erase`, {}],
    ['GET', 'audit log of B', () => `/api/v1/audit?issuerId=${b.issuerId}`, null],
  ];
  test.each(routes)('%s %s', async (method, _what, path, body) => {
    const payload = typeof body === 'object' && body !== null
      ? JSON.parse(JSON.stringify(body).replace('{BA}', b.achievementId).replace('{B}', b.issuerId))
      : body;
    const headers = typeof payload === 'string' ? { 'content-type': 'text/csv' } : undefined;
    const res = await a.operator.call(method, path(), payload, headers);
    expect(res.status).toBe(404);
    expect(res.type).toContain('application/problem+json');
  });

  test("B's credential is untouched after all those attempts", async () => {
    const res = await b.operator.get<{ state: string; recipient: { email: string } }>(`/api/v1/credentials/${bCredentialId}`);
    expect(res.body.state).toBe('active');
    expect(res.body.recipient.email).toBe('holder-b@example.fr');
  });
});

describe("lists show only the caller's own objects", () => {
  test('issuers', async () => {
    const res = await a.operator.get<{ issuers: { id: string }[] }>('/api/v1/issuers');
    expect(res.body.issuers.map((i) => i.id)).toEqual([a.issuerId]);
  });
  test('achievements', async () => {
    const res = await a.operator.get<{ achievements: { issuerId: string }[] }>('/api/v1/achievements');
    expect(new Set(res.body.achievements.map((x) => x.issuerId))).toEqual(new Set([a.issuerId]));
  });
  test('credentials, even when searching for B\'s holder by email', async () => {
    const res = await a.operator.get<{ credentials: unknown[] }>('/api/v1/credentials?email=holder-b@example.fr');
    expect(res.body.credentials).toEqual([]);
  });
  test('audit log', async () => {
    const res = await a.operator.get<{ entries: { issuerId: string }[] }>('/api/v1/audit');
    expect(res.body.entries.length).toBeGreaterThan(0);
    expect(new Set(res.body.entries.map((e) => e.issuerId))).toEqual(new Set([a.issuerId]));
  });
});

describe('roles', () => {
  test('an operator cannot create an issuer (403)', async () => {
    expect((await a.operator.post('/api/v1/issuers', { name: 'Nouveau' })).status).toBe(403);
  });

  test('a viewer can read but not award (403)', async () => {
    const user = await a.operator.post<{ token: string }>(`/api/v1/issuers/${a.issuerId}/users`, { email: 'viewer-a@example.org', role: 'viewer' });
    const viewer = apiClient(service.url, user.body.token);
    expect((await viewer.get(`/api/v1/achievements/${a.achievementId}`)).status).toBe(200);
    expect((await viewer.post('/api/v1/credentials', { achievementId: a.achievementId, recipient: { email: 'x@example.fr' } })).status).toBe(403);
  });

  test('no token, a malformed token or an unknown token is 401', async () => {
    for (const token of [undefined, 'not-a-token', 'blsn_unknown']) {
      const res = await apiClient(service.url, token).get('/api/v1/issuers');
      expect(res.status).toBe(401);
      expect(res.type).toContain('application/problem+json');
    }
  });

  test('an operator cannot give a user the platform administrator role', async () => {
    const res = await a.operator.post(`/api/v1/issuers/${a.issuerId}/users`, { email: 'boss@example.org', role: 'platform_admin' });
    expect(res.status).toBe(422);
  });

  test('the platform administrator sees every issuer', async () => {
    const res = await admin.get<{ issuers: { id: string }[] }>('/api/v1/issuers');
    expect(res.body.issuers.map((i) => i.id)).toEqual(expect.arrayContaining([a.issuerId, b.issuerId]));
  });
});

describe('mass assignment', () => {
  test('an award cannot set the issuer, the status or a proof', async () => {
    const res = await a.operator.post('/api/v1/credentials', {
      achievementId: a.achievementId, recipient: { email: 'y@example.fr' }, issuer: { id: b.did }, credentialStatus: {}, proof: {},
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('issuer');
  });
});
