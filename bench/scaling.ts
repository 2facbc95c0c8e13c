/**
 * How cost grows with the number of stored credentials: at 1,000, 10,000 and 100,000 real credentials (awarded
 * through the bulk API, 10,000 rows at a time, with status lists filling up as in production), the time to
 * issue one credential (single award), one credential within a 1,000-row bulk award, to verify one (full
 * pipeline through POST /api/v1/verify) and to fetch one (GET /credentials/{id}). Flat means the 100k column is
 * close to the 1k column.
 */
import { apiClient, csvOf, setUpIssuer } from '../test/support/api.js';
import { startBenchServer } from './server.js';

export interface ScalingPoint {
  database: 'sqlite' | 'postgres';
  stored: number;
  issueMs: number;
  bulkIssueMs: number;
  verifyMs: number;
  fetchMs: number;
}

const SAMPLE = 100;

async function timed<T>(count: number, step: (i: number) => Promise<T>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await step(i);
  return Number(((performance.now() - start) / count).toFixed(2));
}

export async function scaling(database: 'sqlite' | 'postgres', levels = [1_000, 10_000, 100_000]): Promise<ScalingPoint[]> {
  const server = await startBenchServer(database, { BLASON_PUBLIC_RATE_LIMIT: '100000000' });
  try {
    const issuer = await setUpIssuer(apiClient(server.url, server.adminToken), server.url);
    const bulk = async (rows: number, prefix: string) => {
      const res = await issuer.operator.post<{ summary: { issued: number }; rows: { credentialId?: string }[] }>(
        `/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csvOf(rows, prefix), { 'content-type': 'text/csv' });
      if (res.body.summary?.issued !== rows) throw new Error(`bulk: ${JSON.stringify(res.body).slice(0, 300)}`);
    };
    const points: ScalingPoint[] = [];
    let stored = 0;
    let batch = 0;
    for (const level of levels) {
      // Fill up to the level (the measurements below add a little; they are not counted).
      while (stored < level) {
        const rows = Math.min(10_000, level - stored);
        await bulk(rows, `fill${batch++}x`);
        stored += rows;
      }
      const issued: { id: string; credential: unknown }[] = [];
      const issueMs = await timed(SAMPLE, async (i) => {
        const res = await issuer.operator.post<{ id: string; credential: unknown }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: `single${level}-${i}@example.fr` } });
        if (res.status !== 201) throw new Error(`award: ${res.status}`);
        issued.push(res.body);
      });
      const bulkStart = performance.now();
      await bulk(1_000, `measure${level}x`);
      const bulkIssueMs = Number(((performance.now() - bulkStart) / 1_000).toFixed(2));
      const anonymous = apiClient(server.url);
      const verifyMs = await timed(SAMPLE, async (i) => {
        const res = await anonymous.post<{ verdict: string }>('/api/v1/verify', JSON.stringify(issued[i]!.credential), { 'content-type': 'application/json' });
        if (res.body.verdict !== 'valid') throw new Error(`verify: ${JSON.stringify(res.body).slice(0, 300)}`);
      });
      const fetchMs = await timed(SAMPLE, async (i) => {
        const res = await anonymous.get(`/credentials/${issued[(i * 37) % issued.length]!.id}`, { accept: 'application/vc+ld+json' });
        if (res.status !== 200) throw new Error(`fetch: ${res.status}`);
      });
      points.push({ database, stored: level, issueMs, bulkIssueMs, verifyMs, fetchMs });
      console.log(`  ${database} at ${level} stored: issue ${issueMs} ms, in bulk ${bulkIssueMs} ms, verify ${verifyMs} ms, fetch ${fetchMs} ms`);
    }
    return points;
  } finally {
    await server.stop();
  }
}
