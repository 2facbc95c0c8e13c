import express, { Router, type Response } from 'express';
import type { AppContext } from '../../app/context.js';
import {
  issueCredentialVcApi,
  updateStatusVcApi,
  verifyCredentialVcApi,
  verifyPresentationVcApi,
  type VcApiAnswer,
} from '../../app/vc-api.js';
import { actorOf, requireToken } from '../auth.js';
import { rateLimit } from '../rate-limit.js';
import { refuseDeclaredOversize } from './verify.js';

/** As POST /api/v1/verify: a presentation carries several credentials, each with its images. */
const VERIFY_BODY_LIMIT = 5 * 1024 * 1024;
/** A credential to sign is one JSON document, as for POST /api/v1/credentials. */
const ISSUE_BODY_LIMIT = 256 * 1024;

function send<T>(res: Response, answer: VcApiAnswer<T>): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(answer.status).json(answer.body);
}

/**
 * The W3C VC API at the service's root (issue 15 §2): verification is public and rate limited like
 * /api/v1/verify; signing and status changes need an operator's API token. The use cases say everything else.
 */
export function vcApiRouter(app: AppContext): Router {
  const router = Router();
  const json = (limit: number) =>
    Router().use(
      refuseDeclaredOversize(limit),
      express.json({ limit, type: ['application/json', 'application/*+json'] }),
    );
  const limited = rateLimit(app, 'vc-api-verify', app.config.publicRateLimit);

  router.post('/credentials/verify', limited, json(VERIFY_BODY_LIMIT), async (req, res) => {
    send(res, await verifyCredentialVcApi(app, req.body));
  });
  router.post('/presentations/verify', limited, json(VERIFY_BODY_LIMIT), async (req, res) => {
    send(res, await verifyPresentationVcApi(app, req.body));
  });
  router.post('/credentials/issue', requireToken(app), json(ISSUE_BODY_LIMIT), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(await issueCredentialVcApi(app, actorOf(res), req.body));
  });
  router.post('/credentials/status', requireToken(app), json(ISSUE_BODY_LIMIT), async (req, res) => {
    res.json(await updateStatusVcApi(app, actorOf(res), req.body));
  });
  return router;
}
