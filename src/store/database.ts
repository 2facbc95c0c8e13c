import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Database } from './schema.js';
import * as initial from './migrations/001-initial.js';
import * as holderKey from './migrations/002-holder-key.js';
import * as consoleTables from './migrations/003-console.js';
import * as holdersOauth from './migrations/004-holders-oauth.js';

export type Db = Kysely<Database>;

export interface Store {
  db: Db;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** Migrations in order. One set for both databases. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-holder-key': holderKey,
  '003-console': consoleTables,
  '004-holders-oauth': holdersOauth,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// PostgreSQL BIGINT and NUMERIC come back as strings by default; our counters fit in a JS number.
pg.types.setTypeParser(20, (value) => Number(value));

export function openStore(database: Config['database']): Store {
  if (database.kind === 'sqlite') {
    mkdirSync(path.dirname(database.file), { recursive: true });
    const sqlite = new SQLite(database.file, { timeout: 5_000 });
    // WAL: readers never block the writer; synchronous=NORMAL: one fsync per checkpoint, not per commit.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, kind: 'sqlite', close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: database.url, max: 10, connectionTimeoutMillis: 3_000, idleTimeoutMillis: 30_000 });
  // A dropped connection must not crash the process: the next query reconnects or fails with 503.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${(error as Error)?.message ?? 'unknown error'}`);
}
