import express, { Router } from 'express';
import type { AppContext } from '../../app/context.js';
import {
  importEndorsement,
  listImportedEndorsements,
  MAX_IMPORT_BYTES,
  publicImportedEndorsement,
  removeImportedEndorsement,
} from '../../app/endorsement-import.js';
import { actorOf, param, requireToken } from '../auth.js';
import { validateBody } from '../validate.js';
import { refuseDeclaredOversize } from './verify.js';

/** The endorsement itself is limited to 64 KB by the use case; the envelope around it gets a little room. */
const JSON_BODY_LIMIT = MAX_IMPORT_BYTES + 16 * 1024;

/**
 * /api/v1/achievements/{id}/endorsements: endorsements signed elsewhere, attached to one of the organisation's
 * badge definitions (thin routes over src/app/endorsement-import.ts; the token is checked on each route).
 */
export function importedEndorsementApiRouter(app: AppContext): Router {
  const router = Router();
  const json = Router().use(refuseDeclaredOversize(JSON_BODY_LIMIT), express.json({ limit: JSON_BODY_LIMIT }));
  const token = requireToken(app);

  router.post(
    '/achievements/:id/endorsements',
    token,
    json,
    validateBody('endorsement-import.json'),
    async (req, res) => {
      const body = req.body as { endorsement: unknown };
      const created = await importEndorsement(app, actorOf(res), {
        achievementId: param(req, 'id'),
        endorsement: body.endorsement,
      });
      res.status(201).location(created.url).json(created);
    },
  );
  router.get('/achievements/:id/endorsements', token, async (req, res) => {
    res.json({ endorsements: await listImportedEndorsements(app, actorOf(res), param(req, 'id')) });
  });
  router.delete('/achievements/:id/endorsements/:importId', token, async (req, res) => {
    await removeImportedEndorsement(app, actorOf(res), param(req, 'id'), param(req, 'importId'));
    res.status(204).end();
  });
  return router;
}

/** GET /achievements/{id}/endorsements/{importId}: the signed content as imported, so that anyone can verify it. */
export function importedEndorsementPageRouter(app: AppContext): Router {
  const router = Router();
  router.get('/achievements/:id/endorsements/:importId', async (req, res) => {
    const found = await publicImportedEndorsement(app, param(req, 'id'), param(req, 'importId'));
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-cache');
    res.type(found.format === 'json' ? 'application/vc+ld+json' : 'application/vc+jwt').send(found.content);
  });
  return router;
}
