import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

/**
 * The signature of a compact JWS (RFC 7515 §5.2), checked with node:crypto in this thread. jose checks it
 * through WebCrypto, whose every call hops to the thread pool and back: for one ES256 signature the hop costs
 * more than the arithmetic. Everything else about the token (header policy, key resolution, claims) is checked
 * by jwt.ts before this is called.
 */

export type JwsAlgorithm = 'ES256' | 'RS256' | 'EdDSA';

export type SignatureCheck = 'valid' | 'mismatch' | { keyProblem: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Whether a key may check an algorithm's signatures (RFC 7518 §3.3–3.4, RFC 8037 §3.1). Checked before any
 * signature: a key of one kind must never stand in for another (algorithm confusion).
 */
function keyProblem(key: KeyObject, alg: JwsAlgorithm): string | undefined {
  const details = key.asymmetricKeyDetails;
  switch (alg) {
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1' ? undefined : 'ES256 needs a P-256 elliptic-curve key';
    case 'RS256':
      return key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048 ? undefined : 'RS256 needs an RSA key of at least 2048 bits';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519' ? undefined : 'EdDSA needs an Ed25519 key';
  }
}

const keyObjects = new WeakMap<object, KeyObject>();
const keyObjectsByValue = new Map<string, KeyObject>();

/** The public key of a JWK, built once: keys from issuer documents are frozen and shared (see keys.ts). */
function publicKeyOf(jwk: JWK): KeyObject {
  const frozen = Object.isFrozen(jwk);
  const known = frozen ? keyObjects.get(jwk) : keyObjectsByValue.get(JSON.stringify(jwk));
  if (known) return known;
  // Only public members: a JWK with `d` must never become a private key here.
  const publicMembers = Object.fromEntries(Object.entries({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, n: jwk.n, e: jwk.e }).filter(([, v]) => v !== undefined));
  const key = createPublicKey({ key: publicMembers as JsonWebKey, format: 'jwk' });
  if (frozen) keyObjects.set(jwk, key);
  else {
    if (keyObjectsByValue.size >= 1_000) keyObjectsByValue.clear();
    keyObjectsByValue.set(JSON.stringify(jwk), key);
  }
  return key;
}

export function checkJwsSignature(jws: string, jwk: JWK, alg: JwsAlgorithm): SignatureCheck {
  const parts = jws.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return { keyProblem: 'the token is not three base64url segments' };
  let key: KeyObject;
  try {
    key = publicKeyOf(jwk);
  } catch (error) {
    return { keyProblem: `the issuer's key cannot be read (${(error as Error).message})` };
  }
  const problem = keyProblem(key, alg);
  if (problem) return { keyProblem: problem };
  const signature = Buffer.from(parts[2]!, 'base64url');
  // A signature segment that does not re-encode to itself carries stray bits: not the canonical encoding.
  if (signature.toString('base64url') !== parts[2]) return 'mismatch';
  const signingInput = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
  try {
    const ok = alg === 'EdDSA'
      ? cryptoVerify(null, signingInput, key, signature)
      : cryptoVerify('sha256', signingInput, alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
    return ok ? 'valid' : 'mismatch';
  } catch {
    // A signature of the wrong length or shape for the key: not this key's signature.
    return 'mismatch';
  }
}
