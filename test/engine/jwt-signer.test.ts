/**
 * The VC-JWT signer (src/engine/proof/signer.ts): node:crypto in this thread, producing the tokens jose would,
 * for the three algorithms Blason signs with; and it refuses a key that does not fit the algorithm.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { compactVerify, SignJWT } from 'jose';
import { jwtSigner, type JwtAlgorithm } from '../../src/engine/proof/signer.js';

const payload = { iss: 'did:web:example.org:issuers:bge', jti: 'urn:uuid:1', nbf: 1_790_000_000, name: 'Élan — “créer” ✓', credentialSubject: { type: ['AchievementSubject'] } };
const KID = 'did:web:example.org:issuers:bge#jwt-1';

const keys: Record<JwtAlgorithm, { privateKey: KeyObject; publicKey: KeyObject }> = {
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  EdDSA: generateKeyPairSync('ed25519'),
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};

const joseToken = (alg: JwtAlgorithm) => new SignJWT(payload).setProtectedHeader({ alg, kid: KID, typ: 'JWT' }).sign(keys[alg].privateKey);

test.each(['EdDSA', 'RS256'] as const)('an %s token is byte for byte the one jose makes (both signatures are deterministic)', async (alg) => {
  expect(await jwtSigner(KID, alg, keys[alg].privateKey).signJwt(payload)).toBe(await joseToken(alg));
});

test('an ES256 token has the header and payload jose makes, and a JWS signature (r || s) that jose verifies', async () => {
  const token = await jwtSigner(KID, 'ES256', keys.ES256.privateKey).signJwt(payload);
  const [header, body, signature] = token.split('.');
  const [joseHeader, joseBody] = (await joseToken('ES256')).split('.');
  expect([header, body]).toEqual([joseHeader, joseBody]);
  expect(Buffer.from(signature!, 'base64url')).toHaveLength(64);
  const { protectedHeader } = await compactVerify(token, keys.ES256.publicKey);
  expect(protectedHeader).toEqual({ alg: 'ES256', kid: KID, typ: 'JWT' });
});

test.each([
  ['ES256', 'an Ed25519 key', generateKeyPairSync('ed25519').privateKey, /P-256/],
  ['ES256', 'a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, /P-256/],
  ['RS256', 'a 1024-bit RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, /2048/],
  ['EdDSA', 'a P-256 key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, /Ed25519/],
  ['EdDSA', 'a public key', generateKeyPairSync('ed25519').publicKey, /private/],
] as const)('an %s signer refuses %s', (alg, _what, key, message) => {
  expect(() => jwtSigner(KID, alg, key)).toThrow(message);
});
