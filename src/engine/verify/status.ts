import { Bitstring } from '../status/bitstring.js';
import { verifyEmbeddedProof } from './data-integrity.js';
import type { Fetcher } from './fetcher.js';
import { parseStrictJson } from './strict-json.js';

const STATUS_LIST_LIMIT = 512 * 1024;

export type StatusOutcome =
  | { kind: 'checked'; method: string; purpose: string; set: boolean }
  /** The status exists but could not be read. Never to be shown as "not revoked". */
  | { kind: 'unknown'; method: string; purpose?: string; code: string; message: string }
  /** The entry is written in a form that may hide its status (see notPlain): the credential is invalid. */
  | { kind: 'invalid'; method: string; code: string; message: string };

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

async function fetchJson(fetcher: Fetcher, url: string): Promise<Record<string, unknown>> {
  const { body } = await fetcher.fetch(url, { accept: 'application/vc+ld+json, application/ld+json, application/json', maxBytes: STATUS_LIST_LIMIT });
  const value = parseStrictJson(body.toString('utf8'), { maxBytes: STATUS_LIST_LIMIT, maxDepth: 16 });
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

function issuerIdOf(credential: Record<string, unknown>): string | undefined {
  const issuer = credential.issuer;
  return typeof issuer === 'string' ? issuer : typeof (issuer as { id?: unknown })?.id === 'string' ? (issuer as { id: string }).id : undefined;
}

async function checkBitstringEntry(entry: Record<string, unknown>, issuerId: string | undefined, fetcher: Fetcher, now: Date): Promise<StatusOutcome> {
  const method = 'BitstringStatusListEntry';
  const purpose = String(entry.statusPurpose ?? '');
  const unknown = (code: string, message: string): StatusOutcome => ({ kind: 'unknown', method, purpose, code, message });
  if (purpose !== 'revocation' && purpose !== 'suspension') return unknown('status.unsupportedPurpose', `The status purpose "${purpose}" is not one Blason can interpret.`);
  const rawIndex = entry.statusListIndex;
  const index = typeof rawIndex === 'number' ? rawIndex : typeof rawIndex === 'string' && /^\d{1,10}$/.test(rawIndex) ? Number(rawIndex) : NaN;
  if (!Number.isSafeInteger(index) || index < 0) return unknown('status.badIndex', `The status list index "${String(rawIndex)}" is not a non-negative integer.`);
  const listUrl = entry.statusListCredential;
  if (typeof listUrl !== 'string') return unknown('status.noList', 'The status entry names no status list.');

  let list: Record<string, unknown>;
  try {
    list = await fetchJson(fetcher, listUrl);
  } catch (error) {
    return unknown('status.unreachable', `The status list ${listUrl} could not be retrieved (${(error as Error).message}), so revocation could not be checked.`);
  }
  const types = asArray(list.type as string | string[] | undefined);
  if (!types.includes('BitstringStatusListCredential')) return unknown('status.notAList', `${listUrl} is not a BitstringStatusListCredential.`);
  const listIssuer = issuerIdOf(list);
  if (issuerId && listIssuer !== issuerId) return unknown('status.otherIssuer', `The status list is issued by ${String(listIssuer)}, not by the credential's issuer.`);
  const proofs = asArray(list.proof as Record<string, unknown> | Record<string, unknown>[] | undefined);
  if (proofs.length === 0) return unknown('status.unsigned', 'The status list is not signed, so it cannot be trusted.');
  let signed = false;
  for (const proof of proofs) {
    const outcome = await verifyEmbeddedProof(list, proof, fetcher);
    if (outcome.ok && outcome.controllerId === listIssuer) {
      signed = true;
      break;
    }
  }
  if (!signed) return unknown('status.badSignature', 'The status list\'s signature does not verify: it may have been tampered with.');
  const validUntil = typeof list.validUntil === 'string' ? Date.parse(list.validUntil) : NaN;
  if (!Number.isNaN(validUntil) && validUntil < now.getTime()) return unknown('status.listExpired', 'The status list has expired; the issuer has not published a fresh one.');
  const subject = list.credentialSubject as Record<string, unknown> | undefined;
  if (!subject || typeof subject.encodedList !== 'string') return unknown('status.malformed', 'The status list has no encodedList.');
  if (subject.statusPurpose !== undefined && subject.statusPurpose !== purpose) {
    return unknown('status.purposeMismatch', `The status list is for "${String(subject.statusPurpose)}", not "${purpose}".`);
  }
  let bits: Bitstring;
  try {
    bits = Bitstring.decode(subject.encodedList);
  } catch (error) {
    return unknown('status.malformed', `The status list cannot be decoded: ${(error as Error).message}.`);
  }
  if (index >= bits.length) return unknown('status.badIndex', `The status list has ${bits.length} entries; index ${index} is outside it.`);
  return { kind: 'checked', method, purpose, set: bits.get(index) };
}

/** The deprecated 1EdTech Revocation List: an unsigned JSON list of revoked credential ids. */
async function checkRevocationList(entry: Record<string, unknown>, credentialId: string | undefined, fetcher: Fetcher): Promise<StatusOutcome> {
  const method = '1EdTechRevocationList';
  if (typeof entry.id !== 'string') return { kind: 'unknown', method, purpose: 'revocation', code: 'status.noList', message: 'The revocation list entry has no URL.' };
  let list: Record<string, unknown>;
  try {
    list = await fetchJson(fetcher, entry.id);
  } catch (error) {
    return { kind: 'unknown', method, purpose: 'revocation', code: 'status.unreachable', message: `The revocation list ${entry.id} could not be retrieved (${(error as Error).message}), so revocation could not be checked.` };
  }
  const revoked = asArray(list.revokedCredential as unknown[] | undefined).some((item) => {
    const record = item as { id?: unknown; revoked?: unknown };
    return record && record.id === credentialId && record.revoked !== false;
  });
  return { kind: 'checked', method, purpose: 'revocation', set: revoked };
}

/**
 * Why a status entry is not in the plain JSON form its specification shows, if it is not.
 *
 * The signature covers the entry's RDF, not its JSON, and JSON-LD writes the same RDF in many ways:
 * `["https://…", null]` for `"https://…"`, `{"@value": "revocation"}`, a full IRI as the key, `"@type"` for
 * `"type"`, an entry wrapped in one more array. Each of these turned a revoked credential, signature intact, into
 * "status unknown", since this reader reads JSON. A signed entry in such a form is refused instead.
 */
function notPlain(entry: Record<string, unknown>): string | undefined {
  if (Array.isArray(entry)) return 'it is an array';
  const key = Object.keys(entry).find((k) => k.startsWith('@') || k.includes(':'));
  if (key !== undefined) return `it has the property "${key}"`;
  for (const name of ['id', 'statusPurpose', 'statusListCredential']) {
    if (entry[name] !== undefined && typeof entry[name] !== 'string') return `its "${name}" is not a string`;
  }
  const index = entry.statusListIndex;
  if (index !== undefined && typeof index !== 'string' && typeof index !== 'number') return 'its "statusListIndex" is not a string';
  const type = entry.type;
  if (typeof type !== 'string' && !(Array.isArray(type) && type.every((t) => typeof t === 'string'))) return 'its "type" is not a string';
  return undefined;
}

/** Checks every status entry of a credential. Refresh services and other URLs are never fetched. */
export async function checkStatus(credential: Record<string, unknown>, fetcher: Fetcher, now: Date): Promise<StatusOutcome[]> {
  const entries = asArray(credential.credentialStatus as Record<string, unknown> | Record<string, unknown>[] | undefined);
  const outcomes: StatusOutcome[] = [];
  for (const entry of entries.slice(0, 4)) {
    if (!entry || typeof entry !== 'object') continue;
    const problem = notPlain(entry);
    if (problem) {
      outcomes.push({ kind: 'invalid', method: typeof entry.type === 'string' ? entry.type : 'unknown', code: 'status.notPlain', message: `The status entry is not written in plain form: ${problem}. A signed entry can be rewritten like this without breaking the signature, to hide a revocation, so the credential is refused.` });
      continue;
    }
    if (entry.type === 'BitstringStatusListEntry') outcomes.push(await checkBitstringEntry(entry, issuerIdOf(credential), fetcher, now));
    else if (entry.type === '1EdTechRevocationList') outcomes.push(await checkRevocationList(entry, typeof credential.id === 'string' ? credential.id : undefined, fetcher));
    else outcomes.push({ kind: 'unknown', method: String(entry.type), code: 'status.unsupportedMethod', message: `The status method "${String(entry.type)}" is not supported, so revocation could not be checked.` });
  }
  return outcomes;
}
