import { createHmac, randomBytes } from 'node:crypto';
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
import type { AchievementRow, OrganisationRow, StatusListRow } from '../store/schema.js';
import { achievementDocument, loadAchievement } from './achievements.js';
import { hashHolderKey } from './credential-page.js';
import type { Lang } from './catalogue.js';
import type { RowProblem } from './csv.js';
import type { AppContext } from './context.js';
import { newId } from '../shared/clock.js';
import { AppError, conflict, ValidationError } from './errors.js';
import { createStatusLists, issuerDid, issuerProfile } from './issuers.js';
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

interface Recipient {
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
async function currentList(app: AppContext, organisationId: string, needed: number): Promise<StatusListRow> {
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
interface ChunkOptions {
  validUntil?: Date;
  language: Lang;
  batchId: string | null;
  /** The workshop session the badges were earned at (for the indicators). */
  workshopId?: string;
  /** The self-service request each recipient made, by email, when awarding approved claims. */
  claimRequestIds?: Map<string, string>;
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
async function reserveChunk(
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
  const profile = issuerProfile(app, org);
  const achievementJson = achievementDocument(app, achievement, options.language);
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
async function signChunk(app: AppContext, org: OrganisationRow, reservation: Reservation): Promise<Signed> {
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
async function commitChunk(
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

async function loadForAward(
  app: AppContext,
  actor: Actor,
  achievementId: string,
): Promise<{ org: OrganisationRow; achievement: AchievementRow }> {
  authorize(actor, 'credential.award');
  const achievement = await loadAchievement(app, actor, achievementId);
  if (achievement.archived_at)
    throw new AppError(409, 'archived', 'This badge is archived: it can no longer be awarded.');
  const org = (await findOrganisation(app.db, achievement.organisation_id))!;
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

/** POST /api/v1/credentials: one badge for one person. */
export async function awardCredential(app: AppContext, actor: Actor, input: AwardInput): Promise<AwardedCredential> {
  const { org, achievement } = await loadForAward(app, actor, input.achievementId);
  const validUntil = parseValidUntil(input.validUntil, app.clock.now());
  const [outcome] = await issueChunk(
    app,
    actor,
    org,
    achievement,
    [
      {
        email: input.recipient.email,
        ...(input.recipient.name ? { name: input.recipient.name } : {}),
        showName: input.recipient.showName ?? false,
        evidence: input.evidence ?? [],
      },
    ],
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

// ---------------------------------------------------------------------------------------------------------
// Bulk awards

export type BulkRowStatus = 'issued' | 'would-issue' | 'already-issued' | 'invalid' | 'duplicate';

export interface BulkRowReport {
  line: number;
  email: string;
  name?: string;
  status: BulkRowStatus;
  problems?: string[];
  /** The same problems as stable codes, for translation. */
  problemCodes?: Pick<RowProblem, 'code' | 'params'>[];
  credentialId?: string;
  url?: string;
  holderUrl?: string;
}

export interface BulkReport {
  achievementId: string;
  dryRun: boolean;
  batchId: string | null;
  summary: Record<BulkRowStatus, number> & { rows: number };
  rows: BulkRowReport[];
}

export interface BulkRow {
  line: number;
  email: string;
  name?: string;
  evidence?: string;
  problems: RowProblem[];
}

const CHUNK = 500;

/**
 * Awards one badge to every valid row. `dryRun` signs nothing and says what would happen. Rows are handled in
 * chunks of 500, each committed on its own: after a crash, running the same file again completes it, and
 * nobody is awarded twice.
 */
export interface BulkOptions {
  dryRun: boolean;
  language?: Lang;
  showNames?: boolean;
  workshopId?: string;
  claimRequestIds?: Map<string, string>;
}

export async function bulkAward(
  app: AppContext,
  actor: Actor,
  achievementId: string,
  rows: BulkRow[],
  options: BulkOptions,
): Promise<BulkReport> {
  const { org, achievement } = await loadForAward(app, actor, achievementId);
  const reports: BulkRowReport[] = [];
  const seen = new Set<string>();
  const valid: { row: BulkRow; report: BulkRowReport }[] = [];
  for (const row of rows) {
    const report: BulkRowReport = {
      line: row.line,
      email: row.email,
      ...(row.name ? { name: row.name } : {}),
      status: 'invalid',
    };
    reports.push(report);
    if (row.problems.length > 0) {
      report.problems = row.problems.map((p) => p.message);
      report.problemCodes = row.problems.map(({ code, params }) => ({ code, ...(params ? { params } : {}) }));
      continue;
    }
    const email = normalizeEmail(row.email);
    if (seen.has(email)) {
      report.status = 'duplicate';
      report.problems = ['this email appears earlier in the file'];
      report.problemCodes = [{ code: 'duplicate' }];
      continue;
    }
    seen.add(email);
    valid.push({ row, report });
  }

  const batchId = options.dryRun ? null : newId();
  const chunks: (typeof valid)[] = [];
  for (let i = 0; i < valid.length; i += CHUNK) chunks.push(valid.slice(i, i + CHUNK));

  if (options.dryRun) {
    for (const chunk of chunks) {
      const holders = await holdersOf(
        app.db,
        achievement.id,
        chunk.map(({ row }) => recipientKey(app, row.email)),
      );
      for (const { row, report } of chunk) {
        const holder = holders.get(recipientKey(app, row.email));
        if (holder)
          Object.assign(report, { status: 'already-issued', credentialId: holder, url: app.ids.credential(holder) });
        else report.status = 'would-issue';
      }
    }
  } else {
    const chunkOptions: ChunkOptions = {
      language: options.language ?? 'fr',
      batchId,
      ...(options.workshopId ? { workshopId: options.workshopId } : {}),
      ...(options.claimRequestIds ? { claimRequestIds: options.claimRequestIds } : {}),
    };
    const recipientsOf = (chunk: typeof valid): Recipient[] =>
      chunk.map(({ row }) => ({
        email: row.email,
        ...(row.name ? { name: row.name } : {}),
        showName: options.showNames ?? false,
        evidence: row.evidence
          ? [/^https:\/\/\S+$/.test(row.evidence) ? { id: row.evidence } : { narrative: row.evidence }]
          : [],
      }));
    // A pipeline: while one chunk is stored, the workers already sign the next (its indexes are reserved
    // first, so that the two never wait for each other's database work). Recipients are unique in the file, so
    // chunks cannot overlap.
    let reservation =
      chunks.length > 0 ? await reserveChunk(app, org, achievement, recipientsOf(chunks[0]!), chunkOptions) : undefined;
    let signing = reservation ? signChunk(app, org, reservation) : undefined;
    for (let c = 0; c < chunks.length; c++) {
      const current = reservation!;
      const signed = await signing!;
      if (c + 1 < chunks.length) {
        reservation = await reserveChunk(app, org, achievement, recipientsOf(chunks[c + 1]!), chunkOptions);
        signing = signChunk(app, org, reservation);
        // Settled later; a failure meanwhile must not count as unhandled.
        signing.catch(() => undefined);
      }
      const outcomes = await commitChunk(app, actor, org, achievement, current, signed, chunkOptions);
      chunks[c]!.forEach(({ report }, j) => {
        const outcome = outcomes[j]!;
        const id = outcome.status === 'issued' ? outcome.credential.id : outcome.credentialId;
        Object.assign(report, {
          status: outcome.status,
          credentialId: id,
          url: app.ids.credential(id),
          ...(outcome.status === 'issued' ? { holderUrl: outcome.credential.holderUrl } : {}),
        });
      });
    }
  }

  const summary = { rows: reports.length, issued: 0, 'would-issue': 0, 'already-issued': 0, invalid: 0, duplicate: 0 };
  for (const report of reports) summary[report.status]++;
  return { achievementId: achievement.id, dryRun: options.dryRun, batchId, summary, rows: reports };
}
