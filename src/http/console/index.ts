import { Router } from 'express';
import type { AppContext } from '../../app/context.js';
import { authRoutes } from './auth-routes.js';
import { badgeRoutes } from './badge-routes.js';
import { emailRoutes } from './email-routes.js';
import { endorsementRequestRoutes } from './endorsement-request-routes.js';
import { endorsementRoutes } from './endorsement-routes.js';
import { insightRoutes } from './insight-routes.js';
import { operatorRoutes } from './operator-routes.js';
import { orgRoutes } from './org-routes.js';
import { pathwayRoutes } from './pathway-routes.js';
import { recognitionModerationRoutes } from './recognition-routes.js';
import { recordRoutes } from './record-routes.js';
import { sessionRoutes } from './session-routes.js';
import { loadSession, requireSession } from './session.js';

/**
 * /console: the operators' web console. Server-rendered pages, sessions in the database, CSRF tokens on every
 * form; JavaScript only improves (live badge preview). Every page calls the same use cases as the API, so the
 * same policies and tenant scoping apply.
 */
export function consoleRouter(app: AppContext): Router {
  const router = Router();
  // Every console answer is private, error pages (404, 403) included: never kept by a browser or a proxy.
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(loadSession(app));
  router.use(authRoutes(app));
  router.use(requireSession);
  router.use(insightRoutes(app));
  router.use(badgeRoutes(app));
  router.use(sessionRoutes(app));
  router.use(operatorRoutes(app));
  router.use(recordRoutes(app));
  router.use(orgRoutes(app));
  router.use(emailRoutes(app));
  router.use(endorsementRequestRoutes(app));
  router.use(endorsementRoutes(app));
  router.use(pathwayRoutes(app));
  router.use(recognitionModerationRoutes(app));
  return router;
}
