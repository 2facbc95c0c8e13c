/**
 * One PostgreSQL database, several schemas (two Blason instances, or Blason next to another application that
 * uses Kysely, or parallel tests): each migrates its own schema, whatever the others hold. Kysely's migrator
 * used to look for its bookkeeping tables in every schema, find another schema's, and fail.
 */
import pg from 'pg';
import { migrate, openStore } from '../../src/store/database.js';
import { freshPostgresSchema } from '../support/service.js';

test('a fresh schema migrates although another schema of the database already holds migrated tables', async () => {
  const first = await freshPostgresSchema();
  const second = await freshPostgresSchema();
  const stores = [openStore({ kind: 'postgres', url: first.url }), openStore({ kind: 'postgres', url: second.url })];
  try {
    await migrate(stores[0]!.db);
    await migrate(stores[1]!.db);
    const client = new pg.Client({ connectionString: second.url });
    await client.connect();
    const { rows } = await client.query<{ schema: string; n: number }>(
      "SELECT table_schema AS schema, count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('kysely_migration', 'kysely_migration_lock', 'credentials') GROUP BY table_schema");
    await client.end();
    expect(rows).toEqual([{ schema: new URL(second.url).searchParams.get('options')!.split('=')[1], n: 3 }]);
    // Migrating again finds everything in place.
    await migrate(stores[1]!.db);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await first.drop();
    await second.drop();
  }
});
