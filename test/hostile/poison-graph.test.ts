/**
 * Poison graphs (security.md §4 test 6, rdf-canon test074c): blank nodes all linked to each other by the same
 * property cannot be told apart by first-degree hashing, and RDFC-1.0 then tries every permutation of them.
 * Two bounds, both counting work rather than time: a large clique is refused before JSON-LD expansion, as
 * "too complex", by its count of blank nodes (src/engine/verify/complexity.ts); a small one gets through to
 * canonicalization, whose work factor refuses it as "too complex" too (src/engine/proof/canonize.ts). Either
 * way the refusal names its reason, whether the signature is genuine, stale or missing, and whether the
 * credential arrives as JSON-LD, inside a VC-JWT or over HTTP, where the service keeps answering meanwhile
 * (verification runs on worker threads).
 */
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022Unlimited } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { signJwt } from '../../src/engine/proof/sign.js';
import { ed25519Signer, jwtSigner } from '../../src/engine/proof/signer.js';
import type { OpenBadgeCredential } from '../../src/engine/model/types.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { draft, signedCredential, testIssuer, type TestIssuer } from '../support/credentials.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { failedCodes } from '../support/verification.js';
import { answerOrder } from './support.js';

const NOW = new Date('2026-11-26T12:00:00Z');
/**
 * The largest clique that the blank-node count lets through to canonicalization: its nodes and references
 * are 22 × 22 = 484 objects without an IRI, with the credential's own few under the limit of 500.
 */
const LARGEST_ADMITTED = 22;

type Json = Record<string, unknown>;

/**
 * `n` blank-node Profiles, each the parentOrg of every other one: one property, no literal to tell them apart.
 * parentOrg is defined by the OB 3.0 context (so safe mode lets it through) and takes node references.
 */
function clique(n: number): Json[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `_:b${i}`,
    type: 'Profile',
    parentOrg: Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).map((j) => ({ id: `_:b${j}` })),
  }));
}

function poisoned<T extends { issuer: unknown }>(credential: T, n: number): T {
  return { ...credential, issuer: { ...(credential.issuer as Json), parentOrg: clique(n) } };
}

function verify(input: Parameters<typeof verifyCredential>[0], issuer: TestIssuer): Promise<VerificationReport> {
  return verifyCredential(input, { fetcher: issuer.fetcher, now: NOW });
}

/** Refused by canonicalization's work limit, once the clique has been expanded. */
function expectTooComplex(report: VerificationReport): void {
  expect(report.verdict).toBe('invalid');
  expect(failedCodes(report)).toContain('proof.tooComplex');
  const check = report.checks.find((c) => c.code === 'proof.tooComplex')!;
  expect(check.message).toMatch(/unbounded work/);
  expect(report.display.trusted).toBe(false);
}

/** Refused on reading, by its count of blank nodes: nothing was expanded, no other check ran. */
function expectRefusedUnread(report: VerificationReport): void {
  expect(report.verdict).toBe('invalid');
  const tooComplex = { id: 'parse', outcome: 'failed', code: 'input.tooComplex' };
  expect(report.checks).toEqual([expect.objectContaining(tooComplex)]);
  expect(report.checks[0]!.params).toMatchObject({ measure: 'blankNodes', limit: 500 });
  expect(report.checks[0]!.message).toMatch(/too complex to verify.*blank nodes.*Ask the person who sent it/);
  expect(report.display.trusted).toBe(false);
}

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await testIssuer();
});

describe('the engine (verifyCredential)', () => {
  test('a 20-node clique added to a signed credential is refused by canonicalization as too complex', async () => {
    expectTooComplex(await verify({ credential: poisoned(await signedCredential(issuer), 20) }, issuer));
  });

  test(`the largest clique the blank-node count admits (${LARGEST_ADMITTED} nodes) is refused so too`, async () => {
    const credential = poisoned(await signedCredential(issuer), LARGEST_ADMITTED);
    expectTooComplex(await verify({ credential }, issuer));
  });

  test('a clique one node larger is refused before expansion, by its count of blank nodes', async () => {
    const credential = poisoned(await signedCredential(issuer), LARGEST_ADMITTED + 1);
    expectRefusedUnread(await verify({ credential }, issuer));
  });

  test('a 100-node clique (150 KB of references) is refused before expansion, by its blank nodes', async () => {
    const text = JSON.stringify(poisoned(await signedCredential(issuer), 100));
    expect(text.length).toBeGreaterThan(100_000);
    expectRefusedUnread(await verify({ text }, issuer));
  });

  test('a clique the issuer really signed (with the limit lifted) is still refused as too complex', async () => {
    // Signing a 6-node clique without a limit takes a tenth of a second; 7 nodes take a second, 10 take hours.
    const unlimited = { ...eddsaRdfc2022Unlimited, canonize: (input: object, options: Record<string, unknown>) => eddsaRdfc2022Unlimited.canonize(input, { ...options, maxWorkFactor: Infinity }) };
    const suite = new DataIntegrityProof({ signer: ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey), cryptosuite: unlimited, date: '2026-01-15T09:00:00Z' });
    const signed = await vc.issue({ credential: structuredClone(poisoned(buildOpenBadgeCredential(draft(issuer)), 6)), suite, documentLoader: contextLoader });
    expectTooComplex(await verify({ credential: signed }, issuer));
  });

  test('an unsigned credential with a clique is refused as unsigned, without canonicalizing anything', async () => {
    const { proof: _proof, ...unsigned } = poisoned(await signedCredential(issuer), 20);
    const report = await verify({ credential: unsigned }, issuer);
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('proof.missing');
  });

  test('a VC-JWT whose payload holds a clique, with a genuine JWS, is refused as too complex', async () => {
    const credential = poisoned(buildOpenBadgeCredential(draft(issuer)), 20) as OpenBadgeCredential;
    const jwt = await signJwt(credential, jwtSigner(`${issuer.did}#jwt-1`, issuer.jwtAlg, issuer.jwtKey));
    expectTooComplex(await verify({ text: jwt }, issuer));
  });

  test('a VC-JWT whose payload holds a 100-node clique, with a genuine JWS, is refused before expansion', async () => {
    const credential = poisoned(buildOpenBadgeCredential(draft(issuer)), 100) as OpenBadgeCredential;
    const jwt = await signJwt(credential, jwtSigner(`${issuer.did}#jwt-1`, issuer.jwtAlg, issuer.jwtKey));
    expectRefusedUnread(await verify({ text: jwt }, issuer));
  });
});

describe('over HTTP (POST /api/v1/verify), verified on worker threads', () => {
  let service: InProcessService;
  let credential: Json & { issuer: unknown };
  const post = (body: unknown) => apiClient(service.url)
    .post<VerificationReport>('/api/v1/verify', JSON.stringify(body), { 'content-type': 'application/json' });

  beforeAll(async () => {
    service = await startInProcess();
    expect(service.running.app.verifier).toBeDefined();
    const { operator, achievementId } = await setUpIssuer(apiClient(service.url, service.token), service.url);
    const awarded = await operator.post<{ credential: Json & { issuer: unknown } }>('/api/v1/credentials', { achievementId, recipient: { email: 'ana@example.fr' } });
    expect(awarded.status).toBe(201);
    credential = awarded.body.credential;
    // The worker threads start with the first verification: start them now, so that what follows is not about that.
    expect((await post(credential)).body.verdict).toBe('valid');
  });
  afterAll(() => service.stop());

  test('one the service issued, with a 20-node clique added, is refused by canonicalization', async () => {
    const res = await post(poisoned(credential, 20));
    expect(res.status).toBe(200);
    expectTooComplex(res.body);
  });

  test('with a 100-node clique added, it is refused before expansion, by its count of blank nodes', async () => {
    const res = await post(poisoned(credential, 100));
    expect(res.status).toBe(200);
    expectRefusedUnread(res.body);
  });

  test('while cliques are being canonicalized, /health answers before any of them is refused', async () => {
    // Cliques of different sizes: each is a new shape, expanded and canonicalized from scratch.
    const sizes = [LARGEST_ADMITTED, LARGEST_ADMITTED - 1, LARGEST_ADMITTED - 2, LARGEST_ADMITTED - 3];
    const verifier = service.running.app.verifier!;
    const hostile = sizes.map((n) => async () => expectTooComplex((await post(poisoned(credential, n))).body));
    const { order, health } = await answerOrder(service.url, () => verifier.pending === sizes.length, hostile);
    expect(health).toBe(200);
    expect(order[0]).toBe('health');
  });
});
