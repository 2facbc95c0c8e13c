/**
 * The service's log is pino JSON, one object a line, and every line written while answering a request carries
 * that request's id (the X-Request-Id the client got): the request's own line, and those of the use cases and
 * the error handler, which know nothing of requests.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { apiClient, setUpIssuer } from '../support/api.js';
import { removeDir, serviceEnv, startChild, type ChildService } from '../support/service.js';

let service: ChildService;
let output: string[];
let lines: Record<string, unknown>[];
const ids = { page: '', missing: '', busy: '' };

beforeAll(async () => {
  service = await startChild(await serviceEnv({ extra: { LOG_LEVEL: 'info' } }));
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  ids.page = (await fetch(`${service.url}/verify`)).headers.get('x-request-id')!;
  ids.missing = (await fetch(`${service.url}/nothing-here`)).headers.get('x-request-id')!;
  // A database locked by another program: the error handler logs a warning while answering 503.
  const lock = new SQLite(path.join(service.env.BLASON_DATA_DIR!, 'blason.db'), { fileMustExist: true });
  try {
    lock.exec('BEGIN EXCLUSIVE');
    const award = { achievementId: issuer.achievementId, recipient: { email: 'log@example.fr' } };
    const busy = await issuer.operator.post('/api/v1/credentials', award);
    expect(busy.status).toBe(503);
    ids.busy = busy.headers.get('x-request-id')!;
  } finally {
    if (lock.inTransaction) lock.exec('ROLLBACK');
    lock.close();
  }
  await service.stop();
  output = service.output().split('\n').filter((line) => line.trim() !== '');
  lines = output.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}, 60_000);

afterAll(() => {
  if (service) removeDir(path.dirname(service.env.BLASON_DATA_DIR!));
});

test('every line of the log is a JSON object', () => {
  expect(output.length).toBeGreaterThan(3);
  const objects = (line: string) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  };
  expect(output.filter((line) => !objects(line))).toEqual([]);
});

test('each answered request has its line, with its id, method, path and status', () => {
  for (const [id, route, status] of [[ids.page, '/verify', 200], [ids.missing, '/nothing-here', 404]] as const) {
    const line = lines.find((l) => (l.req as { id?: string } | undefined)?.id === id);
    expect(line).toMatchObject({ req: { method: 'GET', path: route }, res: { status } });
  }
});

test('a line written by the error handler while answering carries the id of that request', () => {
  const warning = lines.find((l) => l.msg === 'database unavailable');
  expect(warning).toMatchObject({ reqId: ids.busy });
});

test('the request\'s own line carries the same reqId as the lines written while answering it', () => {
  const requestLines = lines.filter((l) => l.req !== undefined);
  expect(requestLines.length).toBeGreaterThan(3);
  for (const line of requestLines) expect(line.reqId).toBe((line.req as { id: string }).id);
});
