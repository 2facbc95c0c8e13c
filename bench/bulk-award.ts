/**
 * A 10,000-row CSV awarded through the HTTP API, end to end, on SQLite and on PostgreSQL: wall time of the
 * request and peak resident memory (VmHWM) of the server process. The server runs as `npm start` runs it
 * (compiled, signing worker pool on).
 */
import { apiClient, csvOf, setUpIssuer } from '../test/support/api.js';
import { startBenchServer } from './server.js';

export interface BulkResult {
  database: 'sqlite' | 'postgres';
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakMemoryMB: number;
}

export async function bulkAward(database: 'sqlite' | 'postgres', rows = 10_000): Promise<BulkResult> {
  const server = await startBenchServer(database);
  try {
    const issuer = await setUpIssuer(apiClient(server.url, server.adminToken), server.url);
    const csv = csvOf(rows, 'bench');
    const start = performance.now();
    const res = await issuer.operator.post<{ summary: { issued: number } }>(`/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csv, { 'content-type': 'text/csv' });
    const seconds = (performance.now() - start) / 1000;
    if (res.body.summary?.issued !== rows) throw new Error(`bulk award issued ${JSON.stringify(res.body).slice(0, 300)}`);
    return { database, rows, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(rows / seconds), peakMemoryMB: server.peakMemoryMB() };
  } finally {
    await server.stop();
  }
}
