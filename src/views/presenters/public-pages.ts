import type {
  AchievementPageFacts,
  CompetencePageFacts,
  IssuerPageFacts,
  PublicBadge,
  PublicIssuer,
  ReferentialFacts,
} from '../../app/public-pages.js';
import type { Catalogue, CompetenceRef } from '../../app/catalogue.js';
import type { EndorsementSummary } from '../../app/endorsements.js';
import { translator, type Lang, type Translate } from '../i18n.js';
import { renderMarkdown } from '../markdown.js';
import type { PageModel } from '../render.js';
import { badgeKindLabel } from './badge-kinds.js';
import { presentMemberships } from './pathways.js';

/**
 * The public pages behind an issuer's and a badge's identifiers, and the EntreComp referential their alignments
 * point to. Every link to a competence is the very address signed into badges (`targetUrl`).
 */

export interface PublicPageContext {
  lang: Lang;
  switchLanguageUrl: string;
  catalogue: Catalogue;
  /** Builds the referential's address of a competence, or of one of its levels (app.ids.competence). */
  competenceUrl: (code: string, level?: number) => string;
}

/** The address the referential lists itself at: relative, so that it follows whichever host serves the page. */
export const REFERENTIAL_PATH = '/referentiels/entrecomp';

export function competenceLines(ctx: PublicPageContext, t: Translate, competences: CompetenceRef[]) {
  return competences.map(({ code, level }) => {
    const competence = ctx.catalogue.competence(code);
    return {
      code,
      level,
      url: ctx.competenceUrl(code, level),
      text: t('badge.competence', {
        competence: competence?.name[ctx.lang] ?? code,
        level,
        levelName: ctx.catalogue.level(level)?.name[ctx.lang] ?? '',
      }),
    };
  });
}

export function badgeTile(ctx: PublicPageContext, t: Translate, badge: PublicBadge) {
  return {
    url: badge.url,
    name: badge.name[ctx.lang],
    imageUrl: `${badge.imageUrl}?lang=${ctx.lang}`,
    issuer: badge.issuer,
    competences: competenceLines(ctx, t, badge.competences),
  };
}

function byName<T extends { name: string }>(items: T[], lang: Lang): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name, lang));
}

export function issuerModel(issuer: PublicIssuer, t: Translate) {
  return {
    ...issuer,
    logoAlt: t('publicPages.issuer.logoAlt', { issuer: issuer.name }),
    descriptionHtml: issuer.description ? renderMarkdown(issuer.description) : undefined,
    mailto: issuer.email ? `mailto:${issuer.email}` : undefined,
  };
}

export function endorsementLines(endorsements: EndorsementSummary[]) {
  return endorsements.map((e) => ({ endorser: e.endorser, comment: e.comment, url: e.url }));
}

export function presentIssuerPage(ctx: PublicPageContext, facts: IssuerPageFacts): PageModel {
  const t = translator(ctx.lang);
  return {
    lang: ctx.lang,
    title: t('publicPages.issuer.title', { issuer: facts.issuer.name }),
    description: facts.issuer.description ?? t('publicPages.issuer.title', { issuer: facts.issuer.name }),
    canonicalUrl: facts.issuer.pageUrl,
    jsonUrl: `${facts.issuer.pageUrl}?format=json`,
    switchLanguageUrl: ctx.switchLanguageUrl,
    issuer: issuerModel(facts.issuer, t),
    badges: byName(
      facts.badges.map((b) => badgeTile(ctx, t, b)),
      ctx.lang,
    ),
    endorsements: endorsementLines(facts.endorsements),
    referentialUrl: REFERENTIAL_PATH,
  };
}

export function presentAchievementPage(ctx: PublicPageContext, facts: AchievementPageFacts): PageModel {
  const t = translator(ctx.lang);
  const { badge, issuer } = facts;
  const name = badge.name[ctx.lang];
  const competences = competenceLines(ctx, t, badge.competences);
  return {
    lang: ctx.lang,
    title: t('publicPages.achievement.title', { badge: name, issuer: issuer.name }),
    description: badge.description[ctx.lang],
    canonicalUrl: badge.url,
    jsonUrl: `${badge.url}?format=json`,
    switchLanguageUrl: ctx.switchLanguageUrl,
    badge: {
      name,
      imageUrl: `${badge.imageUrl}?lang=${ctx.lang}`,
      imageAlt: t('badge.imageAlt', { badge: name }),
      kind: badgeKindLabel(badge.achievementType, ctx.lang),
      descriptionHtml: renderMarkdown(badge.description[ctx.lang]),
      criteriaHtml: renderMarkdown(badge.criteria[ctx.lang]),
      archived: badge.archived,
      competences,
      attribution: competences.length > 0 ? t('badge.attribution') : undefined,
    },
    issuer: issuerModel(issuer, t),
    endorsements: endorsementLines(facts.endorsements),
    pathways: presentMemberships(facts.pathways, ctx.lang),
    referentialUrl: REFERENTIAL_PATH,
  };
}

function levelWords(t: Translate, lang: Lang, level: ReferentialFacts['levels'][number]) {
  return {
    level: level.level,
    heading: t('publicPages.level.heading', { level: level.level, name: level.name[lang] }),
    category: level.category[lang],
    autonomy: level.autonomy[lang],
  };
}

export function presentReferentialPage(ctx: PublicPageContext, facts: ReferentialFacts): PageModel {
  const t = translator(ctx.lang);
  return {
    lang: ctx.lang,
    title: t('publicPages.referential.title'),
    description: t('publicPages.referential.intro'),
    canonicalUrl: facts.url,
    switchLanguageUrl: ctx.switchLanguageUrl,
    framework: facts.framework.name[ctx.lang],
    attribution: facts.framework.attribution[ctx.lang],
    areas: facts.areas.map((area) => ({
      code: area.code,
      name: area.name[ctx.lang],
      competences: area.competences.map((c) => ({
        code: c.code,
        name: c.name[ctx.lang],
        hint: c.hint[ctx.lang],
        url: c.url,
        badgeCount:
          c.badgeCount === 0
            ? t('publicPages.referential.noBadge')
            : t(c.badgeCount === 1 ? 'publicPages.referential.oneBadge' : 'publicPages.referential.badges', {
                count: c.badgeCount,
              }),
      })),
    })),
    levels: facts.levels.map((level) => levelWords(t, ctx.lang, level)),
  };
}

export function presentCompetencePage(ctx: PublicPageContext, facts: CompetencePageFacts): PageModel {
  const t = translator(ctx.lang);
  const { competence } = facts;
  const name = competence.name[ctx.lang];
  return {
    lang: ctx.lang,
    title: t('publicPages.competence.title', { code: competence.code, competence: name }),
    description: competence.hint[ctx.lang],
    canonicalUrl: facts.url,
    switchLanguageUrl: ctx.switchLanguageUrl,
    referentialUrl: REFERENTIAL_PATH,
    // Badges of every organisation meet here: each says who awards it.
    showIssuer: true,
    area: { code: facts.area.code, name: facts.area.name[ctx.lang] },
    competence: {
      code: competence.code,
      name,
      hint: competence.hint[ctx.lang],
      description: competence.description[ctx.lang],
    },
    levels: facts.levels.map((level) => ({
      ...levelWords(t, ctx.lang, level),
      anchor: new URL(level.url).hash.slice(1),
      badges: byName(
        level.badges.map((b) => badgeTile(ctx, t, b)),
        ctx.lang,
      ),
    })),
    attribution: facts.framework.attribution[ctx.lang],
  };
}
