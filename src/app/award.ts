import { createHmac, randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { buildOpenBadgeCredential } from '../engine/model/build-credential.js';
import { normalizeEmail } from '../engine/model/identity-hash.js';
import type { Evidence, OpenBadgeCredential } from '../engine/model/types.js';
import { signDataIntegrity, signJwt } from '../engine/proof/sign.js';
import { recordAudit } from './audit-actions.js';
import {
  holdersOf,
  insertCredentials,
  type NewCredential,
  type NewRecipient,
} from '../store/repositories/credentials.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import { allocateIndexes, countAllocations, revocationListsOf } from '../store/repositories/status-lists.js';
import type { AchievementRow, Database, OrganisationRow, StatusListRow } from '../store/schema.js';
import { achievementDocument, loadAchievement } from './achievements.js';
import { hashHolderKey } from './credential-page.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { newId } from '../shared/clock.js';
import { AppError, conflict, ValidationError } from './errors.js';
import { assertAwardsBadges } from './partners.js';
import { createStatusLists, issuerDid, issuerProfile } from './issuers.js';
import { withEndorsements } from './endorsements.js';
import { checkAfterAward } from './pathways.js';
import { authorize, type Actor } from './policies.js';

export interface EvidenceInput {
  id?: string;
  name?: string;
  narrative?: string;
  description?: string;
}

export interface AwardInput {
  achievementId: string;
  recipient: { email: string; name?: string; showName?: boolean };
  validUntil?: string;
  evidence?: EvidenceInput[];
  language?: Lang;
}

export interface AwardedCredential {
  id: string;
  url: string;
  /** The holder's private link to manage their badge page. Shown once: only its hash is stored. */
  holderUrl: string;
  credential: OpenBadgeCredential;
  jwt: string;
}

export interface Recipient {
  email: string;
  name?: string;
  showName: boolean;
  evidence: EvidenceInput[];
}

type Outcome = { status: 'issued'; credential: AwardedCredential } | { status: 'already-issued'; credentialId: string };

/** Batches above this size are signed on the worker pool; smaller ones in the request's own thread. */
const POOL_THRESHOLD = 16;
/**
 * A status list takes new credentials until half its indexes are used: indexes are drawn at random (so that
 * neighbours in a list say nothing about each other), and at half full a draw succeeds at least one time in two.
 * A list of 131,072 entries with 65,536 used keeps all the herd privacy the minimum size gives.
 */
const LIST_FILL_LIMIT = 0.5;

/** The pseudonymous key of a recipient: HMAC of the normalized email with a server secret. Never published. */
export function recipientKey(app: AppContext, email: string): string {
  return createHmac('sha256', app.recipientSecret).update(normalizeEmail(email)).digest('hex');
}

function evidenceOf(inputs: EvidenceInput[]): Evidence[] {
  return inputs.map((e) => ({
    type: ['Evidence'],
    ...(e.id ? { id: e.id } : {}),
    ...(e.name ? { name: e.name } : {}),
    ...(e.narrative ? { narrative: e.narrative } : {}),
    ...(e.description ? { description: e.description } : {}),
  }));
}

/** The revocation list new credentials go to; a fresh pair of lists when the current one is nearly full. */
export async function currentList(app: AppContext, organisationId: string, needed: number): Promise<StatusListRow> {
  let lists = await revocationListsOf(app.db, organisationId);
  if (lists.length === 0) {
    await createStatusLists(app, organisationId);
    lists = await revocationListsOf(app.db, organisationId);
  }
  const list = lists[lists.length - 1]!;
  if ((await countAllocations(app.db, list.id)) + needed <= list.size * LIST_FILL_LIMIT) return list;
  await createStatusLists(app, organisationId);
  return (await revocationListsOf(app.db, organisationId)).at(-1)!;
}

/**
 * Issues one chunk of credentials for one achievement: skips people who already hold it, reserves status
 * indexes, builds and signs (Data Integrity, then VC-JWT over it), and stores everything in one transaction.
 * A crash before the commit leaves nothing behind but unused status indexes, so a re-run is safe.
 */
export interface ChunkOptions {
  validUntil?: Date;
  language: Lang;
  batchId: string | null;
  /** The workshop session the badges were earned at (for the indicators). */
  workshopId?: string;
  /** The self-service request each recipient made, by email, when awarding approved claims. */
  claimRequestIds?: Map<string, string>;
  /** More work that must commit with the new credentials (their ids) or not at all (see awardWithin). */
  alsoInTransaction?: (trx: Transaction<Database>, issuedIds: string[]) => Promise<void>;
}

/** A chunk whose holders are known and whose status indexes are reserved: what is left is to sign and store. */
interface Reservation {
  keys: string[];
  outcomes: Map<string, Outcome>;
  toIssue: { recipient: Recipient; key: string }[];
  list?: StatusListRow;
  indexes: number[];
  drafts: OpenBadgeCredential[];
  now: Date;
}

/** Skips people who already hold the badge, reserves status indexes and builds the unsigned credentials. */
export async function reserveChunk(
  app: AppContext,
  org: OrganisationRow,
  achievement: AchievementRow,
  recipients: Recipient[],
  options: ChunkOptions,
): Promise<Reservation> {
  const keys = recipients.map((r) => recipientKey(app, r.email));
  const holders = await holdersOf(app.db, achievement.id, keys);
  const toIssue = recipients
    .map((recipient, i) => ({ recipient, key: keys[i]! }))
    .filter(({ key }) => !holders.has(key));
  const outcomes = new Map<string, Outcome>();
  for (const [key, credentialId] of holders) outcomes.set(key, { status: 'already-issued', credentialId });
  const now = app.clock.now();
  if (toIssue.length === 0) return { keys, outcomes, toIssue, indexes: [], drafts: [], now };

  const list = await currentList(app, org.id, toIssue.length);
  const indexes = await allocateIndexes(app.db, list.id, list.size, toIssue.length);
  // Endorsements standing now are embedded (OB 3.0: they must be in place before the issuer signs).
  const profile = await withEndorsements(app, issuerProfile(app, org));
  const achievementJson = await withEndorsements(app, achievementDocument(app, achievement, options.language));
  const validUntil =
    options.validUntil ??
    (achievement.validity_days ? new Date(now.getTime() + achievement.validity_days * 86_400_000) : undefined);
  const listUrl = app.ids.statusList(list.id);
  const drafts = toIssue.map(({ recipient }, i) =>
    buildOpenBadgeCredential({
      id: app.ids.credential(newId()),
      issuer: profile,
      achievement: achievementJson,
      recipient: { email: recipient.email, ...(recipient.showName && recipient.name ? { name: recipient.name } : {}) },
      validFrom: now,
      awardedDate: now,
      ...(validUntil ? { validUntil } : {}),
      ...(recipient.evidence.length > 0 ? { evidence: evidenceOf(recipient.evidence) } : {}),
      credentialStatus: {
        id: `${listUrl}#${indexes[i]}`,
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: String(indexes[i]),
        statusListCredential: listUrl,
      },
    }),
  );
  return { keys, outcomes, toIssue, list, indexes, drafts, now };
}

type Signed = { credential: OpenBadgeCredential; jwt: string }[];

/** Data Integrity, then VC-JWT over it: on the worker pool for a batch, in this thread for a few. */
export async function signChunk(app: AppContext, org: OrganisationRow, reservation: Reservation): Promise<Signed> {
  if (reservation.drafts.length === 0) return [];
  const signers = await app.keys.signers(org.id, issuerDid(app, org));
  if (app.pool && reservation.drafts.length >= POOL_THRESHOLD) {
    const pairs = await app.pool.sign(
      reservation.drafts as unknown as Record<string, unknown>[],
      signers.keys,
      reservation.now,
    );
    return pairs.map((p) => ({ credential: p.credential as unknown as OpenBadgeCredential, jwt: p.jwt! }));
  }
  const signed: Signed = [];
  for (const draft of reservation.drafts) {
    const credential = await signDataIntegrity(draft, signers.dataIntegrity, reservation.now);
    signed.push({ credential, jwt: await signJwt(credential, signers.jwt) });
  }
  return signed;
}

/**
 * Stores a signed chunk in one transaction. A crash before the commit leaves nothing behind but unused status
 * indexes, so a re-run is safe.
 */
export async function commitChunk(
  app: AppContext,
  actor: Actor,
  org: OrganisationRow,
  achievement: AchievementRow,
  reservation: Reservation,
  signed: Signed,
  options: ChunkOptions,
): Promise<Outcome[]> {
  const { keys, outcomes, toIssue, list, indexes, now } = reservation;
  if (list && signed.length > 0) {
    const at = now.toISOString();
    const rows: NewCredential[] = [];
    const people: NewRecipient[] = [];
    const holderKeys: string[] = [];
    signed.forEach(({ credential, jwt }, i) => {
      const { recipient, key } = toIssue[i]!;
      const id = app.ids.credentialIdFromUrl(credential.id)!;
      const holderKey = randomBytes(24).toString('base64url');
      holderKeys.push(holderKey);
      rows.push({
        id,
        organisation_id: org.id,
        achievement_id: achievement.id,
        credential_json: JSON.stringify(credential),
        jwt,
        language: options.language,
        issued_at: at,
        valid_from: credential.validFrom,
        valid_until: credential.validUntil ?? null,
        recipient_key: key,
        show_name: recipient.showName ? 1 : 0,
        status_list_id: list.id,
        status_index: indexes[i]!,
        revoked_at: null,
        revocation_reason: null,
        suspended_at: null,
        suspension_reason: null,
        erased_at: null,
        batch_id: options.batchId,
        created_by: actor.userId,
        holder_key_hash: hashHolderKey(holderKey),
        workshop_id: options.workshopId ?? null,
        claim_request_id: options.claimRequestIds?.get(normalizeEmail(recipient.email)) ?? null,
      });
      people.push({
        credential_id: id,
        email: normalizeEmail(recipient.email),
        name: recipient.name ?? null,
        created_at: at,
      });
    });
    const inserted = await app.db.transaction().execute(async (trx) => {
      const ids = await insertCredentials(trx, rows, people);
      await recordAudit(trx, {
        at,
        actorId: actor.userId,
        organisationId: org.id,
        action: 'credential.awarded',
        targetType: options.batchId ? 'batch' : 'credential',
        targetId: options.batchId ?? rows[0]!.id,
        details: { achievementId: achievement.id, count: ids.size },
      });
      await options.alsoInTransaction?.(
        trx,
        rows.filter((row) => ids.has(row.id)).map((row) => row.id),
      );
      return ids;
    });
    app.metrics?.awarded(inserted.size);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (inserted.has(row.id)) {
        const url = app.ids.credential(row.id);
        outcomes.set(row.recipient_key!, {
          status: 'issued',
          credential: {
            id: row.id,
            url,
            holderUrl: `${url}/manage?key=${holderKeys[i]}`,
            credential: signed[i]!.credential,
            jwt: signed[i]!.jwt,
          },
        });
      } else {
        // Someone awarded the same badge to the same person meanwhile.
        const existing = await holdersOf(app.db, achievement.id, [row.recipient_key!]);
        outcomes.set(row.recipient_key!, {
          status: 'already-issued',
          credentialId: existing.get(row.recipient_key!) ?? '',
        });
      }
    }
    // Pathways (src/app/pathways.ts): a new badge may complete one for its holder.
    await checkAfterAward(
      app,
      achievement.id,
      rows.filter((row) => inserted.has(row.id)).map((row) => row.recipient_key!),
    );
  }
  return keys.map((key) => outcomes.get(key)!);
}

async function issueChunk(
  app: AppContext,
  actor: Actor,
  org: OrganisationRow,
  achievement: AchievementRow,
  recipients: Recipient[],
  options: ChunkOptions,
): Promise<Outcome[]> {
  const reservation = await reserveChunk(app, org, achievement, recipients, options);
  return commitChunk(app, actor, org, achievement, reservation, await signChunk(app, org, reservation), options);
}

export async function loadForAward(
  app: AppContext,
  actor: Actor,
  achievementId: string,
): Promise<{ org: OrganisationRow; achievement: AchievementRow }> {
  authorize(actor, 'credential.award');
  const achievement = await loadAchievement(app, actor, achievementId);
  if (achievement.archived_at)
    throw new AppError(409, 'archived', 'This badge is archived: it can no longer be awarded.');
  const org = (await findOrganisation(app.db, achievement.organisation_id))!;
  assertAwardsBadges(org);
  return { org, achievement };
}

function parseValidUntil(value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ValidationError('validUntil is not a date.', [{ field: 'validUntil', message: 'not a date-time' }]);
  if (date.getTime() <= now.getTime())
    throw new ValidationError('validUntil must be in the future.', [{ field: 'validUntil', message: 'in the past' }]);
  return date;
}

/**
 * One badge for one person, with `work` done in the same transaction as its insert (src/app/reissue.ts: the
 * credential it replaces is revoked there). Nothing commits if the person already holds the badge.
 */
export async function awardWithin(
  app: AppContext,
  actor: Actor,
  input: AwardInput & { workshopId?: string },
  work: (trx: Transaction<Database>, credentialId: string) => Promise<void>,
): Promise<AwardedCredential> {
  const { org, achievement } = await loadForAward(app, actor, input.achievementId);
  const [outcome] = await issueChunk(
    app,
    actor,
    org,
    achievement,
    [recipientOf(input)],
    {
      language: input.language ?? 'fr',
      batchId: null,
      ...(input.workshopId ? { workshopId: input.workshopId } : {}),
      alsoInTransaction: async (trx, issued) => {
        if (issued.length !== 1) throw conflict('This person already holds this badge.');
        await work(trx, issued[0]!);
      },
    },
  );
  if (outcome!.status === 'already-issued') throw conflict('This person already holds this badge.');
  return outcome!.credential;
}

/** The one recipient of a single award, as the chunk pipeline takes them. */
function recipientOf(input: AwardInput): Recipient {
  return {
    email: input.recipient.email,
    ...(input.recipient.name ? { name: input.recipient.name } : {}),
    showName: input.recipient.showName ?? false,
    evidence: input.evidence ?? [],
  };
}

/** POST /api/v1/credentials: one badge for one person. */
export async function awardCredential(app: AppContext, actor: Actor, input: AwardInput): Promise<AwardedCredential> {
  const { org, achievement } = await loadForAward(app, actor, input.achievementId);
  const validUntil = parseValidUntil(input.validUntil, app.clock.now());
  const [outcome] = await issueChunk(
    app,
    actor,
    org,
    achievement,
    [recipientOf(input)],
    { ...(validUntil ? { validUntil } : {}), language: input.language ?? 'fr', batchId: null },
  );
  if (outcome!.status === 'already-issued') {
    throw conflict('This person already holds this badge. Revoke it first to award it again.', {
      credentialId: outcome!.credentialId,
      url: app.ids.credential(outcome!.credentialId),
    });
  }
  return outcome!.credential;
}
