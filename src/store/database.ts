import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Migration,
  type MigrationProvider,
  type SqliteDatabase,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { asUnavailable, DatabaseUnavailableError } from './errors.js';
import { resilientDialect } from './resilient-dialect.js';
import type { Database } from './schema.js';
import * as initial from './migrations/001-initial.js';
import * as holderKey from './migrations/002-holder-key.js';
import * as consoleTables from './migrations/003-console.js';
import * as holdersOauth from './migrations/004-holders-oauth.js';
import * as listAllocationCount from './migrations/005-list-allocation-count.js';
import * as attemptLocks from './migrations/006-attempt-locks.js';
import * as awardMessages from './migrations/007-award-messages.js';
import * as holderNameChoice from './migrations/008-holder-name-choice.js';
import * as operatorFlows from './migrations/009-operator-flows.js';
import * as endorsements from './migrations/010-endorsements.js';
import * as peerRecognition from './migrations/011-peer-recognition.js';
import * as openRecognition from './migrations/012-open-recognition.js';
import * as directory from './migrations/013-directory.js';
import * as pathways from './migrations/015-pathways.js';
import * as vcApiCredentials from './migrations/016-vc-api-credentials.js';
import * as openid4vci from './migrations/017-openid4vci.js';
import * as vcapiExchanges from './migrations/018-vcapi-exchanges.js';

export type Db = Kysely<Database>;
/** Where a repository writes: the database, or a transaction a use case opened. */
export type Executor = Db | Transaction<Database>;

/** The connections of a PostgreSQL pool right now (SQLite has one connection, and no pool). */
export interface PoolStats {
  /** Connections open, busy or idle. */
  open: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
  max: number;
}

export interface Store {
  db: Db;
  kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
  poolStats?: () => PoolStats;
}

/** How long a PostgreSQL connection may take to open before the request fails with 503. */
const CONNECT_TIMEOUT_MS = 3_000;
/**
 * PostgreSQL ends any statement still running after this long, and stops waiting for a row lock after
 * LOCK_TIMEOUT_MS: a request never holds a connection of the pool indefinitely, and the caller gets a 503
 * (nothing was changed; it can try again) instead of waiting for ever. Our statements take milliseconds.
 */
const STATEMENT_TIMEOUT_MS = 30_000;
/** Connections one process opens at most to PostgreSQL. */
const POOL_MAX = 10;
const LOCK_TIMEOUT_MS = 10_000;
/** How long a SQLite statement waits (asynchronously) for a lock held by another program before 503. */
const SQLITE_BUSY_RETRY_MS = 2_000;

/** A cheap "does the database answer?" per store, for /health (see pingDatabase). */
const pings = new WeakMap<Db, () => Promise<void>>();

/** Migrations in order. One set for both databases. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-holder-key': holderKey,
  '003-console': consoleTables,
  '004-holders-oauth': holdersOauth,
  '005-list-allocation-count': listAllocationCount,
  '006-attempt-locks': attemptLocks,
  '007-award-messages': awardMessages,
  '008-holder-name-choice': holderNameChoice,
  '009-operator-flows': operatorFlows,
  '010-endorsements': endorsements,
  '011-peer-recognition': peerRecognition,
  '012-open-recognition': openRecognition,
  '013-directory': directory,
  '015-pathways': pathways,
  '016-vc-api-credentials': vcApiCredentials,
  '017-openid4vci': openid4vci,
  '018-vcapi-exchanges': vcapiExchanges,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// PostgreSQL BIGINT and NUMERIC come back as strings by default; our counters fit in a JS number.
pg.types.setTypeParser(20, (value) => Number(value));

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every statement anew, and preparing costs SQLite about as much as running the small
 * statements a request makes. A prepared statement can run again with new parameters, so the most recently
 * used ones are kept, by their SQL. Safe on the single connection: Kysely runs one statement at a time on it.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (statement) {
        // Most recently used last: the first entry is the one to evict.
        statements.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

/**
 * The SQLite database holds secrets (token and session hashes, the recipient-hashing secret, OAuth records) and
 * personal data: only the service's own user may read it. Its folder is created 0700 (a folder that already
 * exists is left as it is: it may be shared, /srv or /tmp), the file 0600 before SQLite opens it, and files left
 * readable by an older start are tightened. SQLite gives the -wal, -shm and -journal files it creates later the
 * database file's own permissions.
 */
function ownerOnly(file: string): void {
  const folder = path.dirname(file);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (existsSync(`${file}${suffix}`)) chmodSync(`${file}${suffix}`, 0o600);
  }
}

export function openStore(database: Config['database']): Store {
  if (database.kind === 'sqlite') {
    ownerOnly(database.file);
    // No busy timeout in SQLite itself: better-sqlite3 would wait synchronously, freezing the process. A
    // locked database is waited for asynchronously instead (resilientDialect), then answered with 503.
    const sqlite = new SQLite(database.file, { timeout: 0 });
    // WAL: readers never block the writer; synchronous=NORMAL: one fsync per checkpoint, not per commit.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({
      dialect: resilientDialect(new SqliteDialect({ database: withStatementCache(sqlite) }), {
        kind: 'sqlite',
        busyRetryMs: SQLITE_BUSY_RETRY_MS,
      }),
    });
    // Straight to the handle, not queued behind statements waiting for a lock: in WAL mode reading the schema
    // needs no lock another program can hold, so this fails only if the file itself is unusable.
    pings.set(db, async () => {
      try {
        sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
      } catch (error) {
        // Another statement of ours is iterating on the handle: it is alive.
        if (!(error instanceof TypeError)) throw error;
      }
    });
    return { db, kind: 'sqlite', close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: database.url,
    max: POOL_MAX,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
  });
  // A dropped connection must not crash the process: node-postgres emits 'error' on the pool for an idle
  // client, and on the client itself for one checked out (between two queries of a transaction, say) — an
  // 'error' event nobody listens to is an uncaught exception. The query in progress, if any, fails with the
  // error (503), and the pool discards the broken client when it is released.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({
    dialect: resilientDialect(new PostgresDialect({ pool }), { kind: 'postgres', busyRetryMs: 0 }),
  });
  pings.set(db, async () => {
    await pool.query('SELECT 1');
  });
  const poolStats = () => ({ open: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: POOL_MAX });
  return { db, kind: 'postgres', close: () => db.destroy(), poolStats };
}

/**
 * Checks that the database answers, within `timeoutMs`. Resolves, or rejects with DatabaseUnavailableError.
 * Cheap enough for every health probe: `SELECT 1` on PostgreSQL, a read of the schema page on SQLite.
 */
export async function pingDatabase(db: Db, timeoutMs = 2_000): Promise<void> {
  const ping = pings.get(db) ?? (async () => void (await sql`SELECT 1`.execute(db)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new DatabaseUnavailableError('unreachable', `The database did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([ping(), timeout]);
  } catch (error) {
    const typed = asUnavailable(error);
    throw typed instanceof DatabaseUnavailableError
      ? typed
      : new DatabaseUnavailableError('unreachable', `The database does not answer: ${(error as Error).message}`, {
          cause: error,
        });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The PostgreSQL schema our tables live in (the first of the search_path); undefined on SQLite, which has no
 * current_schema(). Kysely's
 * migrator looks for its bookkeeping tables in *every* schema unless told which one: another schema's
 * kysely_migration_lock (another Blason, another application, a test) made it skip creating ours, and the
 * migration then failed with 'relation "kysely_migration_lock" does not exist'.
 */
async function ownSchema(db: Db): Promise<string | undefined> {
  try {
    const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    return rows[0]?.schema ?? undefined;
  } catch {
    return undefined;
  }
}

export async function migrate(db: Db): Promise<void> {
  const schema = await ownSchema(db);
  for (let attempt = 1; ; attempt++) {
    const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (!error && !failed) return;
    const message = (error as Error)?.message ?? 'unknown error';
    // Processes starting together on an empty PostgreSQL database race to create Kysely's own bookkeeping
    // tables (its lock serialises migrations, but only once it exists): the loser retries and finds them.
    const bookkeepingRace = !failed && /kysely_migration|already exists|duplicate key/i.test(message);
    if (!bookkeepingRace || attempt >= 5)
      throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}
