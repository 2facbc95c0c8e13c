/**
 * A bulk award of 2,000 people is cut short by a SIGKILL of the server process, on SQLite and on PostgreSQL.
 * After a restart on the same data, every row is either issued exactly once, with its own status index, or not
 * at all, and what was issued verifies. Posting the same file again completes it: 2,000 credentials, nobody
 * twice, and the rows issued before the crash are reported as already issued.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { apiClient, csvOf, setUpIssuer, type Api } from '../support/api.js';
import { freshPostgresSchema, removeDir, serviceEnv, startChild, type ChildService, type ServiceEnv } from '../support/service.js';

const ROWS = 2_000;

/** Read-only questions to the service's database, the same SQL on both engines (`?` placeholders). */
interface Inspector {
  rows<T>(query: string, ...params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function sqliteInspector(file: string): Inspector {
  const db = new SQLite(file, { fileMustExist: true, timeout: 5_000 });
  return {
    rows: async <T>(query: string, ...params: unknown[]) => db.prepare(query).all(...params) as T[],
    close: async () => void db.close(),
  };
}

async function postgresInspector(url: string): Promise<Inspector> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    rows: async <T>(query: string, ...params: unknown[]) => {
      let n = 0;
      return (await client.query(query.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    },
    close: () => client.end(),
  };
}

interface BulkResponse {
  summary: Record<string, number>;
  rows: { line: number; email: string; status: string; credentialId?: string }[];
}

async function issuedCount(db: Inspector, achievementId: string): Promise<number> {
  const [row] = await db.rows<{ n: number | string }>('SELECT count(*) AS n FROM credentials WHERE achievement_id = ?', achievementId);
  return Number(row!.n);
}

/** Posts the file, and SIGKILLs the server once the first chunk is committed and the next one is under way. */
async function crashDuringBulk(service: ChildService, operator: Api, achievementId: string, db: Inspector): Promise<void> {
  const started = Date.now();
  const request = operator.post(`/api/v1/credentials/bulk?achievementId=${achievementId}&dryRun=false`, csvOf(ROWS), { 'content-type': 'text/csv' })
    .then((res) => `answered ${res.status}`, () => 'cut off');
  while ((await issuedCount(db, achievementId)) === 0) {
    if (Date.now() - started > 60_000) throw new Error('no credential was committed within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // The first chunk took this long to sign; kill about a third of the way into the second one.
  await new Promise((resolve) => setTimeout(resolve, Math.min(3_000, (Date.now() - started) / 3)));
  await service.kill();
  expect(await request).toBe('cut off');
}

async function checkConsistency(db: Inspector, achievementId: string): Promise<{ id: string; recipient_key: string }[]> {
  const credentials = await db.rows<{ id: string; recipient_key: string; status_list_id: string | null; status_index: number | null; credential_json: string; batch_id: string | null }>(
    'SELECT id, recipient_key, status_list_id, status_index, credential_json, batch_id FROM credentials WHERE achievement_id = ?', achievementId);
  // Nobody holds the badge twice, and no two credentials share a status index of a list.
  expect(new Set(credentials.map((c) => c.recipient_key)).size).toBe(credentials.length);
  expect(new Set(credentials.map((c) => `${c.status_list_id}#${c.status_index}`)).size).toBe(credentials.length);
  for (const credential of credentials) {
    expect(credential.status_list_id).not.toBeNull();
    expect(credential.status_index).not.toBeNull();
    // What the signed credential says is what the database says.
    const status = (JSON.parse(credential.credential_json) as { credentialStatus: { statusListIndex: string; statusListCredential: string } }).credentialStatus;
    expect(status.statusListIndex).toBe(String(credential.status_index));
    expect(status.statusListCredential.endsWith(`/status/${credential.status_list_id}`)).toBe(true);
  }
  // Each credential's index is reserved in its list, and each has its recipient row.
  const [orphans] = await db.rows<{ unreserved: number | string; unaddressed: number | string }>(`
    SELECT
      (SELECT count(*) FROM credentials c LEFT JOIN status_allocations a ON a.list_id = c.status_list_id AND a.idx = c.status_index
        WHERE c.achievement_id = ? AND a.list_id IS NULL) AS unreserved,
      (SELECT count(*) FROM credentials c LEFT JOIN recipients r ON r.credential_id = c.id
        WHERE c.achievement_id = ? AND r.credential_id IS NULL) AS unaddressed`, achievementId, achievementId);
  expect({ unreserved: Number(orphans!.unreserved), unaddressed: Number(orphans!.unaddressed) }).toEqual({ unreserved: 0, unaddressed: 0 });
  return credentials;
}

async function verifySample(service: ChildService, ids: string[]): Promise<void> {
  const anyone = apiClient(service.url);
  const sample = [ids[0]!, ids[Math.floor(ids.length / 2)]!, ids.at(-1)!];
  for (const id of sample) {
    const json = await (await fetch(`${service.url}/credentials/${id}`, { headers: { accept: 'application/vc+ld+json' } })).text();
    const report = await anyone.post<{ verdict: string }>('/api/v1/verify', json, { 'content-type': 'application/json' });
    expect(report.status).toBe(200);
    expect(report.body.verdict).toBe('valid');
  }
}

async function crashAndComplete(env: ServiceEnv, inspect: () => Promise<Inspector>): Promise<void> {
  let service = await startChild(env);
  let db: Inspector | undefined;
  try {
    const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
    db = await inspect();
    await crashDuringBulk(service, issuer.operator, issuer.achievementId, db);

    service = await startChild(env);
    const before = await checkConsistency(db, issuer.achievementId);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(ROWS);
    // The kill came after the next chunk had reserved its status indexes: they stay reserved, unused.
    const [reserved] = await db.rows<{ n: number | string }>('SELECT count(*) AS n FROM status_allocations');
    expect(Number(reserved!.n)).toBeGreaterThan(before.length);
    await verifySample(service, before.map((c) => c.id));

    // As a client should: a 503 (the database still releasing the killed process's work) is retried after its
    // Retry-After. Completing the file is idempotent, so what a refused attempt may have issued counts as held.
    const post = () => apiClient(service.url, issuer.operatorToken).post<BulkResponse>(`/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csvOf(ROWS), { 'content-type': 'text/csv' });
    let held = before;
    let again = await post();
    for (let attempt = 0; again.status === 503 && attempt < 3; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Number(again.headers.get('retry-after') ?? 1) * 1000));
      held = await checkConsistency(db, issuer.achievementId);
      again = await post();
    }
    expect(again.status).toBe(200);
    expect(again.body.summary).toMatchObject({ rows: ROWS, issued: ROWS - held.length, 'already-issued': held.length, invalid: 0, duplicate: 0 });
    // The rows issued before point at the credentials issued then.
    const issuedBefore = new Set(held.map((c) => c.id));
    const reportedAlready = again.body.rows.filter((row) => row.status === 'already-issued').map((row) => row.credentialId);
    expect(new Set(reportedAlready)).toEqual(issuedBefore);

    const after = await checkConsistency(db, issuer.achievementId);
    expect(after).toHaveLength(ROWS);
    await verifySample(service, after.map((c) => c.id).filter((id) => !issuedBefore.has(id)));
  } finally {
    await db?.close();
    await service.kill();
    removeDir(path.dirname(env.BLASON_DATA_DIR!));
  }
}

test('SQLite: a bulk award killed half-way leaves whole credentials only, and the same file completes it', async () => {
  const env = await serviceEnv();
  await crashAndComplete(env, async () => sqliteInspector(path.join(env.BLASON_DATA_DIR!, 'blason.db')));
}, 120_000);

test('PostgreSQL: a bulk award killed half-way leaves whole credentials only, and the same file completes it', async () => {
  const schema = await freshPostgresSchema();
  try {
    const env = await serviceEnv({ databaseUrl: schema.url });
    await crashAndComplete(env, () => postgresInspector(schema.url));
  } finally {
    await schema.drop();
  }
}, 120_000);
