import type { KeyObject } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { JWK } from 'jose';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/** The public JWK of a key, with every private member removed whatever the key type. */
export function publicJwk(key: KeyObject): JWK {
  const jwk = key.export({ format: 'jwk' }) as Record<string, unknown>;
  for (const member of PRIVATE_MEMBERS) delete jwk[member];
  return jwk as JWK;
}

/** `z6Mk…`: the Multikey form (multibase base58btc, multicodec 0xed01) of an Ed25519 public key. */
export async function ed25519PublicKeyMultibase(key: KeyObject): Promise<string> {
  const jwk = publicJwk(key);
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new TypeError('Not an Ed25519 key');
  const pair = await Ed25519Multikey.fromJwk({ jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } });
  return pair.publicKeyMultibase;
}
