import { sql, type Kysely } from 'kysely';

/**
 * How many indexes each status list has handed out, kept as a counter: counting the allocations on every award
 * grew with the number of credentials (a scan of up to 131,072 rows per award).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('status_lists')
    .addColumn('allocated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE status_lists SET allocated =
    (SELECT COUNT(*) FROM status_allocations WHERE status_allocations.list_id = status_lists.id)`.execute(
    db,
  );
}
