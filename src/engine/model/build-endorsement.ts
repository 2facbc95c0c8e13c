import { ENDORSEMENT_CREDENTIAL_SCHEMA, OB_V3P0_3_0_3, OB_V3P0_EXTENSIONS, VC_V2 } from './contexts.js';
import type { BitstringStatusListEntry, CredentialSchema, EndorsementCredential, Profile } from './types.js';

export interface EndorsementDraft {
  /** An HTTPS URL or `urn:uuid:…`; becomes the JWT `jti`. */
  id: string;
  /** The endorser, as its OB 3.0 Profile. */
  issuer: Profile;
  /** The id of what is endorsed: an issuer Profile, an Achievement or an awarded credential. */
  subjectId: string;
  /** Markdown, in the endorser's words. */
  comment?: string;
  /** Defaults to "Endorsement by <endorser name>", since the schema requires a name. */
  name?: string;
  validFrom: Date;
  credentialStatus?: BitstringStatusListEntry;
}

function dateTimeZ(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid date in endorsement draft');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Builds an unsigned OB 3.0 EndorsementCredential (VCDM 2.0): the subject carries only the endorsed thing's id
 * and the comment, and the official endorsement schema is declared so that any verifier checks the shape.
 */
export function buildEndorsementCredential(draft: EndorsementDraft): EndorsementCredential {
  const credentialSchema: CredentialSchema[] = [{ ...ENDORSEMENT_CREDENTIAL_SCHEMA }];
  const comment = draft.comment?.trim();
  return {
    // The extensions context defines 1EdTechJsonSchemaValidator2019, the type of the declared schema.
    '@context': [VC_V2, OB_V3P0_3_0_3, OB_V3P0_EXTENSIONS],
    id: draft.id,
    type: ['VerifiableCredential', 'EndorsementCredential'],
    issuer: draft.issuer,
    validFrom: dateTimeZ(draft.validFrom),
    name: draft.name ?? `Endorsement by ${draft.issuer.name ?? draft.issuer.id}`,
    credentialSubject: {
      id: draft.subjectId,
      type: ['EndorsementSubject'],
      ...(comment ? { endorsementComment: comment } : {}),
    },
    ...(draft.credentialStatus ? { credentialStatus: draft.credentialStatus } : {}),
    credentialSchema,
  };
}
