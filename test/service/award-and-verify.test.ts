/**
 * End to end over a real server on an ephemeral port (SQLite): create an issuer and a badge, award one and a
 * 200-row CSV, fetch every form, verify through /api/v1/verify and with the engine alone, revoke, suspend and
 * reinstate, rotate keys.
 */
import { unbakePng } from '../../src/engine/bake/png.js';
import { unbakeSvg } from '../../src/engine/bake/svg.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { achievementCredentialValidator } from '../../src/engine/verify/schema.js';
import { apiClient, csvOf, setUpIssuer, type Api } from '../support/api.js';
import { loopbackFetcher, startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let admin: Api;
let issuer: Awaited<ReturnType<typeof setUpIssuer>>;
let awarded: { id: string; url: string; credential: Record<string, unknown>; jwt: string };

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  issuer = await setUpIssuer(admin, service.url);
  const res = await issuer.operator.post<typeof awarded>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'Ana.Martin@Example.fr', name: 'Ana Martin' } });
  expect(res.status).toBe(201);
  awarded = res.body;
});
afterAll(() => service.stop());

const verifyOverHttp = async (body: string | Uint8Array, type: string) => (await apiClient(service.url).post<{ verdict: string; checks: { code: string }[] }>('/api/v1/verify', body, { 'content-type': type })).body;
const verifyAlone = (input: Parameters<typeof verifyCredential>[0]) => verifyCredential(input, { fetcher: loopbackFetcher(service.env) });

describe('awarding one badge', () => {
  test('answers 201 with the id, the public URL, the signed credential and the JWT', () => {
    expect(awarded.url).toBe(`${service.url}/credentials/${awarded.id}`);
    expect(awarded.credential.id).toBe(awarded.url);
    expect(awarded.jwt.split('.')).toHaveLength(3);
  });

  test('issues a credential that conforms to the official schema, from the issuer\'s did:web', () => {
    expect(achievementCredentialValidator()(awarded.credential)).toBe(true);
    expect((awarded.credential.issuer as { id: string }).id).toBe(issuer.did);
    expect(issuer.did).toMatch(/^did:web:127\.0\.0\.1%3A\d+:issuers:bge-hauts-de-france$/);
  });

  test('puts only a salted hash of the email in the credential, and no name unless the holder agreed', () => {
    const text = JSON.stringify(awarded.credential);
    expect(text).not.toMatch(/ana\.martin@example\.fr/i);
    expect(text).not.toContain('Ana Martin');
    expect(text).toMatch(/"identityHash":"sha256\$[0-9a-f]{64}"/);
  });

  test('refuses to award the same badge to the same person twice (409, with the existing credential)', async () => {
    const again = await issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'ana.martin@example.fr' } });
    expect(again.status).toBe(409);
    expect(again.type).toContain('application/problem+json');
    expect(again.body.credentialId).toBe(awarded.id);
  });
});

describe('every form of the credential', () => {
  test('the JSON-LD verifies through /api/v1/verify and with the engine alone', async () => {
    const res = await fetch(awarded.url, { headers: { accept: 'application/ld+json' } });
    expect(res.headers.get('content-type')).toContain('application/ld+json');
    const json = await res.text();
    expect((await verifyOverHttp(json, 'application/json')).verdict).toBe('valid');
    const alone = await verifyAlone({ text: json });
    expect(alone.checks.filter((c) => c.outcome === 'failed' || c.outcome === 'warning')).toEqual([]);
    expect(alone.verdict).toBe('valid');
  });

  test('the JWT verifies, served as application/vc+jwt', async () => {
    const res = await fetch(awarded.url, { headers: { accept: 'application/vc+jwt' } });
    expect(res.headers.get('content-type')).toContain('application/vc+jwt');
    const jwt = await res.text();
    expect(jwt).toBe(awarded.jwt);
    expect((await verifyOverHttp(jwt, 'application/jwt')).verdict).toBe('valid');
    expect((await verifyAlone({ text: jwt })).verdict).toBe('valid');
  });

  test('the baked PNG carries the credential and verifies', async () => {
    const png = new Uint8Array(await (await fetch(`${awarded.url}/badge.png`)).arrayBuffer());
    expect(JSON.parse(unbakePng(png)!.text).id).toBe(awarded.url);
    expect((await verifyOverHttp(png, 'image/png')).verdict).toBe('valid');
    expect((await verifyAlone({ bytes: png })).verdict).toBe('valid');
  });

  test('the baked SVG carries the credential, verifies, and is served without the right to run scripts', async () => {
    const res = await fetch(`${awarded.url}/badge.svg`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const svg = await res.text();
    expect(JSON.parse(unbakeSvg(svg)!.text).id).toBe(awarded.url);
    expect((await verifyOverHttp(svg, 'image/svg+xml')).verdict).toBe('valid');
  });

  test('a browser gets the HTML page, with a link to the JSON-LD', async () => {
    const res = await fetch(awarded.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('link')).toContain('rel="alternate"; type="application/vc+ld+json"');
  });

  test('an unknown credential id is a 404 problem', async () => {
    const res = await fetch(`${service.url}/credentials/00000000-0000-4000-8000-000000000000`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('a 200-row spreadsheet', () => {
  const csv = csvOf(200);

  test('a dry run says all 200 would be issued and signs nothing', async () => {
    const dry = await issuer.operator.post<{ summary: Record<string, number> }>(`/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=true`, csv, { 'content-type': 'text/csv' });
    expect(dry.status).toBe(200);
    expect(dry.body.summary).toMatchObject({ rows: 200, 'would-issue': 200, issued: 0 });
    const list = await issuer.operator.get<{ credentials: unknown[] }>(`/api/v1/credentials?achievementId=${issuer.achievementId}&limit=500`);
    expect(list.body.credentials).toHaveLength(1);
  });

  test('committing issues 200 credentials that all verify, and committing again issues none', async () => {
    const first = await issuer.operator.post<{ summary: Record<string, number>; rows: { url: string }[] }>(`/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csv, { 'content-type': 'text/csv' });
    expect(first.body.summary).toMatchObject({ rows: 200, issued: 200 });
    const second = await issuer.operator.post<{ summary: Record<string, number> }>(`/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csv, { 'content-type': 'text/csv' });
    expect(second.body.summary).toMatchObject({ rows: 200, issued: 0, 'already-issued': 200 });
    const fetcher = loopbackFetcher(service.env);
    const verdicts = new Set<string>();
    for (const row of first.body.rows) {
      const json = await (await fetch(row.url, { headers: { accept: 'application/json' } })).text();
      verdicts.add((await verifyCredential({ text: json }, { fetcher })).verdict);
    }
    expect([...verdicts]).toEqual(['valid']);
  });

  test('gives each credential its own random status index in one shared list', async () => {
    const rows = await service.running.app.db.selectFrom('credentials').select(['status_list_id', 'status_index']).where('achievement_id', '=', issuer.achievementId).execute();
    expect(new Set(rows.map((r) => r.status_list_id)).size).toBe(1);
    expect(new Set(rows.map((r) => r.status_index)).size).toBe(rows.length);
    const sorted = rows.map((r) => r.status_index).sort((a, b) => a - b);
    expect(sorted.at(-1)! - sorted[0]!).toBeGreaterThan(100_000 * 0.8); // spread over the 131,072 entries, not sequential
  });
});

describe('status', () => {
  test('revoking is seen by the next verification at once, over HTTP and by the engine alone', async () => {
    const res = await issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'to-revoke@example.fr' } });
    const credential = JSON.stringify(res.body.credential);
    expect((await verifyOverHttp(credential, 'application/json')).verdict).toBe('valid');
    expect((await issuer.operator.post(`/api/v1/credentials/${String(res.body.id)}/revoke`, { reason: 'attribué par erreur' })).status).toBe(200);
    expect((await verifyOverHttp(credential, 'application/json')).verdict).toBe('revoked');
    expect((await verifyAlone({ text: credential })).verdict).toBe('revoked');
  });

  test('suspending then reinstating is seen at once by Blason\'s verifier', async () => {
    const res = await issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'to-suspend@example.fr' } });
    const credential = JSON.stringify(res.body.credential);
    await issuer.operator.post(`/api/v1/credentials/${String(res.body.id)}/suspend`, { reason: 'vérification en cours' });
    expect((await verifyOverHttp(credential, 'application/json')).verdict).toBe('suspended');
    await issuer.operator.post(`/api/v1/credentials/${String(res.body.id)}/unsuspend`, {});
    expect((await verifyOverHttp(credential, 'application/json')).verdict).toBe('valid');
  });

  test('the status list is a signed BitstringStatusListCredential of 131,072 entries, served with caching headers', async () => {
    const url = (awarded.credential.credentialStatus as { statusListCredential: string }).statusListCredential;
    const res = await fetch(url);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(res.headers.get('etag')).toBeTruthy();
    const list = await res.json() as { type: string[]; proof: unknown[]; credentialSubject: { encodedList: string } };
    expect(list.type).toContain('BitstringStatusListCredential');
    expect(list.proof).toHaveLength(1);
    const again = await fetch(url, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});

describe('key rotation', () => {
  test('old credentials keep verifying, new ones are signed with the new key, and the old key stays published', async () => {
    const before = await issuer.operator.post<{ credential: { proof: { verificationMethod: string }[] } }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'before-rotation@example.fr' } });
    const rotated = await issuer.operator.post<{ keys: { id: string; status: string }[] }>(`/api/v1/issuers/${issuer.issuerId}/keys/rotate`, { reason: 'rotation annuelle' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.keys.filter((k) => k.status === 'retired')).toHaveLength(2);
    const after = await issuer.operator.post<{ credential: { proof: { verificationMethod: string }[] } }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'after-rotation@example.fr' } });
    expect(after.body.credential.proof[0]!.verificationMethod).not.toBe(before.body.credential.proof[0]!.verificationMethod);
    for (const awardedNow of [before.body, after.body, awarded]) {
      expect((await verifyAlone({ credential: awardedNow.credential as object })).verdict).toBe('valid');
    }
    expect((await verifyAlone({ text: awarded.jwt })).verdict).toBe('valid');
    const didDocument = await (await fetch(`${service.url}/issuers/bge-hauts-de-france/did.json`)).json() as { verificationMethod: unknown[]; assertionMethod: unknown[] };
    expect(didDocument.verificationMethod).toHaveLength(4);
    expect(didDocument.assertionMethod).toHaveLength(4);
  });
});

describe('published keys', () => {
  const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
  test('no key in the JWKS or in any DID document has a private member', async () => {
    const jwks = await (await fetch(`${service.url}/.well-known/jwks.json`)).json() as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    const issuers = await admin.get<{ issuers: { slug: string }[] }>('/api/v1/issuers');
    const keys: Record<string, unknown>[] = [...jwks.keys];
    for (const { slug } of issuers.body.issuers) {
      const doc = await (await fetch(`${service.url}/issuers/${slug}/did.json`)).json() as { verificationMethod: { publicKeyJwk?: Record<string, unknown> }[] };
      for (const method of doc.verificationMethod) if (method.publicKeyJwk) keys.push(method.publicKeyJwk);
    }
    for (const key of keys) for (const member of PRIVATE) expect(key).not.toHaveProperty(member);
    const { header } = { header: JSON.parse(Buffer.from(awarded.jwt.split('.')[0]!, 'base64url').toString()) as Record<string, unknown> };
    expect(header).not.toHaveProperty('jwk');
  });

  test('every JWKS entry names its issuer, its algorithm and its use', async () => {
    const jwks = await (await fetch(`${service.url}/.well-known/jwks.json`)).json() as { keys: Record<string, unknown>[] };
    for (const key of jwks.keys) expect(key).toMatchObject({ use: 'sig', kid: expect.stringMatching(/^did:web:.*#/), iss: expect.stringMatching(/^did:web:/) });
  });
});
