import type { Catalogue, CompetenceRef } from '../../app/catalogue.js';
import type { VerificationReport } from '../../engine/verify/report.js';
import { formatDate, formatDateTime, translator, type Lang } from '../i18n.js';
import { renderMarkdown } from '../markdown.js';
import { jsonForScript, type PageModel } from '../render.js';
import { erasedVerdict, presentChecks, presentVerdict } from './report.js';
import { linkedinAddUrl, shareLinks, type ShareFacts } from './share.js';

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
  /** The referential's page of a competence at a level: the address signed into the badge's alignment. */
  competenceUrl?: (code: string, level: number) => string;
  holderName: string | undefined;
  issuedAt: string;
  validUntil: string | null;
  revokedAt: string | null;
  erased: boolean;
  /**
   * The signed files (png, svg, json, jwt) only when the visibility rule lets anyone have them; `holderOnly` when
   * they exist for their holder only (they carry a name she chose not to show).
   */
  downloads: {
    /** Absent on her own view of a badge she hid: the 2.0 assertion is public, so it is withdrawn too. */
    ob2?: string;
    pdf: string;
    png?: string;
    svg?: string;
    json?: string;
    jwt?: string;
    holderOnly: boolean;
  };
  /** Set when the viewer is the badge's holder, signed in: `hidden` when she made it private. */
  owner?: { hidden: boolean };
  qrSvg: string;
  verifyPageUrl: string;
  switchLanguageUrl: string;
  now: Date;
  catalogue: Catalogue;
  /** "Reconnu par …": partners' endorsements standing now, each linking to its own page. */
  endorsements?: { endorser: string; comment: string; url: string }[];
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
  const sharing: ShareFacts = {
    url: d.url,
    badgeName: badge,
    issuerName: d.issuer.name,
    linkedinOrganizationId: d.issuer.linkedinOrganizationId,
    issuedAt: d.issuedAt,
    validUntil: d.validUntil,
  };
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
      url: competence ? d.competenceUrl?.(code, level) : undefined,
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
    endorsements: d.endorsements ?? [],
    showActions: !withdrawn,
    downloads: d.downloads,
    qrSvgHtml: d.qrSvg,
    linkedinAddUrl: linkedinAddUrl(sharing),
    share: shareLinks(sharing, t),
    // The holder herself, signed in: a way back to her space, and whether the public can see this page.
    owner: d.owner,
    url: d.url,
    verifyPageUrl: d.verifyPageUrl,
  };
}
