import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { JWK } from 'jose';

/**
 * `did:key` resolved offline (did-method-key §3): the DID *is* the public key, so nothing is ever fetched and
 * the key it names is by definition the issuer's when the issuer is that DID. Ed25519 (`z6Mk…`) and P-256
 * (`zDn…`) keys are read, by Digital Bazaar's Multikey libraries; anything else is refused.
 */

export type DidKeyType = 'Ed25519' | 'P-256';

export interface DidKey {
  did: string;
  /** `did:key:z…#z…`: the one verification method of the DID document. */
  methodId: string;
  publicKeyMultibase: string;
  type: DidKeyType;
  jwk: JWK;
}

export class DidKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DidKeyError';
  }
}

const HEADERS: [string, DidKeyType][] = [
  ['z6Mk', 'Ed25519'],
  ['zDn', 'P-256'],
];
const cache = new Map<string, Promise<DidKey>>();
const CACHE_LIMIT = 10_000;

async function read(did: string): Promise<DidKey> {
  const multibase = did.slice('did:key:'.length);
  const type = HEADERS.find(([header]) => multibase.startsWith(header))?.[1];
  if (!type || !/^z[1-9A-HJ-NP-Za-km-z]+$/.test(multibase)) {
    throw new DidKeyError(`${did} is not an Ed25519 (z6Mk…) or P-256 (zDn…) did:key.`);
  }
  const methodId = `${did}#${multibase}`;
  try {
    const jwk =
      type === 'Ed25519'
        ? await Ed25519Multikey.toJwk({ keyPair: await Ed25519Multikey.from({ publicKeyMultibase: multibase }) })
        : await EcdsaMultikey.toJwk({ keyPair: await EcdsaMultikey.from({ publicKeyMultibase: multibase }) });
    // Only the public members: webcrypto's export adds key_ops and ext, which no JWK comparison should see.
    const { kty, crv, x, y } = jwk as JWK;
    if (crv !== (type === 'Ed25519' ? 'Ed25519' : 'P-256')) throw new Error(`the key is on curve ${String(crv)}`);
    return { did, methodId, publicKeyMultibase: multibase, type, jwk: { kty, crv, x, ...(y ? { y } : {}) } as JWK };
  } catch (error) {
    throw new DidKeyError(`${did} does not hold a valid ${type} public key (${(error as Error).message}).`);
  }
}

/** The key of a `did:key` DID or DID URL. A fragment, if any, must be the key itself. */
export function resolveDidKeyOffline(url: string): Promise<DidKey> {
  const [did = '', fragment] = url.split('#');
  if (fragment !== undefined && fragment !== did.slice('did:key:'.length)) {
    return Promise.reject(new DidKeyError(`${url} names a key that its DID does not hold.`));
  }
  let known = cache.get(did);
  if (!known) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    known = read(did);
    known.catch(() => cache.delete(did));
    cache.set(did, known);
  }
  return known;
}
