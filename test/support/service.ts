import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { start, type Running } from '../../src/main.js';
import { guardedFetcher } from '../../src/net/guarded-fetch.js';
import type { Fetcher } from '../../src/engine/verify/fetcher.js';
import { projectRoot } from '../../src/shared/paths.js';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A free TCP port on loopback (the identifiers of a service depend on it, so it is chosen before start). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fresh, empty PostgreSQL schema in the `test` database, and a DATABASE_URL that uses it. */
export async function freshPostgresSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    url: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export interface ServiceEnv {
  [key: string]: string;
}

/** Environment for a test service: its own data and keys folders, an admin token, an ephemeral port. */
export async function serviceEnv(options: { databaseUrl?: string; port?: number; dir?: string; extra?: ServiceEnv } = {}): Promise<ServiceEnv> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'blason-test-'));
  const host = `127.0.0.1:${port}`;
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    BLASON_BASE_URL: `http://${host}`,
    BLASON_DATA_DIR: path.join(dir, 'data'),
    BLASON_KEYS_DIR: path.join(dir, 'keys'),
    BLASON_ADMIN_TOKEN: `blsn_test-admin-${randomBytes(12).toString('hex')}`,
    BLASON_FETCH_ALLOW_HOSTS: host,
    BLASON_FETCH_INSECURE_HTTP_HOSTS: host,
    BLASON_PUBLIC_RATE_LIMIT: '100000',
    BLASON_SIGNING_WORKERS: '0',
    LOG_LEVEL: 'silent',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.extra,
  };
}

/** A fetcher that reaches a test service over loopback the way an outside verifier would (did:web → https → http). */
export function loopbackFetcher(env: ServiceEnv): Fetcher {
  const host = new URL(env.BLASON_BASE_URL!).host;
  return guardedFetcher({ allowHosts: [host], insecureHttpHosts: [host] });
}

export interface InProcessService {
  running: Running;
  env: ServiceEnv;
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts the service in this process (fast; for most tests). */
export async function startInProcess(options: Parameters<typeof serviceEnv>[0] = {}): Promise<InProcessService> {
  const env = await serviceEnv(options);
  const running = await start(loadConfig(env));
  return { running, env, url: env.BLASON_BASE_URL!, token: env.BLASON_ADMIN_TOKEN!, stop: () => running.stop() };
}

export interface ChildService {
  process: ChildProcess;
  env: ServiceEnv;
  url: string;
  token: string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to finish anything. */
  kill(): Promise<void>;
  /** Everything the process printed so far. */
  output(): string;
}

/**
 * Starts the service as its own process, as `npm start` would (for crash and multi-process tests), or with other
 * node arguments and folder (an installed copy of the package).
 */
export async function startChild(
  env: ServiceEnv, options: { args?: string[]; cwd?: string } = {},
): Promise<ChildService> {
  const args = options.args ?? ['--import', 'tsx', path.join(projectRoot, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? projectRoot,
    env: { ...process.env, ...env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Its own address: several processes may share one public origin (BLASON_BASE_URL).
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The service exited during start-up:\n${output}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The service did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    process: child,
    env,
    url,
    token: env.BLASON_ADMIN_TOKEN!,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    output: () => output,
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
