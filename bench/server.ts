/**
 * The service as `npm start` runs it (compiled, from dist/), in its own process, for the benchmarks that go
 * through HTTP. Each call gets a fresh data folder (SQLite) or a fresh PostgreSQL schema.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freshPostgresSchema } from '../test/support/service.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchServer {
  url: string;
  adminToken: string;
  process: ChildProcess;
  /** Peak resident memory of the server so far (VmHWM), in MB. */
  peakMemoryMB(): number;
  stop(): Promise<void>;
}

export async function startBenchServer(database: 'sqlite' | 'postgres', env: Record<string, string> = {}): Promise<BenchServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'blason-bench-'));
  const adminToken = 'blsn_bench-admin-token-0123456789';
  const schema = database === 'postgres' ? await freshPostgresSchema() : undefined;
  const child = spawn(process.execPath, [path.join(root, 'dist', 'main.js')], {
    cwd: root,
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', BLASON_BASE_URL: `http://127.0.0.1:${port}`,
      BLASON_DATA_DIR: path.join(dir, 'data'), BLASON_KEYS_DIR: path.join(dir, 'keys'), BLASON_ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'warn', NODE_OPTIONS: '', ...(schema ? { DATABASE_URL: schema.url } : {}), ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      if (i > 300 || child.exitCode !== null) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    adminToken,
    process: child,
    peakMemoryMB: () => {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return match ? Math.round(Number(match[1]) / 1024) : NaN;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await schema?.drop();
    },
  };
}
