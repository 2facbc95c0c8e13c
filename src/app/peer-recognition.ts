import { randomBytes, randomInt } from 'node:crypto';
import { buildOpenBadgeCredential } from '../engine/model/build-credential.js';
import { normalizeEmail } from '../engine/model/identity-hash.js';
import type { Achievement, OpenBadgeCredential, Profile } from '../engine/model/types.js';
import { signDataIntegrity, signJwt } from '../engine/proof/sign.js';
import { Bitstring } from '../engine/status/bitstring.js';
import { didDocument } from '../keys/issuer-keys.js';
import { newId } from '../shared/clock.js';
import { isUuid } from '../shared/uuid.js';
import {
  countSentSince,
  findRecognition,
  identityBySlug,
  identityOfHolder,
  insertIdentity,
  insertRecognition,
  latestRecognitions,
  recognitionsReceived,
  renameIdentity,
  updateRecognition,
  usedIndexes,
  withdrawnIndexes,
} from '../store/repositories/peer-recognitions.js';
import { getSetting } from '../store/repositories/settings.js';
import type { HolderRow, PeerIdentityRow, PeerRecognitionRow } from '../store/schema.js';
import { recordAudit } from './audit-actions.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { AppError, notFound, ValidationError } from './errors.js';
import { checkInput } from './input-schemas.js';
import { renderMessages, storeMessages } from './notifications.js';
import { authorize, type Actor } from './policies.js';

/**
 * Peer recognition (issue 13 §2): a holder tells a peer what she saw her do, as an Open Badges 3.0 credential
 * signed by a personal issuer identity the platform keeps for her (did:web:<host>:people:<slug>). The slug is
 * random, and the identity's documents carry only the display name she chose: no address, no hash of one, no
 * link to her holder account. Each identity has its own revocation list (a status list must be signed by the
 * credential's own issuer), where a recognition refused by its recipient or withdrawn by the platform is set.
 */

/** Marks the credential as peer recognition, in the `ext:` namespace OB 3.0 keeps for terms of its own. */
export const PEER_RECOGNITION_TYPE = 'ext:PeerRecognition';
/** The platform setting that turns peer recognition off (the configuration can turn it off too). */
const DISABLED_SETTING = 'peer-recognition.disabled';
/** One list per person, at the minimum size the Bitstring Status List spec gives for herd privacy. */
const LIST_SIZE = 131_072;
const DAY_MS = 86_400_000;
/** A signed status list is valid this long: a verifier sees a withdrawal within a day at worst. */
const LIST_TTL_MS = DAY_MS;

export interface RecognitionInput {
  displayName: string;
  email: string;
  /** An EntreComp competence (catalogue code, "1.3")… */
  competenceCode?: string;
  /** …or the holder's own words for it. */
  ownCompetence?: string;
  observation: string;
  language?: Lang;
}

export interface SentRecognition {
  id: string;
  url: string;
  credential: OpenBadgeCredential;
  jwt: string;
}

export function personDid(app: AppContext, identity: PeerIdentityRow): string {
  return app.ids.personDid(identity.slug);
}

/** Whether holders may send recognitions now: the configuration and the platform administrator's switch. */
export async function peerRecognitionEnabled(app: AppContext): Promise<boolean> {
  if (!app.config.peerRecognition.enabled) return false;
  return (await getSetting(app.db, DISABLED_SETTING)) !== 'true';
}

/** The platform administrator turns peer recognition off or on again (audited). */
export async function setPeerRecognitionEnabled(app: AppContext, actor: Actor, enabled: boolean): Promise<void> {
  authorize(actor, 'recognition.moderate');
  await app.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('settings')
      .values({ key: DISABLED_SETTING, value: enabled ? 'false' : 'true' })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: enabled ? 'false' : 'true' }))
      .execute();
    await recordAudit(trx, {
      at: app.clock.now().toISOString(),
      actorId: actor.userId,
      organisationId: null,
      action: enabled ? 'recognition.enabled' : 'recognition.disabled',
      targetType: 'setting',
      targetId: null,
    });
  });
}

/** What the holder's form needs: whether it is open, how many she may still send today, her last display name. */
export async function recognitionForm(
  app: AppContext,
  holder: HolderRow,
): Promise<{ enabled: boolean; remaining: number; displayName: string }> {
  const identity = await identityOfHolder(app.db, holder.id);
  const since = new Date(app.clock.now().getTime() - DAY_MS).toISOString();
  const sent = identity ? await countSentSince(app.db, identity.id, since) : 0;
  return {
    enabled: await peerRecognitionEnabled(app),
    remaining: Math.max(0, app.config.peerRecognition.dailyLimit - sent),
    displayName: identity?.display_name ?? holder.name ?? '',
  };
}

function checkRecognitionInput(app: AppContext, holder: HolderRow, input: RecognitionInput): void {
  checkInput('peer-recognition.json', input);
  const own = input.ownCompetence?.trim();
  if (!input.competenceCode && !own) {
    throw new ValidationError('Choose a competence or write your own.', [
      { field: 'competenceCode', message: 'is required', keyword: 'required' },
    ]);
  }
  if (input.competenceCode && !app.catalogue.competence(input.competenceCode)) {
    throw new ValidationError('This competence is not in EntreComp.', [
      { field: 'competenceCode', message: 'is not an EntreComp competence', keyword: 'enum' },
    ]);
  }
  if (normalizeEmail(input.email) === normalizeEmail(holder.email)) {
    throw new ValidationError('You cannot recognise yourself: give the address of the person you saw.', [
      { field: 'email', message: 'is your own address' },
    ]);
  }
}

/** Her identity, made on her first recognition; the display name is updated to the one she types now. */
async function identityFor(app: AppContext, holder: HolderRow, displayName: string): Promise<PeerIdentityRow> {
  let identity = await identityOfHolder(app.db, holder.id);
  if (!identity) {
    await insertIdentity(app.db, {
      id: newId(),
      holder_id: holder.id,
      // Random, so that the DID says nothing about the person and cannot be guessed from her name or address.
      slug: randomBytes(10).toString('hex'),
      display_name: displayName,
      created_at: app.clock.now().toISOString(),
    });
    identity = (await identityOfHolder(app.db, holder.id))!;
  }
  if (identity.display_name !== displayName) {
    await renameIdentity(app.db, identity.id, displayName);
    identity = { ...identity, display_name: displayName };
  }
  return identity;
}

function competenceName(app: AppContext, input: RecognitionInput, lang: Lang): string {
  const own = input.ownCompetence?.trim();
  if (own) return own;
  return app.catalogue.competence(input.competenceCode!)!.name[lang];
}

function achievementOf(app: AppContext, id: string, input: RecognitionInput, lang: Lang): Achievement {
  const name = competenceName(app, input, lang);
  const competence = input.competenceCode ? app.catalogue.competence(input.competenceCode) : undefined;
  return {
    id: `${app.ids.recognition(id)}#achievement`,
    type: ['Achievement'],
    achievementType: PEER_RECOGNITION_TYPE,
    name,
    description:
      lang === 'fr'
        ? `Reconnaissance entre pairs : une personne a vu cette compétence à l'œuvre et en témoigne.`
        : 'Peer recognition: someone saw this competence at work and says so.',
    criteria: { narrative: input.observation.trim() },
    ...(competence
      ? {
          alignment: [
            {
              type: ['Alignment'],
              targetName: competence.name[lang],
              targetUrl: app.ids.competence(competence.code),
              targetCode: competence.code,
              targetDescription: competence.hint[lang],
              targetFramework: app.catalogue.entrecomp.framework.name[lang],
            },
          ],
        }
      : {}),
    inLanguage: lang,
  };
}

/** A status index not yet used in the identity's list, drawn at random (neighbours say nothing of each other). */
async function freeIndex(app: AppContext, identityId: string): Promise<number> {
  const used = await usedIndexes(app.db, identityId);
  for (;;) {
    const index = randomInt(LIST_SIZE);
    if (!used.has(index)) return index;
  }
}

function tooMany(limit: number): AppError {
  return new AppError(
    429,
    'too-many-recognitions',
    `You have sent ${limit} recognitions in the last 24 hours, the most allowed. Try again tomorrow.`,
  );
}

/**
 * A holder recognises a peer: checks the switch, the input and the daily limit, signs (Data Integrity, then VC-JWT
 * over it) with her personal identity, and stores the recognition, its audit entry and the peer's e-mail in one
 * transaction. The limit is counted again inside the transaction, so two sends at once cannot pass it.
 */
export async function sendRecognition(
  app: AppContext,
  holder: HolderRow,
  input: RecognitionInput,
): Promise<SentRecognition> {
  if (!(await peerRecognitionEnabled(app)))
    throw new AppError(403, 'recognition-off', 'Peer recognition is turned off on this platform for now.');
  checkRecognitionInput(app, holder, input);
  const limit = app.config.peerRecognition.dailyLimit;
  const now = app.clock.now();
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const existing = await identityOfHolder(app.db, holder.id);
  if (existing && (await countSentSince(app.db, existing.id, since)) >= limit) throw tooMany(limit);

  const lang = input.language ?? 'fr';
  const identity = await identityFor(app, holder, input.displayName.trim());
  const did = personDid(app, identity);
  const id = newId();
  const index = await freeIndex(app, identity.id);
  const listUrl = app.ids.personStatusList(identity.slug);
  const issuer: Profile = { id: did, type: ['Profile'], name: identity.display_name };
  const draft = buildOpenBadgeCredential({
    id: app.ids.recognition(id),
    issuer,
    achievement: achievementOf(app, id, input, lang),
    recipient: { email: input.email },
    validFrom: now,
    awardedDate: now,
    credentialStatus: {
      id: `${listUrl}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: listUrl,
    },
  });
  const signers = await app.personalKeys.signers(identity.id, did);
  const credential = await signDataIntegrity(draft, signers.dataIntegrity, now);
  const jwt = await signJwt(credential, signers.jwt);
  const at = now.toISOString();
  const url = app.ids.recognition(id);
  const email = renderMessages(app, [
    {
      to: normalizeEmail(input.email),
      organisationId: null,
      credentialId: null,
      lang,
      content: {
        kind: 'peer-recognition',
        sender: identity.display_name,
        competence: competenceName(app, input, lang),
        observation: input.observation.trim(),
        url,
        spaceUrl: `${app.ids.origin}/holder`,
      },
    },
  ]);
  await app.db.transaction().execute(async (trx) => {
    await insertRecognition(trx, {
      id,
      identity_id: identity.id,
      recipient_email: normalizeEmail(input.email),
      competence: input.competenceCode ?? `own:${input.ownCompetence!.trim()}`,
      credential_json: JSON.stringify(credential),
      jwt,
      language: lang,
      issued_at: at,
      status_index: index,
      revoked_at: null,
      revocation_reason: null,
      refused_at: null,
      hidden_at: null,
    });
    if ((await countSentSince(trx, identity.id, since)) > limit) throw tooMany(limit);
    // No actor (a holder is not a console user) and no address: the log says that one was sent, not by whom.
    await recordAudit(trx, {
      at,
      actorId: null,
      organisationId: null,
      action: 'recognition.sent',
      targetType: 'recognition',
      targetId: id,
    });
    await storeMessages(trx, email);
  });
  app.metrics?.mail('queued', email.length);
  app.sendMailSoon?.();
  return { id, url, credential, jwt };
}

export interface ReceivedRecognition {
  id: string;
  url: string;
  sender: string;
  competence: string;
  observation: string;
  issuedAt: string;
  hidden: boolean;
  revoked: boolean;
}

function describe(row: PeerRecognitionRow): ReceivedRecognition {
  const credential = JSON.parse(row.credential_json) as OpenBadgeCredential;
  const achievement = credential.credentialSubject.achievement;
  const issuer = credential.issuer as Profile;
  return {
    id: row.id,
    url: credential.id,
    sender: issuer.name ?? '',
    competence: achievement.name,
    observation: achievement.criteria.narrative ?? '',
    issuedAt: row.issued_at,
    hidden: row.hidden_at !== null,
    revoked: row.revoked_at !== null,
  };
}

/** The recognitions a holder received (refused ones are gone from her space). */
export async function receivedRecognitions(app: AppContext, holder: HolderRow): Promise<ReceivedRecognition[]> {
  return (await recognitionsReceived(app.db, normalizeEmail(holder.email))).map(describe);
}

async function ownReceived(app: AppContext, holder: HolderRow, id: string): Promise<PeerRecognitionRow> {
  const row = isUuid(id) ? await findRecognition(app.db, id) : undefined;
  // Someone else's is "not found": its existence is not hers to learn.
  if (!row || row.recipient_email !== normalizeEmail(holder.email) || row.refused_at) throw notFound('Recognition');
  return row;
}

/** The recipient hides (or shows again) a recognition: its public page is withdrawn, it stays valid. */
export async function setRecognitionHidden(
  app: AppContext,
  holder: HolderRow,
  id: string,
  hidden: boolean,
): Promise<void> {
  await ownReceived(app, holder, id);
  await updateRecognition(app.db, id, { hidden_at: hidden ? app.clock.now().toISOString() : null });
}

/**
 * The recipient refuses a recognition: it leaves her space and its status is set in the sender's list, so any
 * verifier sees it as no longer valid. Final (audited, without anyone's address).
 */
export async function refuseRecognition(app: AppContext, holder: HolderRow, id: string): Promise<void> {
  await ownReceived(app, holder, id);
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    await updateRecognition(trx, id, { refused_at: at });
    await recordAudit(trx, {
      at,
      actorId: null,
      organisationId: null,
      action: 'recognition.refused',
      targetType: 'recognition',
      targetId: id,
    });
  });
}

/** The platform administrator withdraws an abusive recognition: revoked in its status list, audited with why. */
export async function revokeRecognition(app: AppContext, actor: Actor, id: string, reason: string): Promise<void> {
  authorize(actor, 'recognition.moderate');
  checkInput('status-change.json', { reason });
  const row = isUuid(id) ? await findRecognition(app.db, id) : undefined;
  if (!row) throw notFound('Recognition');
  if (row.revoked_at) return;
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    await updateRecognition(trx, id, { revoked_at: at, revocation_reason: reason });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: null,
      action: 'recognition.revoked',
      targetType: 'recognition',
      targetId: id,
      reason,
    });
  });
}

/** One line of the moderation page: what was said, by which display name, and what became of it. */
export interface ModeratedRecognition extends ReceivedRecognition {
  /** The recipient's address with its local part masked: enough to match a complaint, not to contact her. */
  recipient: string;
  refused: boolean;
  revocationReason: string | null;
}

/** The part before @ reduced to its first character: "m•••@example.org". */
function maskAddress(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '•••' : `${email[0]}•••${email.slice(at)}`;
}

/** What the platform administrator moderates: whether it is on, and the latest recognitions sent. */
export async function recognitionsToModerate(
  app: AppContext,
  actor: Actor,
  limit = 100,
): Promise<{ enabled: boolean; configEnabled: boolean; recognitions: ModeratedRecognition[] }> {
  authorize(actor, 'recognition.moderate');
  const rows = await latestRecognitions(app.db, Math.min(Math.max(limit, 1), 500));
  return {
    enabled: await peerRecognitionEnabled(app),
    configEnabled: app.config.peerRecognition.enabled,
    recognitions: rows.map(moderated),
  };
}

function moderated(row: PeerRecognitionRow): ModeratedRecognition {
  return {
    ...describe(row),
    recipient: maskAddress(row.recipient_email),
    refused: row.refused_at !== null,
    revocationReason: row.revocation_reason,
  };
}

/** One recognition, as the moderation page shows it (the confirmation before withdrawing it). */
export async function recognitionToModerate(app: AppContext, actor: Actor, id: string): Promise<ModeratedRecognition> {
  authorize(actor, 'recognition.moderate');
  const row = isUuid(id) ? await findRecognition(app.db, id) : undefined;
  if (!row) throw notFound('Recognition');
  return moderated(row);
}

async function identityOrNotFound(app: AppContext, slug: string): Promise<PeerIdentityRow> {
  const identity = /^[0-9a-f]{20}$/.test(slug) ? await identityBySlug(app.db, slug) : undefined;
  if (!identity) throw notFound('Person');
  return identity;
}

/** GET /people/{slug}/did.json: her published keys and nothing else about her. */
export async function personDidDocument(app: AppContext, slug: string): Promise<Record<string, unknown>> {
  const identity = await identityOrNotFound(app, slug);
  const did = personDid(app, identity);
  return didDocument(did, await app.personalKeys.published(identity.id), app.ids.personPage(identity.slug));
}

/**
 * GET /people/{slug}/status: her revocation list, signed by her own key (a verifier checks that the list and the
 * credential have one issuer). Small enough to sign on each request: a person sends a few recognitions a day.
 */
export async function personStatusList(app: AppContext, slug: string): Promise<Record<string, unknown>> {
  const identity = await identityOrNotFound(app, slug);
  const did = personDid(app, identity);
  const bits = new Bitstring(LIST_SIZE);
  for (const index of await withdrawnIndexes(app.db, identity.id)) bits.set(index, true);
  const now = app.clock.now();
  const url = app.ids.personStatusList(identity.slug);
  const seconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const unsigned = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: did,
    validFrom: seconds(now),
    validUntil: seconds(new Date(now.getTime() + LIST_TTL_MS)),
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: bits.encode(),
    },
  };
  const signers = await app.personalKeys.signers(identity.id, did);
  return (await signDataIntegrity(unsigned, signers.dataIntegrity, now)) as unknown as Record<string, unknown>;
}

export interface PublicRecognition {
  credential: OpenBadgeCredential;
  jwt: string;
  view: ReceivedRecognition;
  /** Refused by its recipient or withdrawn by the platform: the page says it is no longer valid. */
  withdrawn: boolean;
}

/** GET /recognitions/{id}: not found once its recipient hid or refused it. */
export async function publicRecognition(app: AppContext, id: string): Promise<PublicRecognition> {
  const row = isUuid(id) ? await findRecognition(app.db, id) : undefined;
  if (!row || row.hidden_at || row.refused_at) throw notFound('Recognition');
  return {
    credential: JSON.parse(row.credential_json) as OpenBadgeCredential,
    jwt: row.jwt,
    view: describe(row),
    withdrawn: row.revoked_at !== null,
  };
}
