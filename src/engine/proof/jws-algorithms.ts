import type { KeyObject } from 'node:crypto';

/** The JWS algorithms Blason signs and accepts VC-JWTs with (the 1EdTech validator accepts ES256 and RS256). */
export type JwsAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

/**
 * What kind of key an algorithm needs, if `key` is not of that kind (RFC 7518 §3.3–3.4, RFC 8037 §3.1), for
 * signing and for checking alike: a key of one kind must never stand in for another (algorithm confusion).
 * Says the kind of key needed, for a message: "a P-256 elliptic-curve key".
 */
export function keyKindProblem(alg: JwsAlgorithm, key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails;
  switch (alg) {
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1'
        ? undefined
        : 'a P-256 elliptic-curve key';
    case 'RS256':
      return key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048
        ? undefined
        : 'an RSA key of at least 2048 bits';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519' ? undefined : 'an Ed25519 key';
  }
}
