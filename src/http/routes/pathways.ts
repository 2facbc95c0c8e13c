import express, { Router } from 'express';
import type { AppContext } from '../../app/context.js';
import { archivePathway, catchUpPathway, createPathway, getPathway, listPathways } from '../../app/pathways.js';
import { actorOf, param, requireToken } from '../auth.js';
import { validateBody } from '../validate.js';
import { refuseDeclaredOversize } from './verify.js';

const JSON_BODY_LIMIT = 64 * 1024;

/** /api/v1/pathways: thin routes over src/app/pathways.ts (a token on each route). */
export function pathwayApiRouter(app: AppContext): Router {
  const router = Router();
  const json = Router().use(refuseDeclaredOversize(JSON_BODY_LIMIT), express.json({ limit: JSON_BODY_LIMIT }));
  const token = requireToken(app);

  router.post('/pathways', token, json, validateBody('pathway-create.json'), async (req, res) => {
    res.status(201).json(await createPathway(app, actorOf(res), req.body));
  });
  router.get('/pathways', token, async (_req, res) => {
    res.json({ pathways: await listPathways(app, actorOf(res)) });
  });
  router.get('/pathways/:id', token, async (req, res) => {
    res.json(await getPathway(app, actorOf(res), param(req, 'id')));
  });
  router.post('/pathways/:id/catch-up', token, async (req, res) => {
    res.json(await catchUpPathway(app, actorOf(res), param(req, 'id')));
  });
  router.post('/pathways/:id/archive', token, async (req, res) => {
    await archivePathway(app, actorOf(res), param(req, 'id'));
    res.status(204).end();
  });
  return router;
}
