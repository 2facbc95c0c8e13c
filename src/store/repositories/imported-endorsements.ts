import type { Executor } from '../database.js';
import type { Database, ImportedEndorsementRow } from '../schema.js';

export function insertImportedEndorsement(db: Executor, row: Database['imported_endorsements']): Promise<unknown> {
  return db.insertInto('imported_endorsements').values(row).execute();
}

export function findImportedEndorsement(db: Executor, id: string): Promise<ImportedEndorsementRow | undefined> {
  return db.selectFrom('imported_endorsements').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The imported endorsements still attached to a badge definition, oldest first: what its documents embed. */
export function currentImportedEndorsements(db: Executor, achievementId: string): Promise<ImportedEndorsementRow[]> {
  return db
    .selectFrom('imported_endorsements')
    .selectAll()
    .where('achievement_id', '=', achievementId)
    .where('removed_at', 'is', null)
    .orderBy('imported_at')
    .orderBy('id')
    .execute();
}

/** The same signed content already attached (and not removed) to this badge definition, if any. */
export function sameImportedEndorsement(
  db: Executor,
  achievementId: string,
  content: string,
): Promise<ImportedEndorsementRow | undefined> {
  return db
    .selectFrom('imported_endorsements')
    .selectAll()
    .where('achievement_id', '=', achievementId)
    .where('content', '=', content)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

/** Every imported endorsement still attached to the badge definitions of one organisation, newest first. */
export function importedEndorsementsOfOrganisation(
  db: Executor,
  organisationId: string,
): Promise<ImportedEndorsementRow[]> {
  return db
    .selectFrom('imported_endorsements')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('removed_at', 'is', null)
    .orderBy('imported_at', 'desc')
    .orderBy('id')
    .execute();
}

/** Marks one removed; false when it already was. */
export async function markImportedEndorsementRemoved(db: Executor, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('imported_endorsements')
    .set({ removed_at: at })
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
