import type { Kysely } from 'kysely';

/** The secret link a holder uses to manage their badge page (only its hash is stored). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('credentials').addColumn('holder_key_hash', 'text').execute();
}
