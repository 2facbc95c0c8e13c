import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { asUnavailable, DatabaseUnavailableError } from './errors.js';

/**
 * Wraps a Kysely dialect so that the rest of the code sees one kind of "not now" failure:
 * - every driver error that means the database is locked, unreachable or restarting becomes a
 *   DatabaseUnavailableError (503 with Retry-After at the HTTP edge); other errors pass through untouched;
 * - PostgreSQL: any failure to get a connection is such an error (the pool's connection timeout bounds it);
 * - SQLite: transactions start with BEGIN IMMEDIATE (the write lock is taken at the start, where waiting for
 *   it is always safe, never half-way through), and a statement that finds the database locked by another
 *   program is retried *asynchronously* for up to `busyRetryMs`. better-sqlite3 is synchronous, so its own
 *   busy timeout would freeze the whole process while it waits; here the event loop keeps serving, and
 *   outside a transaction the statement gives the (single) connection back while it sleeps, so that reads,
 *   which WAL mode never blocks, go on being answered meanwhile.
 */
export interface ResilienceOptions {
  kind: 'sqlite' | 'postgres';
  /** SQLite only: how long a locked statement is retried before the request fails with 503. */
  busyRetryMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A statement that met a lock held by another connection, and changed nothing: it can simply run again. */
function retryableBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // SQLITE_BUSY_SNAPSHOT: our read snapshot is stale, only a new transaction helps.
  return (
    typeof code === 'string' &&
    (code === 'SQLITE_BUSY' || (code.startsWith('SQLITE_BUSY_') && code !== 'SQLITE_BUSY_SNAPSHOT'))
  );
}

/** Lets go of the connection for a while and takes it back (SQLite's single connection is behind a mutex). */
interface Lender {
  giveBack(connection: DatabaseConnection): Promise<void>;
  takeAgain(): Promise<DatabaseConnection>;
}

class ResilientConnection implements DatabaseConnection {
  /** Between a successful BEGIN and its COMMIT or ROLLBACK: the connection must not be let go then. */
  inTransaction = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly options: ResilienceOptions,
    private readonly lender: Lender,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + this.options.busyRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.inner.executeQuery<R>(query);
      } catch (error) {
        if (this.options.kind !== 'sqlite' || !retryableBusy(error) || Date.now() >= deadline)
          throw asUnavailable(error);
      }
      const pause = Math.min(50, 2 ** attempt);
      if (this.inTransaction) {
        await sleep(pause);
      } else {
        await this.lender.giveBack(this.inner);
        await sleep(pause);
        await this.lender.takeAgain();
      }
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      throw asUnavailable(error);
    }
  }
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asUnavailable(error);
  }
}

type SavepointMethod = (
  connection: DatabaseConnection,
  savepointName: string,
  compileQuery: QueryCompiler['compileQuery'],
) => Promise<void>;

class ResilientDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, ResilientConnection>();
  savepoint?: SavepointMethod;
  rollbackToSavepoint?: SavepointMethod;
  releaseSavepoint?: SavepointMethod;

  constructor(
    private readonly inner: Driver,
    private readonly options: ResilienceOptions,
  ) {
    for (const name of ['savepoint', 'rollbackToSavepoint', 'releaseSavepoint'] as const) {
      const method = inner[name]?.bind(inner);
      if (method)
        this[name] = (connection, savepointName, compileQuery) =>
          guarded(() => method(this.unwrap(connection), savepointName, compileQuery));
    }
  }

  private unwrap(connection: DatabaseConnection): DatabaseConnection {
    return connection instanceof ResilientConnection ? connection.inner : connection;
  }

  init(): Promise<void> {
    return guarded(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let connection: DatabaseConnection;
    try {
      connection = await this.inner.acquireConnection();
    } catch (error) {
      const typed = asUnavailable(error);
      if (typed instanceof DatabaseUnavailableError || this.options.kind === 'sqlite') throw typed;
      throw new DatabaseUnavailableError(
        'unreachable',
        `No connection to the database could be made: ${(error as Error).message}`,
        { cause: error },
      );
    }
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) {
      wrapped = new ResilientConnection(connection, this.options, {
        giveBack: (inner) => this.inner.releaseConnection(inner),
        takeAgain: () => this.inner.acquireConnection(),
      });
      this.#wrapped.set(connection, wrapped);
    }
    return wrapped;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (this.options.kind === 'sqlite') await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    else await guarded(() => this.inner.beginTransaction(this.unwrap(connection), settings));
    if (connection instanceof ResilientConnection) connection.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await guarded(() => this.inner.commitTransaction(this.unwrap(connection)));
    if (connection instanceof ResilientConnection) connection.inTransaction = false;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await guarded(() => this.inner.rollbackTransaction(this.unwrap(connection)));
    } finally {
      if (connection instanceof ResilientConnection) connection.inTransaction = false;
    }
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(this.unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

export function resilientDialect(dialect: Dialect, options: ResilienceOptions): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new ResilientDriver(dialect.createDriver(), options),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}
