import { InputError } from '../engine/verify/errors.js';
import type { FetchFailure } from '../engine/verify/fetcher.js';
import { parseInput, type VerifiableInput } from '../engine/verify/parse-input.js';
import { recipientAnswer, type RecipientAnswer } from '../engine/verify/recipient-answer.js';
import type { VerificationReport } from '../engine/verify/report.js';
import type { AppContext } from './context.js';
import { inputErrors } from './input-schemas.js';
import { verifyLink } from './verify-link.js';
import { verifyAny } from './verify.js';

/** What the /verify form sends: one box (a link, or a badge pasted as JSON or JWT), or a file, and an address. */
export interface VerifyPageRequest {
  text?: string;
  /** A link given as ?url= (the badge page's "verify elsewhere" link) or by an older form. */
  url?: string;
  /** The badge verified just before, which the page keeps so that an address can be checked without giving it again. */
  carried?: string;
  /** An address to check against the badge's recipient. It is compared, answered, and never kept nor logged. */
  email?: string;
  /** A chosen or dropped file. */
  file?: Uint8Array;
}

/** What the page keeps of the badge it verified. */
export interface KeptBadge {
  /** Posted back as `carried`: the link, the pasted text, or the badge a file carried (its JSON or JWT). */
  carried: string;
  /** How it was given, for the page's words: a link is shown as such. */
  kind: 'link' | 'pasted' | 'file';
}

/** An address that is not one cannot be compared: the page says so, and verifies the badge all the same. */
export type RecipientOutcome = RecipientAnswer | 'not-an-address';

export interface VerifiedOnPage {
  kind: 'verified';
  report: VerificationReport;
  /** Only when an address was given. */
  recipient?: RecipientOutcome;
  kept?: KeptBadge;
}

export type VerifyPageOutcome =
  | VerifiedOnPage
  | { kind: 'nothing' }
  /** A PDF that names no single badge link: a printout, not a badge, and not one of Blason's certificates. */
  | { kind: 'pdf-without-link' }
  /** The link could not be read; `link` goes back in the box so that it can be corrected. */
  | { kind: 'unreachable'; failure: FetchFailure; link: string };

/**
 * Verifies whatever an employer has, from the /verify page: a file, a link or a pasted badge, in that order of
 * precedence, else the badge kept from the previous answer. A PDF certificate is verified by the badge link it
 * carries. A link (even inside a sentence, or without its
 * https://) is verified as a link. With an address, also says whether the badge was issued to it, from its
 * hashed recipient identifier, without changing the badge's verdict. A badge kept from the previous answer is
 * not counted again in the indicators: it is the same verification, asked one more question.
 */
export async function verifyForPage(app: AppContext, request: VerifyPageRequest): Promise<VerifyPageOutcome> {
  const fields = {
    ...(request.text?.trim() ? { text: request.text.trim() } : {}),
    ...(request.url?.trim() ? { url: request.url.trim() } : {}),
    ...(request.carried?.trim() ? { carried: request.carried.trim() } : {}),
    ...(request.email?.trim() ? { email: request.email.trim() } : {}),
  };
  const errors = inputErrors('verify-page.json', fields);
  // Only the address can be wrong in a way a person fixes by retyping; over-long fields are cut short by the form.
  const emailValid = fields.email !== undefined && !errors.some((error) => error.field === 'email');
  const recipient = {
    email: emailValid ? fields.email : undefined,
    invalid: fields.email !== undefined && !emailValid,
  };

  if (request.file && request.file.length > 0) {
    // A printable certificate is not a badge, but it carries the badge's link: that is what is verified.
    const printed = isPdf(request.file) ? linkInPdf(request.file) : undefined;
    if (isPdf(request.file) && !printed) return { kind: 'pdf-without-link' };
    if (printed) return verifyGivenLink(app, printed, true, recipient);
    const report = await verifyAny(app, { bytes: request.file }, { count: true });
    const carried = readable(report) ? carriedPayload({ bytes: request.file }) : undefined;
    return answer(report, recipient, carried ? { carried, kind: 'file' } : undefined);
  }
  const given = fields.text ?? fields.carried ?? fields.url;
  if (given === undefined) return { kind: 'nothing' };
  const count = fields.text !== undefined || fields.carried === undefined;
  const link = fields.text === undefined && fields.carried === undefined ? (linkIn(given) ?? given) : linkIn(given);
  if (link) return verifyGivenLink(app, link, count, recipient);
  const report = await verifyAny(app, { text: given }, { count });
  return answer(report, recipient, readable(report) ? { carried: given, kind: 'pasted' } : undefined);
}

async function verifyGivenLink(
  app: AppContext,
  link: string,
  count: boolean,
  recipient: { email?: string | undefined; invalid: boolean },
): Promise<VerifyPageOutcome> {
  const verified = await verifyLink(app, link, { count, ...(recipient.email ? { email: recipient.email } : {}) });
  if (!verified.ok) return { kind: 'unreachable', failure: verified.failure, link };
  const outcome = answer(verified.report, { invalid: recipient.invalid }, { carried: link, kind: 'link' });
  return verified.recipient ? { ...outcome, recipient: verified.recipient } : outcome;
}

function isPdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
}

/**
 * The one web link a PDF's link annotations point to (`/URI (…)`), as Blason's certificates carry the badge's
 * link: none or several, and the PDF is not read further (a PDF is never parsed beyond this).
 */
function linkInPdf(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString('latin1');
  const links = new Set<string>();
  for (const match of text.matchAll(/\/URI\s*\(((?:[^()\\]|\\.){1,2000})\)/g)) {
    const link = match[1]!.replace(/\\(.)/g, '$1');
    if (WHOLE_LINK.test(link) && URL.canParse(link)) links.add(link);
  }
  return links.size === 1 ? [...links][0] : undefined;
}

function answer(
  report: VerificationReport,
  recipient: { email?: string | undefined; invalid: boolean },
  kept: KeptBadge | undefined,
): VerifiedOnPage {
  const asked: RecipientOutcome | undefined = recipient.invalid
    ? 'not-an-address'
    : recipient.email !== undefined
      ? recipientAnswer(report, recipient.email)
      : undefined;
  return { kind: 'verified', report, ...(asked ? { recipient: asked } : {}), ...(kept ? { kept } : {}) };
}

/** Whether the input could be read as a badge at all: an unreadable one is not worth keeping. */
function readable(report: VerificationReport): boolean {
  return report.checks[0]?.outcome === 'passed';
}

const WHOLE_LINK = /^https?:\/\/\S+$/i;
const LINK_IN_TEXT = /https?:\/\/[^\s<>"'«»]+/gi;
/** A host name and a path, as people copy links from an address bar that hides the https://. */
const BARE_LINK = /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\/\S*$/i;

/**
 * The link a pasted text stands for, if it is one: the whole text, a bare host and path, or the one link of a
 * sentence ("Voici mon badge : https://…."). JSON, a JWT or an image's markup never count as a link.
 */
export function linkIn(text: string): string | undefined {
  if (WHOLE_LINK.test(text) && URL.canParse(text)) return text;
  if (BARE_LINK.test(text) && URL.canParse(`https://${text}`)) return `https://${text}`;
  if (/^[{<[]/.test(text) || /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const links = [...new Set(text.match(LINK_IN_TEXT) ?? [])].map((link) => link.replace(/[.,;:!?)\]]+$/, ''));
  return links.length === 1 && URL.canParse(links[0]!) ? links[0] : undefined;
}

/** The badge a file carries, as text that verifies the same way (a baked image's JSON or JWT, or its link). */
function carriedPayload(input: VerifiableInput): string | undefined {
  try {
    const parsed = parseInput(input);
    if (parsed.payload === 'jwt') return parsed.jwt;
    if (parsed.payload === 'json') return JSON.stringify(parsed.credential);
    const { ob2 } = parsed;
    return ob2.source === 'url' ? ob2.url : ob2.source === 'jws' ? ob2.jws : JSON.stringify(ob2.assertion);
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}
