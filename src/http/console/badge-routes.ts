import express, { Router, type Request, type Response } from 'express';
import {
  createAchievement,
  getAchievement,
  listAchievementViews,
  updateAchievement,
  type AchievementInput,
  type AchievementView,
} from '../../app/achievements.js';
import type { CompetenceRef } from '../../app/catalogue.js';
import type { AppContext } from '../../app/context.js';
import { ValidationError } from '../../app/errors.js';
import { findOrganisationRow } from '../../app/issuers.js';
import { ACHIEVEMENT_TYPES } from '../../engine/model/types.js';
import { renderBadgeSvg, type BadgeShape } from '../../images/badge-image.js';
import { translator, type Lang } from '../../views/i18n.js';
import { languageOf } from '../pages.js';
import { param } from '../auth.js';
import { currentOrganisationId, field } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

const COMPETENCE_SLOTS = 3;
const SHAPES: BadgeShape[] = ['blason', 'hexagon', 'circle'];

interface BadgeForm {
  name_fr: string;
  name_en: string;
  description_fr: string;
  description_en: string;
  criteria_fr: string;
  criteria_en: string;
  achievementType: string;
  competences: CompetenceRef[];
  tags: string;
  template: string;
  colour: string;
  validityDays: string;
}

function formFromBody(body: unknown): BadgeForm {
  const competences: CompetenceRef[] = [];
  for (let i = 0; i < COMPETENCE_SLOTS; i++) {
    const code = field(body, `competence_${i}`);
    const level = Number(field(body, `level_${i}`) || '1');
    if (code) competences.push({ code, level: Number.isInteger(level) && level >= 1 && level <= 8 ? level : 1 });
  }
  return {
    name_fr: field(body, 'name_fr'),
    name_en: field(body, 'name_en'),
    description_fr: field(body, 'description_fr'),
    description_en: field(body, 'description_en'),
    criteria_fr: field(body, 'criteria_fr'),
    criteria_en: field(body, 'criteria_en'),
    achievementType: field(body, 'achievementType') || 'Badge',
    competences,
    tags: field(body, 'tags'),
    template: SHAPES.includes(field(body, 'template') as BadgeShape) ? field(body, 'template') : 'blason',
    colour: /^#[0-9a-fA-F]{6}$/.test(field(body, 'colour')) ? field(body, 'colour') : '#0069B4',
    validityDays: field(body, 'validityDays'),
  };
}

function formFromView(view: AchievementView): BadgeForm {
  return {
    name_fr: view.name.fr,
    name_en: view.name.en,
    description_fr: view.description.fr,
    description_en: view.description.en,
    criteria_fr: view.criteria.fr,
    criteria_en: view.criteria.en,
    achievementType: view.achievementType,
    competences: view.competences,
    tags: view.tags.join(', '),
    template: view.template,
    colour: view.colour,
    validityDays: view.validityDays ? String(view.validityDays) : '',
  };
}

/** A copy's name, shortened if needed so that the suffix keeps it within the schema's limit on names. */
function copyName(name: { fr: string; en: string }): { fr: string; en: string } {
  return { fr: `${name.fr.slice(0, 192)} (copie)`, en: `${name.en.slice(0, 193)} (copy)` };
}

function inputFromForm(form: BadgeForm): Omit<AchievementInput, 'issuerId'> {
  const validity = form.validityDays ? Number(form.validityDays) : null;
  if (validity !== null && (!Number.isInteger(validity) || validity < 1 || validity > 36_500))
    throw new ValidationError('The validity must be a number of days.', [
      { field: 'validityDays', message: 'not a number of days' },
    ]);
  if (!(ACHIEVEMENT_TYPES as readonly string[]).includes(form.achievementType))
    throw new ValidationError('Unknown badge type.', [{ field: 'achievementType', message: 'unknown' }]);
  const missing = (['name_fr', 'description_fr', 'criteria_fr'] as const).filter((k) => !form[k]);
  if (missing.length > 0)
    throw new ValidationError(
      'The French name, description and criteria are required.',
      missing.map((f) => ({ field: f, message: 'required' })),
    );
  return {
    // Not cut to length here: the use case holds every door to the API's schema and refuses what is too long.
    name: { fr: form.name_fr, ...(form.name_en ? { en: form.name_en } : {}) },
    description: { fr: form.description_fr, ...(form.description_en ? { en: form.description_en } : {}) },
    criteria: { fr: form.criteria_fr, ...(form.criteria_en ? { en: form.criteria_en } : {}) },
    achievementType: form.achievementType,
    competences: form.competences,
    tags: form.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
      .slice(0, 20)
      .map((t) => t.slice(0, 60)),
    template: form.template,
    colour: form.colour,
    validityDays: validity,
  };
}

function previewQuery(form: BadgeForm): string {
  const first = form.competences[0];
  const params = new URLSearchParams({ title: form.name_fr || '…', colour: form.colour, shape: form.template });
  if (first) {
    params.set('competence', first.code);
    params.set('level', String(first.level));
  }
  return `/console/badges/preview.svg?${params.toString()}`;
}

export function badgeRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  const formModel = (lang: Lang, badgeForm: BadgeForm, extra: Record<string, unknown>) => {
    const t = translator(lang);
    const levels = app.catalogue.entrecomp.levels;
    return {
      form: badgeForm,
      types: ACHIEVEMENT_TYPES.map((value) => ({ value, selected: value === badgeForm.achievementType })),
      competenceRows: Array.from({ length: COMPETENCE_SLOTS }, (_, index) => {
        const current = badgeForm.competences[index];
        return {
          index,
          number: index + 1,
          options: app.catalogue.entrecomp.competences.map((c) => ({
            code: c.code,
            name: c.name[lang],
            selected: c.code === current?.code,
          })),
          levels: levels.map((l) => ({
            level: l.level,
            name: l.name[lang],
            selected: l.level === (current?.level ?? 1),
          })),
        };
      }),
      labels: { competence: t('badges.competence'), level: t('badges.level'), none: t('badges.none.option') },
      templates: SHAPES.map((value) => ({
        value,
        label: t(`badges.template.${value}`),
        selected: value === badgeForm.template,
      })),
      previewUrl: previewQuery(badgeForm),
      ...extra,
    };
  };

  router.get('/badges', async (req, res) => {
    const lang = languageOf(req, res);
    const organisationId = await currentOrganisationId(app, req, res);
    const badges = await listAchievementViews(app, sessionOf(res).actor, {
      issuerId: organisationId,
      includeArchived: true,
    });
    await consolePage(
      app,
      req,
      res,
      'badges',
      'badges.title',
      {
        badges: badges.map((b) => ({
          id: b.id,
          name: b.name[lang],
          archived: b.archived,
          imageUrl: `${b.image}?lang=${lang}`,
          competences: b.competences.map((c) => `${c.code} N${c.level}`).join(' · '),
        })),
      },
      { active: 'badges', organisationId },
    );
  });

  router.get('/badges/new', async (req, res) => {
    const lang = languageOf(req, res);
    const blank: BadgeForm = {
      name_fr: '',
      name_en: '',
      description_fr: '',
      description_en: '',
      criteria_fr: '',
      criteria_en: '',
      achievementType: 'Badge',
      competences: [],
      tags: 'MEL-Entreprendre',
      template: 'blason',
      colour: '#0069B4',
      validityDays: '',
    };
    await consolePage(
      app,
      req,
      res,
      'badge-form',
      'badges.new',
      formModel(lang, blank, {
        heading: translator(lang)('badges.new'),
        action: '/console/badges',
        previewAction: '/console/badges/preview',
      }),
      { active: 'badges' },
    );
  });

  const withErrors = async (
    req: Request,
    res: Response,
    badgeForm: BadgeForm,
    error: unknown,
    action: string,
    heading: string,
    extra: Record<string, unknown> = {},
  ) => {
    if (!(error instanceof ValidationError)) throw error;
    const lang = languageOf(req, res);
    await consolePage(
      app,
      req,
      res,
      'badge-form',
      'badges.new',
      formModel(lang, badgeForm, {
        heading,
        action,
        previewAction: '/console/badges/preview',
        problem: error.message,
        fieldErrors: error.errors,
        ...extra,
      }),
      { active: 'badges', status: 422 },
    );
  };

  router.post('/badges', form, checkCsrf, async (req, res) => {
    const badgeForm = formFromBody(req.body);
    try {
      const created = await createAchievement(app, sessionOf(res).actor, {
        issuerId: await currentOrganisationId(app, req, res),
        ...inputFromForm(badgeForm),
      });
      res.redirect(303, `/console/badges/${created.id}?done=badges.created`);
    } catch (error) {
      await withErrors(req, res, badgeForm, error, '/console/badges', translator(languageOf(req, res))('badges.new'));
    }
  });

  // "Update the preview" without JavaScript: re-render the form as submitted, with its preview.
  router.post('/badges/preview', form, checkCsrf, async (req, res) => {
    const lang = languageOf(req, res);
    const badgeForm = formFromBody(req.body);
    const id = field(req.body, 'id');
    await consolePage(
      app,
      req,
      res,
      'badge-form',
      'badges.preview',
      formModel(lang, badgeForm, {
        heading: translator(lang)(id ? 'badges.edit' : 'badges.new'),
        action: id ? `/console/badges/${id}` : '/console/badges',
        previewAction: '/console/badges/preview',
      }),
      { active: 'badges' },
    );
  });

  // The live preview image: rendered from the form's values, never stored.
  router.get('/badges/preview.svg', async (req, res) => {
    const lang = languageOf(req, res);
    const organisation = await findOrganisationRow(app, await currentOrganisationId(app, req, res));
    const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).slice(0, 200) : '');
    const level = Number(q('level'));
    const code = q('competence');
    const svg = renderBadgeSvg({
      title: q('title') || '…',
      ...(app.catalogue.competence(code)
        ? {
            caption: `EntreComp ${code} · ${lang === 'fr' ? 'Niveau' : 'Level'} ${level || 1}`,
            level: Number.isInteger(level) && level >= 1 && level <= 8 ? level : 1,
          }
        : {}),
      colour: q('colour'),
      shape: SHAPES.includes(q('shape') as BadgeShape) ? (q('shape') as BadgeShape) : 'blason',
      ...(organisation ? { issuerName: organisation.name } : {}),
    });
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.setHeader('Cache-Control', 'no-store');
    res.type('image/svg+xml').send(svg);
  });

  router.get('/badges/:id', async (req, res) => {
    const lang = languageOf(req, res);
    const view = await getAchievement(app, sessionOf(res).actor, param(req, 'id'));
    await consolePage(
      app,
      req,
      res,
      'badge-form',
      'badges.edit',
      formModel(lang, formFromView(view), {
        heading: view.name[lang],
        action: `/console/badges/${view.id}`,
        previewAction: '/console/badges/preview',
        editing: true,
        id: view.id,
        archived: view.archived,
      }),
      { active: 'badges', organisationId: view.issuerId },
    );
  });

  router.post('/badges/:id', form, checkCsrf, async (req, res) => {
    const badgeForm = formFromBody(req.body);
    try {
      await updateAchievement(app, sessionOf(res).actor, param(req, 'id'), inputFromForm(badgeForm));
      res.redirect(303, `/console/badges/${param(req, 'id')}?done=badges.saved`);
    } catch (error) {
      await withErrors(req, res, badgeForm, error, `/console/badges/${param(req, 'id')}`, badgeForm.name_fr, {
        editing: true,
        id: param(req, 'id'),
      });
    }
  });

  router.post('/badges/:id/archive', form, checkCsrf, async (req, res) => {
    await updateAchievement(app, sessionOf(res).actor, param(req, 'id'), {
      archived: field(req.body, 'archived') === '1',
    });
    res.redirect(303, `/console/badges/${param(req, 'id')}?done=console.done`);
  });

  router.post('/badges/:id/copy', form, checkCsrf, async (req, res) => {
    const actor = sessionOf(res).actor;
    const view = await getAchievement(app, actor, param(req, 'id'));
    const copy = await createAchievement(app, actor, {
      issuerId: view.issuerId,
      name: copyName(view.name),
      description: view.description,
      criteria: view.criteria,
      achievementType: view.achievementType,
      competences: view.competences,
      tags: view.tags,
      template: view.template,
      colour: view.colour,
      validityDays: view.validityDays,
    });
    res.redirect(303, `/console/badges/${copy.id}?done=badges.created`);
  });

  router.get('/catalogue', async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    await consolePage(
      app,
      req,
      res,
      'catalogue',
      'catalogue.title',
      {
        labels: { copy: t('catalogue.copy'), workshops: t('catalogue.workshops') },
        badges: app.catalogue.badges.map((b) => ({
          key: b.key,
          name: b.name[lang],
          description: b.description[lang],
          type: b.achievementType,
          competences: b.competences
            .map((c) => `${c.code} ${app.catalogue.competence(c.code)?.name[lang] ?? ''} N${c.level}`)
            .join(' · '),
          workshops: b.workshopTypes
            .map((code) => app.catalogue.workshopTypes.find((w) => w.code === code)?.name[lang] ?? code)
            .join(', '),
        })),
      },
      { active: 'catalogue' },
    );
  });

  router.post('/catalogue/:key/copy', form, checkCsrf, async (req, res) => {
    const created = await createAchievement(app, sessionOf(res).actor, {
      issuerId: await currentOrganisationId(app, req, res),
      catalogueKey: param(req, 'key'),
    });
    res.redirect(303, `/console/badges/${created.id}?done=badges.created`);
  });
  return router;
}
