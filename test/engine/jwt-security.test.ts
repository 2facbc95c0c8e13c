/**
 * VC-JWT header and key policy (security.md §3, test plan T4): the token never chooses its own key or
 * algorithm, and the claims must mirror the credential they wrap. Every forged token here is built by hand.
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign } from 'jose';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { OB_V3P0_3_0_3, OB_V3P0_EXTENSIONS, VC_V1 } from '../../src/engine/model/contexts.js';
import type { OpenBadgeCredential } from '../../src/engine/model/types.js';
import { publicJwk } from '../../src/engine/proof/key-formats.js';
import { staticFetcher } from '../../src/engine/verify/fetcher.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, signedJwt, testIssuer, type TestIssuer } from '../support/credentials.js';
import { newP256 } from '../support/keys.js';
import { failedCodes, recording, warningCodes } from '../support/verification.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const RECIPIENT_DID = 'did:example:ebfeb1f712ebc6f1c276e12ec21';

type Json = Record<string, unknown>;

let issuer: TestIssuer;
let kid: string;
/** A credential with a DID recipient and a validUntil, so every mirrored claim (iss, jti, sub, nbf, exp) is present. */
let credential: OpenBadgeCredential;

beforeAll(async () => {
  issuer = await testIssuer();
  kid = `${issuer.did}#jwt-1`;
  credential = buildOpenBadgeCredential(draft(issuer, {
    recipient: { did: RECIPIENT_DID, name: 'Ana Martin' },
    validUntil: new Date('2030-01-01T00:00:00Z'),
  }));
});

const seconds = (dateTime: string) => Math.floor(Date.parse(dateTime) / 1000);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The credential with the claims Blason's signer writes. */
function payloadOf(vc: OpenBadgeCredential): Json {
  return { ...vc, iss: vc.issuer.id, jti: vc.id, sub: vc.credentialSubject.id, nbf: seconds(vc.validFrom), exp: seconds(vc.validUntil!) };
}

function sign(payload: Json, header: Json, key: KeyObject): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(key);
}

/** A token signed by the issuer's published key, with whatever payload the test wants. */
function issuerSigned(payload: Json, header: Json = {}): Promise<string> {
  return sign(payload, { alg: 'ES256', kid, typ: 'JWT', ...header }, issuer.jwtKey);
}

function verify(jwt: string, fetcher = issuer.fetcher): Promise<VerificationReport> {
  return verifyCredential({ text: jwt }, { fetcher, now: NOW });
}

function checkOf(report: VerificationReport, id: string) {
  return report.checks.find((c) => c.id === id);
}

describe('the reference token', () => {
  test('a token signed by the issuer\'s published key, with every claim mirroring the credential, is valid', async () => {
    const report = await verify(await issuerSigned(payloadOf(credential)));
    expect(failedCodes(report)).toEqual([]);
    expect(warningCodes(report)).toEqual([]);
    expect(report.verdict).toBe('valid');
  });

  test('Blason\'s own signer writes the same claims', async () => {
    const jwt = await signedJwt(issuer, credential);
    expect(JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'))).toEqual(payloadOf(credential));
  });
});

describe('algorithms', () => {
  test('an unsigned token (alg "none", empty signature) is not accepted as a JWT at all', async () => {
    const jwt = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payloadOf(credential))}.`;
    const report = await verify(jwt);
    expect(report.verdict).toBe('invalid');
    expect(report.checks).toEqual([expect.objectContaining({ id: 'parse', outcome: 'failed', code: 'input.unknownFormat' })]);
  });

  test('alg "none" with a signature attached is refused by the algorithm allow-list', async () => {
    const genuine = await issuerSigned(payloadOf(credential));
    const jwt = `${encode({ alg: 'none', kid, typ: 'JWT' })}.${genuine.split('.')[1]}.${genuine.split('.')[2]}`;
    const report = await verify(jwt);
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.algNotAllowed' });
  });

  test.each([
    ['the PEM of the issuer\'s public key', (key: KeyObject) => createPublicKey(key).export({ type: 'spki', format: 'pem' })],
    ['the DER of the issuer\'s public key', (key: KeyObject) => createPublicKey(key).export({ type: 'spki', format: 'der' })],
    ['the JSON of the issuer\'s public JWK', (key: KeyObject) => JSON.stringify(publicJwk(key))],
  ])('HS256 keyed with %s is refused before any key is looked up', async (_what, secretOf) => {
    const signingInput = `${encode({ alg: 'HS256', kid, typ: 'JWT' })}.${encode(payloadOf(credential))}`;
    const mac = createHmac('sha256', secretOf(issuer.jwtKey)).update(signingInput).digest('base64url');
    const fetcher = recording(issuer.fetcher);
    const report = await verify(`${signingInput}.${mac}`, fetcher);
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.algNotAllowed' });
    expect(fetcher.requested).toEqual([]);
  });
});

describe('which key the token names', () => {
  test('a kid the issuer\'s DID document does not list is refused', async () => {
    const report = await verify(await issuerSigned(payloadOf(credential), { kid: `${issuer.did}#jwt-9` }));
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'issuerKey')).toMatchObject({ outcome: 'failed', code: 'key.notPublished' });
  });

  test.each([
    ['jku', 'https://attacker.example/jwks.json'],
    ['x5u', 'https://attacker.example/cert.pem'],
  ])('a %s header is refused and the URL it names is never fetched', async (member, url) => {
    const attacker = newP256();
    const fetcher = recording(issuer.fetcher);
    const report = await verify(await sign(payloadOf(credential), { alg: 'ES256', typ: 'JWT', [member]: url }, attacker), fetcher);
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.headerNotAllowed' });
    expect(fetcher.requested).toEqual([]);
  });

  test('a jku header is refused even next to the issuer\'s genuine kid and signature', async () => {
    const report = await verify(await issuerSigned(payloadOf(credential), { jku: 'https://attacker.example/jwks.json' }));
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.headerNotAllowed' });
  });

  test('a compressed payload (zip header) is refused', async () => {
    const report = await verify(await issuerSigned(payloadOf(credential), { zip: 'DEF' }));
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.headerNotAllowed' });
  });

  test('an attacker\'s own key embedded as a jwk header is refused: the issuer does not publish it', async () => {
    const attacker = newP256();
    const report = await verify(await sign(payloadOf(credential), { alg: 'ES256', typ: 'JWT', jwk: publicJwk(attacker) }, attacker));
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'issuerKey')).toMatchObject({ outcome: 'failed', code: 'key.notPublished' });
  });

  test('a jwk header that carries private key material is refused', async () => {
    const privateJwk = issuer.jwtKey.export({ format: 'jwk' });
    expect(privateJwk.d).toBeDefined();
    const report = await verify(await sign(payloadOf(credential), { alg: 'ES256', typ: 'JWT', jwk: privateJwk }, issuer.jwtKey));
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'issuerKey')).toMatchObject({ outcome: 'failed', code: 'jwt.privateKeyInHeader' });
  });

  test('a jwk header holding a key the issuer\'s DID document publishes is accepted', async () => {
    const report = await verify(await sign(payloadOf(credential), { alg: 'ES256', typ: 'JWT', jwk: publicJwk(issuer.jwtKey) }, issuer.jwtKey));
    expect(failedCodes(report)).toEqual([]);
    expect(checkOf(report, 'issuerKey')).toMatchObject({ outcome: 'passed', code: 'key.confirmed' });
    expect(report.verdict).toBe('valid');
  });

  test('a kid naming another did:web, whose document lists the key under that other DID, is refused: the key is not the issuer\'s', async () => {
    const other = await testIssuer({ host: 'other.example.net', slug: 'rival' });
    const both = staticFetcher({}, {
      fetch: (url, options) => (url.startsWith('https://other.example.net/') ? other.fetcher : issuer.fetcher).fetch(url, options),
    });
    const jwt = await sign(payloadOf(credential), { alg: 'ES256', kid: `${other.did}#jwt-1`, typ: 'JWT' }, other.jwtKey);
    const report = await verify(jwt, both);
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'issuerKey')).toMatchObject({ outcome: 'failed', code: 'key.controllerMismatch' });
  });
});

describe('which algorithm the key allows', () => {
  /** An issuer whose DID document publishes `key` as its #jwt-1, and a token it signed with `alg`. */
  async function publishedAs(key: KeyObject, alg: string, signWith: KeyObject | Uint8Array = key) {
    const other = await testIssuer({ jwtKey: key });
    const vc = buildOpenBadgeCredential(draft(other, { recipient: { did: RECIPIENT_DID } }));
    const payload = { ...vc, iss: vc.issuer.id, jti: vc.id, sub: vc.credentialSubject.id, nbf: seconds(vc.validFrom) };
    const jwt = await new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg, kid: `${other.did}#jwt-1`, typ: 'JWT' }).sign(signWith);
    return verifyCredential({ text: jwt }, { fetcher: other.fetcher, now: NOW });
  }

  test.each([
    ['RS256', 'rsa'],
    ['EdDSA', 'ed25519'],
  ] as const)('a token saying %s is refused when the issuer\'s published key is P-256', async (alg, type) => {
    const { privateKey } = generateKeyPairSync(type as 'rsa', { modulusLength: 2048 });
    const p256 = newP256();
    // Signed honestly with a key of the named type, but the kid names the issuer's P-256 key.
    const other = await testIssuer({ jwtKey: p256 });
    const vc = buildOpenBadgeCredential(draft(other, { recipient: { did: RECIPIENT_DID } }));
    const jwt = await new CompactSign(Buffer.from(JSON.stringify({ ...vc, iss: vc.issuer.id, jti: vc.id, sub: vc.credentialSubject.id, nbf: seconds(vc.validFrom) })))
      .setProtectedHeader({ alg, kid: `${other.did}#jwt-1`, typ: 'JWT' }).sign(privateKey);
    const report = await verifyCredential({ text: jwt }, { fetcher: other.fetcher, now: NOW });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.keyMismatch' });
  });

  test('a token saying ES256 is refused when the issuer\'s published key is RSA', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const report = await publishedAs(privateKey, 'RS256');
    expect(report.verdict).toBe('valid');
    const forged = await publishedAs(privateKey, 'ES256', newP256());
    expect(checkOf(forged, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.keyMismatch' });
  });

  test('an RSA key shorter than 2048 bits is refused', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const other = await testIssuer({ jwtKey: privateKey });
    const vc = buildOpenBadgeCredential(draft(other, { recipient: { did: RECIPIENT_DID } }));
    // jose will not sign with such a key: signed by hand.
    const input = `${encode({ alg: 'RS256', kid: `${other.did}#jwt-1`, typ: 'JWT' })}.${encode({ ...vc, iss: vc.issuer.id, jti: vc.id, sub: vc.credentialSubject.id, nbf: seconds(vc.validFrom) })}`;
    const jwt = `${input}.${cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    const report = await verifyCredential({ text: jwt }, { fetcher: other.fetcher, now: NOW });
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.keyMismatch' });
  });

  test.each([
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
    ['EdDSA', () => generateKeyPairSync('ed25519').privateKey],
    ['ES256', () => newP256()],
  ] as const)('a token signed with %s by the issuer\'s published key of that type is valid', async (alg, keyOf) => {
    const report = await publishedAs(keyOf(), alg);
    expect(failedCodes(report)).toEqual([]);
    expect(report.verdict).toBe('valid');
  });

  test('a signature segment with stray bits in its last character is not the signature', async () => {
    const jwt = await issuerSigned(payloadOf(credential));
    const [header, payload, signature] = jwt.split('.');
    // 64 bytes in base64url end with a character carrying 2 unused bits: set them.
    const last = signature!.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const stray = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) & 3) ^ 1)]!;
    const report = await verify(`${header}.${payload}.${signature!.slice(0, -1)}${stray}`);
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.signatureMismatch' });
  });
});

describe('what the signature covers', () => {
  test('a changed payload replayed with the original signature is refused', async () => {
    const [header, payload, signature] = (await issuerSigned(payloadOf(credential))).split('.');
    const changed = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Json;
    changed.name = 'Badge d\'expert';
    const report = await verify(`${header}.${encode(changed)}.${signature}`);
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.signatureMismatch' });
    expect(report.display.trusted).toBe(false);
  });

  test('an encrypted token (JWE, five parts) is refused outright', async () => {
    const jwe = await new CompactEncrypt(Buffer.from(JSON.stringify(payloadOf(credential))))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(randomBytes(32));
    expect(jwe.split('.')).toHaveLength(5);
    const report = await verify(jwe);
    expect(report.verdict).toBe('invalid');
    expect(report.checks).toEqual([expect.objectContaining({ id: 'parse', outcome: 'failed', code: 'jwt.encrypted' })]);
  });
});

describe('claims must mirror the credential, even under a valid signature', () => {
  test.each([
    ['iss is not the issuer id', { iss: 'did:web:attacker.example' }, 'jwt.issMismatch'],
    ['jti is not the credential id', { jti: 'urn:uuid:00000000-0000-4000-8000-000000000000' }, 'jwt.jtiMismatch'],
    ['nbf is not validFrom', { nbf: seconds('2026-01-15T09:00:00Z') - 86_400 }, 'jwt.nbfMismatch'],
    ['sub is not the subject id', { sub: 'did:example:someone-else' }, 'jwt.subMismatch'],
    ['exp is not validUntil', { exp: seconds('2099-01-01T00:00:00Z') }, 'jwt.expMismatch'],
    ['nbf is missing', { nbf: undefined }, 'jwt.nbfMissing'],
  ])('%s', async (_what, change, code) => {
    const report = await verify(await issuerSigned({ ...payloadOf(credential), ...change }));
    expect(report.verdict).toBe('invalid');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code });
  });

  test('a VCDM 1.1 credential in a "vc" claim must have nbf mirror its issuanceDate', async () => {
    const { validFrom, validUntil: _validUntil, ...rest } = credential;
    const vc = { ...rest, '@context': [VC_V1, OB_V3P0_3_0_3, OB_V3P0_EXTENSIONS], issuanceDate: validFrom };
    const report = await verify(await issuerSigned({ vc, iss: issuer.did, jti: credential.id, sub: RECIPIENT_DID, nbf: seconds(validFrom) - 86_400 }));
    expect(report.vcdm).toBe('1.1');
    expect(checkOf(report, 'proof')).toMatchObject({ outcome: 'failed', code: 'jwt.nbfMismatch' });
  });

  // A "vc" claim means VCDM 1.1; a VCDM 2.0 credential wrapped in it would be compared with issuanceDate and
  // expirationDate, which it does not have, and skip the nbf/exp mirroring rules.
  test('a VCDM 2.0 credential wrapped in a VCDM 1.1 "vc" claim is refused', async () => {
    const { iss, jti, sub, nbf, exp, ...vc } = payloadOf(credential);
    const report = await verify(await issuerSigned({ iss, jti, sub, nbf, exp, vc }));
    expect(report.verdict).toBe('invalid');
  });

  test('wrapping a VCDM 2.0 credential in a "vc" claim does not exempt nbf and exp from mirroring the credential', async () => {
    const { iss, jti, sub, ...vc } = payloadOf(credential);
    delete vc.nbf;
    delete vc.exp;
    const report = await verify(await issuerSigned({ iss, jti, sub, nbf: seconds(credential.validFrom) - 365 * 86_400, exp: seconds('2099-01-01T00:00:00Z'), vc }));
    expect(report.verdict).toBe('invalid');
  });
});
