import type { Generated, Selectable } from 'kysely';
import type { StatusPurpose } from '../engine/model/types.js';
import type { AuditAction } from '../shared/audit-actions.js';
import type { Lang } from '../shared/language.js';

export type { Lang, StatusPurpose };

/** The closed lists a column holds: a typo in a query or an insert fails to compile. */
export const ROLES = ['platform_admin', 'operator_admin', 'issuer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export type KeyPurpose = 'data-integrity' | 'jwt';
export type KeyStatus = 'active' | 'retired' | 'compromised';
/** See src/store/repositories/outbox.ts for the life of a message. */
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'erased';
export type ClaimRequestStatus = 'pending' | 'approved' | 'rejected';
export type UserTokenPurpose = 'invitation' | 'reset';
/** A credential a holder imported: 'json' (with an embedded proof) or 'jwt' (a compact JWS). */
export type HeldFormat = 'json' | 'jwt';
/** What an endorsement may be about: an issuer's Profile, a badge definition, one awarded credential. */
export const ENDORSEMENT_SUBJECT_TYPES = ['issuer', 'achievement', 'credential'] as const;
export type EndorsementSubjectType = (typeof ENDORSEMENT_SUBJECT_TYPES)[number];
/** 'issuer' awards badges; 'partner' only endorses (migration 012). */
export const ORGANISATION_KINDS = ['issuer', 'partner'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
export const ENDORSEMENT_REQUEST_STATUSES = ['pending', 'accepted', 'declined', 'withdrawn'] as const;
export type EndorsementRequestStatus = (typeof ENDORSEMENT_REQUEST_STATUSES)[number];
/** A pathway is complete with all its badges, or with a number of them (migration 015). */
export const PATHWAY_RULES = ['all', 'count'] as const;
export type PathwayRule = (typeof PATHWAY_RULES)[number];

/**
 * The database, as kysely sees it. Same tables on SQLite and PostgreSQL: times are ISO 8601 text (UTC),
 * flags are integers, JSON is text. Ids are random UUIDs, never sequential.
 */
export interface Database {
  settings: { key: string; value: string };
  organisations: {
    id: string;
    slug: string;
    name: string;
    url: string | null;
    email: string | null;
    description: string | null;
    logo_image_id: string | null;
    linkedin_org_id: string | null;
    created_at: string;
    updated_at: string;
    kind: Generated<OrganisationKind>;
    /** 1 when it appears in the public directory (migration 013). */
    in_directory: Generated<number>;
    /** The territory it serves, in its own words. */
    territory: Generated<string | null>;
  };
  users: {
    id: string;
    organisation_id: string | null;
    email: string;
    name: string | null;
    role: Role;
    password_hash: string | null;
    failed_logins: Generated<number>;
    locked_until: string | null;
    created_at: string;
    disabled_at: string | null;
  };
  api_tokens: {
    id: string;
    user_id: string;
    token_hash: string;
    label: string | null;
    created_at: string;
    last_used_at: string | null;
    revoked_at: string | null;
  };
  issuer_keys: {
    id: string;
    organisation_id: string;
    key_id: string;
    purpose: KeyPurpose;
    algorithm: string;
    public_jwk: string;
    public_multibase: string | null;
    status: KeyStatus;
    private_key_file: string;
    created_at: string;
    retired_at: string | null;
  };
  achievements: {
    id: string;
    organisation_id: string;
    catalogue_key: string | null;
    name_fr: string;
    name_en: string;
    description_fr: string;
    description_en: string;
    criteria_fr: string;
    criteria_en: string;
    achievement_type: string;
    competences: string;
    tags: string;
    template: string;
    colour: string;
    validity_days: number | null;
    archived_at: string | null;
    created_at: string;
    updated_at: string;
  };
  status_lists: {
    id: string;
    organisation_id: string;
    purpose: StatusPurpose;
    /** The revocation list a suspension list mirrors index for index. */
    twin_id: string | null;
    size: number;
    version: Generated<number>;
    signed_credential: string | null;
    signed_version: number | null;
    created_at: string;
    /** Indexes handed out so far (see allocateIndexes). */
    allocated: Generated<number>;
  };
  status_allocations: { list_id: string; idx: number };
  credentials: {
    id: string;
    organisation_id: string;
    achievement_id: string;
    credential_json: string;
    jwt: string;
    language: Lang;
    issued_at: string;
    valid_from: string;
    valid_until: string | null;
    recipient_key: string | null;
    show_name: number;
    status_list_id: string;
    status_index: number;
    revoked_at: string | null;
    revocation_reason: string | null;
    suspended_at: string | null;
    suspension_reason: string | null;
    erased_at: string | null;
    batch_id: string | null;
    created_by: string | null;
    holder_key_hash: Generated<string | null>;
    workshop_id: Generated<string | null>;
    claim_request_id: Generated<string | null>;
    /** The holder made this badge private: its public page and data forms are withdrawn. */
    holder_hidden: Generated<number>;
  };
  recipients: {
    credential_id: string;
    email: string;
    name: string | null;
    created_at: string;
  };
  audit_log: {
    id: string;
    at: string;
    actor_id: string | null;
    organisation_id: string | null;
    action: AuditAction;
    target_type: string;
    target_id: string | null;
    reason: string | null;
    details: string | null;
  };
  rate_limits: { bucket: string; window_start: number; count: number };
  /** Attempts per keyed hash since the last success (see migration 006), and the lock they led to. */
  attempt_locks: { key: string; attempts: number; locked_until: string | null; updated_at: string };
  images: { id: string; organisation_id: string | null; content_type: string; bytes: Buffer; created_at: string };
  web_sessions: { id_hash: string; user_id: string; csrf_token: string; created_at: string; expires_at: string };
  user_tokens: {
    token_hash: string;
    user_id: string;
    purpose: UserTokenPurpose;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  workshops: {
    id: string;
    organisation_id: string;
    title: string;
    workshop_type: string;
    /** The day the workshop was held, YYYY-MM-DD. */
    held_on: string;
    place: string | null;
    /** Short code participants type on the claim page. */
    claim_code: string;
    claim_open: number;
    created_by: string | null;
    created_at: string;
    /** A second organisation that ran the workshop jointly (migration 012): a partnership action. */
    co_organiser_id: Generated<string | null>;
  };
  workshop_badges: { workshop_id: string; achievement_id: string };
  claim_requests: {
    id: string;
    workshop_id: string;
    name: string;
    email: string;
    status: ClaimRequestStatus;
    created_at: string;
    decided_at: string | null;
    decided_by: string | null;
    language: Generated<Lang>;
  };
  outbox: {
    id: string;
    organisation_id: string | null;
    to_email: string;
    subject: string;
    text_body: string;
    html_body: string;
    /** queued → sent, or failed after too many attempts; erased when the holder's data is erased. */
    status: OutboxStatus;
    attempts: Generated<number>;
    last_error: string | null;
    credential_id: string | null;
    created_at: string;
    sent_at: string | null;
  };
  verification_counts: { credential_id: string; organisation_id: string; month: string; count: number };
  /** A credential revoked because it went to a mistyped address, and the one issued instead (migration 009). */
  credential_replacements: { credential_id: string; replaced_by: string; replaced_at: string };
  /** An organisation's award e-mail wording and reminder days (migration 007); null keeps the default. */
  award_messages: {
    organisation_id: string;
    subject_fr: string | null;
    intro_fr: string | null;
    signature_fr: string | null;
    subject_en: string | null;
    intro_en: string | null;
    signature_en: string | null;
    first_reminder_days: number | null;
    second_reminder_days: number | null;
    updated_at: string;
    updated_by: string | null;
  };
  /** One per award e-mail: whether the holder opened it (followed a link, signed in) and the reminders sent. */
  award_notices: {
    credential_id: string;
    organisation_id: string;
    open_token_hash: string;
    emailed_at: string;
    opened_at: string | null;
    reminders_sent: Generated<number>;
    last_reminder_at: string | null;
  };
  holders: {
    id: string;
    email: string;
    name: string | null;
    show_name: Generated<number>;
    created_at: string;
    /** When she answered whether her name may show on her public badge pages; null: not asked yet. */
    name_chosen_at: Generated<string | null>;
  };
  holder_codes: {
    id: string;
    code_hash: string;
    email: string;
    link_hash: string;
    attempts: Generated<number>;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  holder_sessions: { id_hash: string; holder_id: string; csrf_token: string; created_at: string; expires_at: string };
  holder_credentials: {
    id: string;
    holder_id: string;
    issuer_id: string;
    credential_id: string;
    /** 'json' (a credential with an embedded proof) or 'jwt' (a compact JWS). */
    format: HeldFormat;
    content: string;
    valid_from: string;
    imported_at: string;
    updated_at: string;
  };
  /** An EndorsementCredential an organisation signed (migration 010); its status index is in the endorser's list. */
  endorsements: {
    id: string;
    organisation_id: string;
    subject_type: EndorsementSubjectType;
    subject_id: string;
    subject_iri: string;
    comment: string;
    credential_json: string;
    jwt: string;
    status_list_id: string;
    status_index: number;
    created_at: string;
    created_by: string | null;
    revoked_at: string | null;
    revocation_reason: string | null;
  };
  /** An operator asks a partner to endorse one of its badge definitions (migration 012). */
  endorsement_requests: {
    id: string;
    requester_id: string;
    partner_id: string;
    achievement_id: string;
    message: string | null;
    status: EndorsementRequestStatus;
    created_at: string;
    created_by: string | null;
    answered_at: string | null;
    answered_by: string | null;
    answer_message: string | null;
    /** The endorsement signed on acceptance. */
    endorsement_id: string | null;
  };
  /** An endorsement signed elsewhere, attached to a badge definition after it verified (migration 012). */
  imported_endorsements: {
    id: string;
    achievement_id: string;
    /** The organisation whose badge definition it is attached to. */
    organisation_id: string;
    /** The endorser's issuer id (a DID or URL) and name, as the endorsement says. */
    endorser_id: string;
    endorser_name: string;
    comment: string | null;
    format: HeldFormat;
    content: string;
    imported_at: string;
    imported_by: string | null;
    removed_at: string | null;
  };
  /** A set of badges whose completion earns a pathway badge (migration 015, src/app/pathways.ts). */
  pathways: {
    id: string;
    organisation_id: string;
    name_fr: string;
    name_en: string;
    description_fr: string;
    description_en: string;
    /** 1: the badges are steps to take in their order (shown so); completion does not depend on the order. */
    ordered: number;
    rule: PathwayRule;
    /** The number of badges that completes it: all of them for 'all'. */
    required_count: number;
    /** The badges that count must all have been awarded within this many days; null: any time. */
    within_days: number | null;
    /** The pathway badge, an achievement of the owner organisation. */
    achievement_id: string;
    created_at: string;
    created_by: string;
    archived_at: string | null;
  };
  pathway_badges: { pathway_id: string; achievement_id: string; position: number };
  /** One per person and pathway: the primary key makes a completion, and its badge, happen once. */
  pathway_completions: { pathway_id: string; recipient_key: string; credential_id: string; completed_at: string };
  /** A holder's personal issuer identity for peer recognition (migration 011): only display_name is published. */
  peer_identities: { id: string; holder_id: string | null; slug: string; display_name: string; created_at: string };
  /** The keys of a personal identity: the columns of issuer_keys, owned by an identity (see src/keys). */
  peer_identity_keys: Omit<Database['issuer_keys'], 'organisation_id'> & { identity_id: string };
  /** A peer recognition sent; the recipient may refuse or hide it, the platform administrator revoke it. */
  peer_recognitions: {
    id: string;
    identity_id: string;
    recipient_email: string;
    competence: string;
    credential_json: string;
    jwt: string;
    language: Lang;
    issued_at: string;
    status_index: number;
    revoked_at: string | null;
    revocation_reason: string | null;
    refused_at: string | null;
    hidden_at: string | null;
  };
  /** A credential signed through the W3C VC API (migration 016): the caller's document, our signature. */
  vc_api_credentials: {
    id: string;
    organisation_id: string;
    credential_id: string;
    credential_json: string;
    issued_at: string;
    status_list_id: string;
    status_index: number;
    revoked_at: string | null;
    revocation_reason: string | null;
    suspended_at: string | null;
    suspension_reason: string | null;
    created_by: string | null;
  };
  /** An OpenID4VCI offer of one badge to the holder's wallet (migration 017). Secrets are kept as hashes. */
  credential_offers: {
    id: string;
    credential_id: string;
    organisation_id: string;
    pre_authorized_code_hash: string;
    tx_code_hash: string | null;
    failed_attempts: Generated<number>;
    created_by: string | null;
    created_at: string;
    expires_at: string;
    used_at: string | null;
    access_token_hash: string | null;
    access_token_expires_at: string | null;
    issued_credential_id: string | null;
    notification_id: string | null;
    notified_event: string | null;
    /** The VC API exchange's DID Authentication challenge, and until when it is accepted (migration 018). */
    exchange_challenge: string | null;
    exchange_challenge_expires_at: string | null;
  };
  /** A nonce handed out by the OpenID4VCI nonce endpoint, good for one proof of possession. */
  credential_nonces: { nonce: string; expires_at: string };
  /** The copy of a badge issued to a wallet, subject the holder's DID, sharing the original's status entry. */
  wallet_credentials: {
    id: string;
    credential_id: string;
    organisation_id: string;
    offer_id: string;
    holder_did: string;
    format: 'ldp_vc' | 'jwt_vc_json';
    credential_json: string;
    jwt: string;
    issued_at: string;
  };
  /** oidc-provider's artefacts (codes, tokens, grants, sessions, clients), keyed by a hash of their id. */
  oauth_records: {
    model: string;
    id_hash: string;
    payload: string;
    grant_id: string | null;
    uid: string | null;
    account_id: string | null;
    expires_at: string | null;
    consumed_at: string | null;
  };
}

export type HolderRow = Selectable<Database['holders']>;

export type WorkshopRow = Selectable<Database['workshops']>;
export type OutboxRow = Selectable<Database['outbox']>;
export type AwardMessageRow = Selectable<Database['award_messages']>;
export type AwardNoticeRow = Selectable<Database['award_notices']>;

export type OrganisationRow = Selectable<Database['organisations']>;
export type UserRow = Selectable<Database['users']>;
export type IssuerKeyRow = Selectable<Database['issuer_keys']>;
export type AchievementRow = Selectable<Database['achievements']>;
export type CredentialRow = Selectable<Database['credentials']>;
export type StatusListRow = Selectable<Database['status_lists']>;
export type PeerIdentityRow = Selectable<Database['peer_identities']>;
export type PeerRecognitionRow = Selectable<Database['peer_recognitions']>;
export type EndorsementRow = Selectable<Database['endorsements']>;
export type EndorsementRequestRow = Selectable<Database['endorsement_requests']>;
export type ImportedEndorsementRow = Selectable<Database['imported_endorsements']>;
export type PathwayRow = Selectable<Database['pathways']>;
export type VcApiCredentialRow = Selectable<Database['vc_api_credentials']>;
export type CredentialOfferRow = Selectable<Database['credential_offers']>;
export type WalletCredentialRow = Selectable<Database['wallet_credentials']>;
