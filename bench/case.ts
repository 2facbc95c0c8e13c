/** Runs one benchmark case in this process: `tsx bench/case.ts <name> <seconds>` prints {"opsPerSecond": n}. */
import { engineCases, type Case } from './engine-cases.js';

const cases: Record<string, Case> = { ...engineCases };

const [name, secondsText] = process.argv.slice(2);
const benchCase = name ? cases[name] : undefined;
if (!benchCase) {
  console.error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`);
  process.exit(2);
}
const seconds = Number(secondsText ?? 2);
const { run, batch = 1, teardown } = await benchCase.setup();
// Warm up: JIT, context caches, worker start-up.
const warmUntil = performance.now() + 500;
let i = 0;
while (performance.now() < warmUntil) await run(i++);
let operations = 0;
const start = performance.now();
const end = start + seconds * 1000;
while (performance.now() < end) {
  await run(i++);
  operations += batch;
}
const elapsed = (performance.now() - start) / 1000;
await teardown?.();
console.log(JSON.stringify({ opsPerSecond: operations / elapsed }));
process.exit(0);
