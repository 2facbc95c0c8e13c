import type { VerificationReport } from '../../engine/verify/report.js';
import { formatDate, formatDateTime, translator, type Lang } from '../i18n.js';
import type { PageModel } from '../render.js';
import { presentChecks, presentVerdict } from './report.js';

export interface VerifyPageData {
  lang: Lang;
  report?: VerificationReport;
  /** A problem with the request itself (nothing given, file too large, URL unreachable). */
  problem?: { key: string; params?: Record<string, string> };
  url?: string;
  switchLanguageUrl: string;
  now: Date;
}

export function presentVerifyPage(d: VerifyPageData): PageModel {
  const t = translator(d.lang);
  const report = d.report;
  const display = report?.display;
  return {
    lang: d.lang,
    title: t('verify.title'),
    switchLanguageUrl: d.switchLanguageUrl,
    url: d.url ?? '',
    problem: d.problem ? t(d.problem.key, d.problem.params) : undefined,
    hasResult: Boolean(report),
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
