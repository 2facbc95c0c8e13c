/**
 * Poison graphs (security.md §4 test 6, rdf-canon test074c): blank nodes all linked to each other by the same
 * property cannot be told apart by first-degree hashing, and RDFC-1.0 then tries every permutation of them.
 * Canonicalization is bounded (src/engine/proof/canonize.ts: a work factor and a deadline): a credential built
 * this way is refused as "too complex" within seconds, whether its signature is genuine, stale or missing, and
 * whether it arrives as JSON-LD, inside a VC-JWT or over HTTP.
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

const NOW = new Date('2026-11-26T12:00:00Z');
/**
 * How long a refusal may take. Without the bound, a 10-node clique alone runs for many minutes; with it, a
 * refusal takes about a second on a quiet machine (canonicalization's own deadline is 2 s). The margin is for
 * a CI machine running other test files on its two cores at the same time: this is a bound, not a benchmark.
 */
const TIME_LIMIT_MS = 8_000;

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

/** Verifies and checks the time bound. */
async function timedVerify(input: Parameters<typeof verifyCredential>[0], issuer: TestIssuer): Promise<VerificationReport> {
  const started = performance.now();
  const report = await verifyCredential(input, { fetcher: issuer.fetcher, now: NOW });
  expect(performance.now() - started).toBeLessThan(TIME_LIMIT_MS);
  return report;
}

function expectTooComplex(report: VerificationReport): void {
  expect(report.verdict).toBe('invalid');
  expect(failedCodes(report)).toContain('proof.tooComplex');
  const check = report.checks.find((c) => c.code === 'proof.tooComplex')!;
  expect(check.message).toMatch(/unbounded work/);
  expect(report.display.trusted).toBe(false);
}

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await testIssuer();
});

describe('the engine (verifyCredential)', () => {
  test('a 20-node clique added to a signed credential is refused as too complex, in time', async () => {
    expectTooComplex(await timedVerify({ credential: poisoned(await signedCredential(issuer), 20) }, issuer));
  });

  test('a 100-node clique (150 KB of references) is refused as too complex, in time', async () => {
    // A 200-node clique (600 KB, about the most the 1 MB cap lets in) takes about 1.2 s under plain Node; under
    // Jest's module sandbox the same work runs three to four times slower, so the suite uses 100.
    const text = JSON.stringify(poisoned(await signedCredential(issuer), 100));
    expect(text.length).toBeGreaterThan(100_000);
    expectTooComplex(await timedVerify({ text }, issuer));
  }, 20_000);

  test('a clique the issuer really signed (with the limit lifted) is still refused as too complex, in time', async () => {
    // Signing a 6-node clique without a limit takes a tenth of a second; 7 nodes take a second, 10 take hours.
    const unlimited = { ...eddsaRdfc2022Unlimited, canonize: (input: object, options: Record<string, unknown>) => eddsaRdfc2022Unlimited.canonize(input, { ...options, maxWorkFactor: Infinity }) };
    const suite = new DataIntegrityProof({ signer: ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey), cryptosuite: unlimited, date: '2026-01-15T09:00:00Z' });
    const signed = await vc.issue({ credential: structuredClone(poisoned(buildOpenBadgeCredential(draft(issuer)), 6)), suite, documentLoader: contextLoader });
    expectTooComplex(await timedVerify({ credential: signed }, issuer));
  });

  test('an unsigned credential with a clique is refused as unsigned, without canonicalizing anything', async () => {
    const { proof: _proof, ...unsigned } = poisoned(await signedCredential(issuer), 20);
    const report = await timedVerify({ credential: unsigned }, issuer);
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('proof.missing');
  });

  test('a VC-JWT whose payload holds a clique, with a genuine JWS, is refused as too complex, in time', async () => {
    const credential = poisoned(buildOpenBadgeCredential(draft(issuer)), 20) as OpenBadgeCredential;
    const jwt = await signJwt(credential, jwtSigner(`${issuer.did}#jwt-1`, issuer.jwtAlg, issuer.jwtKey));
    expectTooComplex(await timedVerify({ text: jwt }, issuer));
  });
});

describe('over HTTP (POST /api/v1/verify)', () => {
  let service: InProcessService;
  let credential: Json & { issuer: unknown };

  beforeAll(async () => {
    service = await startInProcess();
    const { operator, achievementId } = await setUpIssuer(apiClient(service.url, service.token), service.url);
    const awarded = await operator.post<{ credential: Json & { issuer: unknown } }>('/api/v1/credentials', { achievementId, recipient: { email: 'ana@example.fr' } });
    expect(awarded.status).toBe(201);
    credential = awarded.body.credential;
  });
  afterAll(() => service.stop());

  test.each([20, 100])('a credential the service issued, with a %i-node clique added, is refused as too complex in time, and the service stays up', async (n) => {
    const started = performance.now();
    const res = await apiClient(service.url).post<VerificationReport>('/api/v1/verify', JSON.stringify(poisoned(credential, n)), { 'content-type': 'application/json' });
    expect(performance.now() - started).toBeLessThan(TIME_LIMIT_MS);
    expect(res.status).toBe(200);
    expectTooComplex(res.body);
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  }, 20_000);
});
