import type { JWK } from 'jose';
import { InputError } from './errors.js';
import type { Fetcher } from './fetcher.js';
import { confirmEmbeddedJwk, type KeyResolutionError, resolveKid, type KeyBinding } from './keys.js';
import { checkJwsSignature, type JwsAlgorithm } from './jws-signature.js';
import { parseStrictJson } from './strict-json.js';
import { issuerIdOf } from '../util.js';
import type { CheckCode } from './check-codes.js';

/** Algorithms a VC-JWT may use. `none` and every HMAC algorithm are refused: a public key is not a secret. */
export const JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
const ALLOWED_HEADER_MEMBERS = new Set(['alg', 'kid', 'jwk', 'typ', 'cty']);
/**
 * `typ` values accepted: OB 3.0's "JWT", and VC-JOSE-COSE's media types, which other platforms' VCDM 2.0 tokens
 * carry. A VC-JOSE-COSE token is the credential itself, and its registered claims (iss, nbf…) are optional.
 */
const OB_TYP = 'JWT';
const VC_JOSE_TYPS = new Set(['vc+jwt', 'vc+ld+json+jwt', 'vc+ld+jwt', 'application/vc+jwt']);
const MAX_JWT_BYTES = 1_000_000;
const MAX_HEADER_BYTES = 8_192;

export interface ClaimIssue {
  severity: 'failed' | 'warning';
  code: CheckCode;
  message: string;
}

export type JwtOutcome =
  | {
      ok: true;
      credential: Record<string, unknown>;
      vcdm: '1.1' | '2.0';
      alg: string;
      controllerId: string;
      binding: KeyBinding;
      /** When the binding is unconfirmed: what could not be reached. */
      unreachable?: string;
      /** `exp` as an ISO date, when present: it bounds validity like validUntil. */
      expiresAt?: string;
      claimIssues: ClaimIssue[];
    }
  | { ok: false; stage: 'parse' | 'proof' | 'issuerKey'; code: CheckCode; message: string; unreachable?: boolean };

function decodeJson(part: string, what: string, maxBytes: number): Record<string, unknown> {
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.length > maxBytes)
    throw new InputError('jwt.tooLarge', `The JWT ${what} is larger than ${maxBytes} bytes.`);
  const value = parseStrictJson(bytes.toString('utf8'), { maxBytes, maxDepth: 48 });
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new InputError('jwt.malformed', `The JWT ${what} is not a JSON object.`);
  return value as Record<string, unknown>;
}

function seconds(dateTime: unknown): number | undefined {
  if (typeof dateTime !== 'string') return undefined;
  const ms = Date.parse(dateTime);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * Verifies a compact VC-JWT (OB 3.0 §5.1): header policy, key resolution, signature, then the claims that
 * must mirror the credential. Every later check reads the credential from the verified payload, never from
 * anything beside it.
 */
export async function verifyJwt(jws: string, fetcher: Fetcher): Promise<JwtOutcome> {
  if (jws.length > MAX_JWT_BYTES)
    return {
      ok: false,
      stage: 'parse',
      code: 'jwt.tooLarge',
      message: `The JWT is larger than ${MAX_JWT_BYTES} bytes.`,
    };
  const [headerPart = '', payloadPart = ''] = jws.split('.');
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = decodeJson(headerPart, 'header', MAX_HEADER_BYTES);
    payload = decodeJson(payloadPart, 'payload', MAX_JWT_BYTES);
  } catch (error) {
    return parseFailure(error);
  }
  const headerProblem = checkHeader(header);
  if (headerProblem) return headerProblem;
  const alg = header.alg as JwsAlgorithm;

  const isVcdm11 = payload.vc !== undefined;
  const credential = (isVcdm11 ? payload.vc : payload) as Record<string, unknown>;
  if (!credential || typeof credential !== 'object' || Array.isArray(credential)) {
    return { ok: false, stage: 'parse', code: 'jwt.noCredential', message: 'The JWT payload holds no credential.' };
  }
  // VCDM 1.1 JWTs wrap the credential in `vc`; VCDM 2.0 JWTs are the credential. Mixing the two would let the
  // date claims go unchecked.
  const firstContext = Array.isArray(credential['@context']) ? credential['@context'][0] : credential['@context'];
  if (isVcdm11 && firstContext !== 'https://www.w3.org/2018/credentials/v1') {
    return {
      ok: false,
      stage: 'proof',
      code: 'jwt.vcdmMismatch',
      message:
        'The JWT wraps its credential in a "vc" claim (VCDM 1.1) but the credential uses the VCDM 2.0 context; a ' +
          'VCDM 2.0 JWT payload is the credential itself.',
    };
  }
  if (!isVcdm11 && firstContext === 'https://www.w3.org/2018/credentials/v1') {
    return {
      ok: false,
      stage: 'proof',
      code: 'jwt.vcdmMismatch',
      message: 'The credential uses the VCDM 1.1 context, so its JWT must carry it in a "vc" claim.',
    };
  }
  const issuerId = issuerIdOf(credential);
  if (!issuerId)
    return { ok: false, stage: 'parse', code: 'jwt.noIssuer', message: 'The credential in the JWT names no issuer.' };

  let key: ResolvedKey;
  try {
    // A kid written as a fragment ("#key-1") is relative to the issuer's DID, as many issuers write it.
    if (typeof header.kid === 'string')
      key = await resolveKid(header.kid.startsWith('#') ? `${issuerId}${header.kid}` : header.kid, fetcher);
    else if (header.jwk && typeof header.jwk === 'object')
      key = await confirmEmbeddedJwk(header.jwk as Record<string, unknown>, issuerId, fetcher);
    else
      return {
        ok: false,
        stage: 'issuerKey',
        code: 'jwt.noKey',
        message: 'The JWT header names no key (neither kid nor jwk).',
      };
  } catch (error) {
    return keyFailure(error);
  }
  if (typeof header.kid === 'string' && !controlledBy(key.controllerId, issuerId)) {
    return {
      ok: false,
      stage: 'issuerKey',
      code: 'key.controllerMismatch',
      message: `The signing key belongs to ${key.controllerId}, not to the issuer ${issuerId}.`,
    };
  }
  const signatureProblem = checkSignature(jws, key.jwk, alg);
  if (signatureProblem) return signatureProblem;

  return {
    ok: true,
    credential,
    vcdm: isVcdm11 ? '1.1' : '2.0',
    alg,
    controllerId: key.controllerId,
    binding: key.binding,
    ...(key.unreachable ? { unreachable: key.unreachable } : {}),
    ...(typeof payload.exp === 'number' ? { expiresAt: new Date(payload.exp * 1000).toISOString() } : {}),
    claimIssues: claimIssues(payload, credential, issuerId, isVcdm11, VC_JOSE_TYPS.has(String(header.typ))),
  };
}

type ResolvedKey = { jwk: JWK; controllerId: string; binding: KeyBinding; unreachable?: string };

function parseFailure(error: unknown): JwtOutcome {
  const e = error as InputError;
  return {
    ok: false,
    stage: 'parse',
    code: e.code ?? 'jwt.malformed',
    message: e.code ? e.message : `The JWT cannot be decoded: ${e.message}`,
  };
}

function keyFailure(error: unknown): JwtOutcome {
  const e = error as KeyResolutionError;
  return {
    ok: false,
    stage: 'issuerKey',
    code: e.code ?? 'key.unresolvable',
    message: e.message,
    unreachable: e.unreachable === true,
  };
}

/** The header policy of OB 3.0 §5.1: only alg, kid, jwk and typ; an accepted algorithm; typ JWT if any. */
function checkHeader(header: Record<string, unknown>): JwtOutcome | undefined {
  const extra = Object.keys(header).filter((member) => !ALLOWED_HEADER_MEMBERS.has(member));
  if (extra.length > 0) {
    return {
      ok: false,
      stage: 'proof',
      code: 'jwt.headerNotAllowed',
      message: `The JWT header has members OB 3.0 does not allow (${extra.join(', ')}); only alg, kid, jwk, typ ` +
        `and cty may appear. Keys named by jku or x5u are never fetched.`,
    };
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
    return {
      ok: false,
      stage: 'proof',
      code: 'jwt.algNotAllowed',
      message: `The JWT algorithm "${String(alg)}" is not accepted (RS256, ES256 and EdDSA are).`,
    };
  }
  if (header.typ !== undefined && header.typ !== OB_TYP && !VC_JOSE_TYPS.has(String(header.typ))) {
    return {
      ok: false,
      stage: 'proof',
      code: 'jwt.badTyp',
      message: `The JWT "typ" header is "${String(header.typ)}"; OB 3.0 requires "JWT" when present ` +
        `(VC-JOSE-COSE's "vc+jwt" is accepted too).`,
    };
  }
  return undefined;
}

/** The signature with the issuer's key: undefined when it holds, the failure otherwise. */
function checkSignature(jws: string, jwk: JWK, alg: JwsAlgorithm): JwtOutcome | undefined {
  const check = checkJwsSignature(jws, jwk, alg);
  if (check === 'valid') return undefined;
  if (check === 'mismatch') {
    return {
      ok: false,
      stage: 'proof',
      code: 'proof.signatureMismatch',
      message:
        'The signature does not match the content: the JWT was altered after it was signed, or signed with another ' +
          'key.',
    };
  }
  return {
    ok: false,
    stage: 'proof',
    code: 'jwt.keyMismatch',
    message: `The JWT cannot be checked with the issuer's key: ${check.keyProblem}.`,
  };
}

/** A DID key must belong to the issuer DID; an HTTPS key must live on the issuer's origin. */
function controlledBy(controllerId: string, issuerId: string): boolean {
  if (controllerId === issuerId) return true;
  try {
    const issuer = new URL(issuerId);
    return (
      (issuer.protocol === 'https:' || issuer.protocol === 'http:') && new URL(controllerId).origin === issuer.origin
    );
  } catch {
    return false;
  }
}

function claimIssues(
  payload: Record<string, unknown>,
  credential: Record<string, unknown>,
  issuerId: string,
  isVcdm11: boolean,
  vcJose: boolean,
): ClaimIssue[] {
  const issues: ClaimIssue[] = [];
  const fail = (code: CheckCode, message: string) => issues.push({ severity: 'failed', code, message });
  if (payload.iss !== issuerId && !(vcJose && payload.iss === undefined))
    fail('jwt.issMismatch', `The JWT "iss" (${String(payload.iss)}) is not the credential's issuer (${issuerId}).`);
  if (payload.jti !== undefined && payload.jti !== credential.id)
    fail(
      'jwt.jtiMismatch',
      `The JWT "jti" (${String(payload.jti)}) is not the credential's id (${String(credential.id)}).`,
    );
  if (payload.jti === undefined && credential.id !== undefined)
    issues.push({
      severity: 'warning',
      code: 'jwt.jtiMissing',
      message: 'The JWT has no "jti" claim mirroring the credential id.',
    });
  const subject = credential.credentialSubject as { id?: unknown } | undefined;
  const subjectId = subject && typeof subject === 'object' ? subject.id : undefined;
  if (payload.sub !== undefined && payload.sub !== subjectId)
    fail(
      'jwt.subMismatch',
      `The JWT "sub" (${String(payload.sub)}) is not the credential subject's id (${String(subjectId)}).`,
    );
  // 1EdTech's own baked JWT fixtures omit `sub`; a missing claim is a warning, a different one an error.
  if (payload.sub === undefined && subjectId !== undefined)
    issues.push({
      severity: 'warning',
      code: 'jwt.subMissing',
      message: 'The JWT has no "sub" claim mirroring the credential subject\'s id.',
    });
  const validFrom = seconds(isVcdm11 ? credential.issuanceDate : credential.validFrom);
  if (typeof payload.nbf !== 'number') {
    if (!vcJose) fail('jwt.nbfMissing', 'The JWT has no "nbf" claim.');
  } else if (validFrom !== undefined && payload.nbf !== validFrom)
    fail(
      'jwt.nbfMismatch',
      `The JWT "nbf" does not match the credential's ${isVcdm11 ? 'issuanceDate' : 'validFrom'}.`,
    );
  const validUntil = seconds(isVcdm11 ? credential.expirationDate : credential.validUntil);
  if (payload.exp !== undefined && validUntil !== undefined && payload.exp !== validUntil) {
    fail(
      'jwt.expMismatch',
      `The JWT "exp" does not match the credential's ${isVcdm11 ? 'expirationDate' : 'validUntil'}.`,
    );
  }
  return issues;
}
