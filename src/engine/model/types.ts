/**
 * Open Badges 3.0 data model (VCDM 2.0 binding), as issued by Blason and as read from anyone.
 * Field names and cardinalities follow ../shared/docs/ob3-spec.md §2; "one or many" fields are
 * typed as arrays because Blason always issues arrays, and `normalize.ts` turns the compacted
 * single-value forms other issuers send into arrays before anything else reads them.
 */

export type Iri = string;
/** ISO 8601 date-time with a zone, e.g. `2026-11-26T10:00:00Z`. */
export type DateTimeZ = string;
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

export interface Image {
  id: Iri;
  type: 'Image';
  caption?: string;
}

export interface Address {
  type: string[];
  addressCountry?: string;
  addressCountryCode?: string;
  addressRegion?: string;
  addressLocality?: string;
  streetAddress?: string;
  postOfficeBoxNumber?: string;
  postalCode?: string;
}

export const IDENTIFIER_TYPES = [
  'name',
  'sourcedId',
  'systemId',
  'productId',
  'userName',
  'accountId',
  'emailAddress',
  'nationalIdentityNumber',
  'isbn',
  'issn',
  'lisSourcedId',
  'oneRosterSourcedId',
  'sisSourcedId',
  'ltiContextId',
  'ltiDeploymentId',
  'ltiToolId',
  'ltiPlatformId',
  'ltiUserId',
  'identifier',
] as const;
/** One of the spec's identifier types, or an extension term (`ext:…`). */
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number] | `ext:${string}`;

export interface IdentifierEntry {
  type: 'IdentifierEntry';
  identifier: string;
  identifierType: IdentifierType;
}

/** `sha256$<hex>` or `md5$<hex>` when hashed, the plain identifier otherwise. */
export type IdentityObject =
  | {
      type: 'IdentityObject';
      hashed: true;
      identityHash: `sha256$${string}` | `md5$${string}`;
      identityType: IdentifierType;
      salt?: string;
    }
  | { type: 'IdentityObject'; hashed: false; identityHash: string; identityType: IdentifierType; salt?: never };

export interface Profile {
  id: Iri;
  type: string[];
  name?: string;
  url?: Iri;
  phone?: string;
  description?: string;
  email?: string;
  image?: Image;
  address?: Address;
  official?: string;
  parentOrg?: Profile;
  otherIdentifier?: IdentifierEntry[];
  endorsement?: EndorsementCredential[];
  endorsementJwt?: string[];
  givenName?: string;
  familyName?: string;
}

export const ALIGNMENT_TARGET_TYPES = [
  'ceasn:Competency',
  'ceterms:Credential',
  'CFItem',
  'CFRubric',
  'CFRubricCriterion',
  'CFRubricCriterionLevel',
  'CTDL',
] as const;

export interface Alignment {
  type: string[];
  targetName: string;
  targetUrl: Iri;
  targetCode?: string;
  targetDescription?: string;
  targetFramework?: string;
  targetType?: (typeof ALIGNMENT_TARGET_TYPES)[number] | `ext:${string}`;
}

export interface Criteria {
  id?: Iri;
  narrative?: string;
}

export const ACHIEVEMENT_TYPES = [
  'Achievement',
  'ApprenticeshipCertificate',
  'Assessment',
  'Assignment',
  'AssociateDegree',
  'Award',
  'Badge',
  'BachelorDegree',
  'Certificate',
  'CertificateOfCompletion',
  'Certification',
  'CommunityService',
  'Competency',
  'Course',
  'CoCurricular',
  'Degree',
  'Diploma',
  'DoctoralDegree',
  'Fieldwork',
  'GeneralEducationDevelopment',
  'JourneymanCertificate',
  'LearningProgram',
  'License',
  'Membership',
  'ProfessionalDoctorate',
  'QualityAssuranceCredential',
  'MasterCertificate',
  'MasterDegree',
  'MicroCredential',
  'ResearchDoctorate',
  'SecondarySchoolDiploma',
] as const;
export type AchievementType = (typeof ACHIEVEMENT_TYPES)[number] | `ext:${string}`;

export interface RubricCriterionLevel {
  id: Iri;
  type: string[];
  name: string;
  description?: string;
  level?: string;
  points?: string;
  alignment?: Alignment[];
}

export interface ResultDescription {
  id: Iri;
  type: string[];
  name: string;
  resultType: string;
  allowedValue?: string[];
  requiredValue?: string;
  requiredLevel?: Iri;
  valueMin?: string;
  valueMax?: string;
  alignment?: Alignment[];
  rubricCriterionLevel?: RubricCriterionLevel[];
}

export interface Result {
  type: string[];
  resultDescription?: Iri;
  achievedLevel?: Iri;
  value?: string;
  status?: 'Completed' | 'Enrolled' | 'Failed' | 'InProgress' | 'OnHold' | 'Provisional' | 'Withdrew';
  alignment?: Alignment[];
}

export interface Related {
  id: Iri;
  type: string[];
  inLanguage?: string;
  version?: string;
}

export interface Achievement {
  id: Iri;
  type: string[];
  name: string;
  description: string;
  criteria: Criteria;
  achievementType?: AchievementType;
  alignment?: Alignment[];
  creator?: Profile;
  creditsAvailable?: number;
  image?: Image;
  tag?: string[];
  fieldOfStudy?: string;
  specialization?: string;
  humanCode?: string;
  version?: string;
  inLanguage?: string;
  otherIdentifier?: IdentifierEntry[];
  related?: Related[];
  resultDescription?: ResultDescription[];
  endorsement?: EndorsementCredential[];
  endorsementJwt?: string[];
}

export interface Evidence {
  id?: Iri;
  type: string[];
  narrative?: string;
  name?: string;
  description?: string;
  genre?: string;
  audience?: string;
}

/** The recipient. The spec requires `id` and/or `identifier`; the type says so. */
export type AchievementSubject = {
  type: string[];
  achievement: Achievement;
  activityStartDate?: DateTimeZ;
  activityEndDate?: DateTimeZ;
  creditsEarned?: number;
  image?: Image;
  licenseNumber?: string;
  narrative?: string;
  result?: Result[];
  role?: string;
  source?: Profile;
  term?: string;
  name?: string;
} & ({ id: Iri; identifier?: IdentityObject[] } | { id?: undefined; identifier: IdentityObject[] });

export interface CredentialSchema {
  id: Iri;
  type: string;
}

/** What a status list records: BitstringStatusList `statusPurpose` values this service issues. */
export type StatusPurpose = 'revocation' | 'suspension';

export interface BitstringStatusListEntry {
  /** Optional in VCDM 2.0, required by the OB 3.0 schema of 2024: always written. */
  id: Iri;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  /** A decimal integer as a string (W3C); some issuers send a number, accepted when verifying. */
  statusListIndex: string;
  statusListCredential: Iri;
}

export interface DataIntegrityProof {
  type: 'DataIntegrityProof';
  cryptosuite: string;
  created?: DateTimeZ;
  verificationMethod: Iri;
  proofPurpose: 'assertionMethod';
  proofValue: string;
}

interface CredentialBase {
  '@context': (Iri | JsonObject)[];
  id: Iri;
  type: string[];
  issuer: Profile;
  validFrom: DateTimeZ;
  validUntil?: DateTimeZ;
  name: string;
  description?: string;
  image?: Image;
  awardedDate?: DateTimeZ;
  credentialSchema?: CredentialSchema[];
  credentialStatus?: BitstringStatusListEntry;
  proof?: DataIntegrityProof[];
}

/** OpenBadgeCredential (alias AchievementCredential) before it is signed. */
export interface OpenBadgeCredential extends CredentialBase {
  credentialSubject: AchievementSubject;
  evidence?: Evidence[];
  endorsement?: EndorsementCredential[];
  endorsementJwt?: string[];
}

export interface EndorsementSubject {
  id: Iri;
  type: string[];
  endorsementComment?: string;
}

export interface EndorsementCredential extends CredentialBase {
  credentialSubject: EndorsementSubject;
}

/** A credential with at least one embedded proof. */
export type SignedCredential<C extends CredentialBase = OpenBadgeCredential> = C & { proof: DataIntegrityProof[] };
