/**
 * A 10,000-row CSV awarded through the HTTP API, end to end, on SQLite and on PostgreSQL: wall time of the
 * request and peak resident memory (VmHWM) of the server process. The server runs as `npm start` runs it
 * (compiled, signing worker pool on).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiClient, csvOf, setUpIssuer } from '../test/support/api.js';
import { freePort, freshPostgresSchema } from '../test/support/service.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BulkResult {
  database: 'sqlite' | 'postgres';
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakMemoryMB: number;
}

function peakRssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

export async function bulkAward(database: 'sqlite' | 'postgres', rows = 10_000): Promise<BulkResult> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'blason-bench-'));
  const token = 'blsn_bench-admin-token-0123456789';
  const schema = database === 'postgres' ? await freshPostgresSchema() : undefined;
  const env = {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', BLASON_BASE_URL: `http://127.0.0.1:${port}`,
    BLASON_DATA_DIR: path.join(dir, 'data'), BLASON_KEYS_DIR: path.join(dir, 'keys'), BLASON_ADMIN_TOKEN: token,
    LOG_LEVEL: 'warn', NODE_OPTIONS: '', ...(schema ? { DATABASE_URL: schema.url } : {}),
  };
  const server = spawn(process.execPath, [path.join(root, 'dist', 'main.js')], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        if (i > 300) throw new Error('server did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const issuer = await setUpIssuer(apiClient(url, token), url);
    const csv = csvOf(rows, 'bench');
    const start = performance.now();
    const res = await issuer.operator.post<{ summary: { issued: number } }>(`/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csv, { 'content-type': 'text/csv' });
    const seconds = (performance.now() - start) / 1000;
    if (res.body.summary?.issued !== rows) throw new Error(`bulk award issued ${JSON.stringify(res.body).slice(0, 300)}`);
    return { database, rows, seconds: Number(seconds.toFixed(2)), rowsPerSecond: Math.round(rows / seconds), peakMemoryMB: peakRssMB(server.pid!) };
  } finally {
    server.kill('SIGKILL');
    await schema?.drop();
  }
}
