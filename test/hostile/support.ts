/**
 * Shared by the hostile-input tests over HTTP: builders for broken PNG and SVG files, and the one rule every
 * answer must follow (security.md §4, §11 API4): never a 5xx; either a 4xx problem document that says what is
 * wrong, or a 200 verification report whose verdict is "invalid" with at least one failed check that says why.
 */
import { request } from 'node:http';
import { crc32, deflateSync } from 'node:zlib';
import type { ApiResponse } from '../support/api.js';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG chunk; `crc` overrides the checksum (a wrong one), `length` the declared data length (a lie). */
export function pngChunk(type: string, data: Uint8Array, options: { crc?: number; length?: number } = {}): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(options.length ?? data.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(options.crc ?? crc32(typeAndData), 8 + data.length);
  return chunk;
}

/** An uncompressed iTXt chunk's data: keyword, flags, empty language and translated keyword, text. */
export function iTXtData(keyword: string, text: string): Buffer {
  return Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
}

const IHDR = (() => {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8; // bit depth 8, colour type 0 (greyscale), no interlace
  return header;
})();

/** A valid 1×1 grey PNG with `middle` (already-built chunks) between IDAT and IEND. */
export function pngWith(...middle: Buffer[]): Buffer {
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', IHDR), pngChunk('IDAT', deflateSync(Buffer.from([0, 0x80]))), ...middle, pngChunk('IEND', Buffer.alloc(0))]);
}

export const SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">';

export function billionLaughsSvg(): string {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return `<?xml version="1.0"?>\n<!DOCTYPE svg [\n${entities.join('\n')}\n]>\n${SVG_HEAD}<openbadges:credential>&lol9;</openbadges:credential></svg>`;
}

export function externalEntitySvg(target = 'file:///etc/passwd'): string {
  return `<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "${target}">]>\n${SVG_HEAD}<openbadges:credential>&x;</openbadges:credential></svg>`;
}

export interface Report {
  verdict: string;
  checks: { id: string; outcome: string; code: string; message: string }[];
}

export interface Problem {
  type: string;
  status: number;
  detail: string;
}

/**
 * The invariant: a 4xx problem+json with a detail, or a 200. For a verification (`kind: 'report'`) the 200 is
 * a report whose verdict is "invalid" and which names at least one failed check with a message; for other
 * endpoints (`kind: 'json'`) it is any JSON. Returns a short description, for messages.
 */
export function expectHandled(res: ApiResponse<unknown>, kind: 'report' | 'json' = 'report'): string {
  if (res.status >= 400 && res.status < 500) {
    expect(res.type).toContain('application/problem+json');
    const problem = res.body as Problem;
    expect(problem.status).toBe(res.status);
    expect(typeof problem.detail).toBe('string');
    expect(problem.detail.length).toBeGreaterThan(0);
    // No stack trace or file path leaks into the answer.
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.(ts|js):\d+/);
    return `${res.status} ${problem.type}`;
  }
  expect(res.status).toBe(200);
  expect(res.type).toContain('application/json');
  if (kind === 'json') return '200';
  const report = res.body as Report;
  expect(report.verdict).toBe('invalid');
  const failed = report.checks.filter((check) => check.outcome === 'failed');
  expect(failed.length).toBeGreaterThan(0);
  for (const check of failed) expect(check.message.length).toBeGreaterThan(0);
  return `200 ${failed.map((check) => check.code).join(',')}`;
}

/** The code of the one failed parse check of a 200 report (the input could not be read). */
export function parseFailure(res: ApiResponse<unknown>): string | undefined {
  expect(res.status).toBe(200);
  const report = res.body as Report;
  expect(report.verdict).toBe('invalid');
  return report.checks.find((check) => check.id === 'parse' && check.outcome === 'failed')?.code;
}

/**
 * A POST whose Content-Length announces `claimed` bytes while only `sent` are written: the answer must come
 * from the announced size, before the server waits for (or buffers) the rest.
 */
export function postClaimingLength(url: string, contentType: string, claimed: number, sent: Buffer, timeoutMs = 5_000): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(claimed) } }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body });
        req.destroy();
      });
    });
    // The server may close the connection once it has answered; only an error before any answer counts.
    req.on('error', (error) => { if (!answered) reject(error); });
    // A server that waits for the announced bytes would never answer: give up (and free the socket) instead.
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      if (!answered) reject(new Error(`no answer within ${timeoutMs} ms to a body announcing ${claimed} bytes`));
    });
    req.write(sent);
  });
}

/**
 * A fixed seed unless FC_SEED is set, and the seed printed with any failure, so a failing run can be replayed.
 * FC_RUNS_FACTOR multiplies the number of runs, for a longer hunt than the suite's budget allows.
 */
export function propertyOptions(numRuns: number): { numRuns: number; seed: number; endOnFailure: boolean } {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_261_126;
  const factor = process.env.FC_RUNS_FACTOR ? Number(process.env.FC_RUNS_FACTOR) : 1;
  return { numRuns: Math.max(1, Math.round(numRuns * factor)), seed, endOnFailure: true };
}

type Json = Record<string, unknown>;

/**
 * The credential with `count` alignments in its achievement, about 84 bytes each, added after signing (its
 * signature no longer holds). 11,500 of them make a credential of about 970 KB, just under the 1 MB cap:
 * before the complexity limits, verifying one like it took 19 s of CPU.
 */
export function withAlignments<T>(credential: T, count: number): T {
  const padded = structuredClone(credential) as Json & { credentialSubject: { achievement: Json } };
  padded.credentialSubject.achievement.alignment = Array.from({ length: count }, (_, i) => ({
    type: ['Alignment'], targetName: `C${i}`, targetUrl: `https://example.org/c/${i}`,
  }));
  return padded as T;
}

/**
 * About the most JSON-LD work the complexity limits let through (src/engine/verify/complexity.ts): 1,450 typed
 * objects (alignments, evidence, results), added after signing. Verifying it takes a second or two of CPU,
 * ending in a signature that does not match.
 */
export function heaviestAllowed<T>(credential: T): T {
  const padded = withAlignments(credential, 250) as Json & { credentialSubject: Json };
  padded.evidence = Array.from({ length: 250 }, (_, i) => ({
    id: `https://example.org/evidence/${i}`, type: ['Evidence'], name: `Preuve ${i}`,
  }));
  padded.credentialSubject.result = Array.from({ length: 950 }, (_, i) => ({
    id: `https://example.org/result/${i}`, type: ['Result'], value: `${i}`,
  }));
  return padded as T;
}

/**
 * Sends `hostile` (requests to the service) and, once `working()` says the service is busy with them, asks for
 * /health: resolves with the order in which the answers came. A service that computes on its request thread
 * answers /health only after the work it is stuck in; one that computes elsewhere answers it at once.
 */
export async function answerOrder(
  serviceUrl: string, working: () => boolean, hostile: (() => Promise<unknown>)[],
): Promise<{ order: string[]; health: number }> {
  const order: string[] = [];
  const pending = hostile.map((send, i) => send().then(() => {
    order.push(`hostile ${i}`);
  }));
  while (!working() && order.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const health = await fetch(`${serviceUrl}/health`).then((res) => {
    order.push('health');
    return res.status;
  });
  await Promise.all(pending);
  return { order, health };
}
