import { randomInt } from 'node:crypto';
import type { Executor } from '../database.js';
import type { StatusListRow } from '../schema.js';


export function findStatusList(db: Executor, id: string): Promise<StatusListRow | undefined> {
  return db.selectFrom('status_lists').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findSuspensionTwin(db: Executor, revocationListId: string): Promise<StatusListRow | undefined> {
  return db
    .selectFrom('status_lists')
    .selectAll()
    .where('twin_id', '=', revocationListId)
    .where('purpose', '=', 'suspension')
    .executeTakeFirst();
}

export function revocationListsOf(db: Executor, organisationId: string): Promise<StatusListRow[]> {
  return db
    .selectFrom('status_lists')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('purpose', '=', 'revocation')
    .orderBy('created_at')
    .execute();
}

export async function insertStatusList(
  db: Executor,
  row: Omit<StatusListRow, 'version' | 'signed_credential' | 'signed_version' | 'allocated'>,
): Promise<void> {
  await db
    .insertInto('status_lists')
    .values({ ...row, signed_credential: null, signed_version: null })
    .execute();
}

/** Indexes a list has handed out (a counter kept by allocateIndexes, so that this costs the same at any size). */
export async function countAllocations(db: Executor, listId: string): Promise<number> {
  const row = await db.selectFrom('status_lists').select('allocated').where('id', '=', listId).executeTakeFirst();
  return Number(row?.allocated ?? 0);
}

/**
 * Reserves `count` random free indexes in a list. Uniqueness comes from the primary key: concurrent processes
 * may draw the same index, and the loser of the race simply draws again (ON CONFLICT DO NOTHING never aborts the
 * surrounding transaction, on SQLite or PostgreSQL).
 */
export async function allocateIndexes(db: Executor, listId: string, size: number, count: number): Promise<number[]> {
  const granted: number[] = [];
  for (let attempt = 0; granted.length < count; attempt++) {
    if (attempt > 50) throw new Error(`Status list ${listId} has no room left for ${count} entries`);
    const wanted = new Set<number>();
    const missing = count - granted.length;
    while (wanted.size < missing) {
      const index = randomInt(size);
      if (!granted.includes(index)) wanted.add(index);
    }
    // Sorted: concurrent inserts that take unique-index locks in the same order cannot deadlock (PostgreSQL).
    const candidates = [...wanted].sort((a, b) => a - b);
    for (let i = 0; i < candidates.length; i += 500) {
      const rows = await db
        .insertInto('status_allocations')
        .values(candidates.slice(i, i + 500).map((idx) => ({ list_id: listId, idx })))
        .onConflict((oc) => oc.columns(['list_id', 'idx']).doNothing())
        .returning('idx')
        .execute();
      granted.push(...rows.map((r) => r.idx));
    }
  }
  await db
    .updateTable('status_lists')
    .set((eb) => ({ allocated: eb('allocated', '+', granted.length) }))
    .where('id', '=', listId)
    .execute();
  return granted;
}

/** A change of bits: bump the version, so every process re-signs the list on its next request. */
export async function bumpVersion(db: Executor, listIds: string[]): Promise<void> {
  if (listIds.length === 0) return;
  await db
    .updateTable('status_lists')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', 'in', listIds)
    .execute();
}

export async function storeSignedList(db: Executor, id: string, signed: string, version: number): Promise<void> {
  await db
    .updateTable('status_lists')
    .set({ signed_credential: signed, signed_version: version })
    .where('id', '=', id)
    .where('version', '=', version)
    .execute();
}
