import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../database.js';
import type { AchievementRow, Database } from '../schema.js';


export async function insertAchievement(db: Executor, row: Insertable<Database['achievements']>): Promise<void> {
  await db.insertInto('achievements').values(row).execute();
}

/** One achievement, scoped to an organisation unless `organisationId` is undefined (platform admin). */
export function findAchievement(
  db: Executor,
  id: string,
  organisationId?: string,
): Promise<AchievementRow | undefined> {
  let query = db.selectFrom('achievements').selectAll().where('id', '=', id);
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  return query.executeTakeFirst();
}

export function listAchievements(
  db: Executor,
  filter: { organisationId?: string; includeArchived?: boolean },
): Promise<AchievementRow[]> {
  let query = db.selectFrom('achievements').selectAll().orderBy('created_at', 'desc');
  if (filter.organisationId !== undefined) query = query.where('organisation_id', '=', filter.organisationId);
  if (!filter.includeArchived) query = query.where('archived_at', 'is', null);
  return query.execute();
}

export async function updateAchievement(
  db: Executor,
  id: string,
  changes: Updateable<Database['achievements']>,
): Promise<void> {
  await db.updateTable('achievements').set(changes).where('id', '=', id).execute();
}
