import { createHash } from 'node:crypto';

/**
 * Small helpers shared across the engine and the layers above it (the engine imports nothing of the service, so
 * this is the lowest home they can have).
 */

/** A JSON-LD value that may be one item or a list: absent (undefined) is none. `null` is an item, kept. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The issuer's id: `issuer` is either the id itself or a profile object with an `id`. */
export function issuerIdOf(credential: Record<string, unknown>): string | undefined {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  const id = (issuer as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** SHA-256 of a text (UTF-8) or bytes, as lowercase hex. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
