/**
 * Issue 13 §1, "Done when", over a real server: a partner organisation (one that awards nothing) endorses an
 * operator's badge definition through the API; the endorsement verifies independently and against the official
 * schema; a badge awarded afterwards embeds it and still verifies independently; withdrawing the endorsement is
 * seen by POST /api/v1/verify.
 */
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { expectValid } from '../support/ob3-schemas.js';
import { startInProcess, type InProcessService } from '../support/service.js';

type Signed = Record<string, unknown> & { id: string; credentialSubject: { id: string } };

let service: InProcessService;
let admin: Api;
let operator: Awaited<ReturnType<typeof setUpIssuer>>;
let partner: { id: string; slug: string; did: string; api: Api };
let endorsement: { id: string; url: string; credential: Signed; jwt: string };
let ofIssuer: { id: string; url: string; credential: Signed; jwt: string };

const didDocument = async (slug: string) =>
  (await apiClient(service.url).get<Record<string, unknown>>(`/issuers/${slug}/did.json`)).body;
const verifyOverHttp = async (credential: unknown) =>
  (
    await apiClient(service.url).post<{ verdict: string; checks: { code: string; outcome: string }[] }>(
      '/api/v1/verify',
      JSON.stringify(credential),
      { 'content-type': 'application/json' },
    )
  ).body;

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  operator = await setUpIssuer(admin, service.url);
  const created = await admin.post<{ id: string; slug: string; did: string; kind: string }>('/api/v1/issuers', {
    name: 'France Travail Hauts-de-France',
    kind: 'partner',
  });
  expect(created.status).toBe(201);
  expect(created.body.kind).toBe('partner');
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${created.body.id}/users`, {
    email: 'partenariats@example.org',
    role: 'operator_admin',
  });
  partner = { ...created.body, api: apiClient(service.url, user.body.token) };
  const res = await partner.api.post<typeof endorsement>('/api/v1/endorsements', {
    subject: { type: 'achievement', id: operator.achievementId },
    comment: 'Nos conseillers reconnaissent ce badge pour l’accompagnement à la création.',
  });
  expect(res.status).toBe(201);
  endorsement = res.body;
  const issuerRes = await partner.api.post<typeof ofIssuer>('/api/v1/endorsements', {
    subject: { type: 'issuer', id: operator.issuerId },
    comment: 'Un opérateur avec qui nous travaillons depuis dix ans.',
  });
  expect(issuerRes.status).toBe(201);
  ofIssuer = issuerRes.body;
}, 30_000);
afterAll(() => service.stop());

describe('a partner endorses a badge definition through the API', () => {
  test('answers 201 with the id, its address, the signed credential and the JWT', () => {
    expect(endorsement.url).toBe(`${service.url}/endorsements/${endorsement.id}`);
    expect(endorsement.credential.id).toBe(endorsement.url);
    expect(endorsement.credential.credentialSubject.id).toBe(`${service.url}/achievements/${operator.achievementId}`);
    expect(endorsement.jwt.split('.')).toHaveLength(3);
  });

  test('the endorsement conforms to the official schema and verifies with @digitalbazaar/vc', async () => {
    expectValid('endorsementcredential', endorsement.credential);
    const result = await verifyIndependently(endorsement.credential, [await didDocument(partner.slug)]);
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
  });

  test('its address serves JSON-LD, the JWT and a page in French', async () => {
    const anyone = apiClient(service.url);
    const json = await anyone.get<Signed>(`/endorsements/${endorsement.id}`, { accept: 'application/vc+ld+json' });
    expect(json.body.id).toBe(endorsement.url);
    const jwt = await anyone.get<string>(`/endorsements/${endorsement.id}`, { accept: 'application/vc+jwt' });
    expect(jwt.body).toBe(endorsement.jwt);
    const page = await anyone.get<string>(`/endorsements/${endorsement.id}`, {
      accept: 'text/html',
      'accept-language': 'fr',
    });
    expect(page.body).toContain('France Travail Hauts-de-France');
    expect(page.body).toContain('Recommandation authentique');
  });

  test('the badge definition lists it, and its public document carries it', async () => {
    const list = await partner.api.get<{ endorsements: { id: string }[] }>(
      `/api/v1/endorsements?subjectId=${operator.achievementId}`,
    );
    expect(list.body.endorsements.map((e) => e.id)).toEqual([endorsement.id]);
    const document = await apiClient(service.url).get<{ endorsement?: Signed[] }>(
      `/achievements/${operator.achievementId}`,
    );
    expect(document.body.endorsement?.map((e) => e.id)).toEqual([endorsement.url]);
  });

  test('a malformed request is a problem+json 4xx, never a 500', async () => {
    const res = await partner.api.post('/api/v1/endorsements', { subject: { type: 'person', id: 'x' }, comment: 'x' });
    expect(res.status).toBe(422);
    expect(res.type).toContain('application/problem+json');
  });
});

describe("the operator's public Profile", () => {
  test('carries its endorsement and still conforms to the official Profile schema', async () => {
    const slug = operator.did.split(':').at(-1)!;
    const profile = await apiClient(service.url).get<{ endorsement?: Signed[] }>(`/issuers/${slug}`, {
      accept: 'application/ld+json',
    });
    expect(profile.body.endorsement?.map((e) => e.id)).toEqual([ofIssuer.url]);
    expectValid('profile', profile.body);
  });
});

describe('a badge awarded afterwards', () => {
  let credential: Signed & { credentialSubject: { achievement: { endorsement?: Signed[] } } };

  beforeAll(async () => {
    const res = await operator.operator.post<{ credential: typeof credential }>('/api/v1/credentials', {
      achievementId: operator.achievementId,
      recipient: { email: 'lea.martin@example.fr' },
    });
    expect(res.status).toBe(201);
    credential = res.body.credential;
  });

  test('embeds the endorsements in achievement.endorsement and issuer.endorsement', () => {
    expect(credential.credentialSubject.achievement.endorsement).toEqual([endorsement.credential]);
    expect((credential.issuer as { endorsement?: unknown[] }).endorsement).toEqual([ofIssuer.credential]);
  });

  test('conforms to the official schema and verifies with @digitalbazaar/vc', async () => {
    expectValid('achievementcredential', credential);
    const result = await verifyIndependently(credential, [await didDocument(operator.did.split(':').at(-1)!)]);
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
  });

  test("Blason's verifier finds it valid, with its endorsement verified", async () => {
    const report = await verifyOverHttp(credential);
    expect(report.verdict).toBe('valid');
    expect(report.checks.map((c) => c.code)).toContain('endorsements.ok');
  });

  test('once the partner withdraws the endorsement, verifying it says revoked', async () => {
    expect((await verifyOverHttp(endorsement.credential)).verdict).toBe('valid');
    const revoked = await partner.api.post<{ revoked: boolean }>(`/api/v1/endorsements/${endorsement.id}/revoke`, {
      reason: 'Fin du partenariat',
    });
    expect([revoked.status, revoked.body.revoked]).toEqual([200, true]);
    expect((await verifyOverHttp(endorsement.credential)).verdict).toBe('revoked');
    const report = await verifyOverHttp(credential);
    expect(report.checks.map((c) => c.code)).toContain('endorsements.someInvalid');
    const document = await apiClient(service.url).get<{ endorsement?: unknown[] }>(
      `/achievements/${operator.achievementId}`,
    );
    expect(document.body.endorsement).toBeUndefined();
  });
});
