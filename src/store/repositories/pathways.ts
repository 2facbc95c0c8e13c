import type { Insertable } from 'kysely';
import type { Executor } from '../database.js';
import type { Database, PathwayRow } from '../schema.js';

/** The queries of pathways (src/app/pathways.ts): definitions, their badges, completions, and what counts. */

export async function insertPathway(
  db: Executor,
  row: Insertable<Database['pathways']>,
  badges: Insertable<Database['pathway_badges']>[],
): Promise<void> {
  await db.insertInto('pathways').values(row).execute();
  await db.insertInto('pathway_badges').values(badges).execute();
}

export async function archivePathwayRow(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('pathways').set({ archived_at: at }).where('id', '=', id).execute();
}

export function findPathway(db: Executor, id: string): Promise<PathwayRow | undefined> {
  return db.selectFrom('pathways').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Live pathways, oldest first; all of them, or those owned by an organisation or holding one of its badges. */
export function listPathwayRows(db: Executor, organisationId?: string): Promise<PathwayRow[]> {
  let query = db.selectFrom('pathways').selectAll().where('archived_at', 'is', null);
  if (organisationId !== undefined)
    query = query.where((eb) =>
      eb.or([
        eb('organisation_id', '=', organisationId),
        eb(
          'id',
          'in',
          eb
            .selectFrom('pathway_badges')
            .innerJoin('achievements', 'achievements.id', 'pathway_badges.achievement_id')
            .select('pathway_badges.pathway_id')
            .where('achievements.organisation_id', '=', organisationId),
        ),
      ]),
    );
  return query.orderBy('created_at').orderBy('id').execute();
}

/** Live pathways one of whose badges is this one. */
export function pathwaysContaining(db: Executor, achievementIds: string[]): Promise<PathwayRow[]> {
  if (achievementIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('pathways')
    .selectAll()
    .where('archived_at', 'is', null)
    .where('id', 'in', (eb) =>
      eb.selectFrom('pathway_badges').select('pathway_id').where('achievement_id', 'in', achievementIds),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface PathwayBadgeRow {
  pathway_id: string;
  achievement_id: string;
  position: number;
  name_fr: string;
  name_en: string;
  archived_at: string | null;
  organisation_id: string;
  organisation_name: string;
}

/** The badges of these pathways, in their order, with their names and organisations. */
export function badgesOfPathways(db: Executor, pathwayIds: string[]): Promise<PathwayBadgeRow[]> {
  if (pathwayIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('pathway_badges')
    .innerJoin('achievements', 'achievements.id', 'pathway_badges.achievement_id')
    .innerJoin('organisations', 'organisations.id', 'achievements.organisation_id')
    .select([
      'pathway_badges.pathway_id',
      'pathway_badges.achievement_id',
      'pathway_badges.position',
      'achievements.name_fr',
      'achievements.name_en',
      'achievements.archived_at',
      'achievements.organisation_id',
      'organisations.name as organisation_name',
    ])
    .where('pathway_badges.pathway_id', 'in', pathwayIds)
    .orderBy('pathway_badges.pathway_id')
    .orderBy('pathway_badges.position')
    .execute();
}

export interface CountedCredential {
  id: string;
  achievement_id: string;
  issued_at: string;
  language: Database['credentials']['language'];
  show_name: number;
}

/** A person's credentials of these badges that count: neither revoked nor suspended. */
export function liveCredentialsOf(
  db: Executor,
  recipientKey: string,
  achievementIds: string[],
): Promise<CountedCredential[]> {
  if (achievementIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('credentials')
    .select(['id', 'achievement_id', 'issued_at', 'language', 'show_name'])
    .where('recipient_key', '=', recipientKey)
    .where('achievement_id', 'in', achievementIds)
    .where('revoked_at', 'is', null)
    .where('suspended_at', 'is', null)
    .orderBy('issued_at')
    .orderBy('id')
    .execute();
}

/** The people (pseudonymous keys) holding a credential of one of these badges that counts. */
export async function keysHolding(db: Executor, achievementIds: string[]): Promise<string[]> {
  if (achievementIds.length === 0) return [];
  const rows = await db
    .selectFrom('credentials')
    .select('recipient_key')
    .distinct()
    .where('achievement_id', 'in', achievementIds)
    .where('revoked_at', 'is', null)
    .where('suspended_at', 'is', null)
    .where('recipient_key', 'is not', null)
    .orderBy('recipient_key')
    .execute();
  return rows.map((r) => r.recipient_key!);
}

export async function completedPathwayIds(db: Executor, recipientKey: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('pathway_completions')
    .select('pathway_id')
    .where('recipient_key', '=', recipientKey)
    .execute();
  return new Set(rows.map((r) => r.pathway_id));
}

export async function insertCompletion(db: Executor, row: Insertable<Database['pathway_completions']>): Promise<void> {
  await db.insertInto('pathway_completions').values(row).execute();
}

/** Completions per pathway. */
export async function completionCounts(db: Executor, pathwayIds: string[]): Promise<Map<string, number>> {
  if (pathwayIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('pathway_completions')
    .select(['pathway_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('pathway_id', 'in', pathwayIds)
    .groupBy('pathway_id')
    .execute();
  return new Map(rows.map((r) => [r.pathway_id, Number(r.n)]));
}

/** Every badge still awarded, of every organisation that awards badges: what a pathway may be made of. */
export function awardedBadges(db: Executor) {
  return db
    .selectFrom('achievements')
    .innerJoin('organisations', 'organisations.id', 'achievements.organisation_id')
    .select([
      'achievements.id',
      'achievements.name_fr',
      'achievements.name_en',
      'organisations.id as organisation_id',
      'organisations.name as organisation_name',
    ])
    .where('achievements.archived_at', 'is', null)
    .where('organisations.kind', '=', 'issuer')
    .orderBy('organisations.name')
    .orderBy('achievements.name_fr')
    .execute();
}
