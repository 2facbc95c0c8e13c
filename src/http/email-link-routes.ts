import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../app/context.js';
import { linkedinFacts, recordEmailOpened } from '../app/email-links.js';
import { linkedinAddUrl } from '../views/presenters/share.js';
import { param } from './auth.js';

/**
 * The links of the badge e-mails carry `?open=<token>` (see src/app/email-links.ts). Here the visit is recorded,
 * then the browser is sent on to the same address without the token, so that the address she copies or shares
 * never carries it. Without a token these routes step aside, except /credentials/{id}/linkedin, which is
 * LinkedIn's form filled in for that badge.
 */
export function emailLinkRouter(app: AppContext): Router {
  const router = Router();

  const withoutToken = (req: Request): string => {
    const url = new URL(req.originalUrl, 'http://local');
    url.searchParams.delete('open');
    return `${url.pathname}${url.search}`;
  };

  router.get(['/credentials/:id', '/credentials/:id/manage', '/holder'], async (req, res: Response, next) => {
    const token = req.query.open;
    if (token === undefined) return next();
    if (typeof token === 'string') await recordEmailOpened(app, token);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, withoutToken(req));
  });

  router.get('/credentials/:id/linkedin', async (req, res) => {
    if (typeof req.query.open === 'string') await recordEmailOpened(app, req.query.open);
    const id = param(req, 'id');
    const facts = await linkedinFacts(app, id);
    res.setHeader('Cache-Control', 'no-store');
    // A badge nobody may see (withdrawn, hidden, erased, unknown): its page says why.
    res.redirect(303, facts ? linkedinAddUrl(facts) : `/credentials/${encodeURIComponent(id)}`);
  });

  return router;
}
