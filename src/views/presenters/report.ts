import type { Check, Outcome, VerificationReport, Verdict } from '../../engine/verify/report.js';
import { formatDate, hasKey, type Lang, type Translate } from '../i18n.js';

export interface CheckItem {
  outcome: Outcome;
  outcomeLabel: string;
  text: string;
  /** The engine's own (English) message, for the curious and for support. */
  technical: string;
}

export interface VerdictView {
  verdict: Verdict | 'erased';
  title: string;
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

export function presentChecks(report: VerificationReport, t: Translate, lang: Lang): CheckItem[] {
  return report.checks.map((check) => ({
    outcome: check.outcome,
    outcomeLabel: t(`outcome.${check.outcome}`),
    text: checkText(check, t, lang),
    technical: check.message,
  }));
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
  return {
    verdict: report.verdict,
    title,
    detail: t(`verdict.${report.verdict}.detail`, { date }),
    tone: TONES[report.verdict],
  };
}

export function erasedVerdict(t: Translate): VerdictView {
  return { verdict: 'erased', title: t('verdict.erased'), detail: t('verdict.erased.detail'), tone: 'warn' };
}
