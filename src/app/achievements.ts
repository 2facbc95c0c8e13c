import type { Achievement, AchievementType, Alignment } from '../engine/model/types.js';
import { recordAudit } from './audit-actions.js';
import {
  findAchievement,
  insertAchievement,
  listAchievements as listRows,
  updateAchievement as updateRow,
} from '../store/repositories/achievements.js';
import type { AchievementRow } from '../store/schema.js';
import type { CompetenceRef, Lang, Localized } from './catalogue.js';
import type { AppContext } from './context.js';
import { newId } from '../shared/clock.js';
import { notFound, ValidationError } from './errors.js';
import { assertAwardsBadges } from './partners.js';
import { checkInput } from './input-schemas.js';
import { loadIssuer } from './issuers.js';
import { assertInScope, authorize, scopeOf, type Actor } from './policies.js';
import { isUuid } from '../shared/uuid.js';
import type { AchievementCreateInput, AchievementUpdateInput, LocalizedInput } from './input-types.js';

/** What creating and changing a badge accept, once checked: the types of their schemas in schemas/api/. */
export type AchievementInput = AchievementCreateInput;
export type AchievementPatch = AchievementUpdateInput;

export interface AchievementView {
  id: string;
  url: string;
  issuerId: string;
  catalogueKey: string | null;
  name: Localized;
  description: Localized;
  criteria: Localized;
  achievementType: string;
  competences: CompetenceRef[];
  tags: string[];
  template: string;
  colour: string;
  validityDays: number | null;
  image: string;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

const DEFAULT_COLOUR = '#0069B4';

function localized(input: LocalizedInput): Localized {
  return { fr: input.fr, en: input.en ?? input.fr };
}

export function toView(app: AppContext, row: AchievementRow): AchievementView {
  return {
    id: row.id,
    url: app.ids.achievement(row.id),
    issuerId: row.organisation_id,
    catalogueKey: row.catalogue_key,
    name: { fr: row.name_fr, en: row.name_en },
    description: { fr: row.description_fr, en: row.description_en },
    criteria: { fr: row.criteria_fr, en: row.criteria_en },
    achievementType: row.achievement_type,
    competences: JSON.parse(row.competences) as CompetenceRef[],
    tags: JSON.parse(row.tags) as string[],
    template: row.template,
    colour: row.colour,
    validityDays: row.validity_days,
    image: app.ids.achievementImage(row.id),
    archived: row.archived_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function checkCompetences(app: AppContext, competences: CompetenceRef[]): void {
  const errors = competences.flatMap((c, i) =>
    app.catalogue.competence(c.code)
      ? []
      : [{ field: `competences[${i}].code`, message: `${c.code} is not an EntreComp competence` }],
  );
  if (errors.length > 0) throw new ValidationError('Unknown EntreComp competence.', errors);
}

export async function loadAchievement(app: AppContext, actor: Actor, id: string): Promise<AchievementRow> {
  const row = isUuid(id) ? await findAchievement(app.db, id, scopeOf(actor)) : undefined;
  if (!row) throw notFound('Badge');
  return row;
}

export async function createAchievement(
  app: AppContext,
  actor: Actor,
  /** Checked here against schemas/api/achievement-create.json, whichever door it came through. */
  input: unknown,
): Promise<AchievementView> {
  authorize(actor, 'achievement.write');
  checkInput('achievement-create.json', input);
  const org = await loadIssuer(app, actor, input.issuerId);
  assertAwardsBadges(org);
  const base = input.catalogueKey ? app.catalogue.badge(input.catalogueKey) : undefined;
  if (input.catalogueKey && !base)
    throw new ValidationError('Unknown catalogue badge.', [
      { field: 'catalogueKey', message: `${input.catalogueKey} is not in the catalogue` },
    ]);
  const name = input.name ? localized(input.name) : base?.name;
  const description = input.description ? localized(input.description) : base?.description;
  const criteria = input.criteria ? localized(input.criteria) : base?.criteria;
  const missing = [
    ['name', name],
    ['description', description],
    ['criteria', criteria],
  ]
    .filter(([, v]) => !v)
    .map(([f]) => ({ field: f as string, message: 'required unless catalogueKey gives it' }));
  if (missing.length > 0) throw new ValidationError('A badge needs a name, a description and criteria.', missing);
  const competences = input.competences ?? base?.competences ?? [];
  checkCompetences(app, competences);
  const at = app.clock.now().toISOString();
  const row: AchievementRow = {
    id: newId(),
    organisation_id: org.id,
    catalogue_key: base?.key ?? null,
    name_fr: name!.fr,
    name_en: name!.en,
    description_fr: description!.fr,
    description_en: description!.en,
    criteria_fr: criteria!.fr,
    criteria_en: criteria!.en,
    achievement_type: input.achievementType ?? base?.achievementType ?? 'Badge',
    competences: JSON.stringify(competences),
    tags: JSON.stringify(input.tags ?? base?.tags ?? []),
    template: input.template ?? 'blason',
    colour: input.colour ?? base?.colour ?? DEFAULT_COLOUR,
    validity_days: input.validityDays ?? null,
    archived_at: null,
    created_at: at,
    updated_at: at,
  };
  await app.db.transaction().execute(async (trx) => {
    await insertAchievement(trx, row);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: org.id,
      action: 'achievement.created',
      targetType: 'achievement',
      targetId: row.id,
      details: { catalogueKey: row.catalogue_key },
    });
  });
  return toView(app, row);
}

export async function getAchievement(app: AppContext, actor: Actor, id: string): Promise<AchievementView> {
  authorize(actor, 'achievement.read');
  return toView(app, await loadAchievement(app, actor, id));
}

export async function listAchievementViews(
  app: AppContext,
  actor: Actor,
  filter: { issuerId?: string; includeArchived?: boolean },
): Promise<AchievementView[]> {
  authorize(actor, 'achievement.read');
  if (filter.issuerId) await loadIssuer(app, actor, filter.issuerId);
  const rows = await listRows(app.db, {
    organisationId: filter.issuerId ?? scopeOf(actor),
    includeArchived: filter.includeArchived ?? false,
  });
  return rows.map((row) => toView(app, row));
}

export async function updateAchievement(
  app: AppContext,
  actor: Actor,
  id: string,
  /** Checked here against schemas/api/achievement-update.json. */
  patch: unknown,
): Promise<AchievementView> {
  authorize(actor, 'achievement.write');
  checkInput('achievement-update.json', patch);
  const row = await loadAchievement(app, actor, id);
  assertInScope(actor, row.organisation_id, 'Badge');
  if (patch.competences) checkCompetences(app, patch.competences);
  const at = app.clock.now().toISOString();
  const name = patch.name ? localized(patch.name) : undefined;
  const description = patch.description ? localized(patch.description) : undefined;
  const criteria = patch.criteria ? localized(patch.criteria) : undefined;
  await app.db.transaction().execute(async (trx) => {
    await updateRow(trx, row.id, {
      ...(name ? { name_fr: name.fr, name_en: name.en } : {}),
      ...(description ? { description_fr: description.fr, description_en: description.en } : {}),
      ...(criteria ? { criteria_fr: criteria.fr, criteria_en: criteria.en } : {}),
      ...(patch.achievementType ? { achievement_type: patch.achievementType } : {}),
      ...(patch.competences ? { competences: JSON.stringify(patch.competences) } : {}),
      ...(patch.tags ? { tags: JSON.stringify(patch.tags) } : {}),
      ...(patch.template ? { template: patch.template } : {}),
      ...(patch.colour ? { colour: patch.colour } : {}),
      ...(patch.validityDays !== undefined ? { validity_days: patch.validityDays } : {}),
      ...(patch.archived !== undefined ? { archived_at: patch.archived ? at : null } : {}),
      updated_at: at,
    });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: row.organisation_id,
      action: patch.archived ? 'achievement.archived' : 'achievement.updated',
      targetType: 'achievement',
      targetId: row.id,
      details: { fields: Object.keys(patch) },
    });
  });
  return toView(app, (await findAchievement(app.db, row.id))!);
}

/** EntreComp alignments in words: "Repérer les opportunités — niveau 3 (Expérimenter)". */
export function alignments(app: AppContext, competences: CompetenceRef[], lang: Lang): Alignment[] {
  const framework = app.catalogue.entrecomp.framework.name[lang];
  return competences.map(({ code, level }) => {
    const competence = app.catalogue.competence(code);
    const levelInfo = app.catalogue.level(level);
    const levelWord = lang === 'fr' ? 'niveau' : 'level';
    return {
      type: ['Alignment'],
      targetName: `${competence?.name[lang] ?? code} — ${levelWord} ${level}` +
        (levelInfo ? ` (${levelInfo.name[lang]})` : ''),
      targetUrl: app.ids.competence(code, level),
      targetCode: `${code}-N${level}`,
      ...(competence ? { targetDescription: competence.hint[lang] } : {}),
      targetFramework: framework,
      targetType: 'ext:EntreCompCompetence',
    };
  });
}

/** The OB 3.0 Achievement of a badge definition, in one language, as signed into credentials. */
export function achievementDocument(app: AppContext, row: AchievementRow, lang: Lang): Achievement {
  const view = toView(app, row);
  const aligned = alignments(app, view.competences, lang);
  return {
    id: view.url,
    type: ['Achievement'],
    name: view.name[lang],
    description: view.description[lang],
    criteria: { narrative: view.criteria[lang] },
    achievementType: view.achievementType as AchievementType,
    ...(aligned.length > 0 ? { alignment: aligned } : {}),
    ...(view.tags.length > 0 ? { tag: view.tags } : {}),
    image: { id: view.image, type: 'Image', caption: view.name[lang] },
    inLanguage: lang,
    // The same badge for Open Badges 2.0 backpacks.
    related: [
      {
        id: `${app.ids.origin}/ob2/badges/${row.id}`,
        type: ['Related', 'https://w3id.org/openbadges#BadgeClass'],
        version: 'Open Badges v2p0',
      },
    ],
  };
}

/** An achievement by its id, whoever asks: for the names and images that are public anyway. */
export async function findAchievementRow(app: AppContext, id: string): Promise<AchievementRow | undefined> {
  return isUuid(id) ? findAchievement(app.db, id) : undefined;
}
