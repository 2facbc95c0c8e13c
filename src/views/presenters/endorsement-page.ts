import type { EndorsementPageFacts } from '../../app/endorsements.js';
import { formatDate } from '../dates.js';
import { hasKey, translator, type Lang } from '../i18n.js';
import type { PageModel } from '../render.js';
import { presentVerdict } from './report.js';

export interface EndorsementPageData {
  lang: Lang;
  facts: EndorsementPageFacts;
  verifyPageUrl: string;
  switchLanguageUrl: string;
}

/** The endorsement's page: who vouches for what, in their words, and whether it still stands. */
export function presentEndorsementPage(d: EndorsementPageData): PageModel {
  const t = translator(d.lang);
  const { view, report } = d.facts;
  const verdict = presentVerdict(report, t, d.lang, view.revokedAt);
  // The badge-oriented verdict titles ("Ce badge est valide") are replaced by ones about an endorsement.
  const own = `endorsement.verdict.${report.verdict}`;
  const subject = d.facts.subjectName[d.lang];
  return {
    lang: d.lang,
    title: t('endorsement.pageTitle', { endorser: view.endorser.name, subject }),
    heading: t(`endorsement.heading.${view.subject.type}`, { endorser: view.endorser.name, subject }),
    verdict: {
      ...verdict,
      title: view.revokedAt
        ? t('endorsement.verdict.withdrawnOn', { date: formatDate(view.revokedAt, d.lang) })
        : hasKey(own)
          ? t(own)
          : verdict.title,
      detail: hasKey(`${own}.detail`) ? t(`${own}.detail`) : verdict.detail,
    },
    endorser: view.endorser,
    comment: view.comment,
    subject: { name: subject, url: d.facts.subjectUrl, kind: t(`endorsement.subjectKind.${view.subject.type}`) },
    signedOn: formatDate(view.createdAt, d.lang),
    downloads: { json: `${view.url}?format=json`, jwt: `${view.url}?format=jwt` },
    canonicalUrl: view.url,
    verifyPageUrl: d.verifyPageUrl,
    switchLanguageUrl: d.switchLanguageUrl,
  };
}
