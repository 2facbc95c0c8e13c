import type { DirectoryBadge, DirectoryEntry, DirectoryFacts, DirectoryFilter } from '../../app/directory.js';
import { translator, type Translate } from '../i18n.js';
import { renderMarkdown } from '../markdown.js';
import type { PageModel } from '../render.js';
import { badgeTile, endorsementLines, issuerModel, type PublicPageContext } from './public-pages.js';
import { presentMemberships } from './pathways.js';

/**
 * The public directory's page (/annuaire in French, /directory in English) and the widget an organisation embeds:
 * plain data from src/app/directory.ts turned into words. The filters are a GET form: the page works without
 * JavaScript, and every filtered view has its own address to share.
 */

export const DIRECTORY_PATHS = { fr: '/annuaire', en: '/directory' } as const;

/** The query string of a filter, without the defaults, for links that keep the visitor's choices. */
export function filterQuery(filter: DirectoryFilter, changes: Partial<DirectoryFilter> = {}): string {
  const merged = { ...filter, ...changes };
  const params = new URLSearchParams();
  for (const key of ['q', 'area', 'competence', 'level', 'organisation', 'workshopType'] as const) {
    const value = merged[key];
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  if (merged.page > 1) params.set('page', String(merged.page));
  const query = params.toString();
  return query ? `?${query}` : '';
}

function workshopTypeName(ctx: PublicPageContext, code: string): string {
  return ctx.catalogue.workshopTypes.find((w) => w.code === code)?.name[ctx.lang] ?? code;
}

function badgeModel(ctx: PublicPageContext, t: Translate, badge: DirectoryBadge) {
  return {
    ...badgeTile(ctx, t, badge),
    level: badge.level ? t('directory.level', { level: badge.level }) : undefined,
    workshopTypes: badge.workshopTypes.map((code) => workshopTypeName(ctx, code)).join(', '),
    endorsements: endorsementLines(badge.endorsements),
    pathways: presentMemberships(badge.pathways ?? [], ctx.lang),
  };
}

function entryModel(ctx: PublicPageContext, t: Translate, entry: DirectoryEntry) {
  return {
    issuer: { ...issuerModel(entry.issuer, t), territory: entry.issuer.territory },
    badges: entry.badges.map((b) => badgeModel(ctx, t, b)),
    badgeCount: t(entry.badges.length === 1 ? 'directory.oneBadge' : 'directory.badges', {
      count: entry.badges.length,
    }),
    endorsements: endorsementLines(entry.endorsements),
  };
}

function options<T extends string | number>(values: { value: T; label: string }[], selected: T | undefined) {
  return values.map((o) => ({ ...o, selected: o.value === selected }));
}

export function presentDirectoryPage(ctx: PublicPageContext, facts: DirectoryFacts): PageModel {
  const t = translator(ctx.lang);
  const { filter } = facts;
  const path = DIRECTORY_PATHS[ctx.lang];
  const { entrecomp } = ctx.catalogue;
  const filtered = filterQuery({ ...filter, page: 1 }) !== '';
  return {
    lang: ctx.lang,
    title: t('directory.title'),
    description: t('directory.intro'),
    canonicalUrl: path,
    switchLanguageUrl: `${DIRECTORY_PATHS[ctx.lang === 'fr' ? 'en' : 'fr']}${filterQuery(filter)}`,
    action: path,
    filter,
    filtered,
    areas: options(
      entrecomp.areas.map((a) => ({ value: a.code, label: `${a.code}. ${a.name[ctx.lang]}` })),
      filter.area,
    ),
    competences: options(
      entrecomp.competences.map((c) => ({ value: c.code, label: `${c.code} ${c.name[ctx.lang]}` })),
      filter.competence,
    ),
    levels: options(
      entrecomp.levels.map((l) => ({
        value: l.level,
        label: t('directory.levelOption', { level: l.level, name: l.name[ctx.lang] }),
      })),
      filter.level,
    ),
    organisations: options(
      facts.options.organisations.map((o) => ({ value: o.slug, label: o.name })),
      filter.organisation,
    ),
    workshopTypes: options(
      facts.options.workshopTypes.map((code) => ({ value: code, label: workshopTypeName(ctx, code) })),
      filter.workshopType,
    ),
    summary:
      facts.total.organisations === 0
        ? t('directory.none')
        : t('directory.summary', { organisations: facts.total.organisations, badges: facts.total.badges }),
    entries: facts.entries.map((e) => entryModel(ctx, t, e)),
    pagination:
      facts.pages > 1
        ? {
            label: t('directory.page', { page: filter.page, pages: facts.pages }),
            previous: filter.page > 1 ? `${path}${filterQuery(filter, { page: filter.page - 1 })}` : undefined,
            next: filter.page < facts.pages ? `${path}${filterQuery(filter, { page: filter.page + 1 })}` : undefined,
          }
        : undefined,
    feedUrl: `/api/v1/directory${filterQuery(filter)}`,
    referentialUrl: '/referentiels/entrecomp',
  };
}

/** The widget: one organisation's badges, small enough for an <iframe> on its own website. */
export function presentDirectoryWidget(ctx: PublicPageContext, entry: DirectoryEntry): PageModel {
  const t = translator(ctx.lang);
  return {
    lang: ctx.lang,
    title: t('directory.widgetTitle', { issuer: entry.issuer.name }),
    ...entryModel(ctx, t, entry),
    descriptionHtml: entry.issuer.description ? renderMarkdown(entry.issuer.description) : undefined,
  };
}
