import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FetchError, offlineFetcher, scopeOf, type FetchOptions, type FetchFailure } from './fetcher.js';
import type { VerifiableInput } from './parse-input.js';
import type { Check, VerificationReport } from './report.js';
import type { VerifyOptions } from './verify-credential.js';
import type { CheckCode } from './check-codes.js';

/**
 * Verifies untrusted credentials on worker threads, so that no input can stall the thread that answers
 * requests, and stops a verification that computes for too long.
 *
 * JSON-LD expansion and canonicalization run without yielding for as long as the document makes them: a
 * deadline in the same thread cannot fire, and the whole service (`/health` included) waits. On a worker,
 * the pool watches each verification's computing time and, past the limit, terminates the worker (the only
 * way to stop synchronous work) and starts another when one is next needed.
 *
 * What cannot cross threads stays here: the worker asks for each document (`fetcher`) and each extra status
 * entry (`additionalStatus`) by message, so the guarded fetcher, its per-verification budget and the database
 * are used from this thread only. Reports come back as plain data.
 *
 * Accounting: a worker computes one verification at a time (the others wait for it, or for a document); it
 * says which one computes, and the pool charges the thread's busy time (event-loop utilization) to that one.
 * Waiting for documents costs nothing, so slow hosts cannot tie up the pool: any number of verifications
 * may wait on one worker at once. Busy time is wall time the thread was not idle: on an overloaded machine it
 * runs ahead of CPU time, which only makes the limit stricter.
 */
export interface VerifyPoolOptions {
  /** Worker threads, started as needed. Default: min(2, cores). */
  size?: number;
  /** Computing time one verification may use before it is stopped. */
  cpuLimitMs?: number;
  /** Time from submission after which a verification is abandoned whatever it is doing (a backstop). */
  deadlineMs?: number;
}

export const DEFAULT_VERIFY_CPU_LIMIT_MS = 5_000;
/** Longer than the service's fetch budget (8 s) plus the computing limit, with room for waiting in turn. */
export const DEFAULT_VERIFY_DEADLINE_MS = 30_000;

/** A verification that lost its worker to another one's overrun is started again this many times at most. */
const MAX_RESTARTS = 3;
/** How often busy workers are charged, besides at every message. */
const TICK_MS = 50;
/**
 * Verification keeps little between jobs (parsed contexts, the expansion cache, status lists it trusts), and
 * an oversized document is refused before it is expanded: a small heap bounds what a hostile one can take.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };
const WORKER_URL = new URL(`./verify-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

/** The options a worker receives: VerifyOptions without its functions, which stay in this thread. */
export interface WorkerVerifyOptions {
  now?: Date;
  expectedRecipient?: VerifyOptions['expectedRecipient'];
  limits?: VerifyOptions['limits'];
  /** Whether the worker should ask for additional status entries. */
  additionalStatus: boolean;
  /** Identifies the fetcher's scope (see Fetcher.scope), so that facts it learnt are shared as in one thread. */
  scope: number;
}

export interface BridgeError {
  name: string;
  message: string;
  reason?: FetchFailure;
  status?: number;
}

export type ToWorker =
  | { type: 'verify'; job: number; input: VerifiableInput; options: WorkerVerifyOptions }
  | { type: 'reply'; call: number; ok: true; value: unknown }
  | { type: 'reply'; call: number; ok: false; error: BridgeError }
  | { type: 'cancel'; job: number };

/** What a worker asks the pool to do for a verification. */
export type CallRequest =
  | { kind: 'fetch'; url: string; options: FetchOptions }
  | { kind: 'additionalStatus'; credential: Record<string, unknown> };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'running'; job: number }
  | ({ type: 'call'; job: number; call: number } & CallRequest)
  | { type: 'done'; job: number; report: VerificationReport }
  | { type: 'failed'; job: number; message: string };

interface Job {
  id: number;
  input: VerifiableInput;
  options: VerifyOptions;
  resolve: (report: VerificationReport) => void;
  reject: (error: Error) => void;
  slot?: Slot;
  /** Busy time charged to it on its current worker. */
  cpuMs: number;
  restarts: number;
  deadline: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
  /** The job computing now, as the worker last said. */
  running?: Job;
  /** The worker's busy time when it was last charged. */
  active: number;
  /** Warmed up: a new worker spends a second or two processing contexts and compiling schemas first. */
  ready: boolean;
  stopped: boolean;
}

/** The report of a verification refused before or during its checks: one failed check, nothing displayed. */
export function refusalReport(code: CheckCode, message: string, params?: Check['params']): VerificationReport {
  const check: Check = { id: 'parse', outcome: 'failed', code, message, ...(params ? { params } : {}) };
  return {
    verdict: 'invalid',
    verified: false,
    warnings: 0,
    checks: [check],
    endorsements: [],
    display: { trusted: false },
  };
}

function tooSlow(cpuLimitMs: number, cause: 'time' | 'memory' | 'deadline' | 'restarts'): VerificationReport {
  const why = {
    time: `checking it took more than ${cpuLimitMs / 1000} s of computing`,
    memory: 'checking it needed more memory than a verification may use',
    deadline: 'its verification did not finish in time',
    restarts: 'the verifier was repeatedly interrupted while checking it',
  }[cause];
  return refusalReport(
    'input.tooSlow',
    `This credential takes too much work to verify: ${why}, so it was stopped unfinished. No badge needs that ` +
      'much; ask the person who sent it for the badge exactly as its issuer delivered it, or try again later.',
    { cause },
  );
}

function bridgeError(error: unknown): BridgeError {
  const e = error as Partial<FetchError> | undefined;
  return {
    name: String(e?.name ?? 'Error'),
    message: String(e?.message ?? error),
    ...(error instanceof FetchError ? { reason: error.reason } : {}),
    ...(error instanceof FetchError && error.status !== undefined ? { status: error.status } : {}),
  };
}

export class VerifyPool {
  readonly size: number;
  readonly cpuLimitMs: number;
  readonly deadlineMs: number;
  private readonly slots: Slot[] = [];
  private readonly scopes = new WeakMap<object, number>();
  private nextScope = 0;
  private nextJob = 0;
  private ticker: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: VerifyPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(2, availableParallelism()));
    this.cpuLimitMs = options.cpuLimitMs ?? DEFAULT_VERIFY_CPU_LIMIT_MS;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_VERIFY_DEADLINE_MS;
  }

  /** Verifications submitted and not yet answered. */
  get pending(): number {
    return this.slots.reduce((n, slot) => n + slot.jobs.size, 0);
  }

  /** verifyCredential(input, options), on a worker thread. Never throws for bad input, like it. */
  verify(input: VerifiableInput, options: VerifyOptions = {}): Promise<VerificationReport> {
    if (this.closed) return Promise.reject(new Error('The verification pool is closed.'));
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.nextJob++,
        input,
        options,
        resolve,
        reject,
        cpuMs: 0,
        restarts: 0,
        deadline: undefined!,
      };
      job.deadline = setTimeout(() => this.expire(job), this.deadlineMs);
      job.deadline.unref();
      this.dispatch(job);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ticker);
    this.ticker = undefined;
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.stopped = true;
      for (const job of slot.jobs.values()) {
        this.settle(job, () => job.reject(new Error('The verification pool is closed.')));
      }
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private scopeId(options: VerifyOptions): number {
    const scope = scopeOf(options.fetcher ?? offlineFetcher);
    let id = this.scopes.get(scope);
    if (id === undefined) this.scopes.set(scope, (id = this.nextScope++));
    return id;
  }

  private dispatch(job: Job): void {
    const slot = this.slotFor();
    job.slot = slot;
    job.cpuMs = 0;
    slot.jobs.set(job.id, job);
    slot.worker.ref();
    const { fetcher: _fetcher, additionalStatus, now, expectedRecipient, limits } = job.options;
    const options: WorkerVerifyOptions = {
      ...(now ? { now } : {}),
      ...(expectedRecipient ? { expectedRecipient } : {}),
      ...(limits ? { limits } : {}),
      additionalStatus: !!additionalStatus,
      scope: this.scopeId(job.options),
    };
    try {
      slot.worker.postMessage({ type: 'verify', job: job.id, input: job.input, options } satisfies ToWorker);
    } catch (error) {
      // Not structured-clonable: an object nested past the stack's depth, or holding functions. Neither is JSON.
      slot.jobs.delete(job.id);
      this.idleCheck(slot);
      // By name: the error may come from another realm (a test sandbox), where `instanceof RangeError` is false.
      const deep = (error as Error).name === 'RangeError';
      this.settle(job, () =>
        job.resolve(
          refusalReport(
            deep ? 'input.tooDeep' : 'input.notObject',
            deep ? 'The JSON is nested too deeply to be read.' : 'The credential holds values that are not JSON.',
          ),
        ),
      );
    }
    this.startTicker();
  }

  /**
   * The worker with the fewest verifications, one still warming up counting as busy with one more. A new worker
   * is started when all are busy and the pool is below its size.
   */
  private slotFor(): Slot {
    const allBusy = this.slots.every((slot) => slot.jobs.size > 0);
    if (this.slots.length < this.size && allBusy) this.slots.push(this.newSlot());
    const load = (slot: Slot) => slot.jobs.size + (slot.ready ? 0 : 1);
    return this.slots.reduce((best, slot) => (load(slot) < load(best) ? slot : best));
  }

  private newSlot(): Slot {
    const slot: Slot = { worker: this.spawn(), jobs: new Map(), active: 0, ready: false, stopped: false };
    slot.active = slot.worker.performance.eventLoopUtilization().active;
    slot.worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    slot.worker.on('error', (error) => this.lost(slot, error));
    slot.worker.on('exit', (code) => this.lost(slot, new Error(`The verification worker exited (code ${code}).`)));
    return slot;
  }

  private spawn(): Worker {
    if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS });
    // From sources (tests, tsx) the worker is TypeScript: register tsx's loader in the thread first.
    const load =
      "import('tsx/esm/api').then(({ register }) => { register(); " +
      `return import(${JSON.stringify(WORKER_URL.href)}); });`;
    return new Worker(load, { eval: true, resourceLimits: WORKER_LIMITS });
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    // Whatever the thread did since the last charge was done by the job running until this message.
    if (!this.charge(slot)) return;
    if (message.type === 'ready') {
      slot.ready = true;
      return;
    }
    const job = slot.jobs.get(message.job);
    if (message.type === 'running') {
      // One already abandoned (its deadline passed as it got its turn) is still charged, and stopped if need be.
      slot.running = job ?? this.orphan(message.job);
      return;
    }
    if (slot.running?.id === message.job) slot.running = undefined;
    if (!job) return;
    if (message.type === 'call') {
      void this.answer(slot, job, message);
    } else {
      slot.jobs.delete(job.id);
      this.idleCheck(slot);
      if (message.type === 'done') this.settle(job, () => job.resolve(message.report));
      else this.settle(job, () => job.reject(new Error(message.message)));
    }
  }

  private orphan(id: number): Job {
    const ignore = () => undefined;
    return {
      id,
      input: { text: '' },
      options: {},
      resolve: ignore,
      reject: ignore,
      cpuMs: 0,
      restarts: 0,
      deadline: undefined!,
    };
  }

  /** Runs a call the worker cannot make itself, here, and sends back its result or its error. */
  private async answer(slot: Slot, job: Job, call: Extract<FromWorker, { type: 'call' }>): Promise<void> {
    let reply: ToWorker;
    const transfer: ArrayBuffer[] = [];
    try {
      if (call.kind === 'fetch') {
        const { url, contentType, body } = await (job.options.fetcher ?? offlineFetcher).fetch(call.url, call.options);
        // A copy of its own: a Buffer is often a view into a larger shared one, which cloning would copy whole.
        const bytes = Uint8Array.prototype.slice.call(body);
        transfer.push(bytes.buffer);
        reply = { type: 'reply', call: call.call, ok: true, value: { url, contentType, body: bytes } };
      } else {
        const entries = await job.options.additionalStatus!(call.credential);
        reply = { type: 'reply', call: call.call, ok: true, value: entries };
      }
    } catch (error) {
      reply = { type: 'reply', call: call.call, ok: false, error: bridgeError(error) };
    }
    // The job may have been stopped, moved to another worker or abandoned meanwhile: then nobody waits for it.
    if (slot.stopped || slot.jobs.get(job.id) !== job) return;
    try {
      slot.worker.postMessage(reply, transfer);
    } catch (error) {
      const failed: ToWorker = { type: 'reply', call: call.call, ok: false, error: bridgeError(error) };
      slot.worker.postMessage(failed);
    }
  }

  /** Charges the worker's busy time since the last charge to its running job; false if that stopped the worker. */
  private charge(slot: Slot): boolean {
    if (slot.stopped) return false;
    const active = slot.worker.performance.eventLoopUtilization().active;
    const spent = active - slot.active;
    slot.active = active;
    const job = slot.running;
    if (!job) return true;
    job.cpuMs += spent;
    if (job.cpuMs <= this.cpuLimitMs) return true;
    this.stop(slot, job, tooSlow(this.cpuLimitMs, 'time'));
    return false;
  }

  /**
   * Terminates the worker (synchronous JSON-LD work cannot be stopped any other way). The culprit gets its
   * answer; the other verifications on that worker had done nothing wrong and start again on another.
   */
  private stop(
    slot: Slot,
    culprit: Job | undefined,
    answer: VerificationReport | Error,
    others: 'restart' | Error = 'restart',
  ): void {
    if (slot.stopped) return;
    slot.stopped = true;
    this.slots.splice(this.slots.indexOf(slot), 1);
    void slot.worker.terminate();
    const innocent = [...slot.jobs.values()].filter((job) => job !== culprit);
    slot.jobs.clear();
    if (culprit) {
      this.settle(culprit, () => (answer instanceof Error ? culprit.reject(answer) : culprit.resolve(answer)));
    }
    for (const job of innocent) {
      if (others instanceof Error) this.settle(job, () => job.reject(others));
      else if (++job.restarts > MAX_RESTARTS) this.settle(job, () => job.resolve(tooSlow(this.cpuLimitMs, 'restarts')));
      else this.dispatch(job);
    }
  }

  /**
   * The worker died by itself: out of memory (the job computing then is the culprit), or a crash. One that dies
   * before it is ready cannot start (a broken installation): its verifications fail rather than try again.
   */
  private lost(slot: Slot, error: Error): void {
    if (!this.charge(slot)) return;
    const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const answer = outOfMemory ? tooSlow(this.cpuLimitMs, 'memory') : error;
    this.stop(slot, slot.running, answer, slot.ready ? 'restart' : error);
  }

  /** The backstop deadline: a verification still unanswered is abandoned, and stopped if it is computing. */
  private expire(job: Job): void {
    const slot = job.slot;
    if (!slot || slot.stopped || slot.jobs.get(job.id) !== job) return;
    if (slot.running === job) {
      this.stop(slot, job, tooSlow(this.cpuLimitMs, 'deadline'));
      return;
    }
    slot.jobs.delete(job.id);
    slot.worker.postMessage({ type: 'cancel', job: job.id } satisfies ToWorker);
    this.idleCheck(slot);
    this.settle(job, () => job.resolve(tooSlow(this.cpuLimitMs, 'deadline')));
  }

  private settle(job: Job, answer: () => void): void {
    clearTimeout(job.deadline);
    job.slot = undefined;
    answer();
  }

  /** An idle worker must not keep the process alive; a busy one must. */
  private idleCheck(slot: Slot): void {
    if (slot.jobs.size === 0) {
      slot.running = undefined;
      slot.worker.unref();
    }
  }

  /** Charges busy workers regularly, so that a worker stuck in one synchronous stretch is stopped in time. */
  private startTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => {
      const busy = this.slots.filter((slot) => slot.jobs.size > 0);
      for (const slot of busy) this.charge(slot);
      if (!this.slots.some((slot) => slot.jobs.size > 0)) {
        clearInterval(this.ticker);
        this.ticker = undefined;
      }
    }, TICK_MS);
    this.ticker.unref();
  }
}
