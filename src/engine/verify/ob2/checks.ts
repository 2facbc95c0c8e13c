/**
 * The vocabulary of the OB 2.0 checks: every code the OB 2.0 verifier can report, so that the views can
 * translate each one, and a report builder that accepts no other. Where a check means exactly what the OB 3.0
 * path means (dates, recipient), it reuses that code and its translation.
 */
import type { Check, CheckId, ReportBuilder, Verdict } from '../report.js';

/** The documents an OB 2.0 verification reads; `hosted` is the hosted assertion itself. */
export type Ob2Document = 'hosted' | 'badgeClass' | 'issuer' | 'key';
export type FetchProblem = 'NotFound' | 'Unreachable' | 'Unreadable';

export type Ob2CheckCode =
  | 'ob2.read'
  | 'ob2.notAssertion'
  | 'ob1.tooOld'
  | 'ob2.contextMissing'
  | 'ob2.verificationUnknown'
  | 'ob2.signatureMissing'
  | `ob2.${Ob2Document}${FetchProblem}`
  | 'ob2.idMismatch'
  | 'ob2.wrongType'
  | 'ob2.hostedNoUrl'
  | 'ob2.hostedFetched'
  | 'ob2.copyMatches'
  | 'ob2.hostedMismatch'
  | 'ob2.issuerNoUrl'
  | 'ob2.originOk'
  | 'ob2.originMismatch'
  | 'ob2.prefixMismatch'
  | 'ob2.jwsMalformed'
  | 'ob2.jwsAlgorithm'
  | 'ob2.signatureOk'
  | 'ob2.badSignature'
  | 'ob2.noIssuerKey'
  | 'ob2.keyNotListed'
  | 'ob2.keyNotIssuers'
  | 'ob2.keyUnusable'
  | 'ob2.keyConfirmed'
  | 'ob2.revoked'
  | 'ob2.notRevoked'
  | 'ob2.noRevocationList'
  | 'ob2.revocationListUnavailable'
  | 'ob2.structureOk'
  | 'ob2.missingProperties'
  | 'ob2.issuerNoEmail'
  | 'ob2.badDate'
  | 'validFrom.ok'
  | 'validFrom.future'
  | 'validUntil.ok'
  | 'validUntil.past'
  | 'validUntil.none'
  | 'recipient.match'
  | 'recipient.mismatch'
  | 'ob2.recipientUnchecked';

type Params = Check['params'];

/** A ReportBuilder that takes only OB 2.0 codes. */
export class Ob2Checks {
  constructor(readonly report: ReportBuilder) {}

  pass(id: CheckId, code: Ob2CheckCode, message: string, params?: Params): void {
    this.report.pass(id, code, message, params);
  }

  fail(id: CheckId, code: Ob2CheckCode, message: string, params: Params | undefined, verdict: Verdict): void {
    this.report.fail(id, code, message, params, verdict);
  }

  warn(id: CheckId, code: Ob2CheckCode, message: string, params?: Params): void {
    this.report.warn(id, code, message, params);
  }

  skip(id: CheckId, code: Ob2CheckCode, message: string, params?: Params): void {
    this.report.skip(id, code, message, params);
  }
}
