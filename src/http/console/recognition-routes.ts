import express, { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context.js';
import {
  recognitionsToModerate,
  recognitionToModerate,
  revokeRecognition,
  setPeerRecognitionEnabled,
  type ModeratedRecognition,
} from '../../app/peer-recognition.js';
import { formatDate, translator, type Lang } from '../../views/i18n.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { field } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

/** What a line says about a recognition's state, in words (the revocation reason is the administrator's own). */
function stateOf(r: ModeratedRecognition, t: ReturnType<typeof translator>): string {
  if (r.revoked && !r.refused) return t('moderation.state.revoked', { reason: r.revocationReason ?? '' });
  if (r.refused) return t('moderation.state.refused');
  if (r.hidden) return t('moderation.state.hidden');
  return t('moderation.state.valid');
}

function lineOf(r: ModeratedRecognition, lang: Lang) {
  const t = translator(lang);
  return {
    ...r,
    line: t('moderation.line', {
      sender: r.sender,
      recipient: r.recipient,
      date: formatDate(new Date(r.issuedAt), lang),
    }),
    state: stateOf(r, t),
    // A hidden or refused recognition has no public page to open.
    open: !r.hidden && !r.refused,
    revocable: !r.revoked && !r.refused,
  };
}

/**
 * /console/recognitions: the platform administrator's moderation of peer recognition (issue 13 §2): the switch that
 * suspends it for everyone, and withdrawing an abusive recognition, after a confirmation, with a reason.
 */
export function recognitionModerationRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  const page = async (req: Request, res: Response, problem?: string) => {
    const lang = languageOf(req, res);
    const found = await recognitionsToModerate(app, sessionOf(res).actor);
    await consolePage(
      app,
      req,
      res,
      'recognitions',
      'moderation.title',
      { ...found, recognitions: found.recognitions.map((r) => lineOf(r, lang)), ...(problem ? { problem } : {}) },
      { active: 'recognitions', ...(problem ? { status: 422 } : {}) },
    );
  };
  router.get('/recognitions', (req, res) => page(req, res));

  router.post('/recognitions/setting', form, checkCsrf, async (req, res) => {
    const enabled = field(req.body, 'enabled') === 'true';
    await setPeerRecognitionEnabled(app, sessionOf(res).actor, enabled);
    res.redirect(303, `/console/recognitions?done=${enabled ? 'moderation.turnedOn' : 'moderation.turnedOff'}`);
  });

  // First the question, then (confirmed=1) the withdrawal: it is final and seen by every verifier.
  router.post('/recognitions/:id/revoke', form, checkCsrf, async (req, res) => {
    const actor = sessionOf(res).actor;
    const id = param(req, 'id');
    const reason = field(req.body, 'reason').slice(0, 1000);
    const t = translator(languageOf(req, res));
    if (!reason) return page(req, res, t('moderation.reasonNeeded'));
    if (field(req.body, 'confirmed') === '1') {
      await revokeRecognition(app, actor, id, reason);
      res.redirect(303, '/console/recognitions?done=moderation.revoked');
      return;
    }
    const recognition = await recognitionToModerate(app, actor, id);
    await consolePage(
      app,
      req,
      res,
      'confirm',
      'moderation.title',
      {
        confirm: {
          question: t('moderation.confirm', { competence: recognition.competence, sender: recognition.sender }),
          lines: [`« ${recognition.observation} »`, t('moderation.confirmLine')],
          action: `/console/recognitions/${id}/revoke`,
          fields: [
            { name: 'reason', value: reason },
            { name: 'confirmed', value: '1' },
          ],
          danger: true,
          confirmLabel: t('moderation.revoke'),
          backHref: '/console/recognitions',
          backLinkLabel: t('moderation.back'),
        },
      },
      { active: 'recognitions' },
    );
  });
  return router;
}
