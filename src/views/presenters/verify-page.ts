import type { KeptBadge, RecipientOutcome } from '../../app/verify-page.js';
import type { VerificationReport } from '../../engine/verify/report.js';
import { formatDate, formatDateTime, translator, type Lang } from '../i18n.js';
import type { PageModel } from '../render.js';
import { presentChecks, presentVerdict } from './report.js';

export interface VerifyPageData {
  lang: Lang;
  report?: VerificationReport;
  /** A problem with the request itself (nothing given, file too large, link unreadable). */
  problem?: { key: string; params?: Record<string, string> };
  /** Put back in the box: a link that could not be read, to be corrected. */
  text?: string;
  /** The badge just verified, kept so that an address can be checked against it without giving it again. */
  kept?: KeptBadge;
  /** The address the employer typed, shown back in its field. */
  email?: string;
  recipient?: RecipientOutcome;
  switchLanguageUrl: string;
  now: Date;
}

const RECIPIENT_TONES: Record<RecipientOutcome, 'ok' | 'bad' | 'warn'> = {
  'issued-to': 'ok',
  'not-issued-to': 'bad',
  'cannot-tell': 'warn',
  'not-an-address': 'warn',
};

export function presentVerifyPage(d: VerifyPageData): PageModel {
  const t = translator(d.lang);
  const report = d.report;
  const display = report?.display;
  return {
    lang: d.lang,
    title: t('verify.title'),
    switchLanguageUrl: d.switchLanguageUrl,
    text: d.text ?? '',
    email: d.email ?? '',
    kept: d.kept ? { carried: d.kept.carried, link: d.kept.kind === 'link' ? d.kept.carried : undefined } : undefined,
    problem: d.problem ? t(d.problem.key, d.problem.params) : undefined,
    hasResult: Boolean(report),
    // A badge that is not authentic says nothing reliable about its holder: no invitation to ask.
    askRecipient: Boolean(report && report.verdict !== 'invalid' && report.verdict !== 'issuer-unconfirmed'),
    ...(d.recipient
      ? {
          recipient: {
            answer: d.recipient,
            text: t(`verify.recipient.${d.recipient}`),
            tone: RECIPIENT_TONES[d.recipient],
          },
        }
      : {}),
    ...(report
      ? {
          verdict: presentVerdict(report, t, d.lang),
          checks: presentChecks(report, t, d.lang),
          checkedAt: formatDateTime(d.now, d.lang),
          warnings: report.warnings,
          credential:
            display && (display.name || display.achievementName)
              ? {
                  trusted: display.trusted,
                  name: display.achievementName ?? display.name,
                  issuer: display.issuerName ?? report.issuerId,
                  issuerId: report.issuerId,
                  holder: display.recipientName,
                  issued: formatDate(display.validFrom, d.lang),
                  expires: formatDate(display.validUntil, d.lang),
                  // Images of foreign badges are never fetched by us, nor shown: they are attacker-chosen URLs.
                }
              : undefined,
        }
      : {}),
  };
}
