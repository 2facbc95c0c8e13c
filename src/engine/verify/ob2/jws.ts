/**
 * A signed OB 2.0 assertion: a compact JWS whose payload is the assertion JSON (standards-2.md §1.5). OB 2.0
 * recommends RS256, and the reference validator checks only RSA keys; ES256 is accepted too. `none` and every
 * HMAC algorithm are refused: the issuer's key is public, anyone could "sign" with it as a secret.
 */
import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { InputError } from '../errors.js';
import { checkJwsSignature, type SignatureCheck } from '../jws-signature.js';
import { parseStrictJson } from '../strict-json.js';

export const OB2_JWS_ALGORITHMS = ['RS256', 'ES256'] as const;
export type Ob2JwsAlgorithm = (typeof OB2_JWS_ALGORITHMS)[number];

const MAX_PART_BYTES = 1_000_000;

export type ParsedJws =
  | { ok: true; alg: Ob2JwsAlgorithm; payload: Record<string, unknown> }
  | { ok: false; code: 'ob2.jwsMalformed' | 'ob2.jwsAlgorithm'; message: string; params?: Record<string, string> };

function decodeObject(part: string): Record<string, unknown> | undefined {
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.length > MAX_PART_BYTES) return undefined;
  try {
    const value = parseStrictJson(bytes.toString('utf8'), { maxBytes: MAX_PART_BYTES, maxDepth: 32 });
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

/** Header and payload, unverified: the key that checks the signature is found from the payload's issuer. */
export function parseOb2Jws(jws: string): ParsedJws {
  const [headerPart = '', payloadPart = ''] = jws.split('.');
  const header = decodeObject(headerPart);
  const payload = decodeObject(payloadPart);
  if (!header || !payload) {
    const message = 'The signed badge cannot be read: its header or its content is not a JSON object.';
    return { ok: false, code: 'ob2.jwsMalformed', message };
  }
  // An extension the signer marks as critical changes what the signature means; Blason knows none.
  if (header.crit !== undefined) {
    const message = 'The signed badge marks JWS extensions as critical ("crit"), which Blason does not support.';
    return { ok: false, code: 'ob2.jwsMalformed', message };
  }
  const alg = header.alg;
  if (!OB2_JWS_ALGORITHMS.includes(alg as Ob2JwsAlgorithm)) {
    return {
      ok: false,
      code: 'ob2.jwsAlgorithm',
      message:
        `The badge is signed with "${String(alg)}"; Open Badges 2.0 badges are checked only with ` +
        `${OB2_JWS_ALGORITHMS.join(' or ')}.`,
      params: { alg: String(alg) },
    };
  }
  return { ok: true, alg: alg as Ob2JwsAlgorithm, payload };
}

/** Checks the signature with a CryptographicKey's `publicKeyPem`. */
export function checkOb2Signature(jws: string, alg: Ob2JwsAlgorithm, publicKeyPem: string): SignatureCheck {
  let jwk: JWK;
  try {
    jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' }) as JWK;
  } catch (error) {
    return { keyProblem: `its publicKeyPem cannot be read (${(error as Error).message})` };
  }
  return checkJwsSignature(jws, jwk, alg);
}
