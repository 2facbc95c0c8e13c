import { FetchError, type FetchFailure } from '../engine/verify/fetcher.js';
import type { VerifiableInput } from '../engine/verify/parse-input.js';
import { recipientAnswer, type RecipientAnswer } from '../engine/verify/recipient-answer.js';
import type { VerificationReport } from '../engine/verify/report.js';
import { findCredential } from '../store/repositories/credentials.js';
import type { AppContext } from './context.js';
import { verifyAny } from './verify.js';
import { publicViewOf, shownPublicly } from './visibility.js';

const ACCEPT = [
  'application/vc+ld+json',
  'application/ld+json',
  'application/json',
  'application/vc+jwt',
  'text/plain',
  'image/png',
  'image/svg+xml',
].join(', ');
const MAX_BYTES = 5_000_000;

/** Our credential links: the page, and each of its downloads. */
const OWN_LINK = /^\/credentials\/([0-9a-f-]{36})(?:\/(credential\.json|credential\.jwt|badge\.png|badge\.svg))?\/?$/;

export type LinkVerification =
  | { ok: true; report: VerificationReport; recipient?: RecipientAnswer }
  /** `failure` says in one word why (for the page's own words); `reason` is the English detail, for the API. */
  | { ok: false; failure: FetchFailure; reason: string };

export interface LinkOptions {
  count?: boolean;
  /** An address to check against the credential's recipient; answered in `recipient`, never kept. */
  email?: string;
}

/**
 * Verifies the credential at a URL, for the /verify page and POST /api/v1/verify. A link to one of our own
 * credentials is answered from the stored copy, as the visibility rule allows: a hidden or erased badge answers
 * exactly as one that never existed, and a name that is not public is taken out of the report (the signed copy
 * may carry it). Any other URL is fetched through the guarded fetcher.
 */
export async function verifyLink(
  app: AppContext,
  rawUrl: string,
  options: LinkOptions = {},
): Promise<LinkVerification> {
  const own = ownCredentialLink(app, rawUrl);
  if (own) return verifyOwn(app, own, options);
  let input: VerifiableInput;
  try {
    input = { bytes: (await app.fetcher.fetch(rawUrl, { accept: ACCEPT, maxBytes: MAX_BYTES })).body };
  } catch (error) {
    // A hosted Open Badges 2.0 assertion answers 410 Gone once revoked: the engine, given the link, says so.
    if (error instanceof FetchError && error.status === 410) {
      return verified(await verifyAny(app, { text: rawUrl }, options), options.email);
    }
    const failure = error instanceof FetchError ? error.reason : 'unreachable';
    return { ok: false, failure, reason: (error as Error).message };
  }
  return verified(await verifyAny(app, input, options), options.email);
}

function verified(report: VerificationReport, email: string | undefined): LinkVerification {
  return { ok: true, report, ...(email !== undefined ? { recipient: recipientAnswer(report, email) } : {}) };
}

function ownCredentialLink(app: AppContext, rawUrl: string): OwnLink | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return undefined;
  }
  if (url.host !== app.ids.baseUrl.host) return undefined;
  const match = url.pathname.match(OWN_LINK);
  return match ? { href: url.href, id: match[1]!, jwt: match[2] === 'credential.jwt' } : undefined;
}

interface OwnLink {
  href: string;
  id: string;
  /** The link names the JWT form: that is the form verified. */
  jwt: boolean;
}

async function verifyOwn(app: AppContext, link: OwnLink, options: LinkOptions): Promise<LinkVerification> {
  const row = await findCredential(app.db, link.id);
  const view = row ? await publicViewOf(app, row) : undefined;
  // The same words as for an id that was never issued, so that a hidden badge cannot be told from none.
  if (!row || !view || !shownPublicly(view.visibility)) {
    return { ok: false, failure: 'not-found', reason: `${link.href} does not exist.` };
  }
  const report = await verifyAny(app, link.jwt ? { text: row.jwt } : { text: row.credential_json }, options);
  // The recipient is answered before the signed copy is taken out of a report whose holder's name is not public.
  const answered = verified(report, options.email);
  return view.visibility === 'public' || !answered.ok ? answered : { ...answered, report: withoutHolderName(report) };
}

/** The report of a credential whose holder's name is not public: no name, and no copy of the signed credential. */
export function withoutHolderName(report: VerificationReport): VerificationReport {
  const { credential: _credential, jwt: _jwt, ...rest } = report;
  const { recipientName: _name, ...display } = report.display;
  return { ...rest, display };
}
