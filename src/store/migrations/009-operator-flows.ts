import type { Kysely } from 'kysely';

/**
 * credential_replacements: a badge sent to a mistyped address is revoked and issued again to the corrected one,
 * in one transaction; this row says which credential replaced which, so that the session page shows the old one as
 * "replaced" (not as an ordinary revocation) and nothing offers to correct it twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('credential_replacements')
    .addColumn('credential_id', 'text', (c) => c.primaryKey().references('credentials.id').onDelete('cascade'))
    .addColumn('replaced_by', 'text', (c) => c.notNull().references('credentials.id').onDelete('cascade'))
    .addColumn('replaced_at', 'text', (c) => c.notNull())
    .execute();
}
