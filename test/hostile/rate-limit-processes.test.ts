/**
 * The public rate limit holds across processes (security.md §11 API4): two service processes behind one public
 * origin, sharing one database, count one client's requests together. With BLASON_PUBLIC_RATE_LIMIT=10, requests
 * to POST /api/v1/verify alternating between the two are accepted until the 10th of the minute, and the 11th gets
 * a 429 problem with Retry-After, whichever process answers it. On PostgreSQL (one schema) and on SQLite (one
 * file, in WAL mode, which two processes can share on one machine).
 *
 * The window is a fixed minute. A burst does not start in the last five seconds of a minute; one that still
 * straddles a boundary (a very slow machine) is detected and run again at the start of the next minute.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, freshPostgresSchema, removeDir, serviceEnv, startChild, type ChildService } from '../support/service.js';

const LIMIT = 10;

interface Pair {
  services: [ChildService, ChildService];
  cleanup(): Promise<void>;
}

/** Two processes on one database and one public origin (as behind a load balancer), sharing keys and data. */
async function startPair(databaseUrl?: string): Promise<Pair> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'blason-rate-'));
  const first = await serviceEnv({ dir, ...(databaseUrl ? { databaseUrl } : {}), extra: { BLASON_PUBLIC_RATE_LIMIT: String(LIMIT) } });
  const one = await startChild(first);
  let two: ChildService;
  try {
    // Started after the first has migrated the database.
    two = await startChild({ ...first, PORT: String(await freePort()) });
  } catch (error) {
    await one.kill();
    throw error;
  }
  return {
    services: [one, two],
    cleanup: async () => {
      await Promise.all([one.kill(), two.kill()]);
      removeDir(dir);
    },
  };
}

interface Answer {
  process: 0 | 1;
  status: number;
  type: string;
  remaining: number;
  retryAfter: string | null;
  detail?: string;
}

const minuteNow = () => Math.floor(Date.now() / 60_000);

/**
 * Requests alternating between the two processes until one is refused, plus one more to the other process.
 * 'rolled' if the minute changed during the burst.
 */
async function burst(services: [ChildService, ChildService]): Promise<Answer[] | 'rolled'> {
  const startMinute = minuteNow();
  const answers: Answer[] = [];
  for (let i = 0; answers.length < LIMIT + 3; i++) {
    const which = (i % 2) as 0 | 1;
    const res = await fetch(`${services[which].url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' });
    const body = await res.json() as { detail?: string };
    answers.push({ process: which, status: res.status, type: res.headers.get('content-type') ?? '', remaining: Number(res.headers.get('ratelimit-remaining')), retryAfter: res.headers.get('retry-after'), ...(body.detail ? { detail: body.detail } : {}) });
    if (res.status === 429) {
      // One more, to the other process: refused there too.
      const other = (1 - which) as 0 | 1;
      const again = await fetch(`${services[other].url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' });
      await again.arrayBuffer();
      answers.push({ process: other, status: again.status, type: again.headers.get('content-type') ?? '', remaining: Number(again.headers.get('ratelimit-remaining')), retryAfter: again.headers.get('retry-after') });
      break;
    }
  }
  return minuteNow() === startMinute ? answers : 'rolled';
}

function expectLimitHeldAcrossProcesses(answers: Answer[]): void {
  const accepted = answers.filter((a) => a.status === 200);
  const refused = answers.slice(accepted.length);
  // Every request counts once in the shared window, whichever process answered it: one less remains each time.
  expect(accepted.map((a) => LIMIT - a.remaining)).toEqual(accepted.map((_, i) => i + 1));
  expect(new Set(accepted.map((a) => a.process))).toEqual(new Set([0, 1]));
  // Accepted up to the limit, then the next request of the minute (the 11th) is refused, and the one after it,
  // sent to the other process, too.
  expect(LIMIT - accepted[accepted.length - 1]!.remaining).toBe(LIMIT);
  expect(refused.map((a) => a.status)).toEqual([429, 429]);
  expect(new Set(refused.map((a) => a.process))).toEqual(new Set([0, 1]));
  for (const answer of refused) {
    expect(answer.type).toContain('application/problem+json');
    expect(answer.remaining).toBe(0);
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
  }
  expect(refused[0]!.detail).toMatch(/at most 10 a minute/);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for the next minute to begin (and 50 ms more), so that the window is a fresh one. */
const nextMinute = () => sleep(60_000 - (Date.now() % 60_000) + 50);

async function expectSharedLimit(pair: Pair): Promise<void> {
  // A burst takes well under a second: with five seconds left in the minute it does not straddle two windows.
  if (60_000 - (Date.now() % 60_000) < 5_000) await nextMinute();
  let answers = await burst(pair.services);
  if (answers === 'rolled') {
    // Only on a very slow machine: the next minute is a fresh window (its own count starts again at 0).
    await nextMinute();
    answers = await burst(pair.services);
  }
  if (answers === 'rolled') throw new Error('The minute rolled over during two bursts in a row.');
  expectLimitHeldAcrossProcesses(answers);
}

describe('two processes on one PostgreSQL schema', () => {
  let pair: Pair;
  let dropSchema: () => Promise<void>;

  beforeAll(async () => {
    const schema = await freshPostgresSchema();
    dropSchema = schema.drop;
    pair = await startPair(schema.url);
  }, 60_000);
  afterAll(async () => {
    await pair?.cleanup();
    await dropSchema?.();
  });

  test('the 11th request of the minute is refused with 429 and Retry-After, whichever process answers', async () => {
    await expectSharedLimit(pair);
  }, 90_000);
});

describe('two processes on one SQLite file', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await startPair();
  }, 60_000);
  afterAll(() => pair?.cleanup());

  test('the 11th request of the minute is refused with 429 and Retry-After, whichever process answers', async () => {
    await expectSharedLimit(pair);
  }, 90_000);
});
