import { Bitstring } from '../status/bitstring.js';
import { verifyEmbeddedProof } from './data-integrity.js';
import type { Fetcher } from './fetcher.js';
import { parseStrictJson } from './strict-json.js';

const STATUS_LIST_LIMIT = 512 * 1024;

export type StatusOutcome =
  | { kind: 'checked'; method: string; purpose: string; set: boolean }
  /** The status exists but could not be read. Never to be shown as "not revoked". */
  | { kind: 'unknown'; method: string; purpose?: string; code: string; message: string };

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

/** Checks every status entry of a credential. Refresh services and other URLs are never fetched. */
export async function checkStatus(credential: Record<string, unknown>, fetcher: Fetcher, now: Date): Promise<StatusOutcome[]> {
  const entries = asArray(credential.credentialStatus as Record<string, unknown> | Record<string, unknown>[] | undefined);
  const outcomes: StatusOutcome[] = [];
  for (const entry of entries.slice(0, 4)) {
    if (!entry || typeof entry !== 'object') continue;
    if (entry.type === 'BitstringStatusListEntry') outcomes.push(await checkBitstringEntry(entry, issuerIdOf(credential), fetcher, now));
    else if (entry.type === '1EdTechRevocationList') outcomes.push(await checkRevocationList(entry, typeof credential.id === 'string' ? credential.id : undefined, fetcher));
    else outcomes.push({ kind: 'unknown', method: String(entry.type), code: 'status.unsupportedMethod', message: `The status method "${String(entry.type)}" is not supported, so revocation could not be checked.` });
  }
  return outcomes;
}
