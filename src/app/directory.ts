import { OB_V3P0_3_0_3, VC_V2 } from '../engine/model/contexts.js';
import { readDirectory } from '../store/repositories/directory.js';
import type { AchievementRow, OrganisationRow } from '../store/schema.js';
import { achievementDocument } from './achievements.js';
import type { Lang, Localized } from './catalogue.js';
import type { AppContext } from './context.js';
import { endorsementSummaries, withEndorsements, type EndorsementSummary } from './endorsements.js';
import { notFound, ValidationError } from './errors.js';
import { issuerDid, issuerProfile } from './issuers.js';
import { publicBadge, publicIssuer, type PublicBadge, type PublicIssuer } from './public-pages.js';
import { publicPathways, type PathwayView } from './pathways.js';

/**
 * The public directory (issue 14 §1): which organisation awards which competence badge. Built from the
 * organisations that award badges and chose to appear (`in_directory`), and their badges still awarded. The same
 * facts feed the pages (/annuaire, /directory), the JSON feed (GET /api/v1/directory) and the embeddable widget.
 * Nothing here is personal: organisations and badge definitions only.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 50;
/** A search is a few words: longer text is a mistake or an attempt to make the matching expensive. */
const MAX_QUERY_LENGTH = 200;

/** The filters a visitor can combine; every one is optional. */
export interface DirectoryFilter {
  /** Free text, matched word by word, without regard to case or accents. */
  q?: string;
  /** An EntreComp area ("1", "2", "3"). */
  area?: string;
  /** An EntreComp competence ("2.3"). */
  competence?: string;
  /** An EntreComp proficiency level, 1–8: badges aligned at that level (to the chosen competence, if any). */
  level?: number;
  /** An organisation's slug. */
  organisation?: string;
  /** A workshop type code of the catalogue. */
  workshopType?: string;
  page: number;
  pageSize: number;
}

/** A badge as the directory lists it: its public tile, what it means, and in which workshops it is awarded. */
export interface DirectoryBadge extends PublicBadge {
  description: Localized;
  /** The highest EntreComp level among its competences (a badge's "level" for a visitor). */
  level: number | null;
  workshopTypes: string[];
  endorsements: EndorsementSummary[];
  /** The pathways it is part of (src/app/pathways.ts). */
  pathways?: PathwayView[];
}

export interface DirectoryEntry {
  issuer: PublicIssuer & { territory: string | null };
  badges: DirectoryBadge[];
  endorsements: EndorsementSummary[];
}

export interface DirectoryFacts {
  filter: DirectoryFilter;
  /** The organisations matching the filter, on this page. */
  entries: DirectoryEntry[];
  /** Organisations and badges matching the filter, on every page. */
  total: { organisations: number; badges: number };
  pages: number;
  /** What the filters can be set to: the values present in the directory. */
  options: { organisations: { slug: string; name: string }[]; workshopTypes: string[] };
}

type Query = Record<string, unknown>;

function text(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(name, 'give it once, as text');
  return value.trim() || undefined;
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`The directory cannot be filtered by this ${field}: ${message}.`, [{ field, message }]);
}

/**
 * Reads the filters of a request. Strict for the API (a wrong value is the caller's mistake, said in a 422); the
 * pages pass `lenient` so that a mangled link still shows the directory, with the wrong filter left out.
 */
export function readDirectoryFilter(app: AppContext, query: Query, lenient = false): DirectoryFilter {
  const filter: DirectoryFilter = { page: 1, pageSize: DEFAULT_PAGE_SIZE };
  const read = (name: string, apply: (value: string) => void) => {
    try {
      const value = text(query, name);
      if (value !== undefined) apply(value);
    } catch (error) {
      if (!lenient) throw error;
    }
  };
  const { entrecomp } = app.catalogue;
  read('q', (v) => {
    if (v.length > MAX_QUERY_LENGTH) throw invalid('q', `at most ${MAX_QUERY_LENGTH} characters`);
    filter.q = v;
  });
  read('area', (v) => {
    if (!entrecomp.areas.some((a) => a.code === v)) throw invalid('area', 'an EntreComp area is 1, 2 or 3');
    filter.area = v;
  });
  read('competence', (v) => {
    if (!app.catalogue.competence(v)) throw invalid('competence', 'an EntreComp competence is like "2.3"');
    filter.competence = v;
  });
  read('level', (v) => {
    const level = Number(v);
    if (!/^[1-8]$/.test(v) || !app.catalogue.level(level)) throw invalid('level', 'a level is a number from 1 to 8');
    filter.level = level;
  });
  read('organisation', (v) => {
    if (!/^[a-z0-9-]{1,64}$/.test(v)) throw invalid('organisation', "an organisation is named by its page's slug");
    filter.organisation = v;
  });
  read('workshopType', (v) => {
    if (!/^[a-z0-9_-]{1,64}$/i.test(v)) throw invalid('workshopType', 'a workshop type is a code of the catalogue');
    filter.workshopType = v;
  });
  read('page', (v) => {
    if (!/^[1-9]\d{0,5}$/.test(v)) throw invalid('page', 'a page is a number from 1');
    filter.page = Number(v);
  });
  read('pageSize', (v) => {
    if (!/^\d{1,3}$/.test(v) || Number(v) < 1 || Number(v) > MAX_PAGE_SIZE)
      throw invalid('pageSize', `from 1 to ${MAX_PAGE_SIZE}`);
    filter.pageSize = Number(v);
  });
  return filter;
}

/** Lower case, accents removed: "Créer" matches "creer". */
function folded(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function matchesWords(haystack: string, words: string[]): boolean {
  return words.every((word) => haystack.includes(word));
}

interface Candidate {
  org: OrganisationRow;
  row: AchievementRow;
  badge: PublicBadge;
  workshopTypes: string[];
}

function badgeText(app: AppContext, c: Candidate): string {
  const competences = c.badge.competences.flatMap(({ code }) => {
    const competence = app.catalogue.competence(code);
    return competence ? [code, competence.name.fr, competence.name.en] : [code];
  });
  return folded(
    [c.row.name_fr, c.row.name_en, c.row.description_fr, c.row.description_en, ...competences, c.row.tags].join(' '),
  );
}

function orgText(org: OrganisationRow): string {
  return folded([org.name, org.description ?? '', org.territory ?? ''].join(' '));
}

/** Whether a badge passes the filters about badges (area, competence, level, workshop type). */
function badgeFiltersPass(app: AppContext, c: Candidate, filter: DirectoryFilter): boolean {
  const refs = c.badge.competences;
  if (filter.area && !refs.some((r) => app.catalogue.competence(r.code)?.area === filter.area)) return false;
  if (filter.competence && !refs.some((r) => r.code === filter.competence)) return false;
  if (filter.level !== undefined) {
    const atLevel = refs.some(
      (r) => r.level === filter.level && (filter.competence === undefined || r.code === filter.competence),
    );
    if (!atLevel) return false;
  }
  if (filter.workshopType && !c.workshopTypes.includes(filter.workshopType)) return false;
  return true;
}

/** The directory's organisations and badges that match, every page together (the pages and the feed cut it). */
async function matching(app: AppContext, filter: DirectoryFilter) {
  const rows = await readDirectory(app.db);
  const words = filter.q ? folded(filter.q).split(/\s+/).filter(Boolean) : [];
  const byOrg = new Map(rows.organisations.map((org) => [org.id, [] as Candidate[]]));
  const orgs = new Map(rows.organisations.map((org) => [org.id, org]));
  for (const row of rows.achievements) {
    const org = orgs.get(row.organisation_id)!;
    // A badge copied from the catalogue is meant for the catalogue's workshop types, awarded in any yet or not.
    const planned = row.catalogue_key ? (app.catalogue.badge(row.catalogue_key)?.workshopTypes ?? []) : [];
    const workshopTypes = [...new Set([...planned, ...(rows.workshopTypes.get(row.id) ?? [])])].sort();
    byOrg.get(org.id)!.push({ org, row, badge: publicBadge(app, row, org), workshopTypes });
  }
  const badgeFiltered = Boolean(filter.area || filter.competence || filter.level || filter.workshopType);
  const found: { org: OrganisationRow; badges: Candidate[] }[] = [];
  for (const org of rows.organisations) {
    if (filter.organisation && org.slug !== filter.organisation) continue;
    const candidates = byOrg.get(org.id)!.filter((c) => badgeFiltersPass(app, c, filter));
    // The organisation's own words match: all its (filtered) badges come along; otherwise only the badges that match.
    const orgMatches = matchesWords(orgText(org), words);
    const badges = orgMatches ? candidates : candidates.filter((c) => matchesWords(badgeText(app, c), words));
    if (badges.length > 0 || (orgMatches && !badgeFiltered)) found.push({ org, badges });
  }
  const workshopTypes = new Set([...byOrg.values()].flatMap((cs) => cs.flatMap((c) => c.workshopTypes)));
  return { found, organisations: rows.organisations, workshopTypes: [...workshopTypes].sort() };
}

function highestLevel(badge: PublicBadge): number | null {
  return badge.competences.length > 0 ? Math.max(...badge.competences.map((c) => c.level)) : null;
}

export async function directoryFacts(app: AppContext, filter: DirectoryFilter): Promise<DirectoryFacts> {
  const { found, organisations, workshopTypes } = await matching(app, filter);
  const start = (filter.page - 1) * filter.pageSize;
  const entries: DirectoryEntry[] = [];
  for (const { org, badges } of found.slice(start, start + filter.pageSize)) {
    entries.push({
      issuer: { ...publicIssuer(app, org), territory: org.territory },
      endorsements: await endorsementSummaries(app, [issuerDid(app, org)]),
      badges: await Promise.all(
        badges.map(async (c) => ({
          ...c.badge,
          description: { fr: c.row.description_fr, en: c.row.description_en },
          level: highestLevel(c.badge),
          workshopTypes: c.workshopTypes,
          endorsements: await endorsementSummaries(app, [c.badge.url]),
          pathways: await publicPathways(app, [c.row.id]),
        })),
      ),
    });
  }
  return {
    filter,
    entries,
    total: { organisations: found.length, badges: found.reduce((n, f) => n + f.badges.length, 0) },
    pages: Math.max(1, Math.ceil(found.length / filter.pageSize)),
    options: {
      organisations: organisations.map((o) => ({ slug: o.slug, name: o.name })),
      workshopTypes,
    },
  };
}

/**
 * GET /api/v1/directory: the same content for the Métropole's and the Région's websites, with each organisation as
 * an OB 3.0 Profile and each badge as an OB 3.0 Achievement (with their endorsements), as a credential would carry
 * them. `lang` chooses the language of the Achievements' texts.
 */
export async function directoryFeed(app: AppContext, filter: DirectoryFilter, lang: Lang) {
  const { found } = await matching(app, filter);
  const start = (filter.page - 1) * filter.pageSize;
  const organisations = [];
  for (const { org, badges } of found.slice(start, start + filter.pageSize)) {
    organisations.push({
      profile: await withEndorsements(app, issuerProfile(app, org)),
      pageUrl: app.ids.issuerPage(org.slug),
      territory: org.territory,
      badges: await Promise.all(
        badges.map(async (c) => ({
          achievement: await withEndorsements(app, achievementDocument(app, c.row, lang)),
          imageUrl: c.badge.imageUrl,
          workshopTypes: c.workshopTypes,
        })),
      ),
    });
  }
  return {
    '@context': [VC_V2, OB_V3P0_3_0_3],
    page: filter.page,
    pageSize: filter.pageSize,
    total: { organisations: found.length, badges: found.reduce((n, f) => n + f.badges.length, 0) },
    organisations,
  };
}

/** The widget an organisation embeds on its own website: its badges, nothing else. */
export async function widgetFacts(app: AppContext, slug: string): Promise<DirectoryEntry> {
  const facts = await directoryFacts(app, { organisation: slug, page: 1, pageSize: 1 });
  const entry = facts.entries[0];
  if (!entry) throw notFound('Organisation in the directory');
  return entry;
}
