/**
 * "Was this badge issued to this e-mail address?", asked of a badge already verified, without touching its
 * verdict: an employer's question about the holder is not a property of the badge. The answer comes from the same
 * recipient checks the verification pipeline runs when asked for an expected recipient (OB 3.0
 * `credentialSubject.identifier`, OB 2.0 `recipient`, both through the salted identity hash), run on a scratch
 * report so that nothing of them reaches the badge's own report.
 */
import { Ob2Checks } from './ob2/checks.js';
import { checkRecipient as checkOb2Recipient } from './ob2/conformance.js';
import { ReportBuilder, type VerificationReport } from './report.js';
import { checkRecipient } from './structure.js';

/**
 * - `issued-to`: the badge names this address as its recipient;
 * - `not-issued-to`: it does not (another address, or a holder named another way);
 * - `cannot-tell`: the badge is not authentic (or its issuer unconfirmed): what it says of its holder proves nothing.
 */
export type RecipientAnswer = 'issued-to' | 'not-issued-to' | 'cannot-tell';

export function recipientAnswer(report: VerificationReport, email: string): RecipientAnswer {
  if (report.verdict === 'invalid' || report.verdict === 'issuer-unconfirmed' || !report.credential) {
    return 'cannot-tell';
  }
  const scratch = new ReportBuilder();
  if (report.standard === 'ob2') checkOb2Recipient(new Ob2Checks(scratch), report.credential, { email });
  else checkRecipient(report.credential, { email }, scratch);
  return scratch.checks.some((check) => check.id === 'recipient' && check.outcome === 'passed')
    ? 'issued-to'
    : 'not-issued-to';
}
