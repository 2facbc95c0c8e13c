/**
 * SIGTERM while a bulk award of 500 people is being signed: the award completes with its normal answer, new
 * connections are refused from then on, the process exits with code 0 within the grace period, and after a
 * restart all 500 credentials are there.
 */
import { connect } from 'node:net';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { apiClient, csvOf, setUpIssuer } from '../support/api.js';
import { removeDir, serviceEnv, startChild, type ChildService } from '../support/service.js';

const ROWS = 500;
/*
 * src/main.ts gives in-flight requests a grace period, then gives up and exits with 1: an exit code of 0 shows
 * the award finished within it, without measuring time here.
 */

let service: ChildService | undefined;
afterAll(async () => {
  if (service?.process.exitCode === null) await service.kill();
  if (service) removeDir(path.dirname(service.env.BLASON_DATA_DIR!));
});

/** Whether a new TCP connection to the port is refused (nothing listens any more). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

test('SIGTERM during a bulk award: the award completes, new connections are refused, exit code 0, and everything is there after restart', async () => {
  // One signing worker, as in production: the pool must outlive the requests that use it.
  const env = await serviceEnv({ extra: { BLASON_SIGNING_WORKERS: '1' } });
  service = await startChild(env);
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  const db = new SQLite(path.join(env.BLASON_DATA_DIR!, 'blason.db'), { fileMustExist: true, readonly: true });
  const reserved = () => Number((db.prepare('SELECT count(*) AS n FROM status_allocations').get() as { n: number }).n);

  let answeredAt = 0;
  const bulk = issuer.operator.post<{ summary: Record<string, number>; rows: { status: string; credentialId?: string }[] }>(
    `/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csvOf(ROWS), { 'content-type': 'text/csv' },
  ).then((res) => {
    answeredAt = Date.now();
    return res;
  });
  // Status indexes are reserved before signing starts: the award is then in flight, its credentials not yet stored.
  while (reserved() < ROWS) await new Promise((resolve) => setTimeout(resolve, 5));
  const credentialsStored = () => Number((db.prepare('SELECT count(*) AS n FROM credentials').get() as { n: number }).n);
  expect(credentialsStored()).toBe(0);

  const exited = service.stop();
  let exitedAt = 0;
  void exited.then(() => {
    exitedAt = Date.now();
  });
  // New connections are refused soon after the signal, while the process is still finishing the award.
  let refusedAt = 0;
  while (!(await refused(Number(env.PORT)))) {
    // Refused while the award is still being finished: no wall-clock bound, the order is what counts.
    expect(answeredAt).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  refusedAt = Date.now();

  const res = await bulk;
  expect(res.status).toBe(200);
  expect(res.body.summary).toMatchObject({ rows: ROWS, issued: ROWS });
  expect(res.body.rows).toHaveLength(ROWS);
  expect(res.body.rows.every((row) => row.status === 'issued' && row.credentialId)).toBe(true);
  expect(refusedAt).toBeLessThan(answeredAt);

  expect(await exited).toBe(0);
  expect(exitedAt).toBeGreaterThanOrEqual(answeredAt);
  db.close();

  service = await startChild(env);
  const listed = await issuer.operator.get<{ credentials: { id: string }[] }>('/api/v1/credentials?limit=1000');
  expect(new Set(listed.body.credentials.map((c) => c.id))).toEqual(new Set(res.body.rows.map((row) => row.credentialId)));
  const one = await fetch(`${service.url}/credentials/${res.body.rows[0]!.credentialId}`, { headers: { accept: 'application/vc+ld+json' } });
  expect(one.status).toBe(200);
}, 60_000);

test('SIGTERM after verifications: the verification threads close with the rest, and the exit code is 0', async () => {
  const env = await serviceEnv({ extra: { BLASON_VERIFY_WORKERS: '2' } });
  // The first test leaves its restarted service running: left alone, it kept Jest from exiting.
  if (service?.process.exitCode === null) await service.stop();
  if (service) removeDir(path.dirname(service.env.BLASON_DATA_DIR!));
  service = await startChild(env);
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  const award = { achievementId: issuer.achievementId, recipient: { email: 'ana@example.fr' } };
  const awarded = await issuer.operator.post<{ credential: Record<string, unknown> }>('/api/v1/credentials', award);
  // Two at once: both threads of the pool start.
  const verify = () => apiClient(service!.url).post<{ verdict: string }>('/api/v1/verify', awarded.body.credential);
  const reports = await Promise.all([verify(), verify()]);
  expect(reports.map((res) => res.body.verdict)).toEqual(['valid', 'valid']);
  // Closing the pool is part of stop(): had it hung, the process would have exited with 1 after the grace period.
  expect(await service.stop()).toBe(0);
}, 60_000);
