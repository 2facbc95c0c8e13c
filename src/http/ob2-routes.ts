import { Router, type Response } from 'express';
import type { AppContext } from '../app/context.js';
import { ob2Assertion, ob2AssertionImage, ob2BadgeClassById, ob2IssuerBySlug } from '../app/ob2.js';
import { param } from './auth.js';

function ld(res: Response, body: unknown, status = 200): void {
  res.status(status).setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', 'no-cache');
  res.type('application/ld+json').send(JSON.stringify(body));
}

/** Open Badges 2.0 hosted documents and the baked 2.0 PNG (see src/app/ob2.ts). */
export function ob2Router(app: AppContext): Router {
  const router = Router();

  router.get('/ob2/assertions/:id', async (req, res) => {
    const { gone, assertion } = await ob2Assertion(app, param(req, 'id'));
    res.setHeader('Link', `<${app.ids.credential(param(req, 'id'))}>; rel="alternate"; type="application/vc+ld+json"`);
    ld(res, assertion, gone ? 410 : 200);
  });

  router.get('/ob2/assertions/:id/badge.png', async (req, res) => {
    const { png, baseName } = await ob2AssertionImage(app, param(req, 'id'));
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Disposition', `attachment; filename="${baseName}.png"`);
    res.type('image/png').send(png);
  });

  router.get('/ob2/badges/:id', async (req, res) => {
    ld(res, await ob2BadgeClassById(app, param(req, 'id'), req.query.lang === 'en' ? 'en' : 'fr'));
  });

  router.get('/ob2/issuers/:slug', async (req, res) => {
    ld(res, await ob2IssuerBySlug(app, param(req, 'slug')));
  });
  return router;
}
