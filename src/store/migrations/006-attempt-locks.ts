import type { Kysely } from 'kysely';

/**
 * Attempts counted per key (a console address, a holder sign-in client), with the lock they lead to. One
 * row per key, incremented by a single statement, so that attempts sent in parallel are all counted: reading the
 * counter, checking the password and writing the counter back let twenty parallel guesses through as one.
 * Keys are keyed hashes: no address or IP is stored, not even those of people who have no account.
 * The console's former per-user columns (users.failed_logins, users.locked_until) are no longer read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('attempt_locks')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attempt_locks_updated').on('attempt_locks').column('updated_at').execute();
}
