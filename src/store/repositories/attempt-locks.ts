import { sql } from 'kysely';
import type { Db } from '../database.js';

export interface AttemptCount {
  /** Attempts under this key since the last success or the end of the last lock, this one included. */
  attempts: number;
  lockedUntil: string | null;
}

/**
 * Counts one attempt under `key` in a single statement and answers the count with the lock, as they are after it:
 * attempts sent in parallel each see their own number. A lock that has ended starts the count again.
 */
export async function countAttempt(db: Db, key: string, now: string): Promise<AttemptCount> {
  const ended = sql<boolean>`attempt_locks.locked_until IS NOT NULL AND attempt_locks.locked_until <= ${now}`;
  const row = await db
    .insertInto('attempt_locks')
    .values({ key, attempts: 1, locked_until: null, updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        attempts: sql`CASE WHEN ${ended} THEN 1 ELSE attempt_locks.attempts + 1 END`,
        locked_until: sql`CASE WHEN ${ended} THEN NULL ELSE attempt_locks.locked_until END`,
        updated_at: now,
      }),
    )
    .returning(['attempts', 'locked_until'])
    .executeTakeFirstOrThrow();
  return { attempts: Number(row.attempts), lockedUntil: row.locked_until };
}

/**
 * Locks the key until `until`, unless it is locked already (a lock is never extended): answers the lock in force,
 * and whether this call set it (attempts in parallel may all try).
 */
export async function lockAttempts(
  db: Db,
  key: string,
  now: string,
  until: string,
): Promise<{ until: string; set: boolean }> {
  const result = await db
    .updateTable('attempt_locks')
    .set({ locked_until: until })
    .where('key', '=', key)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return { until, set: true };
  const row = await db.selectFrom('attempt_locks').select('locked_until').where('key', '=', key).executeTakeFirst();
  return { until: row?.locked_until ?? until, set: false };
}

/** Gives one attempt back (it succeeded), without going below zero. */
export async function refundAttempt(db: Db, key: string): Promise<void> {
  await db
    .updateTable('attempt_locks')
    .set({ attempts: sql`CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END` })
    .where('key', '=', key)
    .execute();
}

/** Forgets every attempt under the key (a success that proves who is there: the password, a reset link). */
export async function forgetAttempts(db: Db, key: string): Promise<void> {
  await db.deleteFrom('attempt_locks').where('key', '=', key).execute();
}

/** Forgets keys with no attempt since `before` (a lock lasts minutes, so none of them is still locked). */
export async function purgeAttempts(db: Db, before: string): Promise<void> {
  await db.deleteFrom('attempt_locks').where('updated_at', '<', before).execute();
}
