/**
 * Importing an endorsement issued elsewhere over HTTP (issue 13 §1): POST, GET and DELETE on
 * /api/v1/achievements/{id}/endorsements, the problem+json refusals (422 with the reason, 409, 404, 413), the
 * public address of an imported endorsement, and the badge definition's document that embeds it.
 */
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { startForeignIssuer, type ForeignIssuer } from '../support/foreign-issuer.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';

interface Imported {
  id: string;
  url: string;
  format: string;
  endorser: { id: string; name: string };
  comment: string | null;
  verifyPageUrl: string;
}

let service: InProcessService;
let foreign: ForeignIssuer;
let operator: Api;
let achievementId: string;
let otherAchievementId: string;
let other: Api;

beforeAll(async () => {
  foreign = await startForeignIssuer({ name: 'France Travail Hauts-de-France' });
  const port = await freePort();
  const hosts = [`127.0.0.1:${port}`, foreign.hosts].join(',');
  service = await startInProcess({ port, extra: { BLASON_FETCH_ALLOW_HOSTS: hosts, BLASON_FETCH_INSECURE_HTTP_HOSTS: hosts } });
  const admin = apiClient(service.url, service.token);
  const issuer = await setUpIssuer(admin, service.url);
  operator = issuer.operator;
  achievementId = issuer.achievementId;
  const second = await setUpIssuer(admin, service.url, 'Autre opérateur');
  other = second.operator;
  otherAchievementId = second.achievementId;
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await foreign?.close();
});

const achievementIri = () => `${service.url}/achievements/${achievementId}`;
const path = () => `/api/v1/achievements/${achievementId}/endorsements`;

describe('POST /api/v1/achievements/{id}/endorsements', () => {
  let jsonImport: Imported;

  test('attaches a valid JSON endorsement: 201, its address in Location', async () => {
    const signed = await foreign.signEndorsement({ subjectId: achievementIri(), comment: 'Reconnu par nos conseillers.' });
    const res = await operator.post<Imported>(path(), { endorsement: signed });
    expect(res.status).toBe(201);
    jsonImport = res.body;
    expect(res.headers.get('location')).toBe(res.body.url);
    expect(res.body).toMatchObject({ format: 'json', endorser: { id: foreign.did, name: 'France Travail Hauts-de-France' } });
  });

  test('attaches a valid VC-JWT endorsement given as a string', async () => {
    const jwt = await foreign.signEndorsementJwt({ subjectId: achievementIri(), comment: 'Sérieux.' });
    const res = await operator.post<Imported>(path(), { endorsement: jwt });
    expect([res.status, res.body.format]).toEqual([201, 'jwt']);
    const served = await apiClient(service.url).get<string>(new URL(res.body.url).pathname);
    expect([served.type.split(';')[0], served.body]).toEqual(['application/vc+jwt', jwt]);
    const page = await fetch(`${service.url}${res.body.verifyPageUrl}`, { headers: { 'accept-language': 'fr' } });
    expect(await page.text()).toMatch(/data-verdict="valid"/);
  });

  test('the public address serves the endorsement as signed, for anyone', async () => {
    const res = await apiClient(service.url).get<Record<string, unknown>>(new URL(jsonImport.url).pathname);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/vc\+ld\+json/);
    expect((res.body as { issuer: { id: string } }).issuer.id).toBe(foreign.did);
  });

  test("the verify page linked from the list finds it authentic", async () => {
    const res = await fetch(`${service.url}${jsonImport.verifyPageUrl}`, { headers: { 'accept-language': 'fr' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/data-verdict="valid"/);
  });

  test('the badge definition document embeds both, JSON in endorsement and JWT in endorsementJwt', async () => {
    const res = await apiClient(service.url).get<{ endorsement?: unknown[]; endorsementJwt?: string[] }>(
      `/achievements/${achievementId}`,
      { accept: 'application/ld+json' },
    );
    expect(res.body.endorsement).toHaveLength(1);
    expect(res.body.endorsementJwt).toHaveLength(1);
  });

  test('GET lists the imported endorsements of the badge', async () => {
    const res = await operator.get<{ endorsements: Imported[] }>(path());
    expect(res.status).toBe(200);
    expect(res.body.endorsements.map((e) => e.format)).toEqual(['json', 'jwt']);
  });

  test('the same endorsement again is a 409 conflict', async () => {
    const stored = await apiClient(service.url).get<Record<string, unknown>>(new URL(jsonImport.url).pathname);
    const res = await operator.post(path(), { endorsement: stored.body });
    expect(res.status).toBe(409);
    expect(res.type).toMatch(/^application\/problem\+json/);
  });

  test('one about another badge is a 422 whose message says so', async () => {
    const signed = await foreign.signEndorsement({ subjectId: `${service.url}/achievements/${otherAchievementId}` });
    const res = await operator.post<{ detail: string; reasons: string[] }>(path(), { endorsement: signed });
    expect(res.status).toBe(422);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body.reasons).toEqual(['other-subject']);
    expect(res.body.detail).toMatch(/about something else than this badge/);
  });

  test('a tampered one is a 422 that says it does not verify', async () => {
    const signed = await foreign.signEndorsement({ subjectId: achievementIri(), comment: 'Bien.' });
    signed.credentialSubject.endorsementComment = 'Parfait.';
    const res = await operator.post<{ detail: string }>(path(), { endorsement: signed });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/does not verify/);
  });

  test('a body without the endorsement is refused by the schema (422)', async () => {
    const res = await operator.post(path(), { credential: 'x' });
    expect(res.status).toBe(422);
  });

  test('a body larger than the limit is refused with 413 before it is read', async () => {
    const res = await operator.post(path(), { endorsement: 'x'.repeat(100_000) });
    expect(res.status).toBe(413);
    expect(res.type).toMatch(/^application\/problem\+json/);
  });

  test("another organisation's badge is not found (404), for import and list", async () => {
    const signed = await foreign.signEndorsement({ subjectId: achievementIri() });
    expect((await other.post(path(), { endorsement: signed })).status).toBe(404);
    expect((await other.get(path())).status).toBe(404);
  });

  test('without a token: 401', async () => {
    expect((await apiClient(service.url).post(path(), { endorsement: 'x' })).status).toBe(401);
  });
});

describe('DELETE /api/v1/achievements/{id}/endorsements/{importId}', () => {
  test('removes it: 204, no longer listed, embedded nor served', async () => {
    const list = await operator.get<{ endorsements: Imported[] }>(path());
    const first = list.body.endorsements[0]!;
    const res = await operator.call('DELETE', `${path()}/${first.id}`);
    expect(res.status).toBe(204);
    const after = await operator.get<{ endorsements: Imported[] }>(path());
    expect(after.body.endorsements.map((e) => e.id)).not.toContain(first.id);
    expect((await apiClient(service.url).get(new URL(first.url).pathname)).status).toBe(404);
  });

  test('another organisation cannot remove it (404)', async () => {
    const list = await operator.get<{ endorsements: Imported[] }>(path());
    const res = await other.call('DELETE', `${path()}/${list.body.endorsements[0]!.id}`);
    expect(res.status).toBe(404);
  });
});
