/**
 * The documents an OB 2.0 assertion links to, each read and checked the same way: the BadgeClass (embedded or by
 * URL), the issuer Profile (always fetched from its id: a copy inside the badge is the badge's own word about its
 * issuer), and the issuer's keys. A failure is reported here, with the verdict it calls for, and the caller stops.
 */
import type { Fetcher } from '../fetcher.js';
import type { Ob2Checks, Ob2Document } from './checks.js';
import { typesOf } from './detect.js';
import { fetchDocument, idOf, isHttpUrl, type DocumentResult } from './documents.js';

const NAMES: Record<Ob2Document, string> = {
  hosted: 'hosted assertion',
  badgeClass: 'badge class',
  issuer: 'issuer profile',
  key: 'signing key',
};

const CHECK_IDS = { hosted: 'hosted', badgeClass: 'badgeClass', issuer: 'issuer', key: 'issuerKey' } as const;

type Json = Record<string, unknown>;
type DocumentFailure = Extract<DocumentResult, { ok: false }>;

/** Reports why a document could not be read. A 410 counts as not found here: only the assertion is revoked by it. */
export function reportUnread(checks: Ob2Checks, kind: Ob2Document, url: string, result: DocumentFailure): void {
  const name = NAMES[kind];
  const id = CHECK_IDS[kind];
  if (result.problem === 'unreachable') {
    const message =
      `The ${name} could not be fetched from ${url} (${result.reason}), so the badge cannot be confirmed ` +
      "for now. The issuer's server may be down: trying again later may succeed.";
    checks.fail(id, `ob2.${kind}Unreachable`, message, { url }, 'issuer-unconfirmed');
  } else if (result.problem === 'unreadable') {
    const message = `The ${name} at ${url} cannot be read as Open Badges 2.0 JSON: ${result.reason}.`;
    checks.fail(id, `ob2.${kind}Unreadable`, message, { url }, 'invalid');
  } else {
    const message = `The issuer does not publish the ${name} at ${url}: ${result.reason}`;
    checks.fail(id, `ob2.${kind}NotFound`, message, { url }, 'invalid');
  }
}

/**
 * Fetches a linked document and checks that it is what it was fetched as: its `id` is the URL asked for, and it
 * has one of the expected types.
 */
export async function fetchLinked(
  fetcher: Fetcher,
  checks: Ob2Checks,
  kind: Ob2Document,
  url: string,
  types: string[],
): Promise<Json | undefined> {
  const result = await fetchDocument(fetcher, url);
  if (!result.ok) {
    reportUnread(checks, kind, url, result);
    return undefined;
  }
  return expectIdentity(checks, kind, url, result.document, types) ? result.document : undefined;
}

export function expectIdentity(
  checks: Ob2Checks,
  kind: Ob2Document,
  url: string,
  document: Json,
  types: string[],
): boolean {
  if (document.id !== url) {
    const message =
      `The document at ${url} names itself ${String(document.id)}: it is not the ${NAMES[kind]} ` +
      'it was fetched as.';
    checks.fail(CHECK_IDS[kind], 'ob2.idMismatch', message, { url, id: String(document.id) }, 'invalid');
    return false;
  }
  const found = typesOf(document);
  if (!types.some((type) => found.includes(type))) {
    const message =
      `The document at ${url} is a ${found.join(', ') || 'document without a type'}, ` + `not a ${types.join(' or ')}.`;
    checks.fail(CHECK_IDS[kind], 'ob2.wrongType', message, { url, expected: types.join(', ') }, 'invalid');
    return false;
  }
  return true;
}

export interface IssuerChain {
  badgeClass: Json;
  issuer: Json;
  issuerId: string;
}

/** The BadgeClass and the issuer Profile of an assertion, or undefined once a failure is reported. */
export async function loadIssuerChain(
  fetcher: Fetcher,
  checks: Ob2Checks,
  assertion: Json,
): Promise<IssuerChain | undefined> {
  let badgeClass: Json | undefined;
  const badge = assertion.badge;
  if (typeof badge === 'string') {
    if (!isHttpUrl(badge)) {
      const message = `The assertion's badge class ${badge} is not an HTTP(S) URL; it cannot be fetched.`;
      checks.fail('badgeClass', 'ob2.badgeClassUnreadable', message, { url: badge }, 'invalid');
      return undefined;
    }
    badgeClass = await fetchLinked(fetcher, checks, 'badgeClass', badge, ['BadgeClass']);
  } else if (badge && typeof badge === 'object' && !Array.isArray(badge)) {
    badgeClass = badge as Json;
  } else {
    checks.fail('badgeClass', 'ob2.badgeClassUnreadable', 'The assertion names no badge class.', undefined, 'invalid');
  }
  if (!badgeClass) return undefined;

  const issuerId = idOf(badgeClass.issuer);
  if (!isHttpUrl(issuerId)) {
    const named = String(issuerId ?? 'nobody');
    const message =
      `The badge class names its issuer as ${named}, not as an HTTP(S) URL: the issuer's profile, ` +
      'keys and policy cannot be read.';
    checks.fail('issuer', 'ob2.issuerNoUrl', message, { issuer: String(issuerId ?? '') }, 'invalid');
    return undefined;
  }
  const issuer = await fetchLinked(fetcher, checks, 'issuer', issuerId, ['Issuer', 'Profile']);
  return issuer ? { badgeClass, issuer, issuerId } : undefined;
}
