import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { FetchError, type FetchedDocument, type Fetcher, type FetchOptions } from './fetcher.js';
import type { BridgeError, CallRequest, FromWorker, ToWorker, WorkerVerifyOptions } from './verify-pool.js';
import { verifyCredential, type VerifyOptions } from './verify-credential.js';

/**
 * One verification thread of VerifyPool. Verifications take turns computing: one holds the turn until it
 * waits for the pool (a document, a status entry) or ends, and the pool is told who holds it, so that it can
 * charge this thread's busy time to the right one and stop only that one.
 *
 * The turn only decides who resumes after the pool answers; it must never leave the thread waiting. So a
 * verification resuming while it holds the turn goes on at once (several of its calls may be under way), and
 * a holder that leaves the thread idle (waiting on something else, or on a promise another verification
 * shares with it) loses the turn to the next one.
 */
const port = parentPort!;

function post(message: FromWorker): void {
  port.postMessage(message);
}

let holder: number | undefined;
const waiting: { job: number; resume: () => void }[] = [];
/** Abandoned by the pool (deadline) while computing: it is not resumed after its next call. */
const cancelled = new Set<number>();

function grant(): void {
  while (holder === undefined && waiting.length > 0) {
    const next = waiting.shift()!;
    holder = next.job;
    post({ type: 'running', job: next.job });
    next.resume();
  }
}

function takeTurn(job: number): Promise<void> {
  if (holder === job) return Promise.resolve();
  return new Promise((resume) => {
    waiting.push({ job, resume });
    grant();
  });
}

function endTurn(job: number): void {
  if (holder !== job) return;
  holder = undefined;
  grant();
}

/** How often the turn is checked; a holder that kept the thread idle more than half that time passes it on. */
const IDLE_CHECK_MS = 50;
let utilization = performance.eventLoopUtilization();
setInterval(() => {
  const now = performance.eventLoopUtilization();
  const idle = performance.eventLoopUtilization(now, utilization).utilization < 0.5;
  utilization = now;
  if (idle && holder !== undefined && waiting.length > 0) {
    holder = undefined;
    grant();
  }
}, IDLE_CHECK_MS).unref();

let nextCall = 0;
const calls = new Map<number, { job: number; resolve: (value: unknown) => void; reject: (error: Error) => void }>();

/** Asks the pool to make a call on this verification's behalf, giving up the turn meanwhile. */
async function bridged<T>(job: number, request: CallRequest): Promise<T> {
  if (cancelled.delete(job)) {
    endTurn(job);
    return new Promise<T>(() => undefined);
  }
  const call = nextCall++;
  const answer = new Promise<unknown>((resolve, reject) => calls.set(call, { job, resolve, reject }));
  post({ type: 'call', job, call, ...request });
  endTurn(job);
  try {
    return (await answer) as T;
  } finally {
    await takeTurn(job);
  }
}

function errorFrom(error: BridgeError): Error {
  if (error.reason) return new FetchError(error.reason, error.message, error.status);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}

/** Facts learnt through a fetcher belong to its scope (Fetcher.scope): one object here per scope there. */
const scopes = new Map<number, object>();
const SCOPE_LIMIT = 64;

function scopeFor(id: number): object {
  let scope = scopes.get(id);
  if (!scope) {
    if (scopes.size >= SCOPE_LIMIT) scopes.delete(scopes.keys().next().value!);
    scopes.set(id, (scope = {}));
  }
  return scope;
}

function optionsFor(job: number, options: WorkerVerifyOptions): VerifyOptions {
  const fetcher: Fetcher = {
    scope: scopeFor(options.scope),
    fetch: async (url: string, fetchOptions: FetchOptions): Promise<FetchedDocument> => {
      const document = await bridged<FetchedDocument>(job, { kind: 'fetch', url, options: fetchOptions });
      // A Buffer crosses threads as a plain Uint8Array.
      const body = Buffer.from(document.body.buffer, document.body.byteOffset, document.body.byteLength);
      return { ...document, body };
    },
  };
  const additionalStatus = (credential: Record<string, unknown>) =>
    bridged<Record<string, unknown>[]>(job, { kind: 'additionalStatus', credential });
  return {
    fetcher,
    ...(options.now ? { now: options.now } : {}),
    ...(options.expectedRecipient ? { expectedRecipient: options.expectedRecipient } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.additionalStatus ? { additionalStatus } : {}),
  };
}

async function run(request: Extract<ToWorker, { type: 'verify' }>): Promise<void> {
  const { job } = request;
  await takeTurn(job);
  let response: FromWorker;
  try {
    response = { type: 'done', job, report: await verifyCredential(request.input, optionsFor(job, request.options)) };
  } catch (error) {
    response = { type: 'failed', job, message: (error as Error).message };
  }
  cancelled.delete(job);
  post(response);
  endTurn(job);
}

/**
 * A credential of the usual shape, with a proof that does not hold, verified once before any job: the first
 * verification in a thread processes the contexts and compiles the schema (a second or two), and that is not
 * the fault of the credential that happens to come first. Nothing is fetched (did:key, offline).
 */
const WARM_UP_KEY = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const WARM_UP = {
  '@context': [
    'https://www.w3.org/ns/credentials/v2',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
  ],
  id: 'urn:uuid:00000000-0000-4000-8000-000000000000',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { id: WARM_UP_KEY, type: ['Profile'], name: 'Warm-up' },
  validFrom: '2026-01-01T00:00:00Z',
  name: 'Warm-up',
  credentialSubject: {
    type: ['AchievementSubject'],
    achievement: {
      id: 'urn:uuid:00000000-0000-4000-8000-000000000001',
      type: ['Achievement'],
      name: 'Warm-up',
      description: 'Warm-up',
      criteria: { narrative: 'Warm-up' },
      alignment: [{ type: ['Alignment'], targetName: 'Warm-up', targetUrl: 'https://example.org/' }],
    },
    identifier: [
      {
        type: 'IdentityObject',
        hashed: false,
        identityHash: 'a@example.org',
        identityType: 'emailAddress',
      },
    ],
  },
  credentialSchema: [
    {
      id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json',
      type: '1EdTechJsonSchemaValidator2019',
    },
  ],
  proof: [
    {
      type: 'DataIntegrityProof',
      created: '2026-01-01T00:00:00Z',
      verificationMethod: `${WARM_UP_KEY}#${WARM_UP_KEY.slice(8)}`,
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'assertionMethod',
      proofValue: `z${'1'.repeat(86)}`,
    },
  ],
};
await verifyCredential({ credential: WARM_UP }).catch(() => undefined);
post({ type: 'ready' });

port.on('message', (message: ToWorker) => {
  if (message.type === 'verify') {
    void run(message);
  } else if (message.type === 'reply') {
    const pending = calls.get(message.call);
    calls.delete(message.call);
    if (!pending) return;
    if (message.ok) pending.resolve(message.value);
    else pending.reject(errorFrom(message.error));
  } else if (holder === message.job) {
    // Computing now (the pool had not heard yet): it stops at its next call, or ends.
    cancelled.add(message.job);
  } else {
    // Waiting for its turn or for a call: it is never resumed, and the whole verification can be collected.
    const queued = waiting.findIndex((entry) => entry.job === message.job);
    if (queued >= 0) waiting.splice(queued, 1);
    for (const [call, pending] of calls) if (pending.job === message.job) calls.delete(call);
  }
});
