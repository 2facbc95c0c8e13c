import { sql } from 'kysely';
import type { Db } from '../database.js';

/**
 * Counts one hit in a fixed window and returns the count so far. The counter lives in the database, so the
 * limit holds across every process of the service.
 */
export async function hit(db: Db, bucket: string, windowStart: number): Promise<number> {
  const row = await db
    .insertInto('rate_limits')
    .values({ bucket, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql`rate_limits.count + 1` }))
    .returning('count')
    .executeTakeFirst();
  return Number(row?.count ?? 1);
}

export async function purgeBefore(db: Db, windowStart: number): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', windowStart).execute();
}
