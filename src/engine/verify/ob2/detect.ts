/**
 * Telling Open Badges 2.0 and the older 1.x / 0.5 formats apart from Open Badges 3.0, by their shape alone and
 * before anything is fetched (standards-2.md §1.1–1.2). An OB 3.0 credential is a W3C credential: it has a
 * VC context first and a `type` list, so none of the shapes below can be mistaken for one.
 */
import { OB_V2 } from '../../model/contexts.js';

/** An OB 2.0 badge as it reaches the verifier: the hosted assertion's URL, a JSON copy of it, or a signed JWS. */
export type Ob2Input =
  | { source: 'url'; url: string }
  | { source: 'json'; assertion: Record<string, unknown> }
  | { source: 'jws'; jws: string };

export type BadgeGeneration = 'ob2' | 'ob1';

const OB_V1_PREFIX = 'https://w3id.org/openbadges/v1';

export const OB1_TOO_OLD_MESSAGE =
  'This is an Open Badges 1.x (or older) badge. That format is too old to be ' +
  'verified: its issuer can no longer be confirmed the way current badges are. Ask the issuer to give you this ' +
  'badge again in a newer version (Open Badges 3.0, or at least 2.0).';

function contextsOf(value: Record<string, unknown>): unknown[] {
  const context = value['@context'];
  return context === undefined ? [] : Array.isArray(context) ? context : [context];
}

/** `type` read as a list, with the full Open Badges IRIs reduced to their class name. */
export function typesOf(value: Record<string, unknown>): string[] {
  const types = Array.isArray(value.type) ? value.type : [value.type];
  return types
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.replace(/^https:\/\/w3id\.org\/openbadges#/, ''));
}

/**
 * Which Open Badges generation a JSON object is, if it is an OB 2.0 or older assertion; undefined otherwise
 * (an OB 3.0 credential, a VC-JWT payload, anything else). OB 1.1 named its own context; 1.0 and 0.5 had none,
 * and are told by what 2.0 dropped: `uid`, `verify.url`, a recipient given as a bare string, a badge carrying
 * its `version`.
 */
export function badgeGeneration(value: Record<string, unknown>): BadgeGeneration | undefined {
  const contexts = contextsOf(value).filter((c): c is string => typeof c === 'string');
  if (contexts.some((c) => c.startsWith(OB_V2))) return 'ob2';
  if (contexts.some((c) => c.startsWith(OB_V1_PREFIX))) return 'ob1';
  if (typesOf(value).includes('Assertion')) return 'ob2';
  if (contexts.length > 0) return undefined;
  const verify = value.verify as { url?: unknown } | undefined;
  const badge = value.badge as { version?: unknown } | undefined;
  const old =
    typeof value.uid === 'string' ||
    typeof verify?.url === 'string' ||
    (typeof value.recipient === 'string' && value.badge !== undefined) ||
    (typeof badge?.version === 'string' && /^(0|1)\./.test(badge.version));
  return old ? 'ob1' : undefined;
}

export type VerificationKind = 'hosted' | 'signed';

/** The assertion's verification type, aliases included (`verify`/`verification`, `hosted`/`HostedBadge`…). */
export function verificationKind(assertion: Record<string, unknown>): VerificationKind | undefined {
  const object = (assertion.verification ?? assertion.verify) as Record<string, unknown> | undefined;
  if (!object || typeof object !== 'object') return undefined;
  const types = typesOf(object);
  if (types.some((t) => t === 'hosted' || t === 'HostedBadge')) return 'hosted';
  if (types.some((t) => t === 'signed' || t === 'SignedBadge')) return 'signed';
  return undefined;
}
