import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { keyKindProblem, type JwsAlgorithm } from './jws-algorithms.js';

/**
 * Signs Data Integrity proofs with an Ed25519 key. The key stays behind this interface, so a KMS or HSM
 * can implement it; `id` is the verification method that verifiers will resolve.
 */
export interface Ed25519Signer {
  readonly id: string;
  readonly algorithm: 'Ed25519';
  sign(args: { data: Uint8Array }): Promise<Uint8Array>;
}

export type JwtAlgorithm = JwsAlgorithm;

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

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * Compact JWS (RFC 7515 §7.1) with header `{alg, kid, typ: "JWT"}`, signed by node:crypto in this thread.
 * jose signs through WebCrypto, whose every call hops to the thread pool and back: for ES256 the hop cost
 * more than the signature itself, and a bulk award signs thousands. The tokens are the same bytes jose makes
 * (test/engine/jwt-signer.test.ts), and ES256 signatures are in the JWS form (r || s), not DER.
 */
export function jwtSigner(kid: string, alg: JwtAlgorithm, privateKey: KeyObject): JwtSigner {
  const problem = privateKey.type === 'private' ? keyKindProblem(alg, privateKey) : 'a private key';
  if (problem) throw new TypeError(`jwtSigner: a ${alg} JWT needs ${problem}`);
  const header = base64url(JSON.stringify({ alg, kid, typ: 'JWT' }));
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const key = alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey;
  return {
    kid,
    alg,
    signJwt: async (payload) => {
      const signingInput = `${header}.${base64url(JSON.stringify(payload))}`;
      return `${signingInput}.${cryptoSign(digest, Buffer.from(signingInput, 'ascii'), key).toString('base64url')}`;
    },
  };
}
