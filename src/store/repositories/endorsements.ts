import type { Executor } from '../database.js';
import type { Database, EndorsementRow } from '../schema.js';

export function insertEndorsement(db: Executor, row: Database['endorsements']): Promise<unknown> {
  return db.insertInto('endorsements').values(row).execute();
}

export function findEndorsement(db: Executor, id: string): Promise<EndorsementRow | undefined> {
  return db.selectFrom('endorsements').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every endorsement of one subject (by our internal id or by its public IRI), oldest first. */
export function endorsementsOfSubject(db: Executor, subject: string): Promise<EndorsementRow[]> {
  return db
    .selectFrom('endorsements')
    .selectAll()
    .where((eb) => eb.or([eb('subject_id', '=', subject), eb('subject_iri', '=', subject)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The endorsements still standing for a subject IRI: what its public document and new credentials embed. */
export function currentEndorsementsOf(db: Executor, subjectIri: string): Promise<EndorsementRow[]> {
  return db
    .selectFrom('endorsements')
    .selectAll()
    .where('subject_iri', '=', subjectIri)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Marks an endorsement revoked; false when it already was (or does not exist). */
export async function markEndorsementRevoked(
  db: Executor,
  id: string,
  at: string,
  reason: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('endorsements')
    .set({ revoked_at: at, revocation_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Indexes of revoked endorsements in a revocation list: bits of the list, beside those of credentials. */
export async function revokedEndorsementIndexes(db: Executor, listId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('endorsements')
    .select('status_index')
    .where('status_list_id', '=', listId)
    .where('revoked_at', 'is not', null)
    .execute();
  return rows.map((row) => row.status_index);
}
