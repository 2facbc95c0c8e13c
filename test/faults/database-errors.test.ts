/**
 * Which driver errors mean "the database cannot serve this now" (503 with Retry-After, safe to retry) and
 * which do not (a constraint, a deadlock handled elsewhere, any other bug: not a 503), and what the one error
 * handler answers for each.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { errorHandler } from '../../src/http/problem.js';
import { asUnavailable, DatabaseUnavailableError, unavailability } from '../../src/store/errors.js';

function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

test.each([
  ['SQLite busy', 'busy', driverError('database is locked', 'SQLITE_BUSY')],
  ['SQLite busy, stale snapshot', 'busy', driverError('database is locked', 'SQLITE_BUSY_SNAPSHOT')],
  ['SQLite locked table', 'busy', driverError('database table is locked', 'SQLITE_LOCKED')],
  ['PostgreSQL statement timeout (57014)', 'busy', driverError('canceling statement due to statement timeout', '57014')],
  ['PostgreSQL lock timeout (55P03)', 'busy', driverError('canceling statement due to lock timeout', '55P03')],
  ['SQLite I/O error', 'unreachable', driverError('disk I/O error', 'SQLITE_IOERR_SHORT_READ')],
  ['connection refused', 'unreachable', driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
  ['connection reset', 'unreachable', driverError('read ECONNRESET', 'ECONNRESET')],
  ['several addresses refused', 'unreachable', new AggregateError([driverError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')],
  ['PostgreSQL shutting down (57P01)', 'unreachable', driverError('terminating connection due to administrator command', '57P01')],
  ['PostgreSQL starting up (57P03)', 'unreachable', driverError('the database system is starting up', '57P03')],
  ['PostgreSQL connection failure (08006)', 'unreachable', driverError('connection failure', '08006')],
  ['too many connections (53300)', 'unreachable', driverError('sorry, too many clients already', '53300')],
  ['connection lost', 'unreachable', driverError('Connection terminated unexpectedly')],
  ['connect timeout of the pool', 'unreachable', driverError('timeout exceeded when trying to connect')],
  ['client broken earlier', 'unreachable', driverError('Client has encountered a connection error and is not queryable')],
])('%s means unavailable (%s)', (_what, reason, error) => {
  expect(unavailability(error)).toBe(reason);
  const typed = asUnavailable(error);
  expect(typed).toBeInstanceOf(DatabaseUnavailableError);
  expect((typed as DatabaseUnavailableError).cause).toBe(error);
});

test.each([
  ['a unique violation', driverError('duplicate key value violates unique constraint', '23505')],
  ['a deadlock (handled by the outbox)', driverError('deadlock detected', '40P01')],
  ['a SQLite constraint', driverError('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE')],
  ['a syntax error', driverError('syntax error at or near "SELEC"', '42601')],
  ['a plain bug', new TypeError('Cannot read properties of undefined')],
])('%s is not "unavailable" and passes through untouched', (_what, error) => {
  expect(unavailability(error)).toBeUndefined();
  expect(asUnavailable(error)).toBe(error);
});

describe('the error handler', () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const app = express();
    const unavailable = new DatabaseUnavailableError('unreachable', 'The database cannot be reached (ECONNREFUSED): connect ECONNREFUSED 10.0.0.5:5432');
    app.get('/typed', () => {
      throw unavailable;
    });
    app.get('/wrapped', () => {
      throw new Error('could not load the achievement', { cause: unavailable });
    });
    app.get('/smtp', () => {
      throw driverError('connect ECONNREFUSED 10.0.0.9:25', 'ECONNREFUSED');
    });
    app.use(errorHandler(pino({ level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  test.each([['/typed'], ['/wrapped']])('answers %s with 503, Retry-After and a problem that names neither the driver nor the address', async (path) => {
    const res = await fetch(`${url}${path}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ status: 503, type: 'https://blason.dev/problems/database-unavailable' });
    expect(body).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|Error/);
  });

  test('does not take another service\'s connection error (mail, say) for the database: a 500 that says nothing', async () => {
    const res = await fetch(`${url}/smtp`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toMatch(/ECONNREFUSED|10\.0\.0\.9/);
  });
});
