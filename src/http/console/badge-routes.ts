import express, { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import {
  createAchievement,
  getAchievement,
  listAchievementViews,
  updateAchievement,
  type AchievementView,
} from '../../app/achievements.js';
import {
  createBadge,
  getBadgeDesign,
  updateBadge,
  type BadgeDesign,
  type BadgeImageKind,
} from '../../app/badge-design.js';
import type { Catalogue, CompetenceRef } from '../../app/catalogue.js';
import type { AppContext } from '../../app/context.js';
import { AppError, ValidationError } from '../../app/errors.js';
import { findOrganisationRow } from '../../app/issuers.js';
import { can } from '../../app/policies.js';
import { ACHIEVEMENT_TYPES } from '../../engine/model/types.js';
import { MAX_ARTWORK_BYTES } from '../../images/artwork.js';
import { renderBadgeSvg, type BadgeShape } from '../../images/badge-image.js';
import { translator, type Lang } from '../../views/i18n.js';
import { badgeKindLabel, badgeKindOptions } from '../../views/presenters/badge-kinds.js';
import { languageOf } from '../pages.js';
import { param } from '../auth.js';
import { currentOrganisationId, field } from './context.js';
import { importedEndorsementsModel } from './endorsement-routes.js';
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
  /** A generated shape, or the organisation's own artwork. */
  image: BadgeImageKind;
}

/** "Repérer les opportunités · niveau 3": a competence by its name, never its code alone. */
function competenceText(catalogue: Catalogue, ref: CompetenceRef, lang: Lang): string {
  const name = catalogue.competence(ref.code)?.name[lang] ?? ref.code;
  return `${name} · ${translator(lang)('badges.levelShort', { level: ref.level })}`;
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
    image: field(body, 'image') === 'artwork' ? 'artwork' : 'shape',
  };
}

function formFromView(view: AchievementView, image: BadgeImageKind): BadgeForm {
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
    image,
  };
}

/** A copy's name, shortened if needed so that the suffix keeps it within the schema's limit on names. */
function copyName(name: { fr: string; en: string }): { fr: string; en: string } {
  return { fr: `${name.fr.slice(0, 192)} (copie)`, en: `${name.en.slice(0, 193)} (copy)` };
}

/** The form read as the badge's fields; the use case checks them against the API's own schema. */
function inputFromForm(form: BadgeForm): Record<string, unknown> {
  const validity = form.validityDays ? Number(form.validityDays) : null;
  if (validity !== null && (!Number.isInteger(validity) || validity < 1 || validity > 36_500))
    throw new ValidationError('The validity must be a number of days.', [
      { field: 'validityDays', message: 'not a number of days', keyword: 'format', params: { format: 'days' } },
    ]);
  if (!(ACHIEVEMENT_TYPES as readonly string[]).includes(form.achievementType))
    throw new ValidationError('Unknown badge type.', [
      { field: 'achievementType', message: 'unknown', keyword: 'enum' },
    ]);
  const missing = (['name_fr', 'description_fr', 'criteria_fr'] as const).filter((k) => !form[k]);
  if (missing.length > 0)
    throw new ValidationError(
      'The French name, description and criteria are required.',
      missing.map((f) => ({ field: f, message: 'required', keyword: 'required' as const })),
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

/** The badge's own artwork as stored, its version in the address so that a replaced image is fetched again. */
function artworkUrl(view: AchievementView): string {
  return `/achievements/${view.id}/image.svg?v=${encodeURIComponent(view.updatedAt)}`;
}

const BLANK: BadgeForm = {
  name_fr: '',
  name_en: '',
  description_fr: '',
  description_en: '',
  criteria_fr: '',
  criteria_en: '',
  achievementType: 'Course',
  competences: [],
  tags: 'MEL-Entreprendre',
  template: 'blason',
  colour: '#0069B4',
  validityDays: '',
  image: 'shape',
};

export function badgeRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  // The badge form is multipart (it may carry artwork); a urlencoded post is read too. A file over the limit is
  // not an error here: the form is shown again with the reason, which the use case gives (it owns the rule).
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_ARTWORK_BYTES, files: 1, fields: 40, fieldSize: 64 * 1024 },
  });
  const badgeForm = (req: Request, res: Response, next: NextFunction) => {
    upload.single('artwork')(req, res, (error: unknown) => {
      if (!error) return next();
      if ((error as { code?: string }).code === 'LIMIT_FILE_SIZE') {
        res.locals.artworkTruncated = true;
        return next();
      }
      next(new AppError(400, 'bad-request', 'The badge form could not be read.'));
    });
  };
  const designOf = (req: Request, res: Response, values: BadgeForm): BadgeDesign => {
    const truncated = res.locals.artworkTruncated === true;
    const bytes = req.file?.buffer;
    return {
      image: values.image,
      ...(truncated || (bytes && bytes.length > 0) ? { upload: { bytes: bytes ?? Buffer.alloc(0), truncated } } : {}),
    };
  };

  const formModel = (lang: Lang, values: BadgeForm, extra: Record<string, unknown>) => {
    const t = translator(lang);
    const levels = app.catalogue.entrecomp.levels;
    const savedArtwork = typeof extra.artworkUrl === 'string' ? extra.artworkUrl : undefined;
    return {
      form: values,
      types: badgeKindOptions(values.achievementType, lang),
      competenceRows: Array.from({ length: COMPETENCE_SLOTS }, (_, index) => {
        const current = values.competences[index];
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
        selected: value === values.template,
      })),
      imageShape: values.image === 'shape',
      imageArtwork: values.image === 'artwork',
      maxArtworkKb: MAX_ARTWORK_BYTES / 1024,
      previewUrl: values.image === 'artwork' && savedArtwork ? savedArtwork : previewQuery(values),
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
          kind: badgeKindLabel(b.achievementType, lang),
          archived: b.archived,
          imageUrl: `${b.image}?lang=${lang}&v=${encodeURIComponent(b.updatedAt)}`,
          competences: b.competences.map((c) => competenceText(app.catalogue, c, lang)),
        })),
      },
      { active: 'badges', organisationId },
    );
  });

  router.get('/badges/new', async (req, res) => {
    const lang = languageOf(req, res);
    await consolePage(
      app,
      req,
      res,
      'badge-form',
      'badges.new',
      formModel(lang, BLANK, { heading: translator(lang)('badges.new'), action: '/console/badges' }),
      { active: 'badges' },
    );
  });

  const withErrors = async (
    req: Request,
    res: Response,
    values: BadgeForm,
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
      formModel(lang, values, { heading, action, problem: error.message, fieldErrors: error.errors, ...extra }),
      { active: 'badges', status: 422 },
    );
  };

  router.post('/badges', badgeForm, form, checkCsrf, async (req, res) => {
    const values = formFromBody(req.body);
    try {
      const created = await createBadge(
        app,
        sessionOf(res).actor,
        { issuerId: await currentOrganisationId(app, req, res), ...inputFromForm(values) },
        designOf(req, res, values),
      );
      res.redirect(303, `/console/badges/${created.id}?done=badges.created`);
    } catch (error) {
      await withErrors(req, res, values, error, '/console/badges', translator(languageOf(req, res))('badges.new'));
    }
  });

  // "Update the preview" without JavaScript: re-render the form as submitted, with its preview. A file chosen
  // is not kept (it is sent again with the form).
  router.post('/badges/preview', badgeForm, form, checkCsrf, async (req, res) => {
    const lang = languageOf(req, res);
    const values = formFromBody(req.body);
    const id = field(req.body, 'id');
    await consolePage(
      app,
      req,
      res,
      'badge-form',
      'badges.preview',
      formModel(lang, values, {
        heading: translator(lang)(id ? 'badges.edit' : 'badges.new'),
        action: id ? `/console/badges/${id}` : '/console/badges',
        ...(id ? { editing: true, id } : {}),
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
    const { badge: view, image } = await getBadgeDesign(app, sessionOf(res).actor, param(req, 'id'));
    await consolePage(
      app,
      req,
      res,
      'badge-form',
      'badges.edit',
      formModel(lang, formFromView(view, image), {
        heading: view.name[lang],
        action: `/console/badges/${view.id}`,
        editing: true,
        id: view.id,
        archived: view.archived,
        // Award one person from here, without a session (src/http/console/operator-routes.ts).
        canAward: can(sessionOf(res).actor, 'credential.award') && !view.archived,
        hasArtwork: image === 'artwork',
        ...(image === 'artwork' ? { artworkUrl: artworkUrl(view) } : {}),
        // "Endorsements received from elsewhere" (src/http/console/endorsement-routes.ts).
        ...(await importedEndorsementsModel(app, sessionOf(res).actor, view.id, lang)),
      }),
      { active: 'badges', organisationId: view.issuerId },
    );
  });

  router.post('/badges/:id', badgeForm, form, checkCsrf, async (req, res) => {
    const values = formFromBody(req.body);
    try {
      await updateBadge(app, sessionOf(res).actor, param(req, 'id'), inputFromForm(values), designOf(req, res, values));
      res.redirect(303, `/console/badges/${param(req, 'id')}?done=badges.saved`);
    } catch (error) {
      await withErrors(req, res, values, error, `/console/badges/${param(req, 'id')}`, values.name_fr, {
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
          type: badgeKindLabel(b.achievementType, lang),
          competences: b.competences.map((c) => competenceText(app.catalogue, c, lang)).join(' · '),
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
