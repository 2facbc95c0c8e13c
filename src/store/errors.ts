/**
 * The database could not do the work right now (locked by another program, unreachable, restarting), as
 * opposed to refusing it (a constraint, a syntax error). Whatever the request had not committed is rolled
 * back, and repeating it later is safe (awards skip people who already hold the badge): the HTTP layer
 * answers 503 with Retry-After.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(
    /**
     * `busy`: another program holds a lock (SQLite), or a statement ran out of time (PostgreSQL);
     * `unreachable`: no working connection, or the file cannot be read.
     */
    readonly reason: 'busy' | 'unreachable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Seconds a client should wait before trying again. */
  get retryAfterSeconds(): number {
    return this.reason === 'busy' ? 2 : 5;
  }
}

/** SQLite result codes (primary, or `PRIMARY_EXTENDED` as better-sqlite3 reports them) meaning "not now". */
const SQLITE_BUSY = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_PROTOCOL'];
const SQLITE_BROKEN = ['SQLITE_CANTOPEN', 'SQLITE_IOERR'];
/**
 * PostgreSQL SQLSTATEs meaning "too slow now": 57014 a statement cancelled by statement_timeout, 55P03 a lock
 * not obtained within lock_timeout. Nothing was changed, and the work can be repeated later.
 */
const POSTGRES_BUSY = ['57014', '55P03'];
/**
 * Socket errors, and PostgreSQL SQLSTATEs of class 08 (connection exception) and 57P0x (shutting down, starting
 * up).
 */
const CONNECTION_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
];
const POSTGRES_STATES = /^(08[0-9A-Z]{3}|57P0[1-4]|53300)$/;
/** What node-postgres and its pool say, without a code, when a connection is lost, cannot be made or is unusable. */
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|is not queryable/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether a driver error means the database is unavailable for now (and which way), or `undefined` for any
 * other error. Reads the error's `code` and, for node-postgres's code-less connection errors, its message.
 */
export function unavailability(error: unknown): DatabaseUnavailableError['reason'] | undefined {
  if (error instanceof DatabaseUnavailableError) return error.reason;
  if (!(error instanceof Error)) return undefined;
  const code = codeOf(error);
  if (code !== undefined) {
    const sqlite = (codes: string[]) => codes.some((known) => code === known || code.startsWith(`${known}_`));
    if (sqlite(SQLITE_BUSY) || POSTGRES_BUSY.includes(code)) return 'busy';
    if (sqlite(SQLITE_BROKEN)) return 'unreachable';
    if (CONNECTION_CODES.includes(code) || POSTGRES_STATES.test(code)) return 'unreachable';
  }
  // An AggregateError (several addresses tried) carries the socket errors inside.
  if (error instanceof AggregateError && error.errors.some((inner) => unavailability(inner) === 'unreachable'))
    return 'unreachable';
  return CONNECTION_MESSAGES.test(error.message) ? 'unreachable' : undefined;
}

/** The typed error for a driver error that means "unavailable"; any other error is returned as it is. */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  const reason = unavailability(error);
  if (!reason) return error;
  const code = codeOf(error);
  const what =
    reason === 'busy'
      ? 'The database is busy (locked, or too slow to answer in time)'
      : 'The database cannot be reached';
  return new DatabaseUnavailableError(reason, `${what}${code ? ` (${code})` : ''}: ${(error as Error).message}`, {
    cause: error,
  });
}
