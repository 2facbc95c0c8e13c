import { findOrganisationBySlug } from '../store/repositories/organisations.js';
import { getOrInitSetting } from '../store/repositories/settings.js';
import { listOrganisations } from '../store/repositories/organisations.js';
import { insertAchievement } from '../store/repositories/achievements.js';
import type { AppContext } from './context.js';
import { newId } from '../shared/clock.js';
import { createStatusLists } from './issuers.js';

export const DEFAULT_ISSUER_SLUG = 'mel';

/**
 * First start: the platform's own issuer (the programme, which curates the shared catalogue) with the 24
 * default EntreComp badges, so that a fresh install can award at once and operators can copy from it.
 * Only one process seeds (the one that claims it first); every start makes sure each issuer has its keys.
 */
export async function seedDefaults(app: AppContext): Promise<void> {
  if (app.config.seedCatalogue) {
    const claim = newId();
    if (
      (await getOrInitSetting(app.db, 'catalogue_seeded_by', () => claim)) === claim &&
      !(await findOrganisationBySlug(app.db, DEFAULT_ISSUER_SLUG))
    ) {
      const at = app.clock.now().toISOString();
      const orgId = newId();
      await app.db
        .insertInto('organisations')
        .values({
          id: orgId,
          slug: DEFAULT_ISSUER_SLUG,
          name: 'Métropole Européenne de Lille — Entreprendre',
          url: app.ids.issuerPage(DEFAULT_ISSUER_SLUG),
          email: null,
          description:
            "Badges de la stratégie métropolitaine pour l'entrepreneuriat : " +
            'reconnaissance ouverte des compétences entrepreneuriales (EntreComp).',
          logo_image_id: null,
          linkedin_org_id: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await createStatusLists(app, orgId);
      for (const badge of app.catalogue.badges) {
        await insertAchievement(app.db, {
          id: newId(),
          organisation_id: orgId,
          catalogue_key: badge.key,
          name_fr: badge.name.fr,
          name_en: badge.name.en,
          description_fr: badge.description.fr,
          description_en: badge.description.en,
          criteria_fr: badge.criteria.fr,
          criteria_en: badge.criteria.en,
          achievement_type: badge.achievementType,
          competences: JSON.stringify(badge.competences),
          tags: JSON.stringify(badge.tags),
          template: 'blason',
          colour: badge.colour,
          validity_days: null,
          archived_at: null,
          created_at: at,
          updated_at: at,
        });
      }
    }
  }
  for (const org of await listOrganisations(app.db)) await app.keys.ensure(org.id);
}
