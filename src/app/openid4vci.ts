import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { OB_V3P0_3_0_3, VC_V2 } from '../engine/model/contexts.js';
import type { OpenBadgeCredential } from '../engine/model/types.js';
import { signDataIntegrity, signJwt } from '../engine/proof/sign.js';
import { resolveDidKeyOffline } from '../engine/verify/did-key.js';
import { findCredential } from '../store/repositories/credentials.js';
import {
  consumeNonce,
  countFailedAttempt,
  findOfferByCode,
  findOfferByToken,
  insertNonce,
  insertOffer,
  insertWalletCredential,
  markIssued,
  recordNotification,
  redeemOffer,
  walletCopiesOf,
} from '../store/repositories/credential-offers.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import type { Executor } from '../store/database.js';
import type { CredentialOfferRow, CredentialRow } from '../store/schema.js';
import { newId } from '../shared/clock.js';
import { recordAudit } from './audit-actions.js';
import type { AppContext } from './context.js';
import { loadCredential, stateOf, type CredentialState } from './credentials.js';
import { AppError, conflict } from './errors.js';
import { ownIssued, type HolderRow } from './holders.js';
import { issuerDid } from './issuers.js';
import { authorize, type Actor } from './policies.js';

/**
 * OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow (issue 15 §1): a badge goes to the
 * holder's wallet as a copy whose subject is the wallet's DID. Blason is both the credential issuer and its
 * authorization server; its identifier is the service's origin.
 *
 * The copy keeps everything of the original (achievement, issuer, hashed e-mail identifier, validity) and its
 * credentialStatus entry: same list, same index. Revoking the badge therefore revokes every copy through the
 * published list, and no second index is allocated (nothing counts on an index being held by one credential
 * only: status_allocations reserves it once, for the original). Suspension is published through the original's
 * id only (src/app/verify.ts), so a copy shows revocation, not suspension.
 */

export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
export const PROOF_TYPE = 'openid4vci-proof+jwt';
/** Long enough to scan a code and type six digits, short enough that a forgotten screen is not an open door. */
const OFFER_TTL_MS = 15 * 60_000;
const ACCESS_TOKEN_TTL_S = 10 * 60;
const NONCE_TTL_S = 5 * 60;
/** A proof signed longer ago than this (or this far in the future) is refused. */
const PROOF_MAX_AGE_S = 5 * 60;
const TX_CODE_LENGTH = 6;
/** Wrong transaction codes before the offer dies: one million codes cannot be tried five at a time. */
const MAX_TX_ATTEMPTS = 5;

export type CredentialConfigurationId = 'OpenBadgeCredential_ldp_vc' | 'OpenBadgeCredential_jwt_vc_json';
export type WalletFormat = 'ldp_vc' | 'jwt_vc_json';
const FORMATS: Record<CredentialConfigurationId, WalletFormat> = {
  OpenBadgeCredential_ldp_vc: 'ldp_vc',
  OpenBadgeCredential_jwt_vc_json: 'jwt_vc_json',
};
export type NotificationEvent = 'credential_accepted' | 'credential_failure' | 'credential_deleted';
const EVENTS: readonly NotificationEvent[] = ['credential_accepted', 'credential_failure', 'credential_deleted'];

/** The error codes of OAuth 2.0 (RFC 6749 §5.2, RFC 6750 §3.1) and OpenID4VCI 1.0 (§6.3, §8.3.1.2, §11.3). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_token'
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'credential_request_denied'
  | 'invalid_notification_id'
  | 'invalid_notification_request';

/**
 * Wallets read OAuth's error JSON (`{"error": …, "error_description": …}`), not problem+json: these endpoints
 * answer with this error, which the routes send as the spec says, with the status it carries.
 */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

const endpoints = (app: AppContext) => {
  const issuer = app.ids.origin;
  return {
    issuer,
    token: `${issuer}/oid4vci/token`,
    nonce: `${issuer}/oid4vci/nonce`,
    credential: `${issuer}/oid4vci/credential`,
    notification: `${issuer}/oid4vci/notification`,
  };
};

/** The credential issuer's identifier, which a proof's `aud` must name. */
export function credentialIssuerId(app: AppContext): string {
  return app.ids.origin;
}

function badgeDisplay(app: AppContext) {
  const logo = `${app.ids.origin}/assets/favicon.svg`;
  return [
    {
      name: 'Open Badge (badge numérique)',
      locale: 'fr',
      description: 'Un badge numérique Open Badges 3.0 délivré par un organisme qui utilise Blason.',
      logo: { uri: logo, alt_text: 'Logo de Blason' },
      background_color: '#1d3557',
      text_color: '#ffffff',
    },
    {
      name: 'Open Badge (digital badge)',
      locale: 'en',
      description: 'An Open Badges 3.0 digital badge issued by an organisation that uses Blason.',
      logo: { uri: logo, alt_text: 'Blason logo' },
      background_color: '#1d3557',
      text_color: '#ffffff',
    },
  ];
}

/** GET /.well-known/openid-credential-issuer (OpenID4VCI 1.0 §12.2). */
export function issuerMetadata(app: AppContext): Record<string, unknown> {
  const urls = endpoints(app);
  const common = {
    cryptographic_binding_methods_supported: ['did:key', 'did:jwk'],
    proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['EdDSA', 'Ed25519', 'ES256'] } },
    credential_definition: {
      '@context': [VC_V2, OB_V3P0_3_0_3],
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
    },
    credential_metadata: { display: badgeDisplay(app) },
  };
  return {
    credential_issuer: urls.issuer,
    authorization_servers: [urls.issuer],
    credential_endpoint: urls.credential,
    nonce_endpoint: urls.nonce,
    notification_endpoint: urls.notification,
    display: [
      { name: 'Blason', locale: 'fr', logo: { uri: `${urls.issuer}/assets/favicon.svg`, alt_text: 'Logo de Blason' } },
      { name: 'Blason', locale: 'en', logo: { uri: `${urls.issuer}/assets/favicon.svg`, alt_text: 'Blason logo' } },
    ],
    credential_configurations_supported: {
      OpenBadgeCredential_ldp_vc: {
        format: 'ldp_vc',
        credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
        ...common,
      },
      OpenBadgeCredential_jwt_vc_json: {
        format: 'jwt_vc_json',
        credential_signing_alg_values_supported: ['ES256'],
        ...common,
        credential_definition: { type: common.credential_definition.type },
      },
    },
  };
}

/** GET /.well-known/oauth-authorization-server (RFC 8414): Blason is its own authorization server. */
export function authorizationServerMetadata(app: AppContext): Record<string, unknown> {
  const urls = endpoints(app);
  return {
    issuer: urls.issuer,
    token_endpoint: urls.token,
    grant_types_supported: [PRE_AUTHORIZED_GRANT],
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: [],
    'pre-authorized_grant_anonymous_access_supported': true,
  };
}

/**
 * The offer's pre-authorized code is derived from a second secret, the exchange secret, which names the offer's
 * interaction URL and VC API exchange (src/app/vcapi-exchanges.ts). Whoever holds the exchange secret can rebuild
 * the OpenID4VCI offer; whoever holds only the code (it is in the QR code) cannot go back to the exchange, which
 * asks for no transaction code. Only the code's hash is stored, as before.
 */
export function codeOfExchange(secret: string): string {
  return createHash('sha256').update(`blason/oid4vci-code/${secret}`).digest('base64url');
}

/** The offer, found by its exchange secret. */
export function findOfferOfExchange(app: AppContext, secret: string): Promise<CredentialOfferRow | undefined> {
  return findOfferByCode(app.db, sha256(codeOfExchange(secret)));
}

/** The interaction URL of an offer (issue 15 §2): a wallet asks it which protocols it may use. */
export function interactionUrlOf(app: AppContext, secret: string): string {
  return `${app.ids.origin}/interactions/${secret}?iuv=1`;
}

/** `openid-credential-offer://?credential_offer=…` for a pre-authorized code: what the QR code holds. */
export function offerLinkOf(app: AppContext, code: string): string {
  const credentialOffer = {
    credential_issuer: credentialIssuerId(app),
    credential_configuration_ids: Object.keys(FORMATS),
    grants: {
      [PRE_AUTHORIZED_GRANT]: {
        'pre-authorized_code': code,
        tx_code: {
          input_mode: 'numeric',
          length: TX_CODE_LENGTH,
          description: 'Code à 6 chiffres affiché sur votre page Blason / 6-digit code shown on your Blason page',
        },
      },
    },
  };
  return `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(credentialOffer))}`;
}

export interface CreatedOffer {
  offerId: string;
  /**
   * `…/interactions/{secret}?iuv=1`: the same offer for any wallet, OpenID4VCI or VC API. It needs no transaction
   * code, so it is shown only to whoever made the offer, never inside the QR code.
   */
  interaction: string;
  /** `openid-credential-offer://?credential_offer=…`: what the QR code holds. Never the transaction code. */
  offer: string;
  /** Six digits the holder types in her wallet: shown to her beside the QR code, never inside it. */
  txCode: string;
  expiresAt: string;
  /** The badge's name, for the holder's page. */
  badgeName: string;
}

async function makeOffer(app: AppContext, row: CredentialRow, createdBy: string | null): Promise<CreatedOffer> {
  if (row.erased_at) throw new AppError(410, 'erased', "This badge's holder data was erased: it cannot be offered.");
  if (row.revoked_at) throw conflict('This badge is revoked: it cannot be added to a wallet.');
  const secret = randomBytes(32).toString('base64url');
  const code = codeOfExchange(secret);
  const txCode = String(randomInt(0, 10 ** TX_CODE_LENGTH)).padStart(TX_CODE_LENGTH, '0');
  const now = app.clock.now();
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + OFFER_TTL_MS).toISOString();
  const offerId = newId();
  await app.db.transaction().execute(async (trx) => {
    await insertOffer(trx, {
      id: offerId,
      credential_id: row.id,
      organisation_id: row.organisation_id,
      pre_authorized_code_hash: sha256(code),
      tx_code_hash: sha256(txCode),
      created_by: createdBy,
      created_at: at,
      expires_at: expiresAt,
      used_at: null,
      access_token_hash: null,
      access_token_expires_at: null,
      issued_credential_id: null,
      notification_id: null,
      notified_event: null,
    });
    await recordAudit(trx, {
      at,
      actorId: createdBy,
      organisationId: row.organisation_id,
      action: 'credential.offered',
      targetType: 'credential',
      targetId: row.id,
      details: { offerId, by: createdBy ? 'operator' : 'holder' },
    });
  });
  const badgeName = String((JSON.parse(row.credential_json) as { name?: unknown }).name ?? '');
  const interaction = interactionUrlOf(app, secret);
  return { offerId, interaction, offer: offerLinkOf(app, code), txCode, expiresAt, badgeName };
}

/** POST /api/v1/credentials/{id}/offer: an operator offers one of its organisation's badges to its holder. */
export async function createOffer(app: AppContext, actor: Actor, credentialId: string): Promise<CreatedOffer> {
  authorize(actor, 'credential.award');
  return makeOffer(app, await loadCredential(app, actor, credentialId), actor.userId);
}

/** "Ajouter à mon portefeuille": the signed-in holder offers one of her own badges to her wallet. */
export async function createHolderOffer(
  app: AppContext,
  holder: HolderRow,
  credentialId: string,
): Promise<CreatedOffer> {
  return makeOffer(app, await ownIssued(app, holder, credentialId), null);
}

/** POST /oid4vci/token: the pre-authorized code (and its transaction code) for an access token, once. */
export async function exchangeToken(
  app: AppContext,
  params: Record<string, unknown>,
): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }> {
  if (params.grant_type !== PRE_AUTHORIZED_GRANT)
    throw new OAuthError(400, 'unsupported_grant_type', `Only the ${PRE_AUTHORIZED_GRANT} grant is supported.`);
  const code = params['pre-authorized_code'];
  if (typeof code !== 'string' || code === '')
    throw new OAuthError(400, 'invalid_request', 'The pre-authorized_code parameter is missing.');
  const offer = await findOfferByCode(app.db, sha256(code));
  const now = app.clock.now();
  if (!offer) throw new OAuthError(400, 'invalid_grant', 'This offer is unknown: ask for a new one.');
  if (offer.used_at) throw new OAuthError(400, 'invalid_grant', 'This offer was already used: ask for a new one.');
  if (Date.parse(offer.expires_at) <= now.getTime())
    throw new OAuthError(400, 'invalid_grant', 'This offer has expired: ask for a new one.');
  if (offer.failed_attempts >= MAX_TX_ATTEMPTS)
    throw new OAuthError(400, 'invalid_grant', 'Too many wrong codes were tried: ask for a new offer.');
  const txCode = params.tx_code;
  if (offer.tx_code_hash) {
    if (typeof txCode !== 'string' || txCode === '')
      throw new OAuthError(400, 'invalid_request', 'This offer needs its transaction code (tx_code).');
    if (!sameHash(sha256(txCode), offer.tx_code_hash)) {
      const attempts = await countFailedAttempt(app.db, offer.id);
      throw new OAuthError(
        400,
        'invalid_grant',
        attempts >= MAX_TX_ATTEMPTS
          ? 'Wrong transaction code, and too many were tried: ask for a new offer.'
          : 'Wrong transaction code: check the six digits shown on your page.',
      );
    }
  } else if (txCode !== undefined) {
    throw new OAuthError(400, 'invalid_request', 'This offer has no transaction code.');
  }
  const token = randomBytes(32).toString('base64url');
  const redeemed = await redeemOffer(app.db, offer.id, {
    used_at: now.toISOString(),
    access_token_hash: sha256(token),
    access_token_expires_at: new Date(now.getTime() + ACCESS_TOKEN_TTL_S * 1000).toISOString(),
  });
  if (!redeemed) throw new OAuthError(400, 'invalid_grant', 'This offer was already used: ask for a new one.');
  return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S };
}

/** POST /oid4vci/nonce: a fresh c_nonce, good for one proof within a few minutes. */
export async function newNonce(app: AppContext): Promise<{ c_nonce: string; c_nonce_expires_in: number }> {
  const nonce = randomBytes(24).toString('base64url');
  await insertNonce(app.db, nonce, new Date(app.clock.now().getTime() + NONCE_TTL_S * 1000).toISOString());
  return { c_nonce: nonce, c_nonce_expires_in: NONCE_TTL_S };
}

async function offerOfToken(app: AppContext, authorization: string | undefined): Promise<CredentialOfferRow> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) throw new OAuthError(401, 'invalid_token', 'Send the access token as "Authorization: Bearer <token>".');
  const offer = await findOfferByToken(app.db, sha256(match[1]!));
  if (!offer || !offer.access_token_expires_at)
    throw new OAuthError(401, 'invalid_token', 'This access token is unknown.');
  if (Date.parse(offer.access_token_expires_at) <= app.clock.now().getTime())
    throw new OAuthError(401, 'invalid_token', 'This access token has expired.');
  return offer;
}

/** A holder key named by a proof's header: its public JWK and the DID that becomes the credential's subject. */
interface HolderKey {
  did: string;
  jwk: JWK;
}

function publicJwk(jwk: JWK): JWK {
  const { kty, crv, x, y } = jwk;
  const ok = (kty === 'OKP' && crv === 'Ed25519' && x) || (kty === 'EC' && crv === 'P-256' && x && y);
  if (!ok) throw new OAuthError(400, 'invalid_proof', 'The proof key must be an Ed25519 or P-256 public key.');
  return { kty, crv, x, ...(y ? { y } : {}) } as JWK;
}

function didJwkOf(jwk: JWK): string {
  return `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;
}

async function holderKeyOf(header: { kid?: string; jwk?: JWK }): Promise<HolderKey> {
  if (header.kid && header.jwk)
    throw new OAuthError(400, 'invalid_proof', 'A proof names its key by kid or by jwk, not both.');
  if (header.jwk) {
    const jwk = publicJwk(header.jwk);
    return { did: didJwkOf(jwk), jwk };
  }
  const kid = header.kid ?? '';
  if (kid.startsWith('did:key:')) {
    try {
      const key = await resolveDidKeyOffline(kid);
      return { did: key.did, jwk: key.jwk };
    } catch (error) {
      throw new OAuthError(400, 'invalid_proof', (error as Error).message);
    }
  }
  if (kid.startsWith('did:jwk:')) {
    const [did = '', fragment] = kid.split('#');
    if (fragment !== undefined && fragment !== '0')
      throw new OAuthError(400, 'invalid_proof', 'A did:jwk key is named with the fragment #0.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8'));
    } catch {
      throw new OAuthError(400, 'invalid_proof', 'The did:jwk in kid does not hold a JSON key.');
    }
    if (!parsed || typeof parsed !== 'object')
      throw new OAuthError(400, 'invalid_proof', 'The did:jwk in kid does not hold a JSON key.');
    return { did, jwk: publicJwk(parsed as JWK) };
  }
  throw new OAuthError(400, 'invalid_proof', 'The proof must name a did:key or did:jwk key in kid, or carry a jwk.');
}

/**
 * Checks a `jwt` proof of possession (OpenID4VCI 1.0 Appendix F.1): its type, its signature by the key it
 * names, `aud` = this issuer, a recent `iat`, and a nonce from our nonce endpoint, used up here.
 */
export async function verifyProof(app: AppContext, jwt: string): Promise<HolderKey> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new OAuthError(400, 'invalid_proof', 'The proof is not a JWT.');
  }
  if (header.typ !== PROOF_TYPE) throw new OAuthError(400, 'invalid_proof', `The proof's typ must be ${PROOF_TYPE}.`);
  const key = await holderKeyOf(header as { kid?: string; jwk?: JWK });
  const alg = header.alg ?? '';
  const fits = key.jwk.kty === 'OKP' ? alg === 'EdDSA' || alg === 'Ed25519' : alg === 'ES256';
  if (!fits) throw new OAuthError(400, 'invalid_proof', `The proof's alg ${alg} does not fit its key.`);
  let payload: Record<string, unknown>;
  try {
    const result = await jwtVerify(jwt, await importJWK(key.jwk, alg), {
      audience: credentialIssuerId(app),
      typ: PROOF_TYPE,
      currentDate: app.clock.now(),
      maxTokenAge: PROOF_MAX_AGE_S,
      clockTolerance: 60,
      requiredClaims: ['iat'],
    });
    payload = result.payload as Record<string, unknown>;
  } catch (error) {
    throw new OAuthError(400, 'invalid_proof', `The proof does not verify: ${(error as Error).message}`);
  }
  if (typeof payload.nonce !== 'string')
    throw new OAuthError(400, 'invalid_nonce', 'The proof carries no nonce: ask the nonce endpoint for one.');
  if (!(await consumeNonce(app.db, payload.nonce, app.clock.now().toISOString())))
    throw new OAuthError(400, 'invalid_nonce', 'This nonce is unknown, used or expired: ask for a new one.');
  return key;
}

/** The first `jwt` proof of a credential request, in the 1.0 form (`proofs.jwt[]`) or the drafts' (`proof`). */
function proofJwtOf(body: Record<string, unknown>): string {
  const proofs = body.proofs as { jwt?: unknown } | undefined;
  if (proofs && typeof proofs === 'object') {
    if (!Array.isArray(proofs.jwt) || proofs.jwt.length !== 1 || typeof proofs.jwt[0] !== 'string')
      throw new OAuthError(400, 'invalid_proof', 'Send exactly one proof, in proofs.jwt.');
    return proofs.jwt[0];
  }
  const proof = body.proof as { proof_type?: unknown; jwt?: unknown } | undefined;
  if (proof && proof.proof_type === 'jwt' && typeof proof.jwt === 'string') return proof.jwt;
  throw new OAuthError(400, 'invalid_proof', 'A proof of possession of the holder key (proofs.jwt) is required.');
}

export interface IssuedToWallet {
  credentials: { credential: unknown }[];
  notification_id: string;
}

/** POST /oid4vci/credential: checks the proof and issues the badge's copy to the holder's DID, once. */
export async function issueToWallet(
  app: AppContext,
  authorization: string | undefined,
  body: Record<string, unknown>,
): Promise<IssuedToWallet> {
  const offer = await offerOfToken(app, authorization);
  const configuration = body.credential_configuration_id;
  if (typeof configuration !== 'string' || !(configuration in FORMATS))
    throw new OAuthError(
      400,
      'unknown_credential_configuration',
      `credential_configuration_id must be one of ${Object.keys(FORMATS).join(', ')}.`,
    );
  if (offer.issued_credential_id)
    throw new OAuthError(400, 'invalid_credential_request', 'This offer was already used: ask for a new one.');
  const key = await verifyProof(app, proofJwtOf(body));
  const format = FORMATS[configuration as CredentialConfigurationId];
  const notificationId = randomBytes(16).toString('base64url');
  const copy = await issueWalletCopy(app, offer, key.did, format, 'oid4vci', (trx, copyId) =>
    markIssued(trx, offer.id, { issued_credential_id: copyId, notification_id: notificationId }),
  );
  if (copy === 'denied')
    throw new OAuthError(400, 'credential_request_denied', 'This badge was revoked or erased: it cannot be issued.');
  if (copy === 'used')
    throw new OAuthError(400, 'invalid_credential_request', 'This offer was already used: ask for a new one.');
  return {
    credentials: [{ credential: format === 'ldp_vc' ? copy.signed : copy.jwt }],
    notification_id: notificationId,
  };
}

export interface WalletCopy {
  copyId: string;
  signed: OpenBadgeCredential;
  jwt: string;
}

/** The two ways a wallet takes an offer; said in the audit entry. */
export type WalletProtocol = 'oid4vci' | 'vcapi';

/** Raised inside the transaction when the offer was used first: nothing is stored. */
class OfferUsedFirst extends Error {}

/**
 * Signs and stores the badge's copy bound to the holder's DID, and audits it: the only way a copy is made, for
 * OpenID4VCI and the VC API exchange alike. `claim` marks the offer used within the same transaction and says
 * false when it was used first. 'denied' when the badge was revoked or erased, 'used' when the claim failed.
 */
export async function issueWalletCopy(
  app: AppContext,
  offer: CredentialOfferRow,
  holderDid: string,
  format: WalletFormat,
  protocol: WalletProtocol,
  claim: (trx: Executor, copyId: string) => Promise<boolean>,
): Promise<WalletCopy | 'denied' | 'used'> {
  const row = await findCredential(app.db, offer.credential_id);
  if (!row || row.erased_at || row.revoked_at) return 'denied';
  const org = (await findOrganisation(app.db, row.organisation_id))!;
  const signers = await app.keys.signers(org.id, issuerDid(app, org));
  const { proof: _proof, ...original } = JSON.parse(row.credential_json) as OpenBadgeCredential;
  const copyId = newId();
  const { id: _subjectId, ...subject } = original.credentialSubject;
  const unsigned: OpenBadgeCredential = {
    ...original,
    id: `urn:uuid:${copyId}`,
    credentialSubject: { id: holderDid, ...subject },
  };
  const now = app.clock.now();
  const signed = await signDataIntegrity(unsigned, signers.dataIntegrity, now);
  const jwt = await signJwt(signed, signers.jwt);
  const at = now.toISOString();
  try {
    await app.db.transaction().execute(async (trx) => {
      if (!(await claim(trx, copyId))) throw new OfferUsedFirst();
      await insertWalletCredential(trx, {
        id: copyId,
        credential_id: row.id,
        organisation_id: row.organisation_id,
        offer_id: offer.id,
        holder_did: holderDid,
        format,
        credential_json: JSON.stringify(signed),
        jwt,
        issued_at: at,
      });
      await recordAudit(trx, {
        at,
        actorId: null,
        organisationId: row.organisation_id,
        action: 'credential.walletIssued',
        targetType: 'credential',
        targetId: row.id,
        details: { offerId: offer.id, copyId, format, protocol },
      });
    });
  } catch (error) {
    if (error instanceof OfferUsedFirst) return 'used';
    throw error;
  }
  return { copyId, signed, jwt };
}

/** POST /oid4vci/notification: the wallet says what became of the credential (kept for the operator). */
export async function notifyIssuer(
  app: AppContext,
  authorization: string | undefined,
  body: Record<string, unknown>,
): Promise<void> {
  const offer = await offerOfToken(app, authorization);
  if (!offer.notification_id || body.notification_id !== offer.notification_id)
    throw new OAuthError(
      400,
      'invalid_notification_id',
      'This notification_id is not the one given with the credential.',
    );
  if (!EVENTS.includes(body.event as NotificationEvent))
    throw new OAuthError(400, 'invalid_notification_request', `event must be one of ${EVENTS.join(', ')}.`);
  await recordNotification(app.db, offer.id, body.event as NotificationEvent);
}

export interface WalletCopyView {
  id: string;
  holderDid: string;
  format: WalletFormat;
  issuedAt: string;
  /** The copy shares the badge's status entry: its state is the badge's. */
  state: CredentialState;
  credential: unknown;
}

/** GET /api/v1/credentials/{id}/wallet-copies: the copies of a badge that went to wallets, beside the original. */
export async function listWalletCopies(app: AppContext, actor: Actor, credentialId: string): Promise<WalletCopyView[]> {
  authorize(actor, 'credential.read');
  const row = await loadCredential(app, actor, credentialId);
  const state = stateOf(row, app.clock.now());
  return (await walletCopiesOf(app.db, row.id)).map((copy) => ({
    id: copy.id,
    holderDid: copy.holder_did,
    format: copy.format,
    issuedAt: copy.issued_at,
    state,
    credential: copy.format === 'ldp_vc' ? JSON.parse(copy.credential_json) : copy.jwt,
  }));
}
