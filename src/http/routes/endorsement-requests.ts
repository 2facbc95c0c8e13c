import express, { Router } from 'express';
import type { AppContext } from '../../app/context.js';
import {
  acceptEndorsementRequest,
  declineEndorsementRequest,
  listEndorsementRequests,
  requestEndorsement,
  withdrawEndorsementRequest,
} from '../../app/endorsement-requests.js';
import { badRequest } from '../../app/errors.js';
import { actorOf, param, requireToken } from '../auth.js';
import { validateBody } from '../validate.js';
import { refuseDeclaredOversize } from './verify.js';

const JSON_BODY_LIMIT = 64 * 1024;

/** /api/v1/endorsement-requests: thin routes over src/app/endorsement-requests.ts (a token on each route). */
export function endorsementRequestApiRouter(app: AppContext): Router {
  const router = Router();
  const json = Router().use(refuseDeclaredOversize(JSON_BODY_LIMIT), express.json({ limit: JSON_BODY_LIMIT }));
  const token = requireToken(app);

  router.post(
    '/endorsement-requests',
    token,
    json,
    validateBody('endorsement-request-create.json'),
    async (req, res) => {
      const created = await requestEndorsement(app, actorOf(res), req.body);
      res.status(201).json(created);
    },
  );
  router.get('/endorsement-requests', token, async (req, res) => {
    const direction = req.query.direction ?? 'received';
    if (direction !== 'received' && direction !== 'sent')
      throw badRequest('Say which requests to list: ?direction=received (asked of you) or ?direction=sent (yours).');
    const organisationId = typeof req.query.organisationId === 'string' ? req.query.organisationId : undefined;
    res.json({ requests: await listEndorsementRequests(app, actorOf(res), direction, organisationId) });
  });
  router.post(
    '/endorsement-requests/:id/accept',
    token,
    json,
    validateBody('endorsement-request-answer.json'),
    async (req, res) => {
      res.json(await acceptEndorsementRequest(app, actorOf(res), param(req, 'id'), req.body));
    },
  );
  router.post(
    '/endorsement-requests/:id/decline',
    token,
    json,
    validateBody('endorsement-request-answer.json'),
    async (req, res) => {
      res.json(await declineEndorsementRequest(app, actorOf(res), param(req, 'id'), req.body));
    },
  );
  router.post('/endorsement-requests/:id/withdraw', token, async (req, res) => {
    res.json(await withdrawEndorsementRequest(app, actorOf(res), param(req, 'id')));
  });
  return router;
}
