import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { cryptosuite as eddsaRdfc2022Base } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import type { Cryptosuite } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { withGuardedCanonize } from './canonize.js';

/** SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410): what precedes the 32 raw bytes in DER. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_CACHE_LIMIT = 1_000;
const publicKeys = new Map<string, KeyObject>();

function publicKeyObject(raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw).toString('base64');
  let key = publicKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (publicKeys.size >= KEY_CACHE_LIMIT) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

/**
 * The suite's own verifier, except that the public key object is built once per key: the library rebuilds it
 * from DER for every signature, which cost as much as the signature check itself and, verifying a badge means
 * checking two signatures (the badge's and its status list's), a fifth of `POST /api/v1/verify`. The
 * verification method is still read by the library (Multikey, or a JWK), with all its checks.
 */
async function createVerifier({ verificationMethod }: { verificationMethod: object }) {
  const keyPair = await Ed25519Multikey.from(verificationMethod);
  const key = publicKeyObject(keyPair.publicKey);
  return {
    algorithm: 'Ed25519',
    id: keyPair.id,
    verify: async ({ data, signature }: { data: Uint8Array; signature: Uint8Array }) =>
      cryptoVerify(null, data, key, signature),
  };
}

/** `eddsa-rdfc-2022`: RDFC-1.0 + SHA-256 + Ed25519. What Blason signs with. */
export const eddsaRdfc2022: Cryptosuite = { ...withGuardedCanonize(eddsaRdfc2022Base), createVerifier };

/**
 * `eddsa-2022`: the draft name of the very same algorithm (URDNA2015 is RDFC-1.0 under its old name).
 * Verified for older credentials, never issued.
 */
export const eddsa2022: Cryptosuite = { ...eddsaRdfc2022, name: 'eddsa-2022' };

export const DATA_INTEGRITY_CRYPTOSUITES = new Map<string, Cryptosuite>([
  [eddsaRdfc2022.name, eddsaRdfc2022],
  [eddsa2022.name, eddsa2022],
]);
