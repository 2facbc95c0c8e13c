/**
 * The verification report: every check the pipeline ran, in order, and one verdict a person can act on.
 * `code` is stable (views translate it into French or English); `message` is the English text.
 */
import type { CheckCode } from './check-codes.js';

export type { CheckCode };

export type CheckId =
  | 'parse'
  | 'context'
  | 'type'
  | 'schema'
  | 'subject'
  | 'proof'
  | 'issuerKey'
  | 'refresh'
  | 'status'
  | 'validFrom'
  | 'validUntil'
  | 'recipient'
  | 'endorsements'
  // A Verifiable Presentation: its form, its holder's proof, and the verdicts of the credentials it carries.
  | 'presentation'
  // Open Badges 2.0: the hosted assertion, the documents it links to, and the issuer's hosting policy.
  | 'hosted'
  | 'badgeClass'
  | 'issuer'
  | 'origin';

export type Outcome = 'passed' | 'failed' | 'warning' | 'skipped';

export interface Check {
  id: CheckId;
  outcome: Outcome;
  code: CheckCode;
  message: string;
  params?: Record<string, string | number>;
}

/**
 * One word an employer can act on. Precedence when several apply, highest first (VERDICT_PRECEDENCE):
 * - `invalid`: not authentic: a bad or missing signature, a key that is not the issuer's, altered, unreadable;
 * - `issuer-unconfirmed`: the signature holds, but the issuer's documents could not be reached to confirm that
 *   the key is the issuer's. Never shown as valid; trying again later may succeed;
 * - `revoked` / `suspended`: authentic, and its issuer withdrew it (for good / for now);
 * - `expired` / `not-yet-valid`: authentic, outside its validity period;
 * - `status-unknown`: authentic, but its status list could not be checked. Never shown as "not revoked";
 * - `nonconformant`: authentic and intact, but not a conformant Open Badge (no recipient, schema errors, or not
 *   an Open Badge at all, as a plain W3C credential);
 * - `valid`: authentic, issuer confirmed, in force, conformant.
 */
export const VERDICTS = [
  'invalid',
  'issuer-unconfirmed',
  'revoked',
  'suspended',
  'expired',
  'not-yet-valid',
  'status-unknown',
  'nonconformant',
  'valid',
] as const;
export type Verdict = (typeof VERDICTS)[number];

export type InputFormat = 'json' | 'jwt' | 'png' | 'svg';
export type ProofFormat = 'data-integrity' | 'jwt';

/** What a displayer shows. Filled only from data whose proof verified; `trusted` says whether it did. */
export interface DisplayData {
  trusted: boolean;
  name?: string;
  description?: string;
  issuerId?: string;
  issuerName?: string;
  issuerUrl?: string;
  issuerImage?: string;
  achievementName?: string;
  achievementDescription?: string;
  criteria?: string;
  achievementImage?: string;
  recipientName?: string;
  validFrom?: string;
  validUntil?: string;
}

export interface StatusResult {
  method: 'BitstringStatusListEntry' | '1EdTechRevocationList' | string;
  purpose?: string;
  revoked?: boolean;
  suspended?: boolean;
}

/** Which standard the input was read as: an Open Badge 3.0, an Open Badge 2.0, or a W3C credential of another kind. */
export type Standard = 'ob3' | 'ob2' | 'vc';

export interface VerificationReport {
  verdict: Verdict;
  standard?: Standard;
  /** True only for `valid`. */
  verified: boolean;
  /** Checks that passed with a reservation; a valid credential can have some. */
  warnings: number;
  format?: InputFormat;
  proofFormat?: ProofFormat;
  vcdm?: '1.1' | '2.0';
  credentialId?: string;
  issuerId?: string;
  checks: Check[];
  status?: StatusResult;
  endorsements: VerificationReport[];
  display: DisplayData;
  /** The credential as read from the verified payload (the JWT payload for a JWT), for storing or showing. */
  credential?: Record<string, unknown>;
  /** The compact JWS when the input was (or carried) a VC-JWT. */
  jwt?: string;
}

/** Already in precedence order. */
const VERDICT_PRECEDENCE: readonly Verdict[] = VERDICTS;

/** Collects checks in order and derives the verdict from them. */
export class ReportBuilder {
  readonly checks: Check[] = [];
  private readonly verdicts = new Set<Verdict>();

  add(check: Check, verdictIfFailed: Verdict = 'invalid'): Check {
    this.checks.push(check);
    if (check.outcome === 'failed') this.verdicts.add(verdictIfFailed);
    return check;
  }

  pass(id: CheckId, code: CheckCode, message: string, params?: Check['params']): void {
    this.add({ id, outcome: 'passed', code, message, ...(params ? { params } : {}) });
  }

  fail(id: CheckId, code: CheckCode, message: string, params?: Check['params'], verdict: Verdict = 'invalid'): void {
    this.add({ id, outcome: 'failed', code, message, ...(params ? { params } : {}) }, verdict);
  }

  warn(id: CheckId, code: CheckCode, message: string, params?: Check['params']): void {
    this.add({ id, outcome: 'warning', code, message, ...(params ? { params } : {}) });
  }

  skip(id: CheckId, code: CheckCode, message: string, params?: Check['params']): void {
    this.add({ id, outcome: 'skipped', code, message, ...(params ? { params } : {}) });
  }

  /** A non-failing state that still changes the verdict (status could not be checked). */
  mark(verdict: Verdict): void {
    this.verdicts.add(verdict);
  }

  get invalid(): boolean {
    return this.verdicts.has('invalid');
  }

  verdict(): Verdict {
    return VERDICT_PRECEDENCE.find((verdict) => this.verdicts.has(verdict)) ?? 'valid';
  }

  warnings(): number {
    return this.checks.filter((check) => check.outcome === 'warning').length;
  }
}
