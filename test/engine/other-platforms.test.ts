/**
 * Credentials shaped the way other platforms make them, which Blason must not call invalid: VC-JOSE-COSE tokens
 * (`typ: vc+jwt`, no registered claims), a `kid` written relative to the issuer's DID, Ed25519 keys published as
 * JWKs (`JsonWebKey2020`) for Data Integrity proofs.
 */
import { CompactSign } from 'jose';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { ed25519PublicKeyMultibase, publicJwk } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { staticFetcher } from '../../src/engine/verify/fetcher.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, testIssuer, type TestIssuer } from '../support/credentials.js';
import { failedCodes } from '../support/verification.js';

const NOW = new Date('2026-11-26T12:00:00Z');
let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await testIssuer();
});

function bareToken(payload: object, header: Record<string, unknown>): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', ...header }).sign(issuer.jwtKey);
}

test('a VC-JOSE-COSE token (typ vc+jwt, cty vc, no iss or nbf claims) of an Open Badge is valid', async () => {
  const credential = buildOpenBadgeCredential(draft(issuer));
  const jwt = await bareToken(credential, { typ: 'vc+jwt', cty: 'vc', kid: `${issuer.did}#jwt-1` });
  const report = await verifyCredential({ text: jwt }, { fetcher: issuer.fetcher, now: NOW });
  expect(failedCodes(report)).toEqual([]);
  expect(report.verdict).toBe('valid');
});

test('the same token typed "JWT" must carry the claims OB 3.0 requires', async () => {
  const credential = buildOpenBadgeCredential(draft(issuer));
  const jwt = await bareToken(credential, { typ: 'JWT', kid: `${issuer.did}#jwt-1` });
  const report = await verifyCredential({ text: jwt }, { fetcher: issuer.fetcher, now: NOW });
  expect(report.verdict).toBe('invalid');
  expect(failedCodes(report)).toContain('jwt.issMismatch');
});

test('a kid written as a fragment ("#jwt-1") is read relative to the issuer\'s DID', async () => {
  const credential = buildOpenBadgeCredential(draft(issuer));
  const jwt = await bareToken(credential, { typ: 'vc+jwt', kid: '#jwt-1' });
  expect((await verifyCredential({ text: jwt }, { fetcher: issuer.fetcher, now: NOW })).verdict).toBe('valid');
});

test('a Data Integrity proof whose Ed25519 key the issuer publishes as a JWK (JsonWebKey2020) is valid', async () => {
  const method = `${issuer.did}#ed-jwk`;
  const didDocument = {
    ...issuer.didDocument,
    verificationMethod: [{ id: method, type: 'JsonWebKey2020', controller: issuer.did, publicKeyJwk: publicJwk(issuer.edKey) }],
    assertionMethod: [method],
  };
  const fetcher = staticFetcher({ 'https://badges.example.org/issuers/bge-lille/did.json': didDocument });
  const signed = await signDataIntegrity(buildOpenBadgeCredential(draft(issuer)), ed25519Signer(method, issuer.edKey));
  const report = await verifyCredential({ credential: signed }, { fetcher, now: NOW });
  expect(failedCodes(report)).toEqual([]);
  expect(report.verdict).toBe('valid');
});

test('a controller document whose id drops the query of the URL it is served at still lists its relative keys', async () => {
  const url = 'https://issuer.example/issuers/42?v=3_0';
  const method = `${url}#key-0`;
  const published = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: 'https://issuer.example/issuers/42',
    verificationMethod: [{ id: '#key-0', type: 'Multikey', controller: url, publicKeyMultibase: await ed25519PublicKeyMultibase(issuer.edKey) }],
    assertionMethod: ['#key-0'],
  };
  const base = buildOpenBadgeCredential(draft(issuer));
  const signed = await signDataIntegrity({ ...base, issuer: { ...base.issuer, id: url } }, ed25519Signer(method, issuer.edKey));
  const report = await verifyCredential({ credential: signed }, { fetcher: staticFetcher({ [url]: published }), now: NOW });
  expect(failedCodes(report)).toEqual([]);
  expect(report.verdict).toBe('valid');
});
