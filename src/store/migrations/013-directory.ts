import type { Kysely } from 'kysely';

/**
 * The public directory (issue 14 §1): an organisation chooses whether it appears there (`in_directory`, yes by
 * default: the support offer is meant to be visible) and says which territory it serves (`territory`, free text
 * such as "Lille, Roubaix, Tourcoing").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('organisations')
    .addColumn('in_directory', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('organisations').addColumn('territory', 'text').execute();
}
