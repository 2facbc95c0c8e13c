/**
 * A signature counts only when the key is the issuer's (issue 10 §1): the forgery matrix. Each forgery is made
 * here, by hand, the way an attacker would: their own key, presented in every place a verifier might look.
 */
import type { KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import type { OpenBadgeCredential } from '../../src/engine/model/types.js';
import { ed25519PublicKeyMultibase, publicJwk } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { FetchError, staticFetcher, type Fetcher } from '../../src/engine/verify/fetcher.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, testIssuer, type TestIssuer } from '../support/credentials.js';
import { controllerDocument } from '../support/issuer-documents.js';
import { newEd25519, newP256 } from '../support/keys.js';
import { failedCodes } from '../support/verification.js';

const NOW = new Date('2026-11-26T12:00:00Z');
type Json = Record<string, unknown>;

let issuer: TestIssuer;
let attackerEd: KeyObject;
let attackerMultibase: string;

beforeAll(async () => {
  issuer = await testIssuer();
  attackerEd = newEd25519();
  attackerMultibase = await ed25519PublicKeyMultibase(attackerEd);
});

const seconds = (dateTime: string) => Math.floor(Date.parse(dateTime) / 1000);

/** A fetcher for which every document is missing: the issuer's answer, "no". */
const nowhere: Fetcher = { fetch: async (url) => { throw new FetchError('not-found', `${url} answered 404.`, 404); } };

/** A fetcher for which every host is down: "not now", not "no". */
const down: Fetcher = { fetch: async (url) => { throw new FetchError('timeout', `${url} did not answer in time.`); } };

function credentialFrom(issuerId: string): OpenBadgeCredential {
  const base = buildOpenBadgeCredential(draft(issuer));
  return { ...base, issuer: { ...base.issuer, id: issuerId } };
}

function vcJwt(credential: OpenBadgeCredential, header: Json, key: KeyObject): Promise<string> {
  const payload = { ...credential, iss: credential.issuer.id, jti: credential.id, nbf: seconds(credential.validFrom) };
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ typ: 'JWT', ...header } as unknown as { alg: string }).sign(key);
}

async function p256DidKey(key: KeyObject): Promise<string> {
  const keyPair = await EcdsaMultikey.fromJwk({ jwk: publicJwk(key) as Json });
  return `did:key:${keyPair.publicKeyMultibase}`;
}

function verify(input: { text: string } | { credential: object }, fetcher: Fetcher): Promise<VerificationReport> {
  return verifyCredential(input, { fetcher, now: NOW });
}

function messageOf(report: VerificationReport, code: string): string {
  return report.checks.find((check) => check.code === code)?.message ?? '';
}

describe('VC-JWT: the key must be the issuer\'s', () => {
  test('a P-256 did:key issuer with its own key in the jwk header is valid', async () => {
    const key = newP256();
    const did = await p256DidKey(key);
    const jwt = await vcJwt(credentialFrom(did), { alg: 'ES256', jwk: publicJwk(key) }, key);
    expect((await verify({ text: jwt }, down)).verdict).toBe('valid');
  });

  test('a P-256 did:key issuer named by kid resolves offline and is valid', async () => {
    const key = newP256();
    const did = await p256DidKey(key);
    const jwt = await vcJwt(credentialFrom(did), { alg: 'ES256', kid: `${did}#${did.slice(8)}` }, key);
    expect((await verify({ text: jwt }, down)).verdict).toBe('valid');
  });

  test('a P-256 did:key issuer signed by another key carried in the jwk header is invalid', async () => {
    const did = await p256DidKey(newP256());
    const forger = newP256();
    const report = await verify({ text: await vcJwt(credentialFrom(did), { alg: 'ES256', jwk: publicJwk(forger) }, forger) }, down);
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('key.notPublished');
  });

  test('an Ed25519 did:key issuer signed by another Ed25519 key in the jwk header is invalid', async () => {
    const did = `did:key:${await ed25519PublicKeyMultibase(newEd25519())}`;
    const report = await verify({ text: await vcJwt(credentialFrom(did), { alg: 'EdDSA', jwk: publicJwk(attackerEd) }, attackerEd) }, down);
    expect(report.verdict).toBe('invalid');
  });

  test('an unreachable HTTPS issuer whose key only the jwk header brings is "issuer-unconfirmed", never valid', async () => {
    const forger = newP256();
    const report = await verify({ text: await vcJwt(credentialFrom('https://issuer.example/profile'), { alg: 'ES256', jwk: publicJwk(forger) }, forger) }, down);
    expect(report.verdict).toBe('issuer-unconfirmed');
    const message = messageOf(report, 'key.unconfirmed');
    expect(message).toContain('https://issuer.example/.well-known/jwks.json');
    expect(report.checks.find((c) => c.code === 'proof.ok')?.outcome).toBe('passed');
  });

  test('a reachable HTTPS issuer whose key set does not hold the jwk header\'s key is invalid', async () => {
    const forger = newP256();
    const published = staticFetcher({ 'https://issuer.example/.well-known/jwks.json': { keys: [publicJwk(newP256())] } }, nowhere);
    const report = await verify({ text: await vcJwt(credentialFrom('https://issuer.example/profile'), { alg: 'ES256', jwk: publicJwk(forger) }, forger) }, published);
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('key.notPublished');
  });

  test('a reachable HTTPS issuer whose key set holds the jwk header\'s key is valid', async () => {
    const key = newP256();
    const published = staticFetcher({ 'https://issuer.example/.well-known/jwks.json': { keys: [publicJwk(key)] } }, down);
    const report = await verify({ text: await vcJwt(credentialFrom('https://issuer.example/profile'), { alg: 'ES256', jwk: publicJwk(key) }, key) }, published);
    expect(report.verdict).toBe('valid');
  });

  test('a did:web issuer whose DID document cannot be reached is "issuer-unconfirmed", and says to try again later', async () => {
    const report = await verify({ text: await vcJwt(buildOpenBadgeCredential(draft(issuer)), { alg: 'ES256', kid: `${issuer.did}#jwt-1` }, issuer.jwtKey) }, down);
    expect(report.verdict).toBe('issuer-unconfirmed');
    expect(messageOf(report, 'key.issuerUnreachable')).toMatch(/could not be reached.*trying again later may succeed/s);
  });

  test('a did:web issuer whose DID document does not list the jwk header\'s key is invalid', async () => {
    const forger = newP256();
    const report = await verify({ text: await vcJwt(buildOpenBadgeCredential(draft(issuer)), { alg: 'ES256', jwk: publicJwk(forger) }, forger) }, issuer.fetcher);
    expect(report.verdict).toBe('invalid');
  });
});

describe('Data Integrity: the verification method must be under the issuer\'s control', () => {
  const ISSUER = 'https://badges.example.org/issuers/mel';

  async function signedBy(issuerId: string, key: KeyObject, method: string): Promise<Json> {
    return (await signDataIntegrity(credentialFrom(issuerId), ed25519Signer(method, key))) as unknown as Json;
  }

  test('a key document on the attacker\'s host claiming the issuer as controller is invalid', async () => {
    const method = 'https://attacker.example/keys/1';
    const fetcher = staticFetcher({
      [method]: { '@context': 'https://w3id.org/security/multikey/v1', id: method, type: 'Multikey', controller: issuer.did, publicKeyMultibase: attackerMultibase },
    }, issuer.fetcher);
    const report = await verify({ credential: await signedBy(issuer.did, attackerEd, method) }, fetcher);
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('key.controllerNotListing');
  });

  test('a key document whose controller\'s own document lists it for assertion is valid', async () => {
    const method = 'https://keys.example/keys/1';
    const controller = { ...controllerDocument(ISSUER, []), verificationMethod: [], assertionMethod: [method] };
    const fetcher = staticFetcher({
      [method]: { '@context': 'https://w3id.org/security/multikey/v1', id: method, type: 'Multikey', controller: ISSUER, publicKeyMultibase: attackerMultibase },
      [ISSUER]: controller,
    }, down);
    expect((await verify({ credential: await signedBy(ISSUER, attackerEd, method) }, fetcher)).verdict).toBe('valid');
  });

  test('a key document whose controller cannot be reached is "issuer-unconfirmed"', async () => {
    const method = 'https://keys.example/keys/1';
    const fetcher = staticFetcher({
      [method]: { '@context': 'https://w3id.org/security/multikey/v1', id: method, type: 'Multikey', controller: ISSUER, publicKeyMultibase: attackerMultibase },
    }, down);
    expect((await verify({ credential: await signedBy(ISSUER, attackerEd, method) }, fetcher)).verdict).toBe('issuer-unconfirmed');
  });

  test('a method naming its own key on the issuer\'s reachable profile, which does not list it, is invalid', async () => {
    const profile = { '@context': ['https://www.w3.org/ns/credentials/v2'], id: ISSUER, type: 'Profile', name: 'MEL' };
    const fetcher = staticFetcher({ [ISSUER]: profile }, down);
    const report = await verify({ credential: await signedBy(ISSUER, attackerEd, `${ISSUER}#${attackerMultibase}`) }, fetcher);
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('key.notPublished');
  });

  test('a method naming its own key on an unreachable issuer is "issuer-unconfirmed", with its signature checked', async () => {
    const report = await verify({ credential: await signedBy(ISSUER, attackerEd, `${ISSUER}#${attackerMultibase}`) }, down);
    expect(report.verdict).toBe('issuer-unconfirmed');
    expect(report.checks.find((c) => c.code === 'proof.ok')?.outcome).toBe('passed');
    expect(messageOf(report, 'key.unconfirmed')).toContain(ISSUER);
  });

  test('the same unreachable method with an altered credential is invalid, not unconfirmed', async () => {
    const signed = await signedBy(ISSUER, attackerEd, `${ISSUER}#${attackerMultibase}`);
    const report = await verify({ credential: { ...signed, name: 'Autre badge' } }, down);
    expect(report.verdict).toBe('invalid');
  });

  test('a did:web method whose DID document cannot be reached is "issuer-unconfirmed"', async () => {
    const report = await verify({ credential: await signedBy(issuer.did, issuer.edKey, `${issuer.did}#ed-1`) }, down);
    expect(report.verdict).toBe('issuer-unconfirmed');
    expect(failedCodes(report)).toEqual(['key.issuerUnreachable']);
  });

  test('a did:web method whose DID document is reachable is valid', async () => {
    expect((await verify({ credential: await signedBy(issuer.did, issuer.edKey, `${issuer.did}#ed-1`) }, issuer.fetcher)).verdict).toBe('valid');
  });

  test('a DID document that answers 404 is a final "no": invalid', async () => {
    expect((await verify({ credential: await signedBy(issuer.did, issuer.edKey, `${issuer.did}#ed-1`) }, nowhere)).verdict).toBe('invalid');
  });
});
