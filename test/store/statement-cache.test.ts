/**
 * SQLite statements are prepared once and kept (src/store/database.ts, withStatementCache): running one again
 * with other parameters, past the cache's size, or after the schema changed, gives the right rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/database.js';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'blason-statements-'));
  store = openStore({ kind: 'sqlite', file: path.join(dir, 'blason.db') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the same statement run again with other parameters answers for those parameters', async () => {
  for (const n of [1, 2, 3]) {
    const { rows } = await sql<{ n: number }>`SELECT ${n} + 1 AS n`.execute(store.db);
    expect(rows).toEqual([{ n: n + 1 }]);
  }
});

test('more distinct statements than the cache holds all run, and the first ones again after being evicted', async () => {
  const run = async (i: number) => (await sql.raw<{ n: number }>(`SELECT ${i} AS n`).execute(store.db)).rows[0]!.n;
  for (let i = 0; i < 600; i++) expect(await run(i)).toBe(i);
  expect(await run(0)).toBe(0);
});

test('a statement prepared before the table changed reads the table as it is now', async () => {
  await sql`CREATE TABLE t (a INTEGER)`.execute(store.db);
  await sql`INSERT INTO t (a) VALUES (1)`.execute(store.db);
  const readAll = () => sql.raw<Record<string, number | null>>('SELECT * FROM t').execute(store.db);
  expect((await readAll()).rows).toEqual([{ a: 1 }]);
  await sql`ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7`.execute(store.db);
  expect((await readAll()).rows).toEqual([{ a: 1, b: 7 }]);
});
