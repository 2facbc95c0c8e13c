import type { ExpressionBuilder } from 'kysely';
import type { Executor } from '../database.js';
import type { Database, OutboxRow, OutboxStatus } from '../schema.js';
import { newId } from '../../shared/clock.js';


/**
 * The e-mail outbox. A message is `queued`, then `sending` while one process holds it, then `sent`; a failed try
 * puts it back to `queued` until MAX_ATTEMPTS tries have failed, then it is `failed`. Erasure (GDPR) blanks it
 * and marks it `erased`.
 *
 * No column of its own records the time of the last try, so `sent_at` carries it while the message is not sent:
 * for `sending` it is when the message was claimed (the lease), for `queued` after a failure when the last try
 * started, for `sent` when it was sent. listOutbox() separates the two meanings for display.
 */
export type { OutboxStatus } from '../schema.js';

export const MAX_ATTEMPTS = 5;
/** After a failed try, wait 2^attempts × 30 s before the next one (1, 2, 4, 8 minutes). */
export const RETRY_BASE_MS = 30_000;
/** A message claimed longer ago than this belongs to a process that died: it goes back to the queue. */
export const SENDING_LEASE_MS = 10 * 60_000;

const INSERT_CHUNK = 200;
const ERROR_MAX_LENGTH = 500;

export interface NewOutboxMessage {
  organisation_id: string | null;
  to_email: string;
  subject: string;
  text_body: string;
  html_body: string;
  credential_id: string | null;
  created_at: string;
}

/** Queues messages (in chunks, in one transaction); returns their ids in the same order. */
export async function enqueue(db: Executor, messages: NewOutboxMessage | NewOutboxMessage[]): Promise<string[]> {
  const list = Array.isArray(messages) ? messages : [messages];
  const rows = list.map((m) => ({
    ...m,
    id: newId(),
    status: 'queued' as const,
    attempts: 0,
    last_error: null,
    sent_at: null,
  }));
  const insert = async (executor: Executor) => {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await executor
        .insertInto('outbox')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  };
  if (rows.length > INSERT_CHUNK && !db.isTransaction) await db.transaction().execute(insert);
  else if (rows.length > 0) await insert(db);
  return rows.map((r) => r.id);
}

function iso(date: Date, minusMs = 0): string {
  return new Date(date.getTime() - minusMs).toISOString();
}

/**
 * Puts messages whose process died while sending them back in the queue. The interrupted try counts as one: a
 * message that kills its sender every time ends `failed` instead of looping.
 */
export async function recoverStale(db: Executor, now: Date): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set((eb) => ({
      status: eb
        .case()
        .when('attempts', '>=', MAX_ATTEMPTS - 1)
        .then('failed' as const)
        .else('queued' as const)
        .end(),
      attempts: eb('attempts', '+', 1),
      last_error: 'interrupted while sending',
    }))
    .where('status', '=', 'sending')
    .where('sent_at', '<', iso(now, SENDING_LEASE_MS))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Queued, not given up on, and its wait after the last failed try (2^attempts × 30 s) is over. */
function isDue(now: Date) {
  return (eb: ExpressionBuilder<Database, 'outbox'>) =>
    eb.and([
      eb('status', '=', 'queued'),
      eb('attempts', '<', MAX_ATTEMPTS),
      eb.or([
        eb('attempts', '=', 0),
        eb('sent_at', 'is', null),
        ...Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => i + 1).map((attempts) =>
          eb.and([eb('attempts', '=', attempts), eb('sent_at', '<=', iso(now, 2 ** attempts * RETRY_BASE_MS))]),
        ),
      ]),
    ]);
}

/**
 * Claims up to `limit` due messages, oldest first, for this process alone. The claim is one UPDATE … WHERE id IN
 * (candidates) AND <still due> RETURNING: SQLite runs one writer at a time, and PostgreSQL makes a second
 * concurrent UPDATE wait for the first and re-check its WHERE on the changed row, which no longer matches. Two
 * processes that picked the same candidates thus split them; the loser gets fewer (or none) and tries again on
 * its next tick. Stale claims are recovered first. Claimed messages must then be marked sent, failed or released.
 */
export async function claimDue(db: Executor, limit: number, now: Date): Promise<OutboxRow[]> {
  await recoverStale(db, now);
  const candidates = await db
    .selectFrom('outbox')
    .select('id')
    .where(isDue(now))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  if (candidates.length === 0) return [];
  let rows: OutboxRow[];
  try {
    rows = await db
      .updateTable('outbox')
      .set({ status: 'sending', sent_at: now.toISOString() })
      .where(
        'id',
        'in',
        candidates.map((c) => c.id),
      )
      .where(isDue(now))
      .returningAll()
      .execute();
  } catch (error) {
    // Two claims locking the same rows in different orders: PostgreSQL aborts one; it simply claims nothing.
    if ((error as { code?: unknown }).code === '40P01') return [];
    throw error;
  }
  return rows.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

/**
 * The message left: its bodies are blanked (they may hold the holder's private link or a one-time password link,
 * whose only other trace is a hash); recipient and subject stay for the record.
 */
export async function markSent(db: Executor, id: string, now: Date): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: now.toISOString(), last_error: null, text_body: '', html_body: '' })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** A failed try: back to the queue for a later try, or `failed` after MAX_ATTEMPTS. */
export async function markFailed(db: Executor, id: string, error: unknown): Promise<void> {
  const message =
    (error instanceof Error ? error.message : String(error)).slice(0, ERROR_MAX_LENGTH) || 'unknown error';
  await db
    .updateTable('outbox')
    .set((eb) => ({
      status: eb
        .case()
        .when('attempts', '>=', MAX_ATTEMPTS - 1)
        .then('failed' as const)
        .else('queued' as const)
        .end(),
      attempts: eb('attempts', '+', 1),
      last_error: message,
    }))
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** Gives claimed messages back untried (a process stopping before it got to them); their attempts are unchanged. */
export async function releaseClaims(db: Executor, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ status: 'queued' })
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .execute();
}

export interface OutboxQuery {
  organisationId?: string;
  status?: OutboxStatus;
  limit: number;
  offset: number;
}

export interface OutboxEntry extends OutboxRow {
  /** When the message was sent; null unless `status` is 'sent'. */
  sent_at: string | null;
  /** When the last try started (the one in progress, the last failed one or the successful one). */
  last_attempt_at: string | null;
}

function filtered(db: Executor, q: Omit<OutboxQuery, 'limit' | 'offset'>) {
  let query = db.selectFrom('outbox');
  if (q.organisationId) query = query.where('organisation_id', '=', q.organisationId);
  if (q.status) query = query.where('status', '=', q.status);
  return query;
}

/** Newest first, for the console. */
export async function listOutbox(db: Executor, q: OutboxQuery): Promise<OutboxEntry[]> {
  const rows = await filtered(db, q)
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return rows.map((row) => ({
    ...row,
    sent_at: row.status === 'sent' ? row.sent_at : null,
    last_attempt_at: row.attempts > 0 || row.status !== 'queued' ? row.sent_at : null,
  }));
}

export async function countOutbox(db: Executor, q: Omit<OutboxQuery, 'limit' | 'offset'>): Promise<number> {
  const row = await filtered(db, q)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** GDPR erasure of a holder: their messages keep no address, subject or body. Returns how many were blanked. */
export async function eraseForCredential(db: Executor, credentialId: string): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ to_email: '', subject: '', text_body: '', html_body: '', last_error: null, status: 'erased' })
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
