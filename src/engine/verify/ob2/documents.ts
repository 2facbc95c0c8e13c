/**
 * Reading the documents an OB 2.0 badge links to (assertion, BadgeClass, issuer Profile, key, revocation
 * list) through the injected fetcher, and saying precisely why one could not be read: the verdict depends on
 * it (410 revokes, 404 disowns, a dead host only leaves the badge unconfirmed).
 */
import { InputError } from '../errors.js';
import { FetchError, type Fetcher } from '../fetcher.js';
import { parseStrictJson } from '../strict-json.js';

/** Well above any honest OB 2.0 document; a BadgeClass may embed its image as a data URI. */
const DOCUMENT_LIMIT = 1_000_000;
const ACCEPT = 'application/ld+json, application/json';

export type DocumentProblem = 'gone' | 'not-found' | 'unreachable' | 'unreadable';

export type DocumentResult =
  { ok: true; document: Record<string, unknown> } | { ok: false; problem: DocumentProblem; reason: string };

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** GETs a JSON document. Throws only what is not a fetch failure (a bug, a database down): never hides it. */
export async function fetchDocument(fetcher: Fetcher, url: string): Promise<DocumentResult> {
  let body: Buffer;
  try {
    body = (await fetcher.fetch(url, { accept: ACCEPT, maxBytes: DOCUMENT_LIMIT })).body;
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    const problem: DocumentProblem =
      error.status === 410
        ? 'gone'
        : error.reason === 'not-found'
          ? 'not-found'
          : error.reason === 'too-large' || error.reason === 'bad-content'
            ? 'unreadable'
            : 'unreachable';
    return { ok: false, problem, reason: error.message };
  }
  return parseDocument(body.toString('utf8'));
}

export function parseDocument(text: string): DocumentResult {
  let value: unknown;
  try {
    value = parseStrictJson(text, { maxBytes: DOCUMENT_LIMIT, maxDepth: 32 });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { ok: false, problem: 'unreadable', reason: error.message };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problem: 'unreadable', reason: 'it is not a JSON object' };
  }
  return { ok: true, document: value as Record<string, unknown> };
}

/** The `id` of a linked value: the string itself, or the `id` of an embedded object. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** JSON equality, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]))
  );
}
