import {
  ACHIEVEMENT_CREDENTIAL_SCHEMA,
  EXTENSION_TYPES,
  OB_V3P0_3_0_3,
  OB_V3P0_EXTENSIONS,
  VC_V2,
} from './contexts.js';
import { hashedEmailIdentity } from './identity-hash.js';
import type {
  Achievement,
  AchievementSubject,
  BitstringStatusListEntry,
  CredentialSchema,
  Evidence,
  IdentityObject,
  Image,
  OpenBadgeCredential,
  Profile,
} from './types.js';

/** Who receives the badge: a hashed email, a DID, or both. At least one, by construction. */
export type Recipient =
  { email: string; salt?: string; did?: string; name?: string } | { email?: undefined; did: string; name?: string };

export interface CredentialDraft {
  /** `urn:uuid:…` or an HTTPS URL; becomes the JWT `jti`. */
  id: string;
  issuer: Profile;
  achievement: Achievement;
  recipient: Recipient;
  validFrom: Date;
  validUntil?: Date;
  /** The first award date, kept when a re-issue moves `validFrom`. */
  awardedDate?: Date;
  /** Defaults to the achievement's name. */
  name?: string;
  description?: string;
  image?: Image;
  evidence?: Evidence[];
  credentialStatus?: BitstringStatusListEntry;
  /** Declare the official JSON Schema (default true). */
  withSchema?: boolean;
}

function dateTimeZ(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid date in credential draft');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function usesExtensionTypes(value: unknown): boolean {
  const text = JSON.stringify(value);
  return EXTENSION_TYPES.some((type) => text.includes(`"${type}"`));
}

function subjectFor(recipient: Recipient, achievement: Achievement): AchievementSubject {
  const identifier: IdentityObject[] | undefined =
    recipient.email !== undefined ? [hashedEmailIdentity(recipient.email, recipient.salt)] : undefined;
  const common = { type: ['AchievementSubject'], achievement, ...(recipient.name ? { name: recipient.name } : {}) };
  if (recipient.did) return { id: recipient.did, ...common, ...(identifier ? { identifier } : {}) };
  if (!identifier) throw new TypeError('A recipient needs an email or a DID');
  return { ...common, identifier };
}

/**
 * Builds an unsigned OpenBadgeCredential, VCDM 2.0: contexts in the required order (VC v2, OB 3.0.3, then the
 * 1EdTech extensions context when an extension type is used), arrays everywhere, no empty values.
 */
export function buildOpenBadgeCredential(draft: CredentialDraft): OpenBadgeCredential {
  const credentialSchema: CredentialSchema[] | undefined =
    draft.withSchema === false ? undefined : [{ ...ACHIEVEMENT_CREDENTIAL_SCHEMA }];
  const body = {
    id: draft.id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: draft.issuer,
    validFrom: dateTimeZ(draft.validFrom),
    ...(draft.validUntil ? { validUntil: dateTimeZ(draft.validUntil) } : {}),
    ...(draft.awardedDate ? { awardedDate: dateTimeZ(draft.awardedDate) } : {}),
    name: draft.name ?? draft.achievement.name,
    ...(draft.description ? { description: draft.description } : {}),
    ...(draft.image ? { image: draft.image } : {}),
    credentialSubject: subjectFor(draft.recipient, draft.achievement),
    ...(draft.evidence && draft.evidence.length > 0 ? { evidence: draft.evidence } : {}),
    ...(draft.credentialStatus ? { credentialStatus: draft.credentialStatus } : {}),
    ...(credentialSchema ? { credentialSchema } : {}),
  };
  if (draft.validUntil && draft.validUntil.getTime() < draft.validFrom.getTime()) {
    throw new RangeError('validUntil is before validFrom');
  }
  const context = usesExtensionTypes(body) ? [VC_V2, OB_V3P0_3_0_3, OB_V3P0_EXTENSIONS] : [VC_V2, OB_V3P0_3_0_3];
  return { '@context': context, ...body };
}
