import { findAchievement, listAchievements } from '../store/repositories/achievements.js';
import { findOrganisation, findOrganisationBySlug, listOrganisations } from '../store/repositories/organisations.js';
import type { AchievementRow, OrganisationRow } from '../store/schema.js';
import { isUuid } from '../shared/uuid.js';
import { toView } from './achievements.js';
import type { CompetenceRef, EntreComp, Localized } from './catalogue.js';
import type { AppContext } from './context.js';
import { endorsementSummaries, type EndorsementSummary } from './endorsements.js';
import { notFound } from './errors.js';
import { issuerDid } from './issuers.js';
import { publicPathways, type PathwayView } from './pathways.js';

/**
 * What the public pages behind Blason's identifiers show, as plain data: an issuer's profile, a badge definition,
 * and the EntreComp referential that every alignment points to. Anyone may read them: nothing here is personal.
 */

/** An organisation as its public page presents it. */
export interface PublicIssuer {
  name: string;
  slug: string;
  /** Its page on Blason (the address its badges name), whatever website it has elsewhere. */
  pageUrl: string;
  description: string | null;
  website: string | null;
  email: string | null;
  logoUrl: string | null;
}

/** A badge definition as a line of a list: enough to recognise it and follow the link. */
export interface PublicBadge {
  id: string;
  url: string;
  name: Localized;
  /** The PNG image, without a language: the page adds its own. */
  imageUrl: string;
  competences: CompetenceRef[];
  issuer: { name: string; pageUrl: string };
}

export interface IssuerPageFacts {
  issuer: PublicIssuer;
  /** The badges it awards today (archived ones are no longer awarded, so not offered). */
  badges: PublicBadge[];
  /** "Recognised by …": endorsements of the organisation standing now. */
  endorsements: EndorsementSummary[];
}

export interface AchievementPageFacts {
  badge: PublicBadge & { description: Localized; criteria: Localized; achievementType: string; archived: boolean };
  issuer: PublicIssuer;
  /** Endorsements of the badge definition and of its issuer, standing now. */
  endorsements: EndorsementSummary[];
  /** The pathways this badge is part of (src/app/pathways.ts), each with its pathway badge's page. */
  pathways: PathwayView[];
}

type Competence = EntreComp['competences'][number];
type Level = EntreComp['levels'][number];

export interface ReferentialFacts {
  url: string;
  framework: EntreComp['framework'];
  areas: { code: string; name: Localized; competences: (Competence & { url: string; badgeCount: number })[] }[];
  levels: Level[];
}

export interface CompetencePageFacts {
  framework: EntreComp['framework'];
  area: { code: string; name: Localized };
  competence: Competence;
  url: string;
  /** The 8 levels, each with the badges of the directory aligned to this competence at that level. */
  levels: (Level & { url: string; badges: PublicBadge[] })[];
}

export function publicIssuer(app: AppContext, org: OrganisationRow): PublicIssuer {
  return {
    name: org.name,
    slug: org.slug,
    pageUrl: app.ids.issuerPage(org.slug),
    description: org.description,
    website: org.url,
    email: org.email,
    logoUrl: org.logo_image_id ? app.ids.image(org.logo_image_id) : null,
  };
}

export function publicBadge(app: AppContext, row: AchievementRow, org: OrganisationRow): PublicBadge {
  const view = toView(app, row);
  return {
    id: row.id,
    url: view.url,
    name: view.name,
    imageUrl: app.ids.achievementImage(row.id, 'png'),
    competences: view.competences,
    issuer: { name: org.name, pageUrl: app.ids.issuerPage(org.slug) },
  };
}

/** The badges of every organisation that are still awarded, with their issuer. */
async function directory(app: AppContext): Promise<PublicBadge[]> {
  const orgs = new Map((await listOrganisations(app.db)).map((org) => [org.id, org]));
  const rows = await listAchievements(app.db, { includeArchived: false });
  return rows.flatMap((row) => {
    const org = orgs.get(row.organisation_id);
    return org ? [publicBadge(app, row, org)] : [];
  });
}

export async function issuerPageFacts(app: AppContext, slug: string): Promise<IssuerPageFacts> {
  const org = await findOrganisationBySlug(app.db, slug);
  if (!org) throw notFound('Issuer');
  const rows = await listAchievements(app.db, { organisationId: org.id, includeArchived: false });
  return {
    issuer: publicIssuer(app, org),
    badges: rows.map((row) => publicBadge(app, row, org)),
    endorsements: await endorsementSummaries(app, [issuerDid(app, org)]),
  };
}

/**
 * A badge definition's page. An archived badge keeps its page: badges awarded before still point to it, and the
 * page says it is no longer awarded.
 */
export async function achievementPageFacts(app: AppContext, id: string): Promise<AchievementPageFacts> {
  const row = isUuid(id) ? await findAchievement(app.db, id) : undefined;
  if (!row) throw notFound('Badge');
  const org = (await findOrganisation(app.db, row.organisation_id))!;
  const view = toView(app, row);
  return {
    badge: {
      ...publicBadge(app, row, org),
      description: view.description,
      criteria: view.criteria,
      achievementType: view.achievementType,
      archived: view.archived,
    },
    issuer: publicIssuer(app, org),
    endorsements: await endorsementSummaries(app, [view.url, issuerDid(app, org)]),
    pathways: await publicPathways(app, [row.id]),
  };
}

export async function referentialFacts(app: AppContext): Promise<ReferentialFacts> {
  const { entrecomp } = app.catalogue;
  const badges = await directory(app);
  return {
    url: app.ids.referential(),
    framework: entrecomp.framework,
    areas: entrecomp.areas.map((area) => ({
      ...area,
      competences: entrecomp.competences
        .filter((c) => c.area === area.code)
        .map((c) => ({
          ...c,
          url: app.ids.competence(c.code),
          badgeCount: badges.filter((b) => b.competences.some((ref) => ref.code === c.code)).length,
        })),
    })),
    levels: entrecomp.levels,
  };
}

/** One competence, its 8 levels and the badges aligned to each: where every alignment's `targetUrl` leads. */
export async function competencePageFacts(app: AppContext, code: string): Promise<CompetencePageFacts> {
  const competence = app.catalogue.competence(code);
  if (!competence) throw notFound('EntreComp competence');
  const { entrecomp } = app.catalogue;
  const area = entrecomp.areas.find((a) => a.code === competence.area)!;
  const aligned = (await directory(app)).filter((b) => b.competences.some((ref) => ref.code === code));
  return {
    framework: entrecomp.framework,
    area,
    competence,
    url: app.ids.competence(code),
    levels: entrecomp.levels.map((level) => ({
      ...level,
      url: app.ids.competence(code, level.level),
      badges: aligned.filter((b) => b.competences.some((ref) => ref.code === code && ref.level === level.level)),
    })),
  };
}
