import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { keyKindProblem, type JwsAlgorithm } from '../proof/jws-algorithms.js';

/**
 * The signature of a compact JWS (RFC 7515 §5.2), checked with node:crypto in this thread. jose checks it
 * through WebCrypto, whose every call hops to the thread pool and back: for one ES256 signature the hop costs
 * more than the arithmetic. Everything else about the token (header policy, key resolution, claims) is checked
 * by jwt.ts before this is called.
 */

export type { JwsAlgorithm };

export type SignatureCheck = 'valid' | 'mismatch' | { keyProblem: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

const keyObjects = new WeakMap<object, KeyObject>();
const keyObjectsByValue = new Map<string, KeyObject>();

/** The public key of a JWK, built once: keys from issuer documents are frozen and shared (see keys.ts). */
function publicKeyOf(jwk: JWK): KeyObject {
  const frozen = Object.isFrozen(jwk);
  const known = frozen ? keyObjects.get(jwk) : keyObjectsByValue.get(JSON.stringify(jwk));
  if (known) return known;
  // Only public members: a JWK with `d` must never become a private key here.
  const publicMembers = Object.fromEntries(
    Object.entries({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, n: jwk.n, e: jwk.e }).filter(
      ([, v]) => v !== undefined,
    ),
  );
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
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part)))
    return { keyProblem: 'the token is not three base64url segments' };
  let key: KeyObject;
  try {
    key = publicKeyOf(jwk);
  } catch (error) {
    return { keyProblem: `the issuer's key cannot be read (${(error as Error).message})` };
  }
  // Before any signature: a key of one kind must never stand in for another (algorithm confusion).
  const needed = keyKindProblem(alg, key);
  if (needed) return { keyProblem: `${alg} needs ${needed}` };
  const signature = Buffer.from(parts[2]!, 'base64url');
  // A signature segment that does not re-encode to itself carries stray bits: not the canonical encoding.
  if (signature.toString('base64url') !== parts[2]) return 'mismatch';
  const signingInput = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
  try {
    const ok =
      alg === 'EdDSA'
        ? cryptoVerify(null, signingInput, key, signature)
        : cryptoVerify('sha256', signingInput, alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
    return ok ? 'valid' : 'mismatch';
  } catch {
    // A signature of the wrong length or shape for the key: not this key's signature.
    return 'mismatch';
  }
}
