import express, { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context.js';
import { awardDirectly, checkDirectAward, type DirectAwardCheck } from '../../app/direct-award.js';
import { AppError, ValidationError } from '../../app/errors.js';
import { describeRevocation, revokeCredentials } from '../../app/revocations.js';
import { translator, type Translate } from '../../views/i18n.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { field, fields } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

/**
 * Actions that cannot be undone, each behind a confirmation page (no JavaScript confirm()): revoking one or
 * several badges with a reason (from a session's list or a credential's page), and awarding one badge to one
 * person from the badge's page.
 */

/** Where to go back after a revocation: a console page of this service, never another site. */
function backOf(body: unknown): string {
  const back = field(body, 'back');
  return /^\/console\/[A-Za-z0-9/_-]*$/.test(back) ? back : '/console/credentials';
}

/** What the operator can do about a refused revocation, in their language. */
function revocationProblem(error: AppError, t: Translate): string {
  if (error instanceof ValidationError) {
    if (error.errors.some((e) => e.field === 'reason' && e.message === 'required')) return t('revocation.needReason');
    if (error.errors.some((e) => e.field === 'credentialIds' && e.message === 'none chosen'))
      return t('revocation.noneChosen');
    return error.message;
  }
  return t('revocation.alreadyRevoked');
}

export function operatorRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 2_000 });

  const refused = async (req: Request, res: Response, error: unknown, back: string) => {
    if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
    const t = translator(languageOf(req, res));
    await consolePage(
      app,
      req,
      res,
      'confirm',
      'revocation.title',
      {
        confirm: { question: t('revocation.nothingDone'), backHref: back, backLinkLabel: t('revocation.back') },
        problem: revocationProblem(error, t),
      },
      { status: error.status },
    );
  };

  router.post('/revocations/confirm', form, checkCsrf, async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const back = backOf(req.body);
    const ids = fields(req.body, 'credentialIds');
    try {
      const { items, reason } = await describeRevocation(app, sessionOf(res).actor, ids, field(req.body, 'reason'));
      const who = (i: (typeof items)[number]) =>
        i.erased ? t('credentials.erased') : [i.name, i.email].filter(Boolean).join(' — ');
      await consolePage(
        app,
        req,
        res,
        'confirm',
        'revocation.title',
        {
          confirm: {
            question:
              items.length === 1
                ? t('revocation.questionOne', { badge: items[0]!.badge[lang], person: who(items[0]!) })
                : t('revocation.questionMany', { count: items.length }),
            lines: [t('revocation.reasonIs', { reason })],
            items: items.length === 1 ? [] : items.map((i) => `${i.badge[lang]} : ${who(i)}`),
            warning: t('revocation.final'),
            action: '/console/revocations',
            fields: [
              ...items.map((i) => ({ name: 'credentialIds', value: i.id })),
              { name: 'reason', value: reason },
              { name: 'back', value: back },
            ],
            danger: true,
            confirmLabel: t('revocation.confirm', { count: items.length }),
            backHref: back,
            backLinkLabel: t('revocation.cancel'),
          },
        },
        {},
      );
    } catch (error) {
      await refused(req, res, error, back);
    }
  });

  router.post('/revocations', form, checkCsrf, async (req, res) => {
    const back = backOf(req.body);
    try {
      await revokeCredentials(app, sessionOf(res).actor, fields(req.body, 'credentialIds'), field(req.body, 'reason'));
    } catch (error) {
      return refused(req, res, error, back);
    }
    res.redirect(303, `${back}?done=revocation.done`);
  });

  const checkPage = async (req: Request, res: Response, check: DirectAwardCheck, status = 200) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const ready = check.problems.length === 0 && !check.alreadyHeld;
    await consolePage(
      app,
      req,
      res,
      'badge-award',
      'awardOne.title',
      {
        id: check.achievementId,
        awardOne: { email: check.email, name: check.name },
        check: {
          ...check,
          ready,
          question: t('awardOne.question', {
            badge: check.badge[lang],
            person: check.name ? `${check.name} (${check.email})` : check.email,
          }),
          flags: [
            ...check.problems.map((p) => t(`rowProblem.${p.code}`, p.params)),
            ...(check.alreadyHeld ? [t('awardOne.alreadyHeld', { email: check.email })] : []),
          ],
          ...(check.suggestion ? { suggestionText: t('sessions.suggestion', { suggestion: check.suggestion }) } : {}),
        },
      },
      { active: 'badges', status },
    );
  };

  const input = (req: Request) => ({ email: field(req.body, 'email'), name: field(req.body, 'name') });

  router.post('/badges/:id/award/check', form, checkCsrf, async (req, res) => {
    await checkPage(req, res, await checkDirectAward(app, sessionOf(res).actor, param(req, 'id'), input(req)));
  });

  router.post('/badges/:id/award', form, checkCsrf, async (req, res) => {
    const actor = sessionOf(res).actor;
    const id = param(req, 'id');
    try {
      await awardDirectly(app, actor, id, { ...input(req), language: languageOf(req, res) });
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      return checkPage(req, res, await checkDirectAward(app, actor, id, input(req)), error.status);
    }
    res.redirect(303, `/console/badges/${id}?done=awardOne.done`);
  });
  return router;
}
