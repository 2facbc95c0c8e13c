/**
 * Signed OB 2.0 verification (standards-2.md §1.5): the key comes from the issuer Profile fetched from its id,
 * never from the badge alone. The key named by `verification.creator` must be listed in the Profile's
 * `publicKey`, and the key document must name the issuer as its `owner`: a key's own claim of ownership proves
 * nothing, nor does a Profile listing a key that names someone else. Then the issuer's revocation list.
 */
import type { Fetcher } from '../fetcher.js';
import type { ReportBuilder, StatusResult } from '../report.js';
import type { Ob2Checks } from './checks.js';
import { typesOf } from './detect.js';
import { fetchDocument, idOf, isHttpUrl, textOf } from './documents.js';
import { checkOb2Signature, type Ob2JwsAlgorithm } from './jws.js';
import { expectIdentity, reportUnread, type IssuerChain } from './linked.js';
import { asArray } from '../../util.js';

type Json = Record<string, unknown>;

/** A Profile may list several keys; without a `creator` each is tried, up to this many. */
const MAX_KEYS_TRIED = 8;

/**
 * The CryptographicKey of one `publicKey` entry of the fetched Profile (embedded there, or fetched from its id),
 * once confirmed as the issuer's; otherwise undefined, and why is reported.
 */
async function issuerKey(
  fetcher: Fetcher,
  checks: Ob2Checks,
  entry: unknown,
  chain: IssuerChain,
): Promise<Json | undefined> {
  let key: Json;
  if (entry && typeof entry === 'object' && typeof (entry as { publicKeyPem?: unknown }).publicKeyPem === 'string') {
    key = entry as Json;
  } else {
    const keyId = String(idOf(entry) ?? '');
    if (!isHttpUrl(keyId)) {
      const message = `The issuer lists a key ${keyId} that is not an HTTP(S) URL; it cannot be fetched.`;
      checks.fail('issuerKey', 'ob2.keyUnusable', message, { key: keyId }, 'invalid');
      return undefined;
    }
    const result = await fetchDocument(fetcher, keyId);
    if (!result.ok) {
      reportUnread(checks, 'key', keyId, result);
      return undefined;
    }
    if (!expectIdentity(checks, 'key', keyId, result.document, ['CryptographicKey'])) return undefined;
    key = result.document;
  }
  const keyId = String(key.id ?? idOf(entry) ?? '(embedded key)');
  if (key.owner !== chain.issuerId) {
    const owner = String(key.owner ?? '');
    const message =
      `The signing key ${keyId} belongs to ${owner || 'nobody'}, not to the badge's issuer ` + `${chain.issuerId}.`;
    checks.fail('issuerKey', 'ob2.keyNotIssuers', message, { key: keyId, owner, issuer: chain.issuerId }, 'invalid');
    return undefined;
  }
  if (typeof key.publicKeyPem !== 'string') {
    const message = `The signing key ${keyId} has no publicKeyPem.`;
    checks.fail('issuerKey', 'ob2.keyUnusable', message, { key: keyId }, 'invalid');
    return undefined;
  }
  return key;
}

/** Checks the signature with the issuer's key. True once it matches a key that is confirmed as the issuer's. */
export async function checkSignedProof(
  fetcher: Fetcher,
  checks: Ob2Checks,
  jws: string,
  alg: Ob2JwsAlgorithm,
  assertion: Json,
  chain: IssuerChain,
): Promise<boolean> {
  const listed = asArray(chain.issuer.publicKey ?? []);
  if (listed.length === 0) {
    const message = `The issuer's profile ${chain.issuerId} lists no public key, so no signature can be tied to it.`;
    checks.fail('issuerKey', 'ob2.noIssuerKey', message, { issuer: chain.issuerId }, 'invalid');
    return false;
  }
  const verification = (assertion.verification ?? assertion.verify) as Json;
  const creator = idOf(verification.creator);
  let candidates = listed.slice(0, MAX_KEYS_TRIED);
  if (creator !== undefined) {
    const entry = listed.find((e) => idOf(e) === creator);
    if (entry === undefined) {
      const message =
        `The badge was signed with the key ${creator}, which its issuer's profile ${chain.issuerId} ` +
        'does not list: the issuer has not confirmed that key as its own.';
      checks.fail('issuerKey', 'ob2.keyNotListed', message, { key: creator, issuer: chain.issuerId }, 'invalid');
      return false;
    }
    candidates = [entry];
  }
  let mismatches = 0;
  for (const entry of candidates) {
    const key = await issuerKey(fetcher, checks, entry, chain);
    if (!key) continue;
    const keyId = String(key.id ?? idOf(entry) ?? '(embedded key)');
    const outcome = checkOb2Signature(jws, alg, key.publicKeyPem as string);
    if (outcome === 'valid') {
      const message = `The signing key ${keyId} is listed by the issuer's profile and names the issuer as its owner.`;
      checks.pass('issuerKey', 'ob2.keyConfirmed', message, { key: keyId });
      checks.pass('proof', 'ob2.signatureOk', `The ${alg} signature matches the assertion.`, { alg });
      return true;
    }
    if (outcome === 'mismatch') {
      mismatches++;
    } else {
      const message = `The signing key ${keyId} cannot check this badge: ${outcome.keyProblem}.`;
      checks.fail('issuerKey', 'ob2.keyUnusable', message, { key: keyId }, 'invalid');
    }
  }
  if (mismatches > 0) {
    const message =
      'The signature does not match the assertion: it was altered after signing, or signed with a key ' +
      "that is not the issuer's.";
    checks.fail('proof', 'ob2.badSignature', message, undefined, 'invalid');
  }
  return false;
}

function listedIds(item: unknown): unknown[] {
  if (typeof item === 'string') return [item];
  return item && typeof item === 'object' ? [(item as { id?: unknown }).id, (item as { uid?: unknown }).uid] : [];
}

/** The issuer's RevocationList: the assertion's `id`, or its legacy `uid`, listed there means revoked. */
export async function checkRevocationList(
  fetcher: Fetcher,
  checks: Ob2Checks,
  report: ReportBuilder,
  assertion: Json,
  chain: IssuerChain,
): Promise<StatusResult | undefined> {
  const listUrl = idOf(chain.issuer.revocationList);
  if (listUrl === undefined) {
    const message = 'The issuer publishes no revocation list: it cannot revoke this badge.';
    checks.skip('status', 'ob2.noRevocationList', message);
    return undefined;
  }
  const unavailable = (reason: string): undefined => {
    const message =
      `The issuer's revocation list ${listUrl} could not be read (${reason}): nobody can say whether ` +
      'this badge was revoked. Trying again later may succeed.';
    checks.warn('status', 'ob2.revocationListUnavailable', message, { url: listUrl });
    report.mark('status-unknown');
    return undefined;
  };
  if (!isHttpUrl(listUrl)) return unavailable('it is not an HTTP(S) URL');
  const result = await fetchDocument(fetcher, listUrl);
  if (!result.ok) return unavailable(result.reason);
  if (!typesOf(result.document).includes('RevocationList')) return unavailable('it is not a RevocationList');
  const ids = [assertion.id, assertion.uid].filter((id): id is string => typeof id === 'string');
  const entry = asArray(result.document.revokedAssertions ?? []).find((item) =>
    listedIds(item).some((id) => typeof id === 'string' && ids.includes(id)),
  );
  if (entry === undefined) {
    checks.pass('status', 'ob2.notRevoked', "The badge is not on its issuer's revocation list.");
    return { method: 'RevocationList', revoked: false };
  }
  const reason = textOf((entry as { revocationReason?: unknown }).revocationReason);
  const message = `The issuer has revoked this badge${reason ? `: ${reason}` : '.'}`;
  checks.fail('status', 'ob2.revoked', message, reason ? { reason } : undefined, 'revoked');
  return { method: 'RevocationList', revoked: true };
}
