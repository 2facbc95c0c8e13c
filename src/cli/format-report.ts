import type { Outcome, VerificationReport, Verdict } from '../engine/verify/report.js';

const VERDICTS: Record<Verdict, string> = {
  valid: 'VALID: authentic, in force and not revoked',
  invalid: "INVALID: not authentic (bad or missing signature, key not the issuer's, altered or unreadable)",
  'issuer-unconfirmed':
    "ISSUER UNCONFIRMED: the issuer's documents could not be reached to confirm its key; try again later",
  revoked: 'REVOKED by its issuer',
  suspended: 'SUSPENDED by its issuer',
  expired: 'EXPIRED',
  'not-yet-valid': 'NOT YET VALID',
  'status-unknown': 'AUTHENTIC, BUT ITS STATUS COULD NOT BE CHECKED (it may have been revoked)',
  nonconformant: 'AUTHENTIC, BUT NOT A CONFORMANT OPEN BADGE',
};

const MARKS: Record<Outcome, string> = { passed: '✓', failed: '✗', warning: '!', skipped: '-' };

/** The report as a person reads it in a terminal: the verdict first, then each check. */
export function formatReport(report: VerificationReport): string {
  const lines = [VERDICTS[report.verdict]];
  const { display } = report;
  if (display.trusted) {
    if (display.name) lines.push(`  Badge:    ${display.name}`);
    if (display.issuerName || report.issuerId)
      lines.push(`  Issuer:   ${display.issuerName ?? ''}${report.issuerId ? ` (${report.issuerId})` : ''}`);
    if (display.recipientName) lines.push(`  Holder:   ${display.recipientName}`);
    if (display.validFrom) lines.push(`  Issued:   ${display.validFrom}`);
    if (display.validUntil) lines.push(`  Expires:  ${display.validUntil}`);
  }
  lines.push('', 'Checks:');
  for (const check of report.checks) lines.push(`  ${MARKS[check.outcome]} ${check.id}: ${check.message}`);
  report.endorsements.forEach((endorsement, i) => {
    lines.push('', `Endorsement ${i + 1}: ${VERDICTS[endorsement.verdict]}`);
    for (const check of endorsement.checks) lines.push(`    ${MARKS[check.outcome]} ${check.id}: ${check.message}`);
  });
  return lines.join('\n');
}
