import { sql } from 'kysely';
import type { Executor } from '../database.js';

/*
 * A badge's own artwork (uploaded in the console) is the row of `images` whose id is the badge's id: one image
 * per badge at most, found without a column of its own, and never shared with another badge or organisation.
 */

export function findArtwork(db: Executor, achievementId: string) {
  return db
    .selectFrom('images')
    .select(['content_type', 'bytes', 'organisation_id'])
    .where('id', '=', achievementId)
    .executeTakeFirst();
}

/** The version of the badge's artwork (when it was stored, and its size), if it has one: without the bytes. */
export async function artworkVersion(db: Executor, achievementId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('images')
    .select(['created_at', sql<number>`length(bytes)`.as('size')])
    .where('id', '=', achievementId)
    .executeTakeFirst();
  return row ? `${row.created_at}:${row.size}` : undefined;
}

/** Which of these badges have artwork of their own. */
export async function withArtwork(db: Executor, achievementIds: string[]): Promise<Set<string>> {
  if (achievementIds.length === 0) return new Set();
  const rows = await db.selectFrom('images').select('id').where('id', 'in', achievementIds).execute();
  return new Set(rows.map((r) => r.id));
}

export async function putArtwork(
  db: Executor,
  row: { achievementId: string; organisationId: string; contentType: string; bytes: Buffer; at: string },
): Promise<void> {
  await db.deleteFrom('images').where('id', '=', row.achievementId).execute();
  await db
    .insertInto('images')
    .values({
      id: row.achievementId,
      organisation_id: row.organisationId,
      content_type: row.contentType,
      bytes: row.bytes,
      created_at: row.at,
    })
    .execute();
}

export async function deleteArtwork(db: Executor, achievementId: string): Promise<boolean> {
  const result = await db.deleteFrom('images').where('id', '=', achievementId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
