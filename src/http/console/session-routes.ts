import express, { Router, type Request, type Response } from 'express';
import multer from 'multer';
import type { AppContext } from '../../app/context.js';
import { decodeSpreadsheetText, WORKBOOK } from '../../app/csv.js';
import { ValidationError } from '../../app/errors.js';
import { can } from '../../app/policies.js';
import { listAchievementViews } from '../../app/achievements.js';
import {
  awardWorkshop,
  createWorkshop,
  decideClaim,
  getWorkshop,
  listClaimRequests,
  listWorkshops,
  previewWorkshopAward,
  setClaimOpen,
  type AwardPreview,
  type WorkshopAwardResult,
  type WorkshopView,
} from '../../app/workshops.js';
import { translator, type Lang } from '../../views/i18n.js';
import { qrSvg } from '../../views/qr.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId, field, fields } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

export function sessionRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '2mb' });
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: 5_000_000, files: 1, fields: 4, fieldSize: 2_000_000 },
  });

  const typeName = (code: string, lang: Lang) =>
    app.catalogue.workshopTypes.find((w) => w.code === code)?.name[lang] ?? code;

  router.get('/sessions', async (req, res) => {
    const lang = languageOf(req, res);
    const sessions = await listWorkshops(app, sessionOf(res).actor);
    await consolePage(
      app,
      req,
      res,
      'sessions',
      'sessions.title',
      { sessions: sessions.map((s) => ({ ...s, typeName: typeName(s.workshopType, lang) })) },
      { active: 'sessions' },
    );
  });

  const newForm = async (
    req: Request,
    res: Response,
    values: { title?: string; workshopType?: string; heldOn?: string; place?: string; achievementIds?: string[] },
    problem?: ValidationError,
  ) => {
    const lang = languageOf(req, res);
    const organisationId = await currentOrganisationId(app, req, res);
    const badges = await listAchievementViews(app, sessionOf(res).actor, { issuerId: organisationId });
    await consolePage(
      app,
      req,
      res,
      'session-new',
      'sessions.new',
      {
        form: {
          title: values.title ?? '',
          heldOn: values.heldOn ?? app.clock.now().toISOString().slice(0, 10),
          place: values.place ?? '',
        },
        types: app.catalogue.workshopTypes.map((w) => ({
          code: w.code,
          name: w.name[lang],
          selected: w.code === values.workshopType,
        })),
        badges: badges.map((b) => ({ id: b.id, name: b.name[lang], checked: values.achievementIds?.includes(b.id) })),
        ...(problem ? { problem: problem.message, fieldErrors: problem.errors } : {}),
      },
      { active: 'sessions', organisationId, ...(problem ? { status: 422 } : {}) },
    );
  };

  router.get('/sessions/new', async (req, res) => newForm(req, res, {}));

  router.post('/sessions', form, checkCsrf, async (req, res) => {
    const values = {
      title: field(req.body, 'title'),
      workshopType: field(req.body, 'workshopType'),
      heldOn: field(req.body, 'heldOn'),
      place: field(req.body, 'place'),
      achievementIds: fields(req.body, 'achievementIds'),
    };
    try {
      const created = await createWorkshop(app, sessionOf(res).actor, {
        issuerId: await currentOrganisationId(app, req, res),
        ...values,
      });
      res.redirect(303, `/console/sessions/${created.id}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await newForm(req, res, values, error);
    }
  });

  const show = async (
    req: Request,
    res: Response,
    extra: { preview?: AwardPreview; result?: WorkshopAwardResult; problem?: ValidationError } = {},
  ) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    // The problems an operator can fix themselves are said in their language; the rest as the use case says.
    const problemText = (problem: ValidationError): string => {
      if (problem.errors.some((e) => e.field === 'list')) return t('sessions.emptyList');
      if (problem.errors.some((e) => e.field === 'file' && e.message === WORKBOOK)) return t('sessions.workbook');
      return problem.message;
    };
    const actor = sessionOf(res).actor;
    const workshop: WorkshopView = await getWorkshop(app, actor, param(req, 'id'));
    const requests = await listClaimRequests(app, actor, workshop.id);
    const badgeNames = new Map(workshop.badges.map((b) => [b.id, b.name[lang]]));
    await consolePage(
      app,
      req,
      res,
      'session',
      'sessions.title',
      {
        session: {
          ...workshop,
          typeName: typeName(workshop.workshopType, lang),
          badges: workshop.badges.map((b) => b.name[lang]),
        },
        canAward: can(actor, 'credential.award'),
        claimQrHtml: await qrSvg(workshop.claimUrl),
        requests: requests.map((r) => ({
          ...r,
          statusLabel: t(`sessions.request.${r.status}`),
          pending: r.status === 'pending',
        })),
        labels: { ok: t('sessions.ok'), approve: t('sessions.approve'), reject: t('sessions.reject') },
        ...(extra.preview
          ? {
              preview: {
                ...extra.preview,
                rows: extra.preview.rows.map((row) => ({
                  ...row,
                  flags: [
                    ...row.problems.map((p) => t(`rowProblem.${p.code}`, p.params)),
                    ...row.outcomes
                      .filter((o) => o.status === 'already-issued')
                      .map((o) => `${badgeNames.get(o.achievementId)} : ${t(`sessions.status.${o.status}`)}`),
                  ],
                })),
              },
            }
          : {}),
        ...(extra.result ? { result: extra.result } : {}),
        ...(extra.problem ? { problem: problemText(extra.problem) } : {}),
      },
      { active: 'sessions', organisationId: workshop.issuerId, ...(extra.problem ? { status: 422 } : {}) },
    );
  };

  router.get('/sessions/:id', async (req, res) => show(req, res));

  // The list comes pasted in the form, or as an uploaded spreadsheet, or both (appended).
  const listFrom = (req: Request): string => {
    const pasted = typeof req.body?.list === 'string' ? req.body.list : '';
    const file = req.file ? decodeSpreadsheetText(req.file.buffer) : '';
    return [pasted.trim(), file.trim()].filter(Boolean).join('\n');
  };

  router.post('/sessions/:id/preview', upload.single('file'), form, checkCsrf, async (req, res) => {
    try {
      await show(req, res, {
        preview: await previewWorkshopAward(app, sessionOf(res).actor, param(req, 'id'), listFrom(req)),
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await show(req, res, { problem: error });
    }
  });

  router.post('/sessions/:id/award', form, checkCsrf, async (req, res) => {
    try {
      await show(req, res, {
        result: await awardWorkshop(app, sessionOf(res).actor, param(req, 'id'), listFrom(req), {
          language: languageOf(req, res),
        }),
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await show(req, res, { problem: error });
    }
  });

  router.post('/sessions/:id/claims', form, checkCsrf, async (req, res) => {
    await setClaimOpen(app, sessionOf(res).actor, param(req, 'id'), field(req.body, 'open') === '1');
    res.redirect(303, `/console/sessions/${param(req, 'id')}?done=console.done`);
  });

  router.post('/sessions/:id/claims/:requestId', form, checkCsrf, async (req, res) => {
    const result = await decideClaim(
      app,
      sessionOf(res).actor,
      param(req, 'id'),
      param(req, 'requestId'),
      field(req.body, 'decision') === 'approve',
    );
    if (result) return show(req, res, { result });
    res.redirect(303, `/console/sessions/${param(req, 'id')}?done=console.done`);
  });
  return router;
}
