import express, { Router, type Request, type Response } from 'express';
import { listAchievementViews } from '../../app/achievements.js';
import type { AppContext } from '../../app/context.js';
import {
  acceptEndorsementRequest,
  declineEndorsementRequest,
  endorsementPartnerChoices,
  endorsementRequestDetail,
  listEndorsementRequests,
  requestEndorsement,
  withdrawEndorsementRequest,
  type EndorsementRequestView,
} from '../../app/endorsement-requests.js';
import { AppError, ValidationError } from '../../app/errors.js';
import { can } from '../../app/policies.js';
import { formatDate, translator, type Lang } from '../../views/i18n.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId, field } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

/** A request as a line of the console's lists, in the operator's language. */
function line(request: EndorsementRequestView, lang: Lang) {
  const t = translator(lang);
  return {
    id: request.id,
    badge: request.achievement.name[lang],
    requester: request.requester.name,
    partner: request.partner.name,
    status: request.status,
    state: t(`endorsementRequests.status.${request.status}`),
    askedOn: formatDate(request.createdAt, lang),
    answeredOn: request.answeredAt ? formatDate(request.answeredAt, lang) : undefined,
  };
}

/** A refusal the operator can act on, shown on the page instead of an error page; anything else is thrown. */
function refusal(error: unknown): AppError {
  if (error instanceof AppError && [404, 409, 422].includes(error.status)) return error;
  throw error;
}

/**
 * /console/endorsement-requests: the requests an organisation received (as a partner) and sent, asking one, and
 * the page where the partner reads the badge and accepts or declines. The same use cases as the API.
 */
export function endorsementRequestRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  const listPage = async (req: Request, res: Response, problem?: string, status = 200) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const organisationId = await currentOrganisationId(app, req, res);
    const received = await listEndorsementRequests(app, actor, 'received', organisationId);
    const sent = await listEndorsementRequests(app, actor, 'sent', organisationId);
    const badges = await listAchievementViews(app, actor, { issuerId: organisationId });
    const partners = await endorsementPartnerChoices(app, actor, organisationId);
    await consolePage(
      app,
      req,
      res,
      'endorsement-requests',
      'endorsementRequests.title',
      {
        received: received.map((r) => line(r, lang)),
        sent: sent.map((r) => line(r, lang)),
        canAsk: can(actor, 'endorsement.write'),
        badges: badges.map((b) => ({ id: b.id, name: b.name[lang] })),
        partners: partners.map((p) => ({
          id: p.id,
          name: p.name,
          kind: t(`endorsementRequests.partnerKind.${p.kind}`),
        })),
        ...(problem ? { problem } : {}),
      },
      { organisationId, status },
    );
  };

  router.get('/endorsement-requests', async (req, res) => listPage(req, res));

  router.post('/endorsement-requests', form, checkCsrf, async (req, res) => {
    try {
      await requestEndorsement(app, sessionOf(res).actor, {
        achievementId: field(req.body, 'achievementId'),
        partnerId: field(req.body, 'partnerId'),
        ...(field(req.body, 'message') ? { message: field(req.body, 'message') } : {}),
      });
    } catch (error) {
      const refused = refusal(error);
      return listPage(req, res, refused.message, refused.status);
    }
    res.redirect(303, '/console/endorsement-requests?done=endorsementRequests.sentDone');
  });

  const detailPage = async (req: Request, res: Response, problem?: string, status = 200) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const request = await endorsementRequestDetail(app, actor, param(req, 'id'));
    const heading =
      request.side === 'requester'
        ? t('endorsementRequests.headingSent', { partner: request.partner.name, badge: request.achievement.name[lang] })
        : t('endorsementRequests.heading', {
            requester: request.requester.name,
            badge: request.achievement.name[lang],
          });
    await consolePage(
      app,
      req,
      res,
      'endorsement-request',
      'endorsementRequests.detailTitle',
      {
        heading,
        request: {
          ...line(request, lang),
          message: request.message,
          description: request.description[lang],
          criteria: request.criteria[lang],
          competences: request.competences.map((c) => ({
            code: c.code,
            name: c.name[lang],
            level: t('endorsementRequests.level', { level: c.level }),
          })),
          answerMessage: request.answerMessage,
          endorsementUrl: request.endorsement?.url,
        },
        pending: request.status === 'pending',
        canAnswer: request.side !== 'requester' && can(actor, 'endorsement.write'),
        canWithdraw: request.side !== 'partner' && can(actor, 'endorsement.write'),
        ...(problem ? { problem } : {}),
      },
      { status },
    );
  };

  router.get('/endorsement-requests/:id', async (req, res) => detailPage(req, res));

  /** An answer refused: a missing or too long text in the operator's words, an answer already given as it is. */
  const answerRefused = (req: Request, res: Response, error: unknown, missingKey: string) => {
    const refused = refusal(error);
    if (refused.status === 404) throw refused;
    const missing = refused instanceof ValidationError && !refused.errors.some((e) => e.keyword === 'maxLength');
    const problem = missing ? translator(languageOf(req, res))(missingKey) : refused.message;
    return detailPage(req, res, problem, refused.status);
  };

  router.post('/endorsement-requests/:id/accept', form, checkCsrf, async (req, res) => {
    const id = param(req, 'id');
    try {
      await acceptEndorsementRequest(app, sessionOf(res).actor, id, { comment: field(req.body, 'comment') });
    } catch (error) {
      return answerRefused(req, res, error, 'endorsementRequests.commentRequired');
    }
    res.redirect(303, `/console/endorsement-requests/${id}?done=endorsementRequests.accepted`);
  });

  router.post('/endorsement-requests/:id/decline', form, checkCsrf, async (req, res) => {
    const id = param(req, 'id');
    try {
      await declineEndorsementRequest(app, sessionOf(res).actor, id, { message: field(req.body, 'message') });
    } catch (error) {
      return answerRefused(req, res, error, 'endorsementRequests.messageRequired');
    }
    res.redirect(303, `/console/endorsement-requests/${id}?done=endorsementRequests.declined`);
  });

  router.post('/endorsement-requests/:id/withdraw', form, checkCsrf, async (req, res) => {
    const id = param(req, 'id');
    try {
      await withdrawEndorsementRequest(app, sessionOf(res).actor, id);
    } catch (error) {
      const refused = refusal(error);
      if (refused.status === 404) throw refused;
      return detailPage(req, res, refused.message, refused.status);
    }
    res.redirect(303, `/console/endorsement-requests/${id}?done=endorsementRequests.withdrawn`);
  });
  return router;
}
