/**
 * `npm run bench`: every figure is measured next to its reference in the same run, each case in a fresh
 * process, rounds interleaved (reference, subject, reference, subject…) so that machine noise hits both; the
 * median of the rounds is reported, and the ratio subject / reference is what to read.
 * Results: printed as a table and written to bench/results/latest.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulkAward, type BulkResult } from './bulk-award.js';
import { httpLoad, type LoadResult } from './http-load.js';
import { scaling, type ScalingPoint } from './scaling.js';

interface Comparison {
  title: string;
  reference: string;
  subject: string;
  /** The ratio the issue asks for, if any. */
  target?: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const only = process.argv.slice(2);

const comparisons: Comparison[] = [
  { title: 'Data Integrity sign, 1 process (vs @digitalbazaar/vc plain)', reference: 'di-sign-reference', subject: 'di-sign-blason', target: 1.3 },
  { title: `Data Integrity sign, worker pool ×${availableParallelism()} (vs @digitalbazaar/vc plain)`, reference: 'di-sign-reference', subject: 'di-sign-blason-pool', target: 2 },
  { title: 'Data Integrity verify, full pipeline (vs jsonld-signatures plain)', reference: 'di-verify-reference', subject: 'di-verify-blason' },
  { title: 'VC-JWT sign ES256 (vs jose directly)', reference: 'jwt-sign-jose', subject: 'jwt-sign-blason', target: 0.8 },
  { title: 'VC-JWT verify ES256 with key resolution and claim checks (vs jose directly)', reference: 'jwt-verify-jose', subject: 'jwt-verify-blason', target: 0.8 },
  { title: 'Data Integrity sign vs the Ed25519 floor (node:crypto raw signatures)', reference: 'ed25519-raw-sign', subject: 'di-sign-blason' },
  { title: 'Status check, list of 1,048,576 entries (vs the minimum 131,072)', reference: 'status-check-131k', subject: 'status-check-1m' },
  { title: 'Status check, list of 16,777,216 entries, the largest accepted (vs 131,072)', reference: 'status-check-131k', subject: 'status-check-16m' },
];

function measure(name: string): number {
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'case.ts'), name, String(SECONDS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return (JSON.parse(output.trim().split('\n').pop()!) as { opsPerSecond: number }).opsPerSecond;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const results: Record<string, unknown>[] = [];
for (const comparison of comparisons) {
  if (only.length > 0 && !only.some((word) => comparison.subject.includes(word) || comparison.title.includes(word))) continue;
  const reference: number[] = [];
  const subject: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    reference.push(measure(comparison.reference));
    subject.push(measure(comparison.subject));
  }
  const ratio = median(subject) / median(reference);
  const row = {
    title: comparison.title,
    reference: comparison.reference,
    referenceOpsPerSecond: Math.round(median(reference)),
    subject: comparison.subject,
    subjectOpsPerSecond: Math.round(median(subject)),
    ratio: Number(ratio.toFixed(2)),
    ...(comparison.target ? { target: comparison.target, meetsTarget: ratio >= comparison.target } : {}),
  };
  results.push(row);
  console.log(`${row.title}\n  reference ${row.referenceOpsPerSecond}/s, Blason ${row.subjectOpsPerSecond}/s, ratio ${row.ratio}${comparison.target ? ` (target ≥ ${comparison.target}: ${ratio >= comparison.target ? 'met' : 'NOT met'})` : ''}`);
}

console.log('\n| measurement | reference ops/s | Blason ops/s | ratio | target |');
console.log('|---|---:|---:|---:|---|');
for (const r of results) console.log(`| ${r.title} | ${r.referenceOpsPerSecond} | ${r.subjectOpsPerSecond} | ${r.ratio} | ${r.target ? `≥ ${r.target} ${r.meetsTarget ? '✓' : '✗'}` : ''} |`);

// Measured end to end through HTTP, against the compiled service.
const wants = (word: string) => only.length === 0 || only.some((w) => word.includes(w));
if (wants('bulk') || wants('load') || wants('scaling')) execFileSync('npm', ['run', 'build'], { stdio: 'ignore', cwd: path.resolve(here, '..') });

const bulk: BulkResult[] = [];
if (wants('bulk')) {
  for (const database of ['sqlite', 'postgres'] as const) bulk.push(await bulkAward(database));
  console.log('\n| 10,000-row CSV through POST /api/v1/credentials/bulk | seconds | rows/s | server peak memory | target |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of bulk) console.log(`| ${r.database} | ${r.seconds} | ${r.rowsPerSecond} | ${r.peakMemoryMB} MB | < 10 s ${r.seconds < 10 ? '✓' : '✗'}, < 400 MB ${r.peakMemoryMB < 400 ? '✓' : '✗'} |`);
}

let load: LoadResult[] = [];
if (wants('load')) {
  load = await httpLoad(Number(process.env.BENCH_LOAD_SECONDS ?? 5));
  console.log('\n| endpoint under load (autocannon) | connections | requests/s | ratio to /health | p50 ms | p99 ms | errors | target |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of load) {
    const target = r.endpoint.startsWith('GET /credentials') && r.connections === 10 ? `p99 < 50 ms ${r.p99ms < 50 ? '✓' : '✗'}` : '';
    console.log(`| ${r.endpoint} | ${r.connections} | ${r.requestsPerSecond} | ${r.ratioToHealth ?? ''} | ${r.p50ms} | ${r.p99ms} | ${r.errors} | ${target} |`);
  }
}

const growth: ScalingPoint[] = [];
if (wants('scaling')) {
  const databases = (process.env.BENCH_SCALING_DATABASES ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
  for (const database of databases) growth.push(...await scaling(database));
  console.log('\n| stored credentials | database | issue one (ms) | one within a bulk award (ms) | verify one (ms) | fetch one (ms) |');
  console.log('|---:|---|---:|---:|---:|---:|');
  for (const p of growth) console.log(`| ${p.stored.toLocaleString('en')} | ${p.database} | ${p.issueMs} | ${p.bulkIssueMs} | ${p.verifyMs} | ${p.fetchMs} |`);
}

mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'latest.json'), JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, rounds: ROUNDS, secondsPerCase: SECONDS, results, bulk, load, growth,
}, null, 2));
