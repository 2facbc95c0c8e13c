import { createHash } from 'node:crypto';
import { Bitstring } from '../status/bitstring.js';
import { verifyEmbeddedProof } from './data-integrity.js';
import { scopeOf, type Fetcher } from './fetcher.js';
import { parseStrictJson } from './strict-json.js';
import { asArray, issuerIdOf } from '../util.js';
import type { CheckCode } from './check-codes.js';

const STATUS_LIST_LIMIT = 512 * 1024;

export type StatusOutcome =
  | { kind: 'checked'; method: string; purpose: string; set: boolean }
  /** The status exists but could not be read. Never to be shown as "not revoked". */
  | { kind: 'unknown'; method: string; purpose?: string; code: CheckCode; message: string }
  /** The entry is written in a form that may hide its status (see notPlain): the credential is invalid. */
  | { kind: 'invalid'; method: string; code: CheckCode; message: string };

async function fetchBody(fetcher: Fetcher, url: string): Promise<Buffer> {
  const { body } = await fetcher.fetch(url, {
    accept: 'application/vc+ld+json, application/ld+json, application/json',
    maxBytes: STATUS_LIST_LIMIT,
  });
  return body;
}

function parseObject(body: Buffer): Record<string, unknown> {
  const value = parseStrictJson(body.toString('utf8'), { maxBytes: STATUS_LIST_LIMIT, maxDepth: 16 });
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

async function fetchJson(fetcher: Fetcher, url: string): Promise<Record<string, unknown>> {
  return parseObject(await fetchBody(fetcher, url));
}

/** What a status list says, once its signature by its issuer has been checked and its bits decoded. */
interface TrustedList {
  issuer: string | undefined;
  /** Epoch milliseconds; NaN when the list has no end. */
  validUntil: number;
  purpose: unknown;
  bits: Bitstring;
}

type ListProblem = { code: CheckCode; message: string };

/**
 * Lists already verified, by the SHA-256 of their bytes, for each fetcher scope: the same list is checked for
 * every badge its issuer gave, and checking its signature again (canonicalizing a document that carries up
 * to 2 MB of bits) cost more than the badge's own signature. Any change to a list changes its bytes, so a
 * revocation is seen at once. Entries last a few minutes, so that a key the issuer withdraws stops vouching
 * for a list it signed soon after, and the cache is small: a decoded list is at most 2 MB.
 */
const TRUSTED_LIST_TTL_MS = 5 * 60_000;
const TRUSTED_LIST_LIMIT = 16;
const trustedLists = new WeakMap<object, Map<string, { list: TrustedList; at: number }>>();

function rememberedList(fetcher: Fetcher, digest: string): TrustedList | undefined {
  const remembered = trustedLists.get(scopeOf(fetcher))?.get(digest);
  return remembered && Date.now() - remembered.at < TRUSTED_LIST_TTL_MS ? remembered.list : undefined;
}

function rememberList(fetcher: Fetcher, digest: string, list: TrustedList): void {
  let lists = trustedLists.get(scopeOf(fetcher));
  if (!lists) trustedLists.set(scopeOf(fetcher), (lists = new Map()));
  if (lists.size >= TRUSTED_LIST_LIMIT) lists.delete(lists.keys().next().value!);
  lists.set(digest, { list, at: Date.now() });
}

/**
 * Reads a status list's bytes: a BitstringStatusListCredential by the credential's issuer (when known), signed
 * by that issuer, with bits that decode within the size cap.
 */
async function trustList(
  body: Buffer,
  listUrl: string,
  issuerId: string | undefined,
  listType: string,
  fetcher: Fetcher,
): Promise<TrustedList | ListProblem> {
  let list: Record<string, unknown>;
  try {
    list = parseObject(body);
  } catch (error) {
    return {
      code: 'status.unreachable',
      message: `The status list ${listUrl} could not be retrieved (${(error as Error).message}), so revocation ` +
        `could not be checked.`,
    };
  }
  const types = asArray(list.type as string | string[] | undefined);
  if (!types.includes(listType)) return { code: 'status.notAList', message: `${listUrl} is not a ${listType}.` };
  const listIssuer = issuerIdOf(list);
  // Before the costly signature check: a list by someone else is of no use whatever its signature.
  if (issuerId && listIssuer !== issuerId)
    return {
      code: 'status.otherIssuer',
      message: `The status list is issued by ${String(listIssuer)}, not by the credential's issuer.`,
    };
  const proofs = asArray(list.proof as Record<string, unknown> | Record<string, unknown>[] | undefined);
  if (proofs.length === 0)
    return { code: 'status.unsigned', message: 'The status list is not signed, so it cannot be trusted.' };
  let signed = false;
  let unreachable: string | undefined;
  const { proof: _proofs, ...unsignedList } = list;
  for (const proof of proofs) {
    const outcome = await verifyEmbeddedProof(unsignedList, proof, [], fetcher);
    // Only a key confirmed as the list issuer's counts: a list is trusted on the same terms as a credential.
    if (outcome.ok && outcome.binding === 'confirmed' && outcome.controllerId === listIssuer) {
      signed = true;
      break;
    }
    if (!outcome.ok && outcome.unreachable) unreachable = outcome.message;
    else if (outcome.ok && outcome.binding === 'unconfirmed') unreachable = outcome.unreachable;
  }
  if (!signed && unreachable) {
    return {
      code: 'status.unreachable',
      message: `The key that signed the status list ${listUrl} could not be confirmed as its issuer's ` +
        `(${unreachable}), so revocation could not be checked.`,
    };
  }
  if (!signed)
    return {
      code: 'status.badSignature',
      message: "The status list's signature does not verify: it may have been tampered with.",
    };
  const subject = list.credentialSubject as Record<string, unknown> | undefined;
  if (!subject || typeof subject.encodedList !== 'string')
    return { code: 'status.malformed', message: 'The status list has no encodedList.' };
  let bits: Bitstring;
  try {
    bits = Bitstring.decode(subject.encodedList);
  } catch (error) {
    return { code: 'status.malformed', message: `The status list cannot be decoded: ${(error as Error).message}.` };
  }
  // A VCDM 1.1 list (StatusList2021) says when it ends with expirationDate.
  const until = list.validUntil ?? list.expirationDate;
  return {
    issuer: listIssuer,
    validUntil: typeof until === 'string' ? Date.parse(until) : NaN,
    purpose: subject.statusPurpose,
    bits,
  };
}

/**
 * The entry types read as a bitstring list, and the list credential type each points to. StatusList2021 is the
 * W3C draft that became Bitstring Status List; many wallets' and platforms' VCDM 1.1 badges still carry it.
 */
const BITSTRING_METHODS: Record<string, string> = {
  BitstringStatusListEntry: 'BitstringStatusListCredential',
  StatusList2021Entry: 'StatusList2021Credential',
};

async function checkBitstringEntry(
  entry: Record<string, unknown>,
  issuerId: string | undefined,
  fetcher: Fetcher,
  now: Date,
): Promise<StatusOutcome> {
  const method = String(entry.type);
  const listType = BITSTRING_METHODS[method]!;
  const purpose = String(entry.statusPurpose ?? '');
  const unknown = (code: CheckCode, message: string): StatusOutcome => ({
    kind: 'unknown',
    method,
    purpose,
    code,
    message,
  });
  if (purpose !== 'revocation' && purpose !== 'suspension')
    return unknown('status.unsupportedPurpose', `The status purpose "${purpose}" is not one Blason can interpret.`);
  const rawIndex = entry.statusListIndex;
  const index =
    typeof rawIndex === 'number'
      ? rawIndex
      : typeof rawIndex === 'string' && /^\d{1,10}$/.test(rawIndex)
        ? Number(rawIndex)
        : NaN;
  if (!Number.isSafeInteger(index) || index < 0)
    return unknown('status.badIndex', `The status list index "${String(rawIndex)}" is not a non-negative integer.`);
  const listUrl = entry.statusListCredential;
  if (typeof listUrl !== 'string') return unknown('status.noList', 'The status entry names no status list.');

  let body: Buffer;
  try {
    body = await fetchBody(fetcher, listUrl);
  } catch (error) {
    return unknown(
      'status.unreachable',
      `The status list ${listUrl} could not be retrieved (${(error as Error).message}), so revocation could not be ` +
        `checked.`,
    );
  }
  const digest = createHash('sha256').update(body).digest('base64url');
  let list = rememberedList(fetcher, digest);
  if (!list) {
    const read = await trustList(body, listUrl, issuerId, listType, fetcher);
    if ('code' in read) return unknown(read.code, read.message);
    rememberList(fetcher, digest, read);
    list = read;
  }
  if (issuerId && list.issuer !== issuerId)
    return unknown(
      'status.otherIssuer',
      `The status list is issued by ${String(list.issuer)}, not by the credential's issuer.`,
    );
  if (!Number.isNaN(list.validUntil) && list.validUntil < now.getTime())
    return unknown('status.listExpired', 'The status list has expired; the issuer has not published a fresh one.');
  if (list.purpose !== undefined && list.purpose !== purpose) {
    return unknown('status.purposeMismatch', `The status list is for "${String(list.purpose)}", not "${purpose}".`);
  }
  if (index >= list.bits.length)
    return unknown('status.badIndex', `The status list has ${list.bits.length} entries; index ${index} is outside it.`);
  return { kind: 'checked', method, purpose, set: list.bits.get(index) };
}

/** The deprecated 1EdTech Revocation List: an unsigned JSON list of revoked credential ids. */
async function checkRevocationList(
  entry: Record<string, unknown>,
  credentialId: string | undefined,
  fetcher: Fetcher,
): Promise<StatusOutcome> {
  const method = '1EdTechRevocationList';
  if (typeof entry.id !== 'string')
    return {
      kind: 'unknown',
      method,
      purpose: 'revocation',
      code: 'status.noList',
      message: 'The revocation list entry has no URL.',
    };
  let list: Record<string, unknown>;
  try {
    list = await fetchJson(fetcher, entry.id);
  } catch (error) {
    return {
      kind: 'unknown',
      method,
      purpose: 'revocation',
      code: 'status.unreachable',
      message: `The revocation list ${entry.id} could not be retrieved (${(error as Error).message}), so ` +
        `revocation could not be checked.`,
    };
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
  if (index !== undefined && typeof index !== 'string' && typeof index !== 'number')
    return 'its "statusListIndex" is not a string';
  const type = entry.type;
  if (typeof type !== 'string' && !(Array.isArray(type) && type.every((t) => typeof t === 'string')))
    return 'its "type" is not a string';
  return undefined;
}

/** Checks every status entry of a credential. Refresh services and other URLs are never fetched. */
export async function checkStatus(
  credential: Record<string, unknown>,
  fetcher: Fetcher,
  now: Date,
): Promise<StatusOutcome[]> {
  const entries = asArray(
    credential.credentialStatus as Record<string, unknown> | Record<string, unknown>[] | undefined,
  );
  const outcomes: StatusOutcome[] = [];
  for (const entry of entries.slice(0, 4)) {
    if (!entry || typeof entry !== 'object') continue;
    const problem = notPlain(entry);
    if (problem) {
      outcomes.push({
        kind: 'invalid',
        method: typeof entry.type === 'string' ? entry.type : 'unknown',
        code: 'status.notPlain',
        message: `The status entry is not written in plain form: ${problem}. A signed entry can be rewritten like ` +
          `this without breaking the signature, to hide a revocation, so the credential is refused.`,
      });
      continue;
    }
    if (typeof entry.type === 'string' && Object.hasOwn(BITSTRING_METHODS, entry.type))
      outcomes.push(await checkBitstringEntry(entry, issuerIdOf(credential), fetcher, now));
    else if (entry.type === '1EdTechRevocationList')
      outcomes.push(
        await checkRevocationList(entry, typeof credential.id === 'string' ? credential.id : undefined, fetcher),
      );
    else
      outcomes.push({
        kind: 'unknown',
        method: String(entry.type),
        code: 'status.unsupportedMethod',
        message: `The status method "${String(entry.type)}" is not supported, so revocation could not be checked.`,
      });
  }
  return outcomes;
}
