import type { Check, Outcome, VerificationReport, Verdict } from '../../engine/verify/report.js';
import { formatDate, hasKey, type Lang, type Translate } from '../i18n.js';

export interface CheckItem {
  outcome: Outcome;
  outcomeLabel: string;
  text: string;
  /**
   * For the curious and for support, in the page's language: which check it was, its stable code, and the
   * values it named (addresses, dates, types). The engine's own sentence is English, so it is not shown.
   */
  technical: { label: string; value: string }[];
}

export interface VerdictView {
  verdict: Verdict | 'erased';
  title: string;
  /** Why the badge is not valid, in the words of the check that decided it: the first sentence shown. */
  reason?: string;
  detail: string;
  /** For styling and icons only. */
  tone: 'ok' | 'bad' | 'warn';
}

const TONES: Record<Verdict | 'erased', VerdictView['tone']> = {
  valid: 'ok',
  invalid: 'bad',
  'issuer-unconfirmed': 'warn',
  revoked: 'bad',
  suspended: 'warn',
  expired: 'warn',
  'not-yet-valid': 'warn',
  'status-unknown': 'warn',
  nonconformant: 'warn',
  erased: 'warn',
};

function checkText(check: Check, t: Translate, lang: Lang): string {
  const params: Record<string, string | number> = { ...check.params };
  if (typeof params.date === 'string') params.date = formatDate(params.date, lang) ?? params.date;
  if (typeof params.format === 'string') params.format = t(`format.${params.format}`);
  const key = `checks.${check.code}`;
  return hasKey(key) ? t(key, params) : t(`checks.generic.${check.outcome}`);
}

function technical(check: Check, t: Translate): CheckItem['technical'] {
  const name = `checks.id.${check.id}`;
  return [
    { label: t('checks.technical.check'), value: hasKey(name) ? t(name) : check.id },
    { label: t('checks.technical.code'), value: check.code },
    // The values the check named, without the engine's (English) names for them.
    ...(check.params && Object.keys(check.params).length > 0
      ? [{ label: t('checks.technical.values'), value: Object.values(check.params).map(String).join(' · ') }]
      : []),
  ];
}

export function presentChecks(report: VerificationReport, t: Translate, lang: Lang): CheckItem[] {
  return report.checks.map((check) => ({
    outcome: check.outcome,
    outcomeLabel: t(`outcome.${check.outcome}`),
    text: checkText(check, t, lang),
    technical: technical(check, t),
  }));
}

/** Codes of checks that fail with a verdict below `invalid`: never the reason a badge is not authentic. */
const NOT_AUTHENTICITY: ReadonlySet<string> = new Set([
  'status.revoked',
  'status.suspended',
  'ob2.revoked',
  'validUntil.past',
  'validFrom.future',
]);
const CONFORMANCE_IDS: ReadonlySet<string> = new Set(['schema', 'subject', 'type']);
const noted = (check: Check) => check.outcome === 'failed' || check.outcome === 'warning';

/**
 * The check that decided a verdict other than valid. A verdict is the highest of those its failed checks call
 * for, so for a lower verdict every failed check is about it; for `invalid`, failures that only call for a lower
 * verdict (revoked, expired, not conformant) are passed over.
 */
export function decidingCheck(report: VerificationReport): Check | undefined {
  const checks = report.checks;
  const find = (test: (check: Check) => boolean) => checks.find(test);
  const fallback = () => find((c) => c.outcome === 'failed') ?? find(noted);
  switch (report.verdict) {
    case 'valid':
      return undefined;
    case 'invalid':
      return (
        find((c) => c.outcome === 'failed' && !NOT_AUTHENTICITY.has(c.code) && !CONFORMANCE_IDS.has(c.id)) ??
        fallback()
      );
    case 'issuer-unconfirmed':
      return find((c) => noted(c) && (c.id === 'issuerKey' || /unreachable/i.test(c.code))) ?? fallback();
    case 'revoked':
      return find((c) => c.code === 'status.revoked' || c.code === 'ob2.revoked') ?? fallback();
    case 'suspended':
      return find((c) => c.code === 'status.suspended') ?? fallback();
    case 'expired':
      return find((c) => c.code === 'validUntil.past') ?? fallback();
    case 'not-yet-valid':
      return find((c) => c.code === 'validFrom.future') ?? fallback();
    case 'status-unknown':
      return find((c) => c.id === 'status' && noted(c)) ?? fallback();
    case 'nonconformant':
      return fallback();
  }
}

/** The verdict in plain words. Dates in the detail come from the checks that decided it. */
export function presentVerdict(
  report: VerificationReport,
  t: Translate,
  lang: Lang,
  revokedAt?: string | null,
): VerdictView {
  const dateOf = (id: string) =>
    formatDate(report.checks.find((c) => c.id === id)?.params?.date as string | undefined, lang);
  const title =
    report.verdict === 'revoked' && revokedAt
      ? t('verdict.revokedOn', { date: formatDate(revokedAt, lang) })
      : t(`verdict.${report.verdict}`);
  const date =
    report.verdict === 'expired'
      ? dateOf('validUntil')
      : report.verdict === 'not-yet-valid'
        ? dateOf('validFrom')
        : undefined;
  const deciding = decidingCheck(report);
  return {
    verdict: report.verdict,
    title,
    ...(deciding ? { reason: checkText(deciding, t, lang) } : {}),
    detail: t(`verdict.${report.verdict}.detail`, { date }),
    tone: TONES[report.verdict],
  };
}

export function erasedVerdict(t: Translate): VerdictView {
  return { verdict: 'erased', title: t('verdict.erased'), detail: t('verdict.erased.detail'), tone: 'warn' };
}
