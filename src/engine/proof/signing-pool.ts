import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from './signer.js';

/**
 * Signs batches on every core. Data Integrity signing is CPU-bound JSON-LD work (about 1.2 ms a credential),
 * so a bulk award of thousands of rows spreads it over worker threads. Each worker holds its own jsonld.js
 * context cache and key objects; keys travel to a worker once per batch as KeyObjects.
 */
export interface SigningKeys {
  /** verificationMethod id and Ed25519 private key, for the Data Integrity proof. */
  dataIntegrity: { verificationMethod: string; privateKey: KeyObject };
  /** kid, algorithm and private key, for the VC-JWT (optional). */
  jwt?: { kid: string; alg: JwtAlgorithm; privateKey: KeyObject };
}

export interface SignedPair {
  credential: Record<string, unknown>;
  jwt?: string;
}

interface Job {
  worker: Worker;
  resolve: (value: SignedParts[]) => void;
  reject: (error: Error) => void;
}

export interface WorkerRequest {
  id: number;
  credentials: Record<string, unknown>[];
  keys: SigningKeys;
  created: string;
}
/**
 * What a worker sends back: only what signing added, the proofs and the JWT. Cloning whole credentials back and
 * forth cost more memory in the main thread than anything else in a bulk award.
 */
export interface SignedParts {
  proof: unknown[];
  jwt?: string;
}
export type WorkerResponse = { id: number; ok: true; signed: SignedParts[] } | { id: number; ok: false; error: string };

const WORKER_URL = new URL(`./signing-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

/**
 * A signer keeps little between jobs (keys, contexts, the expansion cache), but V8 lets an idle heap grow long
 * before collecting it: small heaps keep a 10,000-badge award within its memory budget, for a few percent of
 * speed.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8 };

export class SigningPool {
  private readonly workers: Worker[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;
  private nextWorker = 0;

  constructor(readonly size: number = availableParallelism()) {
    for (let i = 0; i < size; i++) {
      const worker = WORKER_URL.pathname.endsWith('.ts')
        ? // From sources (tests, tsx) the worker is TypeScript: register tsx's loader in the thread first.
          new Worker(
            `import('tsx/esm/api').then(({ register }) => { register(); return ` +
              `import(${JSON.stringify(WORKER_URL.href)}); });`,
            { eval: true, resourceLimits: WORKER_LIMITS },
          )
        : new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS });
      worker.on('message', (message: WorkerResponse) => this.settle(message));
      worker.on('error', (error) => this.failAll(error));
      worker.unref();
      this.workers.push(worker);
    }
  }

  private settle(message: WorkerResponse): void {
    const job = this.jobs.get(message.id);
    if (!job) return;
    this.jobs.delete(message.id);
    // An idle pool must not keep the process alive; a busy one must.
    if (![...this.jobs.values()].some((other) => other.worker === job.worker)) job.worker.unref();
    if (message.ok) job.resolve(message.signed);
    else job.reject(new Error(message.error));
  }

  private failAll(error: Error): void {
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
  }

  private async dispatch(
    credentials: Record<string, unknown>[],
    keys: SigningKeys,
    created: string,
  ): Promise<SignedPair[]> {
    const id = this.nextId++;
    const worker = this.workers[this.nextWorker++ % this.workers.length]!;
    worker.ref();
    const parts = await new Promise<SignedParts[]>((resolve, reject) => {
      this.jobs.set(id, { worker, resolve, reject });
      worker.postMessage({ id, credentials, keys, created } satisfies WorkerRequest);
    });
    // The signed credential is the one sent, with its proofs (signDataIntegrity adds nothing else).
    return parts.map(({ proof, jwt }, i) => {
      const { proof: _previous, ...unsigned } = credentials[i]!;
      return { credential: { ...unsigned, proof }, ...(jwt ? { jwt } : {}) };
    });
  }

  /** Signs every credential (Data Integrity, then JWT if keys.jwt), in input order, split over the workers. */
  async sign(
    credentials: Record<string, unknown>[],
    keys: SigningKeys,
    created: Date = new Date(),
  ): Promise<SignedPair[]> {
    const createdText = created.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const chunkSize = Math.max(1, Math.ceil(credentials.length / this.workers.length));
    const chunks: Promise<SignedPair[]>[] = [];
    for (let i = 0; i < credentials.length; i += chunkSize)
      chunks.push(this.dispatch(credentials.slice(i, i + chunkSize), keys, createdText));
    return (await Promise.all(chunks)).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.workers.length = 0;
  }
}
