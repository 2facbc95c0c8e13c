import express, { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context.js';
import { AppError, ValidationError, type FieldError } from '../../app/errors.js';
import { isSuppressed, type Cell } from '../../app/indicator-suppression.js';
import {
  archivePathway,
  catchUpPathway,
  createPathway,
  listPathways,
  pathwayBadgeChoices,
  pathwayIndicators,
  type PathwayView,
} from '../../app/pathways.js';
import { can, scopeOf } from '../../app/policies.js';
import { translator, type Lang } from '../../views/i18n.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId, field, fields } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

/** What the creation form sent back, to show it again after a refusal. */
interface FormValues {
  nameFr: string;
  nameEn: string;
  descriptionFr: string;
  badges: string[];
  rule: string;
  requiredCount: string;
  withinDays: string;
  ordered: boolean;
}

const EMPTY: FormValues = {
  nameFr: '',
  nameEn: '',
  descriptionFr: '',
  badges: [],
  rule: 'all',
  requiredCount: '',
  withinDays: '',
  ordered: false,
};

function valuesOf(body: unknown): FormValues {
  return {
    nameFr: field(body, 'nameFr'),
    nameEn: field(body, 'nameEn'),
    descriptionFr: field(body, 'descriptionFr'),
    badges: fields(body, 'badges'),
    rule: field(body, 'rule') === 'count' ? 'count' : 'all',
    requiredCount: field(body, 'requiredCount'),
    withinDays: field(body, 'withinDays'),
    ordered: field(body, 'ordered') === '1',
  };
}

/** The form as the use case's input: numbers as numbers, blanks left out so that the schema names what is missing. */
function inputOf(values: FormValues, issuerId: string): Record<string, unknown> {
  const number = (text: string) => (/^\d+$/.test(text) ? Number(text) : text);
  return {
    issuerId,
    name: { fr: values.nameFr, ...(values.nameEn ? { en: values.nameEn } : {}) },
    ...(values.descriptionFr ? { description: { fr: values.descriptionFr } } : {}),
    badges: values.badges,
    rule: values.rule,
    ...(values.rule === 'count' && values.requiredCount ? { requiredCount: number(values.requiredCount) } : {}),
    ...(values.withinDays ? { withinDays: number(values.withinDays) } : {}),
    ordered: values.ordered,
  };
}

function cellText(cell: Cell | undefined, lang: Lang): string {
  if (!cell) return '';
  return isSuppressed(cell) ? translator(lang)('pathways.console.fewer') : String(cell.value);
}

function ruleText(pathway: PathwayView, lang: Lang): string {
  const t = translator(lang);
  const rule =
    pathway.rule === 'all'
      ? t('pathways.console.ruleAllText', { count: pathway.badges.length })
      : t('pathways.console.ruleCountText', { required: pathway.requiredCount, count: pathway.badges.length });
  return pathway.withinDays ? `${rule} ${t('pathways.console.withinText', { days: pathway.withinDays })}` : rule;
}

/**
 * /console/pathways: the pathways the organisation owns or takes part in, with their holders and completions (small
 * counts hidden), the catch-up run for badges awarded before a pathway existed, and the form to create one from the
 * badges of every organisation. The same use cases as the API (src/app/pathways.ts).
 */
export function pathwayRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '32kb' });

  const page = async (
    req: Request,
    res: Response,
    extra: { values?: FormValues; problem?: string; fieldErrors?: FieldError[]; status?: number } = {},
  ) => {
    const lang = languageOf(req, res);
    const actor = sessionOf(res).actor;
    const organisationId = await currentOrganisationId(app, req, res);
    const indicators = await pathwayIndicators(app, actor);
    const pathways = await listPathways(app, actor);
    const values = extra.values ?? EMPTY;
    const chosen = new Set(values.badges);
    const canCreate = can(actor, 'achievement.write');
    const choices = canCreate ? await pathwayBadgeChoices(app, actor) : [];
    await consolePage(
      app,
      req,
      res,
      'pathways',
      'pathways.console.title',
      {
        pathways: pathways.map((p) => {
          const figures = indicators.find((i) => i.id === p.id);
          const owned = scopeOf(actor) === undefined ? p.issuerId === organisationId : p.issuerId === scopeOf(actor);
          return {
            id: p.id,
            name: p.name[lang],
            owner: p.issuerName,
            rule: ruleText(p, lang),
            ordered: p.ordered,
            badges: p.badges.map((b) => ({ name: b.name[lang], issuer: b.issuerName, url: b.url })),
            badgeUrl: p.achievementUrl,
            holders: cellText(figures?.holders, lang),
            completions: cellText(figures?.completions, lang),
            canCatchUp: owned && can(actor, 'credential.award'),
            canArchive: owned && can(actor, 'achievement.write'),
          };
        }),
        canCreate,
        issuerId: organisationId,
        choices: choices.map((group) => ({
          name: group.organisation.name,
          badges: group.badges.map((b) => ({ id: b.id, name: b.name[lang], checked: chosen.has(b.id) })),
        })),
        values,
        ruleCount: values.rule === 'count',
        ...(extra.problem ? { problem: extra.problem, fieldErrors: extra.fieldErrors ?? [] } : {}),
      },
      { active: 'pathways', organisationId, status: extra.status ?? 200 },
    );
  };

  router.get('/pathways', async (req, res) => page(req, res));

  router.post('/pathways', form, checkCsrf, async (req, res) => {
    const values = valuesOf(req.body);
    const organisationId = await currentOrganisationId(app, req, res);
    try {
      await createPathway(app, sessionOf(res).actor, inputOf(values, organisationId));
    } catch (error) {
      if (error instanceof ValidationError)
        return page(req, res, { values, problem: error.message, fieldErrors: error.errors, status: 422 });
      if (error instanceof AppError && [404, 409].includes(error.status))
        return page(req, res, { values, problem: error.message, status: error.status });
      throw error;
    }
    res.redirect(303, '/console/pathways?done=pathways.console.created');
  });

  router.post('/pathways/:id/catch-up', form, checkCsrf, async (req, res) => {
    const { awarded } = await catchUpPathway(app, sessionOf(res).actor, param(req, 'id'));
    const done = awarded === 0 ? 'pathways.console.caughtUpNone' : 'pathways.console.caughtUp';
    res.redirect(303, `/console/pathways?done=${done}`);
  });

  // First the question, then (confirmed=1) the archiving: the pathway awards nothing more.
  router.post('/pathways/:id/archive', form, checkCsrf, async (req, res) => {
    const id = param(req, 'id');
    if (field(req.body, 'confirmed') === '1') {
      await archivePathway(app, sessionOf(res).actor, id);
      return res.redirect(303, '/console/pathways?done=pathways.console.archived');
    }
    const t = translator(languageOf(req, res));
    await consolePage(
      app,
      req,
      res,
      'confirm',
      'pathways.console.title',
      {
        confirm: {
          question: t('pathways.console.archiveQuestion'),
          lines: [t('pathways.console.archiveLine')],
          action: `/console/pathways/${id}/archive`,
          fields: [{ name: 'confirmed', value: '1' }],
          danger: true,
          confirmLabel: t('pathways.console.archive'),
          backHref: '/console/pathways',
          backLinkLabel: t('pathways.console.archiveBack'),
        },
      },
      { active: 'pathways' },
    );
  });

  return router;
}
