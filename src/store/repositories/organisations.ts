import type { Executor } from '../database.js';
import type { Database, OrganisationRow } from '../schema.js';
import type { Insertable, Updateable } from 'kysely';


export function findOrganisation(db: Executor, id: string): Promise<OrganisationRow | undefined> {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findOrganisationBySlug(db: Executor, slug: string): Promise<OrganisationRow | undefined> {
  return db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function listOrganisations(db: Executor, onlyId?: string): Promise<OrganisationRow[]> {
  let query = db.selectFrom('organisations').selectAll().orderBy('name');
  if (onlyId) query = query.where('id', '=', onlyId);
  return query.execute();
}

export async function insertOrganisation(db: Executor, row: Insertable<Database['organisations']>): Promise<void> {
  await db.insertInto('organisations').values(row).execute();
}

export async function updateOrganisation(
  db: Executor,
  id: string,
  changes: Updateable<Database['organisations']>,
): Promise<void> {
  await db.updateTable('organisations').set(changes).where('id', '=', id).execute();
}
