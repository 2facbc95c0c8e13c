/**
 * The verification pool (src/engine/verify/verify-pool.ts) gives exactly the report verifying in this thread
 * gives, while documents and extra status entries are still fetched in this thread; and it stops a
 * verification that computes past its limit (terminating its thread), without failing the others.
 */
import { FetchError, staticFetcher, type Fetcher } from '../../src/engine/verify/fetcher.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential, type VerifyOptions } from '../../src/engine/verify/verify-credential.js';
import { VerifyPool } from '../../src/engine/verify/verify-pool.js';
import { signedCredential, signedJwt, testIssuer, type TestIssuer } from '../support/credentials.js';
import { failedCodes, recording } from '../support/verification.js';
import { heaviestAllowed } from '../hostile/support.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const DID_URL = 'https://badges.example.org/issuers/bge-lille/did.json';

let issuer: TestIssuer;
let credential: Record<string, unknown>;
let pool: VerifyPool;

beforeAll(async () => {
  issuer = await testIssuer();
  credential = await signedCredential(issuer) as unknown as Record<string, unknown>;
  pool = new VerifyPool({ size: 2 });
});
afterAll(() => pool.close());

type Input = Parameters<typeof verifyCredential>[0];

async function bothWays(input: Input, options: VerifyOptions): Promise<[VerificationReport, VerificationReport]> {
  return [await pool.verify(input, options), await verifyCredential(input, options)];
}

function statusEntry(list: number, statusPurpose: 'revocation' | 'suspension') {
  const url = `https://badges.example.org/status/${list}`;
  const type = 'BitstringStatusListEntry' as const;
  return { id: `${url}#5`, type, statusPurpose, statusListIndex: '5', statusListCredential: url };
}

describe('the same report as in this thread', () => {
  test('for a valid credential, its issuer\'s DID document fetched in this thread', async () => {
    const fetcher = recording(issuer.fetcher);
    const [pooled, here] = await bothWays({ text: JSON.stringify(credential) }, { fetcher, now: NOW });
    expect(pooled.verdict).toBe('valid');
    expect(pooled).toEqual(here);
    expect(fetcher.requested).toContain(DID_URL);
  });

  test('for a VC-JWT', async () => {
    const [pooled, here] = await bothWays({ text: await signedJwt(issuer) }, { fetcher: issuer.fetcher, now: NOW });
    expect(pooled.verdict).toBe('valid');
    expect(pooled).toEqual(here);
  });

  test('when a fetch fails: the failure crosses with its reason', async () => {
    const silent: Fetcher = {
      fetch: async (url) => {
        throw new FetchError('timeout', `${url} did not answer in time.`);
      },
    };
    const [pooled, here] = await bothWays({ credential }, { fetcher: silent, now: NOW });
    expect(pooled.verdict).toBe('issuer-unconfirmed');
    expect(pooled).toEqual(here);
  });

  test('with additional status entries, asked for in this thread', async () => {
    const asked: unknown[] = [];
    const withStatus = await signedCredential(issuer, { credentialStatus: statusEntry(1, 'revocation') });
    const options: VerifyOptions = {
      fetcher: issuer.fetcher,
      now: NOW,
      additionalStatus: async (c) => {
        asked.push(c.id);
        return [statusEntry(2, 'suspension')];
      },
    };
    const [pooled, here] = await bothWays({ credential: withStatus }, options);
    expect(pooled).toEqual(here);
    expect(asked).toEqual([withStatus.id, withStatus.id]);
    expect(JSON.stringify(pooled.checks)).toContain('https://badges.example.org/status/2');
  });

  test('for input that cannot cross threads: refused as unreadable, not thrown', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const report = await pool.verify({ credential: deep });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['input.tooDeep']);
  });
});

describe('limits', () => {
  test('past its computing limit it is refused as too slow; one waiting on that thread starts again', async () => {
    const limited = new VerifyPool({ size: 1, cpuLimitMs: 250 });
    const options = { fetcher: issuer.fetcher, now: NOW };
    try {
      expect((await limited.verify({ credential }, options)).verdict).toBe('valid');
      // The patient one waits for its issuer's DID document until the heavy one has been dealt with.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const waiting = recording({ fetch: (url, opts) => gate.then(() => issuer.fetcher.fetch(url, opts)) });
      const patient = limited.verify({ credential }, { fetcher: waiting, now: NOW });
      while (waiting.requested.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

      const heavy = await limited.verify({ credential: heaviestAllowed(credential) }, options);
      expect(heavy.verdict).toBe('invalid');
      const tooSlow = { id: 'parse', outcome: 'failed', code: 'input.tooSlow' };
      expect(heavy.checks).toEqual([expect.objectContaining(tooSlow)]);
      expect(heavy.checks[0]!.message).toMatch(/too much work to verify: checking it took more than 0.25 s/);

      open();
      expect((await patient).verdict).toBe('valid');
      // Its first thread was terminated with the heavy one: it started again on a new one, and fetched again.
      expect(waiting.requested.filter((url) => url === DID_URL).length).toBeGreaterThanOrEqual(2);
      expect((await limited.verify({ credential }, options)).verdict).toBe('valid');
      expect(limited.pending).toBe(0);
    } finally {
      await limited.close();
    }
  }, 30_000);

  test('past its deadline, one waiting for a document is abandoned; its thread goes on with others', async () => {
    // The deadline counts waiting too: the thread is started (and warm) before, so that on a loaded machine the
    // second verification is not charged the thread's start-up.
    const limited = new VerifyPool({ size: 1, deadlineMs: 3_000 });
    try {
      expect((await limited.verify({ credential }, { fetcher: staticFetcher({ [DID_URL]: issuer.didDocument }), now: NOW })).verdict).toBe('valid');
      const never: Fetcher = { fetch: () => new Promise(() => undefined) };
      const abandoned = await limited.verify({ credential }, { fetcher: never, now: NOW });
      expect(failedCodes(abandoned)).toEqual(['input.tooSlow']);
      expect(abandoned.checks[0]!.params).toEqual({ cause: 'deadline' });
      const fetcher = staticFetcher({ [DID_URL]: issuer.didDocument });
      expect((await limited.verify({ credential }, { fetcher, now: NOW })).verdict).toBe('valid');
    } finally {
      await limited.close();
    }
  }, 30_000);

  test('once closed, the pool verifies nothing more', async () => {
    const closing = new VerifyPool({ size: 1 });
    expect((await closing.verify({ credential }, { fetcher: issuer.fetcher, now: NOW })).verdict).toBe('valid');
    await closing.close();
    await expect(closing.verify({ credential }, { fetcher: issuer.fetcher, now: NOW })).rejects.toThrow(/closed/);
  }, 30_000);
});
