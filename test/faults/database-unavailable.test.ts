/**
 * When the database cannot serve a request (SQLite locked by another program, PostgreSQL unreachable), the
 * service answers 503 problem+json with Retry-After (never a hang, a 500 or a stack trace), /health says the
 * database is down when it is, the process survives, and once the database is back the same requests succeed
 * without a restart. Nothing here measures wall-clock time: that the service gave up shows in the answer coming
 * back while the database is still locked or cut; a hang would exceed the test's own time limit.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { apiClient, setUpIssuer, type ApiResponse } from '../support/api.js';
import { freshPostgresSchema, removeDir, serviceEnv, startChild, startInProcess, type ChildService, type InProcessService } from '../support/service.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { openStore, pingDatabase } from '../../src/store/database.js';
import { DatabaseUnavailableError } from '../../src/store/errors.js';

/** A 503 problem document that says to retry, and nothing about the internals. */
function expectUnavailable(res: ApiResponse): void {
  expect(res.status).toBe(503);
  expect(res.type).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(Object.keys(res.body).sort()).toEqual(['detail', 'status', 'title', 'type']);
  expect(res.body.detail).toMatch(/database is (busy|unavailable).*retry/i);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat \S+ \(|SQLITE_|ECONN|Error:|node_modules/);
}

describe('SQLite locked by another program', () => {
  let service: ChildService;
  let lock: SQLite.Database;
  let issuer: Awaited<ReturnType<typeof setUpIssuer>>;
  let people = 0;
  const award = () => issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: `verrou-${people++}@example.fr` } });

  beforeAll(async () => {
    service = await startChild(await serviceEnv());
    issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
    lock = new SQLite(path.join(service.env.BLASON_DATA_DIR!, 'blason.db'), { fileMustExist: true });
  }, 60_000);
  afterAll(async () => {
    if (lock?.inTransaction) lock.exec('ROLLBACK');
    lock?.close();
    await service?.kill();
    if (service) removeDir(path.dirname(service.env.BLASON_DATA_DIR!));
  });
  afterEach(() => {
    if (lock.inTransaction) lock.exec('ROLLBACK');
  });

  test('an award answers 503 with Retry-After within a few seconds while the lock is held, then succeeds once it is released', async () => {
    lock.exec('BEGIN EXCLUSIVE');
    // Answered while the lock is still held: the award gave up waiting rather than hanging.
    const locked = await award();
    expectUnavailable(locked);
    expect(locked.body.detail).toMatch(/busy/);
    lock.exec('ROLLBACK');
    expect((await award()).status).toBe(201);
  }, 30_000);

  test('while an award waits for the lock, the service keeps answering: health and reads come back at once', async () => {
    lock.exec('BEGIN EXCLUSIVE');
    let awardAnswered = false;
    const waiting = award().finally(() => {
      awardAnswered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    const list = await issuer.operator.get<{ credentials: unknown[] }>('/api/v1/credentials');
    expect(list.status).toBe(200);
    // Both answered while the award was still waiting for the lock.
    expect(awardAnswered).toBe(false);
    expectUnavailable(await waiting);
  }, 30_000);

  test('a lock released while the award waits for it: the award goes through', async () => {
    lock.exec('BEGIN EXCLUSIVE');
    const waiting = award();
    await new Promise((resolve) => setTimeout(resolve, 500));
    lock.exec('ROLLBACK');
    expect((await waiting).status).toBe(201);
  }, 30_000);
});

describe('PostgreSQL unreachable (a proxy between the service and the server is cut)', () => {
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let proxy: TcpProxy;
  let proxiedUrl: string;
  let service: InProcessService;
  let issuer: Awaited<ReturnType<typeof setUpIssuer>>;
  let credentialId: string;
  let people = 0;
  const award = () => issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: `coupure-${people++}@example.fr` } });
  const read = () => apiClient(service.url).get(`/credentials/${credentialId}`, { accept: 'application/vc+ld+json' });
  const health = () => apiClient(service.url).get('/health');
  // Lets the pool see its idle connections die (else a request may pick one up first and fail even faster).
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  beforeAll(async () => {
    schema = await freshPostgresSchema();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = new URL(schema.url);
    url.port = String(proxy.port);
    proxiedUrl = url.href;
    service = await startInProcess({ databaseUrl: proxiedUrl });
    issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
    const first = await award();
    expect(first.status).toBe(201);
    credentialId = (first.body as { id: string }).id;
  }, 60_000);
  afterAll(async () => {
    await proxy?.up();
    await service?.stop();
    await proxy?.close();
    await schema?.drop();
  });
  afterEach(async () => {
    await proxy.up();
  });

  test('connections cut and refused: reads, awards and /health answer 503 at once; after recovery they succeed without a restart', async () => {
    await proxy.down();
    await settle();
    for (const request of [read, award]) {
      const outcome = await request();
      expectUnavailable(outcome);
      expect(outcome.body.detail).toMatch(/unavailable/);
    }
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'unavailable', database: 'down' });

    await proxy.up();
    expect(await health()).toMatchObject({ status: 200, body: { status: 'ok', database: 'up' } });
    expect((await read()).status).toBe(200);
    expect((await award()).status).toBe(201);
  }, 30_000);

  test('a person in a browser gets an HTML page that says to retry, with Retry-After, not a JSON problem', async () => {
    await proxy.down();
    await settle();
    const res = await fetch(`${service.url}/claim/ABCD1234`, { headers: { accept: 'text/html', 'accept-language': 'fr' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const page = await res.text();
    expect(page).toContain('Réessayez dans quelques secondes');
    expect(page).not.toMatch(/ECONN|Error:|\bat \S+ \(/);
  }, 30_000);

  test('the verification page still opens: its rate limit fails open when it cannot count', async () => {
    await proxy.down();
    await settle();
    const res = await fetch(`${service.url}/verify`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
  }, 30_000);

  test('started while the database is unreachable: the process says so in one line and exits', async () => {
    await proxy.down();
    const env = await serviceEnv({ databaseUrl: proxiedUrl });
    const failure = await startChild(env).then(async (child) => {
      await child.kill();
      return 'started';
    }, (error: Error) => error.message);
    expect(failure).toMatch(/Blason could not start: .*database/i);
    expect(failure).not.toMatch(/\n\s+at /);
    removeDir(path.dirname(env.BLASON_DATA_DIR!));
  }, 90_000);

  test('connections that are never answered: requests and /health give up after the connection timeout with 503', async () => {
    await proxy.blackhole();
    await settle();
    // Answered while the proxy still swallows every packet: the connection timeout ended the wait.
    expectUnavailable(await read());
    expect((await health()).status).toBe(503);

    await proxy.up();
    expect((await read()).status).toBe(200);
    expect((await award()).status).toBe(201);
  }, 30_000);

  test('a connection lost in the middle of a transaction fails that transaction with a typed error, and the process lives on', async () => {
    const store = openStore({ kind: 'postgres', url: proxiedUrl });
    try {
      const outcome = await store.db.transaction().execute(async (trx) => {
        await trx.selectFrom('organisations').select('id').execute();
        // The connection is checked out but idle when it drops: node-postgres emits 'error' on the client.
        await proxy.down();
        await new Promise((resolve) => setTimeout(resolve, 100));
        await trx.selectFrom('organisations').select('id').execute();
      }).then(() => 'committed', (error: unknown) => error);
      expect(outcome).toBeInstanceOf(DatabaseUnavailableError);
      await expect(pingDatabase(store.db)).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await proxy.up();
      await expect(pingDatabase(store.db)).resolves.toBeUndefined();
      expect(await store.db.selectFrom('organisations').select('id').execute()).not.toHaveLength(0);
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe('PostgreSQL too slow to answer', () => {
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let store: ReturnType<typeof openStore>;
  beforeAll(async () => {
    schema = await freshPostgresSchema();
    store = openStore({ kind: 'postgres', url: schema.url });
  });
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  test('every connection ends statements that run past 30 seconds and stops waiting for a lock after 10', async () => {
    const { rows } = await sql<{ statement: string; lock: string }>`SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock`.execute(store.db);
    expect(rows[0]).toEqual({ statement: '30s', lock: '10s' });
  });

  test('a statement ended by its timeout is a typed "busy" error (503, try again), and the connection serves the next one', async () => {
    const outcome = await store.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL statement_timeout = 50`.execute(trx);
      await sql`SELECT pg_sleep(2)`.execute(trx);
    }).then(() => 'finished', (error: unknown) => error);
    expect(outcome).toBeInstanceOf(DatabaseUnavailableError);
    expect((outcome as DatabaseUnavailableError).reason).toBe('busy');
    expect((outcome as DatabaseUnavailableError).message).toMatch(/57014/);
    await expect(pingDatabase(store.db)).resolves.toBeUndefined();
  });
});
