/**
 * The signing worker pool gives exactly what signing in this thread gives (Ed25519 signatures are
 * deterministic), in input order, even though the workers send back only the proofs and the JWTs.
 */
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { signDataIntegrity, signJwt } from '../../src/engine/proof/sign.js';
import { ed25519Signer, jwtSigner } from '../../src/engine/proof/signer.js';
import { SigningPool } from '../../src/engine/proof/signing-pool.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, testIssuer, type TestIssuer } from '../support/credentials.js';

let pool: SigningPool;
let issuer: TestIssuer;
const created = new Date('2026-11-26T10:00:00Z');

beforeAll(async () => {
  pool = new SigningPool(2);
  issuer = await testIssuer();
});
afterAll(() => pool.close());

const drafts = () => Array.from({ length: 6 }, (_, i) => buildOpenBadgeCredential(draft(issuer, { id: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`, recipient: { email: `p${i}@example.fr`, salt: `s${i}` } })));
const keys = () => ({
  dataIntegrity: { verificationMethod: `${issuer.did}#ed-1`, privateKey: issuer.edKey },
  jwt: { kid: `${issuer.did}#jwt-1`, alg: issuer.jwtAlg, privateKey: issuer.jwtKey },
});

test('gives byte for byte the credentials signing in this thread gives, in input order', async () => {
  const fromPool = await pool.sign(drafts() as unknown as Record<string, unknown>[], keys(), created);
  const here = await Promise.all(drafts().map((d) => signDataIntegrity(d, ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey), created)));
  expect(fromPool.map((p) => JSON.stringify(p.credential))).toEqual(here.map((c) => JSON.stringify(c)));
});

test('gives JWTs over those very credentials, which verify', async () => {
  const [first] = await pool.sign(drafts().slice(0, 1) as unknown as Record<string, unknown>[], keys(), created);
  const report = await verifyCredential({ text: first!.jwt! }, { fetcher: issuer.fetcher, now: new Date('2026-12-01T00:00:00Z') });
  expect(report.verdict).toBe('valid');
  const payload = JSON.parse(Buffer.from(first!.jwt!.split('.')[1]!, 'base64url').toString('utf8')) as { proof: unknown };
  expect(payload.proof).toEqual(first!.credential.proof);
});

test('a JWT signed here over the pool\'s credential is the same as the pool\'s', async () => {
  const [first] = await pool.sign(drafts().slice(0, 1) as unknown as Record<string, unknown>[], keys(), created);
  const jwt = await signJwt(first!.credential as never, jwtSigner(`${issuer.did}#jwt-1`, issuer.jwtAlg, issuer.jwtKey));
  // ES256 signatures are randomised: compare what was signed, not the signature.
  expect(jwt.split('.').slice(0, 2)).toEqual(first!.jwt!.split('.').slice(0, 2));
});
