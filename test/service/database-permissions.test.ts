/**
 * The SQLite database holds secrets and personal data, so only the service's own user may read it (issue 11 §7.7):
 * its folder is created 0700, the database and its WAL and shared-memory files 0600, and a database an older
 * version left readable by everyone is tightened at start.
 */
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { start } from '../../src/main.js';
import { removeDir, serviceEnv } from '../support/service.js';

const mode = (file: string) => statSync(file).mode & 0o777;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'blason-modes-'));
});

afterEach(() => removeDir(dir));

test('after the first start, the data folder is 0700, the database, its WAL and shared memory 0600', async () => {
  const env = await serviceEnv({ dir });
  const running = await start(loadConfig(env));
  try {
    const data = env.BLASON_DATA_DIR!;
    const files = ['blason.db', 'blason.db-wal', 'blason.db-shm'].map((f) => path.join(data, f));
    expect([mode(data), ...files.map(mode)].map((m) => m.toString(8))).toEqual(['700', '600', '600', '600']);
  } finally {
    await running.stop();
  }
});

test('a database left readable by everyone is made 0600 at the next start', async () => {
  const env = await serviceEnv({ dir });
  await (await start(loadConfig(env))).stop();
  const file = path.join(env.BLASON_DATA_DIR!, 'blason.db');
  chmodSync(file, 0o644);

  const running = await start(loadConfig(env));
  try {
    expect(mode(file).toString(8)).toBe('600');
  } finally {
    await running.stop();
  }
});
