import type { Catalogue, CompetenceRef } from '../../app/catalogue.js';
import type { VerificationReport } from '../../engine/verify/report.js';
import { formatDate, formatDateTime, translator, type Lang } from '../i18n.js';
import { renderMarkdown } from '../markdown.js';
import { jsonForScript, type PageModel } from '../render.js';
import { erasedVerdict, presentChecks, presentVerdict } from './report.js';

/** Everything the badge page shows, as plain data gathered by the route. */
export interface CredentialPageData {
  lang: Lang;
  url: string;
  credentialId: string;
  credential: Record<string, unknown> | undefined;
  report: VerificationReport | undefined;
  achievement: {
    name: string;
    description: string;
    criteria: string;
    achievementType: string;
    competences: CompetenceRef[];
    imageUrl: string;
    register?: 'reconnaissance' | 'competence';
  };
  issuer: {
    name: string;
    url: string | null;
    logoUrl: string | null;
    linkedinOrganizationId: string | null;
    profileUrl: string;
  };
  holderName: string | undefined;
  issuedAt: string;
  validUntil: string | null;
  revokedAt: string | null;
  erased: boolean;
  /**
   * The signed files (png, svg, json, jwt) only when the visibility rule lets anyone have them; `holderOnly` when
   * they exist for their holder only (they carry a name she chose not to show).
   */
  downloads: { ob2: string; png?: string; svg?: string; json?: string; jwt?: string; holderOnly: boolean };
  qrSvg: string;
  verifyPageUrl: string;
  switchLanguageUrl: string;
  now: Date;
  catalogue: Catalogue;
}

function linkedinAddUrl(d: CredentialPageData): string {
  const params = new URLSearchParams({ startTask: 'CERTIFICATION_NAME', name: d.achievement.name });
  if (d.issuer.linkedinOrganizationId) params.set('organizationId', d.issuer.linkedinOrganizationId);
  else params.set('organizationName', d.issuer.name);
  const issued = new Date(d.issuedAt);
  params.set('issueYear', String(issued.getUTCFullYear()));
  params.set('issueMonth', String(issued.getUTCMonth() + 1));
  if (d.validUntil) {
    const until = new Date(d.validUntil);
    params.set('expirationYear', String(until.getUTCFullYear()));
    params.set('expirationMonth', String(until.getUTCMonth() + 1));
  }
  params.set('certUrl', d.url);
  params.set('certId', d.credentialId);
  return `https://www.linkedin.com/profile/add?${params.toString()}`;
}

function evidenceOf(
  credential: Record<string, unknown> | undefined,
): { name?: string; narrativeHtml?: string; url?: string }[] {
  const evidence = Array.isArray(credential?.evidence) ? (credential.evidence as Record<string, unknown>[]) : [];
  return evidence.map((e) => ({
    ...(typeof e.name === 'string' ? { name: e.name } : {}),
    ...(typeof e.narrative === 'string' ? { narrativeHtml: renderMarkdown(e.narrative) } : {}),
    ...(typeof e.id === 'string' && /^https:\/\//.test(e.id) ? { url: e.id } : {}),
  }));
}

export function presentCredentialPage(d: CredentialPageData): PageModel {
  const t = translator(d.lang);
  const badge = d.achievement.name;
  const verdict = d.erased
    ? erasedVerdict(t)
    : d.report
      ? presentVerdict(d.report, t, d.lang, d.revokedAt)
      : erasedVerdict(t);
  const withdrawn = d.revokedAt !== null || d.erased;
  const shareText = t('actions.shareText', { badge, issuer: d.issuer.name });
  const encodedUrl = encodeURIComponent(d.url);
  const competences = d.achievement.competences.map(({ code, level }) => {
    const competence = d.catalogue.competence(code);
    const levelInfo = d.catalogue.level(level);
    return {
      code,
      level,
      text: t('badge.competence', {
        competence: competence?.name[d.lang] ?? code,
        level,
        levelName: levelInfo?.name[d.lang] ?? '',
      }),
      hint: competence?.hint[d.lang],
    };
  });
  const schemaOrg = {
    '@context': 'https://schema.org',
    '@type': 'EducationalOccupationalCredential',
    name: badge,
    description: d.achievement.description,
    url: d.url,
    credentialCategory: d.achievement.achievementType,
    recognizedBy: { '@type': 'Organization', name: d.issuer.name, ...(d.issuer.url ? { url: d.issuer.url } : {}) },
    ...(competences.length > 0 ? { competencyRequired: competences.map((c) => c.text) } : {}),
    dateCreated: d.issuedAt,
    ...(d.validUntil ? { expires: d.validUntil } : {}),
    image: d.achievement.imageUrl,
  };
  return {
    lang: d.lang,
    title: t('badge.pageTitle', { badge, issuer: d.issuer.name }),
    canonicalUrl: d.url,
    switchLanguageUrl: d.switchLanguageUrl,
    og: {
      title: badge,
      description: `${d.issuer.name} — ${d.achievement.description}`.slice(0, 300),
      image: d.achievement.imageUrl,
      url: d.url,
    },
    schemaOrgHtml: withdrawn ? undefined : jsonForScript(schemaOrg),
    verdict,
    checks: d.report && !d.erased ? presentChecks(d.report, t, d.lang) : [],
    checkedAt: formatDateTime(d.now, d.lang),
    badge: {
      name: badge,
      imageUrl: d.achievement.imageUrl,
      imageAlt: t('badge.imageAlt', { badge }),
      descriptionHtml: renderMarkdown(d.achievement.description),
      criteriaHtml: renderMarkdown(d.achievement.criteria),
      register: d.achievement.register ? t(`badge.register.${d.achievement.register}`) : undefined,
      competences,
      attribution: competences.length > 0 ? t('badge.attribution') : undefined,
    },
    issuer: { ...d.issuer, logoAlt: t('badge.issuerLogoAlt', { issuer: d.issuer.name }) },
    // A withdrawn badge's page keeps no personal data.
    holderName: withdrawn ? undefined : d.holderName,
    issuedOn: formatDate(d.issuedAt, d.lang),
    expiresOn: formatDate(d.validUntil, d.lang),
    evidence: withdrawn ? [] : evidenceOf(d.credential),
    showActions: !withdrawn,
    downloads: d.downloads,
    qrSvgHtml: d.qrSvg,
    linkedinAddUrl: linkedinAddUrl(d),
    share: {
      linkedin: `https://www.linkedin.com/sharing/share-offsite/?url=${encodedUrl}`,
      x: `https://twitter.com/intent/tweet?url=${encodedUrl}&text=${encodeURIComponent(shareText)}`,
      facebook: `https://www.facebook.com/sharer/sharer.php?u=${encodedUrl}`,
      mastodon: `https://mastodonshare.com/?url=${encodedUrl}&text=${encodeURIComponent(shareText)}`,
      email: `mailto:?subject=${encodeURIComponent(badge)}&body=${encodeURIComponent(`${shareText}\n${d.url}`)}`,
    },
    url: d.url,
    verifyPageUrl: d.verifyPageUrl,
  };
}
