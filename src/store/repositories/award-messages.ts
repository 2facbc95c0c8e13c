import type { Insertable, Transaction } from 'kysely';
import type { Db } from '../database.js';
import type { AwardMessageRow, AwardNoticeRow, Database } from '../schema.js';

type Executor = Db | Transaction<Database>;

/** An organisation's award e-mail settings, or undefined when it kept the defaults. */
export function findAwardMessage(db: Executor, organisationId: string): Promise<AwardMessageRow | undefined> {
  return db.selectFrom('award_messages').selectAll().where('organisation_id', '=', organisationId).executeTakeFirst();
}

export async function saveAwardMessage(db: Executor, row: Insertable<Database['award_messages']>): Promise<void> {
  const { organisation_id: _id, ...changes } = row;
  await db
    .insertInto('award_messages')
    .values(row)
    .onConflict((oc) => oc.column('organisation_id').doUpdateSet(changes))
    .execute();
}

export async function insertAwardNotices(db: Executor, rows: Insertable<Database['award_notices']>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('award_notices')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.column('credential_id').doNothing())
      .execute();
  }
}

/** The holder followed a link of the e-mail: marks its notice opened (once). Returns whether a notice matched. */
export async function markOpenedByToken(db: Executor, tokenHash: string, at: string): Promise<boolean> {
  const found = await db
    .selectFrom('award_notices')
    .select(['credential_id', 'opened_at'])
    .where('open_token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!found) return false;
  if (!found.opened_at) {
    await db
      .updateTable('award_notices')
      .set({ opened_at: at })
      .where('credential_id', '=', found.credential_id)
      .where('opened_at', 'is', null)
      .execute();
  }
  return true;
}

/** The holder signed into her space: every badge e-mailed to that address counts as opened. */
export async function markOpenedByEmail(db: Executor, email: string, at: string): Promise<number> {
  const result = await db
    .updateTable('award_notices')
    .set({ opened_at: at })
    .where('opened_at', 'is', null)
    .where('credential_id', 'in', (eb) =>
      eb.selectFrom('recipients').select('recipients.credential_id').where('recipients.email', '=', email),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function noticesOf(db: Executor, credentialIds: string[]): Promise<AwardNoticeRow[]> {
  if (credentialIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('award_notices').selectAll().where('credential_id', 'in', credentialIds).execute();
}

/** What a reminder needs to know of an unopened badge. */
export interface DueNotice {
  credential_id: string;
  organisation_id: string;
  reminders_sent: number;
  emailed_at: string;
  achievement_id: string;
  language: Database['credentials']['language'];
  email: string;
  name: string | null;
}

/**
 * An organisation's notices still unopened, with fewer than `step` reminders, e-mailed within [from, to): the
 * candidates for reminder number `step`. Withdrawn (revoked, suspended), erased, hidden and expired badges are
 * left out: a reminder never points to a badge that is not there to see.
 */
export function unopenedNotices(
  db: Executor,
  query: { organisationId: string; step: number; emailedFrom: string; emailedBefore: string; now: string },
  limit: number,
): Promise<DueNotice[]> {
  return db
    .selectFrom('award_notices as n')
    .innerJoin('credentials as c', 'c.id', 'n.credential_id')
    .innerJoin('recipients as r', 'r.credential_id', 'n.credential_id')
    .select([
      'n.credential_id',
      'n.organisation_id',
      'n.reminders_sent',
      'n.emailed_at',
      'c.achievement_id',
      'c.language',
      'r.email',
      'r.name',
    ])
    .where('n.organisation_id', '=', query.organisationId)
    .where('n.opened_at', 'is', null)
    .where('n.reminders_sent', '<', query.step)
    .where('n.emailed_at', '>=', query.emailedFrom)
    .where('n.emailed_at', '<', query.emailedBefore)
    .where('c.revoked_at', 'is', null)
    .where('c.suspended_at', 'is', null)
    .where('c.erased_at', 'is', null)
    .where('c.holder_hidden', '=', 0)
    .where((eb) => eb.or([eb('c.valid_until', 'is', null), eb('c.valid_until', '>', query.now)]))
    .orderBy('n.emailed_at')
    .limit(limit)
    .execute();
}

/**
 * Claims reminder number `step` for these notices: only those still unopened and below `step` move, in one
 * conditional update, so that two runs (two processes, a retry) never send the same reminder twice. Returns the
 * credential ids claimed.
 */
export async function claimReminders(
  db: Executor,
  credentialIds: string[],
  step: number,
  at: string,
): Promise<string[]> {
  if (credentialIds.length === 0) return [];
  const rows = await db
    .updateTable('award_notices')
    .set({ reminders_sent: step, last_reminder_at: at })
    .where('credential_id', 'in', credentialIds)
    .where('opened_at', 'is', null)
    .where('reminders_sent', '<', step)
    .returning('credential_id')
    .execute();
  return rows.map((r) => r.credential_id);
}
