import { insertAchievement, updateAchievement } from '../store/repositories/achievements.js';
import { findRecipient } from '../store/repositories/credentials.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import {
  archivePathwayRow,
  awardedBadges,
  badgesOfPathways,
  completedPathwayIds,
  completionCounts,
  findPathway,
  insertCompletion,
  insertPathway,
  keysHolding,
  listPathwayRows,
  liveCredentialsOf,
  pathwaysContaining,
  type CountedCredential,
  type PathwayBadgeRow,
} from '../store/repositories/pathways.js';
import { holdersOf } from '../store/repositories/credentials.js';
import type { AchievementRow, HolderRow, PathwayRow, PathwayRule } from '../store/schema.js';
import { newId } from '../shared/clock.js';
import { isUuid } from '../shared/uuid.js';
import { findAchievementRow } from './achievements.js';
import { recordAudit } from './audit-actions.js';
import { awardWithin, recipientKey, type EvidenceInput } from './award.js';
import type { Lang, Localized } from './catalogue.js';
import type { AppContext } from './context.js';
import { AppError, notFound, ValidationError } from './errors.js';
import { suppressSeries, type Cell } from './indicator-suppression.js';
import { checkInput } from './input-schemas.js';
import { loadIssuer } from './issuers.js';
import { enqueueAwardEmails } from './notifications.js';
import { assertAwardsBadges } from './partners.js';
import { authorize, scopeOf, type Actor } from './policies.js';

/*
 * Pathways (issue 14 §3): a set of badges, possibly of several organisations, with a completion rule (all of
 * them, or N of them, optionally within a period). Whoever completes one receives the pathway badge, a normal
 * OB 3.0 credential of the owner organisation whose evidence lists the badges that completed it. Completion is
 * checked after every award commits (src/app/award.ts calls checkAfterAward) and, for badges awarded before the
 * pathway existed, by a catch-up run. A revoked or suspended badge does not count. One completion per person and
 * pathway (primary key of pathway_completions): checking twice never awards twice.
 */

export interface PathwayBadgeView {
  id: string;
  url: string;
  name: Localized;
  issuerId: string;
  issuerName: string;
  archived: boolean;
}

export interface PathwayView {
  id: string;
  issuerId: string;
  issuerName: string;
  name: Localized;
  description: Localized;
  ordered: boolean;
  rule: PathwayRule;
  /** How many of its badges complete it (all of them for 'all'). */
  requiredCount: number;
  withinDays: number | null;
  /** The pathway badge, awarded on completion. */
  achievementId: string;
  achievementUrl: string;
  badges: PathwayBadgeView[];
  createdAt: string;
}

function localized(input: { fr: string; en?: string }): Localized {
  return { fr: input.fr, en: input.en ?? input.fr };
}

async function views(app: AppContext, rows: PathwayRow[]): Promise<PathwayView[]> {
  const badges = await badgesOfPathways(
    app.db,
    rows.map((r) => r.id),
  );
  const owners = new Map<string, string>();
  for (const id of new Set(rows.map((r) => r.organisation_id)))
    owners.set(id, (await findOrganisation(app.db, id))?.name ?? '');
  return rows.map((row) => ({
    id: row.id,
    issuerId: row.organisation_id,
    issuerName: owners.get(row.organisation_id) ?? '',
    name: { fr: row.name_fr, en: row.name_en },
    description: { fr: row.description_fr, en: row.description_en },
    ordered: row.ordered === 1,
    rule: row.rule,
    requiredCount: row.required_count,
    withinDays: row.within_days,
    achievementId: row.achievement_id,
    achievementUrl: app.ids.achievement(row.achievement_id),
    badges: badges.filter((b) => b.pathway_id === row.id).map((b) => badgeView(app, b)),
    createdAt: row.created_at,
  }));
}

function badgeView(app: AppContext, b: PathwayBadgeRow): PathwayBadgeView {
  return {
    id: b.achievement_id,
    url: app.ids.achievement(b.achievement_id),
    name: { fr: b.name_fr, en: b.name_en },
    issuerId: b.organisation_id,
    issuerName: b.organisation_name,
    archived: b.archived_at !== null,
  };
}

/** Words for the pathway badge's criteria: what the pathway asks, in both languages. */
function criteriaOf(rule: PathwayRule, required: number, withinDays: number | null, names: Localized[]): Localized {
  const list = (lang: Lang) => names.map((n) => `« ${n[lang]} »`).join(', ');
  const fr =
    (rule === 'all' ? `Obtenir les ${names.length} badges du parcours` : `Obtenir ${required} des ${names.length} ` +
      'badges du parcours') +
    (withinDays ? ` en ${withinDays} jours au plus` : '') +
    ` : ${list('fr')}.`;
  const en =
    (rule === 'all' ? `Earn all ${names.length} badges of the pathway` : `Earn ${required} of the ${names.length} ` +
      'badges of the pathway') +
    (withinDays ? ` within ${withinDays} days` : '') +
    `: ${list('en').replaceAll('« ', '“').replaceAll(' »', '”')}.`;
  return { fr, en };
}

/**
 * Creates a pathway and its pathway badge (an achievement of the owner organisation) in one transaction. The
 * badges may belong to any organisation, but must exist and still be awarded (not archived).
 */
export async function createPathway(app: AppContext, actor: Actor, input: unknown): Promise<PathwayView> {
  authorize(actor, 'achievement.write');
  checkInput('pathway-create.json', input);
  const org = await loadIssuer(app, actor, input.issuerId);
  assertAwardsBadges(org);
  const badges: AchievementRow[] = [];
  const problems: { field: string; message: string }[] = [];
  for (const [i, id] of input.badges.entries()) {
    const row = await findAchievementRow(app, id);
    if (!row) problems.push({ field: `badges[${i}]`, message: 'no such badge' });
    else if (row.archived_at) problems.push({ field: `badges[${i}]`, message: 'this badge is archived' });
    else badges.push(row);
  }
  if (problems.length > 0)
    throw new ValidationError('Every badge of a pathway must exist and still be awarded (not archived).', problems);
  const required = input.rule === 'all' ? badges.length : input.requiredCount;
  if (required === undefined || required > badges.length)
    throw new ValidationError(
      `With the rule "count", say how many of the ${badges.length} badges complete the pathway ` +
        `(between 1 and ${badges.length}).`,
      [{ field: 'requiredCount', message: required === undefined ? 'is required' : 'more than the badges' }],
    );
  const withinDays = input.withinDays ?? null;
  const name = localized(input.name);
  const description = input.description
    ? localized(input.description)
    : { fr: `Le parcours « ${name.fr} ».`, en: `The pathway “${name.en}”.` };
  const criteria = criteriaOf(
    input.rule,
    required,
    withinDays,
    badges.map((b) => ({ fr: b.name_fr, en: b.name_en })),
  );
  const at = app.clock.now().toISOString();
  const achievement: AchievementRow = {
    id: newId(),
    organisation_id: org.id,
    catalogue_key: null,
    name_fr: name.fr,
    name_en: name.en,
    description_fr: description.fr,
    description_en: description.en,
    criteria_fr: criteria.fr,
    criteria_en: criteria.en,
    // OB 3.0's word for a set of learning experiences leading to a recognition.
    achievement_type: 'LearningProgram',
    competences: '[]',
    tags: JSON.stringify(['parcours']),
    template: 'hexagon',
    colour: '#0069B4',
    validity_days: null,
    archived_at: null,
    created_at: at,
    updated_at: at,
  };
  const row: PathwayRow = {
    id: newId(),
    organisation_id: org.id,
    name_fr: name.fr,
    name_en: name.en,
    description_fr: description.fr,
    description_en: description.en,
    ordered: input.ordered ? 1 : 0,
    rule: input.rule,
    required_count: required,
    within_days: withinDays,
    achievement_id: achievement.id,
    created_at: at,
    created_by: actor.userId,
    archived_at: null,
  };
  await app.db.transaction().execute(async (trx) => {
    await insertAchievement(trx, achievement);
    await insertPathway(
      trx,
      row,
      badges.map((b, position) => ({ pathway_id: row.id, achievement_id: b.id, position })),
    );
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: org.id,
      action: 'achievement.created',
      targetType: 'achievement',
      targetId: achievement.id,
      details: { pathwayId: row.id },
    });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: org.id,
      action: 'pathway.created',
      targetType: 'pathway',
      targetId: row.id,
      details: { badges: badges.map((b) => b.id), rule: row.rule, requiredCount: required, withinDays },
    });
  });
  return (await views(app, [row]))[0]!;
}

/** Pathways an actor sees: all for the platform, else those its organisation owns or takes part in by a badge. */
export async function listPathways(app: AppContext, actor: Actor): Promise<PathwayView[]> {
  authorize(actor, 'achievement.read');
  return views(app, await listPathwayRows(app.db, scopeOf(actor)));
}

export async function getPathway(app: AppContext, actor: Actor, id: string): Promise<PathwayView> {
  authorize(actor, 'achievement.read');
  const visible = (await listPathways(app, actor)).find((p) => p.id === id);
  if (!isUuid(id) || !visible) throw notFound('Pathway');
  return visible;
}

/** Live pathways, for anyone: their names and badges are public (badge pages, directory). */
export async function publicPathways(app: AppContext, achievementIds?: string[]): Promise<PathwayView[]> {
  const rows = achievementIds ? await pathwaysContaining(app.db, achievementIds) : await listPathwayRows(app.db);
  return views(app, rows);
}

const DAY_MS = 86_400_000;

/**
 * The credentials that complete a pathway, one per badge, or undefined. Without a period: the earliest of each
 * badge. With one: the first window of `withinDays` days (from a credential's award) holding enough badges.
 */
export function completingSet(
  credentials: CountedCredential[],
  required: number,
  withinDays: number | null,
): CountedCredential[] | undefined {
  const sorted = [...credentials].sort((a, b) => a.issued_at.localeCompare(b.issued_at));
  const firstOfEach = (list: CountedCredential[]) => {
    const seen = new Map<string, CountedCredential>();
    for (const c of list) if (!seen.has(c.achievement_id)) seen.set(c.achievement_id, c);
    return [...seen.values()];
  };
  if (withinDays === null) {
    const set = firstOfEach(sorted);
    return set.length >= required ? set : undefined;
  }
  for (let i = 0; i < sorted.length; i++) {
    const end = Date.parse(sorted[i]!.issued_at) + withinDays * DAY_MS;
    const set = firstOfEach(sorted.slice(i).filter((c) => Date.parse(c.issued_at) <= end));
    if (set.length >= required) return set;
  }
  return undefined;
}

/** Badges that still count towards completion now: all live ones, or those of the last `withinDays` days. */
function countedNow(app: AppContext, credentials: CountedCredential[], withinDays: number | null): number {
  const since = withinDays === null ? -Infinity : app.clock.now().getTime() - withinDays * DAY_MS;
  return new Set(credentials.filter((c) => Date.parse(c.issued_at) >= since).map((c) => c.achievement_id)).size;
}

function badgeIdsOf(pathway: PathwayView): string[] {
  return pathway.badges.map((b) => b.id);
}

/**
 * Awards the pathway badge to one person who completed it, through the platform's own award (same signing,
 * status entry and e-mail), on behalf of the pathway's creator. The completion is recorded in the award's
 * transaction: if another check recorded it meanwhile, that transaction fails and nothing is awarded twice.
 * Returns whether a badge was awarded.
 */
async function completeFor(
  app: AppContext,
  pathway: PathwayRow,
  key: string,
  counted: CountedCredential[],
  badges: PathwayBadgeView[],
): Promise<boolean> {
  const latest = counted.reduce((a, b) => (b.issued_at > a.issued_at ? b : a));
  const recipient = await findRecipient(app.db, latest.id);
  if (!recipient) return false;
  const language = latest.language;
  const actor: Actor = {
    kind: 'user',
    userId: pathway.created_by,
    role: 'issuer',
    organisationId: pathway.organisation_id,
  };
  const byId = new Map(badges.map((b) => [b.id, b]));
  const evidence: EvidenceInput[] = counted.map((c) => {
    const badge = byId.get(c.achievement_id)!;
    return {
      id: app.ids.credential(c.id),
      name: `${badge.name[language]} — ${badge.issuerName}`,
      description:
        language === 'fr'
          ? `Badge compté pour le parcours « ${pathway.name_fr} », obtenu le ${c.issued_at.slice(0, 10)}.`
          : `Badge counted for the pathway “${pathway.name_en}”, awarded on ${c.issued_at.slice(0, 10)}.`,
    };
  });
  const at = app.clock.now().toISOString();
  const record = async (trx: Parameters<Parameters<typeof awardWithin>[3]>[0], credentialId: string) => {
    await insertCompletion(trx, {
      pathway_id: pathway.id,
      recipient_key: key,
      credential_id: credentialId,
      completed_at: at,
    });
    await recordAudit(trx, {
      at,
      actorId: null,
      organisationId: pathway.organisation_id,
      action: 'pathway.completed',
      targetType: 'pathway',
      targetId: pathway.id,
      details: { credentialId, counted: counted.map((c) => c.id) },
    });
  };
  try {
    const awarded = await awardWithin(
      app,
      actor,
      {
        achievementId: pathway.achievement_id,
        recipient: {
          email: recipient.email,
          ...(recipient.name ? { name: recipient.name } : {}),
          showName: latest.show_name === 1,
        },
        evidence,
        language,
      },
      record,
    );
    const org = (await findOrganisation(app.db, pathway.organisation_id))!;
    await enqueueAwardEmails(app, [
      {
        credentialId: awarded.id,
        url: awarded.url,
        holderUrl: awarded.holderUrl,
        email: recipient.email,
        ...(recipient.name ? { name: recipient.name } : {}),
        badgeName: language === 'en' ? pathway.name_en : pathway.name_fr,
        issuerName: org.name,
        language,
        organisationId: org.id,
      },
    ]);
    return true;
  } catch (error) {
    // Already holding the pathway badge (awarded by hand): the completion is recorded against that one.
    if (error instanceof AppError && error.status === 409 && error.type === 'conflict') {
      const held = (await holdersOf(app.db, pathway.achievement_id, [key])).get(key);
      if (held && !(await completedPathwayIds(app.db, key)).has(pathway.id))
        await app.db.transaction().execute((trx) => record(trx, held));
      return false;
    }
    // Another check recorded this completion meanwhile: its transaction won, this one left nothing behind.
    if ((await completedPathwayIds(app.db, key)).has(pathway.id)) return false;
    throw error;
  }
}

/** Checks the given pathways for one person and awards the pathway badge of each one now complete. */
async function checkPathways(app: AppContext, key: string, pathways: PathwayView[]): Promise<number> {
  if (pathways.length === 0) return 0;
  const done = await completedPathwayIds(app.db, key);
  let awarded = 0;
  for (const pathway of pathways) {
    if (done.has(pathway.id)) continue;
    const credentials = await liveCredentialsOf(app.db, key, badgeIdsOf(pathway));
    const counted = completingSet(credentials, pathway.requiredCount, pathway.withinDays);
    if (!counted) continue;
    const row = (await findPathway(app.db, pathway.id))!;
    if (await completeFor(app, row, key, counted, pathway.badges)) awarded++;
  }
  return awarded;
}

/** Every live pathway one person may have completed: after any award, and whenever it is worth asking. */
export async function checkPathwayCompletion(app: AppContext, recipientKey: string): Promise<number> {
  return checkPathways(app, recipientKey, await publicPathways(app));
}

/**
 * Called by the award pipeline once credentials of a badge are committed: the pathways holding that badge are
 * checked for each new holder. A failure here must not undo nor fail the award that was made: it is logged, and
 * the pathway's catch-up run completes what was missed.
 */
export async function checkAfterAward(app: AppContext, achievementId: string, keys: string[]): Promise<void> {
  try {
    const pathways = await publicPathways(app, [achievementId]);
    for (const key of keys) await checkPathways(app, key, pathways);
  } catch (error) {
    app.log.error({ err: error, achievementId }, 'pathway completion check failed; a catch-up run will complete it');
  }
}

/**
 * The owner archives a pathway: it awards nothing more and leaves the lists, pages and directory. Pathway badges
 * already awarded stay valid (they attest a completed pathway); its pathway badge definition is archived with it.
 */
export async function archivePathway(app: AppContext, actor: Actor, pathwayId: string): Promise<void> {
  authorize(actor, 'achievement.write');
  const row = isUuid(pathwayId) ? await findPathway(app.db, pathwayId) : undefined;
  const scope = scopeOf(actor);
  if (!row || (scope !== undefined && scope !== row.organisation_id)) throw notFound('Pathway');
  if (row.archived_at) throw new AppError(409, 'archived', 'This pathway is already archived.');
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    await archivePathwayRow(trx, row.id, at);
    await updateAchievement(trx, row.achievement_id, { archived_at: at, updated_at: at });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: row.organisation_id,
      action: 'pathway.archived',
      targetType: 'pathway',
      targetId: row.id,
    });
  });
}

/**
 * The one-off run for badges awarded before the pathway existed: every person holding one of its badges is
 * checked. Idempotent: a second run awards nothing more.
 */
export async function catchUpPathway(app: AppContext, actor: Actor, pathwayId: string): Promise<{ awarded: number }> {
  authorize(actor, 'credential.award');
  const row = isUuid(pathwayId) ? await findPathway(app.db, pathwayId) : undefined;
  const scope = scopeOf(actor);
  if (!row || (scope !== undefined && scope !== row.organisation_id)) throw notFound('Pathway');
  if (row.archived_at) throw new AppError(409, 'archived', 'This pathway is archived: it awards nothing more.');
  const [pathway] = await views(app, [row]);
  let awarded = 0;
  for (const key of await keysHolding(app.db, badgeIdsOf(pathway!)))
    awarded += await checkPathways(app, key, [pathway!]);
  return { awarded };
}

export interface PathwayProgress {
  pathway: PathwayView;
  /** Badges of the pathway the person holds that count now. */
  counted: number;
  required: number;
  completed: boolean;
  /** Badges of the pathway she has no counting credential of. */
  missing: PathwayBadgeView[];
}

/** Where one person stands on each pathway she has at least one badge of (or has completed). */
export async function pathwayProgress(app: AppContext, recipientKey: string): Promise<PathwayProgress[]> {
  const pathways = await publicPathways(app);
  const done = await completedPathwayIds(app.db, recipientKey);
  const progress: PathwayProgress[] = [];
  for (const pathway of pathways) {
    const credentials = await liveCredentialsOf(app.db, recipientKey, badgeIdsOf(pathway));
    const completed = done.has(pathway.id);
    const counted = completed
      ? new Set(credentials.map((c) => c.achievement_id)).size
      : countedNow(app, credentials, pathway.withinDays);
    if (counted === 0 && !completed) continue;
    const held = new Set(credentials.map((c) => c.achievement_id));
    const missing = pathway.badges.filter((b) => !held.has(b.id));
    progress.push({ pathway, counted, required: pathway.requiredCount, completed, missing });
  }
  return progress;
}

/** The holder space's pathways: where the signed-in holder stands on each (by the address she signed in with). */
export function holderPathways(app: AppContext, holder: HolderRow): Promise<PathwayProgress[]> {
  return pathwayProgress(app, recipientKey(app, holder.email));
}

export interface PathwayIndicator {
  id: string;
  name: Localized;
  issuerName: string;
  /** People holding at least one of its badges that counts. */
  holders: Cell;
  completions: Cell;
}

/**
 * Holders and completions of each pathway the actor sees, counts of people below the threshold hidden. Each
 * pathway is its own series of two (holders ⊇ completions, so neither is a total of the other).
 */
export async function pathwayIndicators(app: AppContext, actor: Actor): Promise<PathwayIndicator[]> {
  authorize(actor, 'credential.read');
  const pathways = await listPathways(app, actor);
  const completions = await completionCounts(
    app.db,
    pathways.map((p) => p.id),
  );
  const indicators: PathwayIndicator[] = [];
  for (const pathway of pathways) {
    const holders = (await keysHolding(app.db, badgeIdsOf(pathway))).length;
    const done = completions.get(pathway.id) ?? 0;
    // Hidden one by one: both are counts of people, and one published beside a hidden one reveals nothing.
    const [h, c] = [suppressSeries([holders]).values[0]!, suppressSeries([done]).values[0]!];
    indicators.push({ id: pathway.id, name: pathway.name, issuerName: pathway.issuerName, holders: h, completions: c });
  }
  return indicators;
}

export interface BadgeChoice {
  organisation: { id: string; name: string };
  badges: { id: string; name: Localized }[];
}

/** The badges a pathway may be made of, by organisation: every organisation's, still awarded. */
export async function pathwayBadgeChoices(app: AppContext, actor: Actor): Promise<BadgeChoice[]> {
  authorize(actor, 'achievement.write');
  const groups = new Map<string, BadgeChoice>();
  for (const row of await awardedBadges(app.db)) {
    let group = groups.get(row.organisation_id);
    if (!group) {
      group = { organisation: { id: row.organisation_id, name: row.organisation_name }, badges: [] };
      groups.set(row.organisation_id, group);
    }
    group.badges.push({ id: row.id, name: { fr: row.name_fr, en: row.name_en } });
  }
  return [...groups.values()];
}
