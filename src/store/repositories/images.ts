import type { Db } from '../database.js';

export async function insertImage(
  db: Db,
  row: { id: string; organisation_id: string | null; content_type: string; bytes: Buffer; created_at: string },
): Promise<void> {
  await db.insertInto('images').values(row).execute();
}

export function findImage(db: Db, id: string) {
  return db.selectFrom('images').select(['content_type', 'bytes']).where('id', '=', id).executeTakeFirst();
}
