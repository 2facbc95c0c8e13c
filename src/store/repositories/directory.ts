import type { Executor } from '../database.js';
import type { AchievementRow, OrganisationRow } from '../schema.js';

/** What the public directory is made of: the organisations that award badges and chose to appear, and their badges. */
export interface DirectoryRows {
  organisations: OrganisationRow[];
  /** Their badge definitions still awarded (archived ones are no longer on offer). */
  achievements: AchievementRow[];
  /** The kinds of workshop each badge was awarded in: achievement id → workshop type codes. */
  workshopTypes: Map<string, Set<string>>;
}

export async function readDirectory(db: Executor): Promise<DirectoryRows> {
  const organisations = await db
    .selectFrom('organisations')
    .selectAll()
    .where('kind', '=', 'issuer')
    .where('in_directory', '=', 1)
    .orderBy('name')
    .execute();
  if (organisations.length === 0) return { organisations, achievements: [], workshopTypes: new Map() };
  const ids = organisations.map((o) => o.id);
  const achievements = await db
    .selectFrom('achievements')
    .selectAll()
    .where('organisation_id', 'in', ids)
    .where('archived_at', 'is', null)
    .orderBy('name_fr')
    .execute();
  const sessions = await db
    .selectFrom('workshop_badges')
    .innerJoin('workshops', 'workshops.id', 'workshop_badges.workshop_id')
    .select(['workshop_badges.achievement_id', 'workshops.workshop_type'])
    .where('workshops.organisation_id', 'in', ids)
    .distinct()
    .execute();
  const workshopTypes = new Map<string, Set<string>>();
  for (const { achievement_id, workshop_type } of sessions) {
    const types = workshopTypes.get(achievement_id) ?? new Set<string>();
    types.add(workshop_type);
    workshopTypes.set(achievement_id, types);
  }
  return { organisations, achievements, workshopTypes };
}
