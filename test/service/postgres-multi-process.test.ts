/**
 * Two server processes on one PostgreSQL database award 500 credentials each at the same time, and both are
 * also given the same 100 people at the same time: no status index is given twice, no credential is lost or
 * duplicated, and every credential verifies.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { apiClient, csvOf, setUpIssuer } from '../support/api.js';
import { freePort, freshPostgresSchema, loopbackFetcher, serviceEnv, startChild, type ChildService } from '../support/service.js';

let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
const services: ChildService[] = [];

beforeAll(async () => {
  schema = await freshPostgresSchema();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'blason-pg-'));
  const first = await serviceEnv({ databaseUrl: schema.url, dir });
  // The second process serves the same public origin (as behind a load balancer) and shares the keys folder.
  const second = { ...first, PORT: String(await freePort()) };
  services.push(await startChild(first));
  services.push(await startChild(second));
}, 120_000);

afterAll(async () => {
  for (const service of services) await service.kill();
  await schema?.drop();
});

test('1,000 concurrent awards from two processes: unique status indexes, nothing lost or doubled, all verify', async () => {
  const [one, two] = services as [ChildService, ChildService];
  const issuer = await setUpIssuer(apiClient(one.url, one.token), one.url);
  const viaOne = apiClient(one.url, issuer.operatorToken);
  const viaTwo = apiClient(two.url, issuer.operatorToken);
  const bulk = (api: typeof viaOne, csv: string) => api.post<{ summary: { issued: number; 'already-issued': number } }>(`/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csv, { 'content-type': 'text/csv' });
  const shared = csvOf(100, 'commun');
  const [a, b, c, d] = await Promise.all([bulk(viaOne, csvOf(500, 'un')), bulk(viaTwo, csvOf(500, 'deux')), bulk(viaOne, shared), bulk(viaTwo, shared)]);
  expect(a.body.summary.issued).toBe(500);
  expect(b.body.summary.issued).toBe(500);
  // The 100 shared people were each awarded exactly once, by one process or the other.
  expect(c.body.summary.issued + d.body.summary.issued).toBe(100);
  expect(c.body.summary['already-issued'] + d.body.summary['already-issued']).toBe(100);

  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  const counts = await client.query('SELECT count(*)::int AS n, count(DISTINCT (status_list_id, status_index))::int AS indexes, count(DISTINCT recipient_key)::int AS people FROM credentials WHERE achievement_id = $1', [issuer.achievementId]);
  const recipients = await client.query('SELECT count(*)::int AS n FROM recipients r JOIN credentials c ON c.id = r.credential_id WHERE c.achievement_id = $1', [issuer.achievementId]);
  await client.end();
  expect(counts.rows[0]).toEqual({ n: 1100, indexes: 1100, people: 1100 });
  expect(recipients.rows[0].n).toBe(1100);

  const urls: string[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await viaTwo.get<{ credentials: { url: string }[] }>(`/api/v1/credentials?achievementId=${issuer.achievementId}&limit=500&offset=${offset}`);
    urls.push(...page.body.credentials.map((c) => c.url));
    if (page.body.credentials.length < 500) break;
  }
  expect(new Set(urls).size).toBe(1100);
  const fetcher = loopbackFetcher(one.env);
  const verdicts = new Map<string, number>();
  for (const url of urls) {
    const json = await (await fetch(url, { headers: { accept: 'application/json' } })).text();
    const verdict = (await verifyCredential({ text: json }, { fetcher })).verdict;
    verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
  }
  expect(Object.fromEntries(verdicts)).toEqual({ valid: 1100 });
}, 180_000);
