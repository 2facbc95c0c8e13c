import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * Signs Data Integrity proofs with an Ed25519 key. The key stays behind this interface, so a KMS or HSM
 * can implement it; `id` is the verification method that verifiers will resolve.
 */
export interface Ed25519Signer {
  readonly id: string;
  readonly algorithm: 'Ed25519';
  sign(args: { data: Uint8Array }): Promise<Uint8Array>;
}

export type JwtAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

/** Signs VC-JWTs. `kid` dereferences to a public JWK the issuer publishes. */
export interface JwtSigner {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  signJwt(payload: Record<string, unknown>): Promise<string>;
}

/**
 * A signer over a node:crypto KeyObject imported once. Re-importing the key on every signature, as
 * `Ed25519Multikey.signer()` does, costs about 30% of signing throughput (toolchain.md §4, gotcha 2).
 */
export function ed25519Signer(verificationMethod: string, privateKey: KeyObject): Ed25519Signer {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('ed25519Signer needs an Ed25519 private KeyObject');
  }
  return {
    id: verificationMethod,
    algorithm: 'Ed25519',
    sign: async ({ data }) => new Uint8Array(cryptoSign(null, data, privateKey)),
  };
}

const KEY_TYPE_FOR_ALG: Record<JwtAlgorithm, string> = { ES256: 'ec', EdDSA: 'ed25519', RS256: 'rsa' };

export function jwtSigner(kid: string, alg: JwtAlgorithm, privateKey: KeyObject): JwtSigner {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== KEY_TYPE_FOR_ALG[alg]) {
    throw new TypeError(`jwtSigner: a ${alg} JWT needs a ${KEY_TYPE_FOR_ALG[alg]} private key`);
  }
  return {
    kid,
    alg,
    signJwt: (payload) => new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(privateKey),
  };
}
