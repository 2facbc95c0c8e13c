import { createHash, randomBytes } from 'node:crypto';
import type { IdentityObject } from './types.js';

/**
 * Emails are trimmed and lower-cased before hashing. The spec does not say how to normalise
 * (ob3-spec.md §2.5), so we say it here and in the README: a holder who types " Ana@Example.fr "
 * must match the badge issued to "ana@example.fr".
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** IdentityHash per OB 3.0: `sha256$` + hex(SHA-256(UTF-8(identifier + salt))), salt appended with no separator. */
export function identityHash(
  identifier: string,
  salt: string,
  algorithm: 'sha256' | 'md5' = 'sha256',
): `sha256$${string}` | `md5$${string}` {
  const hex = createHash(algorithm)
    .update(identifier + salt, 'utf8')
    .digest('hex');
  return `${algorithm}$${hex}`;
}

/** A fresh salt: 16 random bytes, hex. Public in the credential; it only stops precomputed tables. */
export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

export function hashedEmailIdentity(email: string, salt: string = newSalt()): IdentityObject {
  return {
    type: 'IdentityObject',
    hashed: true,
    identityHash: identityHash(normalizeEmail(email), salt),
    identityType: 'emailAddress',
    salt,
  };
}

/**
 * Does `identity` name this plain identifier? Hash prefixes and hex case are handled as the spec allows.
 * Returns false for identities of another type.
 */
export function identityMatches(
  identity: { hashed?: unknown; identityHash?: unknown; identityType?: unknown; salt?: unknown },
  known: string,
  knownType = 'emailAddress',
): boolean {
  if (identity.identityType !== knownType || typeof identity.identityHash !== 'string') return false;
  const candidate = knownType === 'emailAddress' ? normalizeEmail(known) : known;
  if (identity.hashed !== true) return identity.identityHash === candidate;
  const [algorithm, hex] = identity.identityHash.split('$');
  if ((algorithm !== 'sha256' && algorithm !== 'md5') || !hex) return false;
  const salt = typeof identity.salt === 'string' ? identity.salt : '';
  return identityHash(candidate, salt, algorithm).toLowerCase() === identity.identityHash.toLowerCase();
}
