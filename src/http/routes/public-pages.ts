import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context.js';
import { AppError } from '../../app/errors.js';
import {
  achievementPageFacts,
  competencePageFacts,
  issuerPageFacts,
  referentialFacts,
} from '../../app/public-pages.js';
import {
  presentAchievementPage,
  presentCompetencePage,
  presentIssuerPage,
  presentReferentialPage,
  REFERENTIAL_PATH,
  type PublicPageContext,
} from '../../views/presenters/public-pages.js';
import type { PageModel } from '../../views/render.js';
import { renderPage } from '../../views/render.js';
import { param } from '../auth.js';
import { languageOf, switchUrl, type PageRenderer } from '../pages.js';

/**
 * The readable pages behind Blason's identifiers: an issuer (/issuers/{slug}) and a badge definition
 * (/achievements/{id}) for browsers, whose JSON-LD stays in routes/public.ts; and the EntreComp referential that
 * every alignment's `targetUrl` points to. Unknown ones get the site's 404 page.
 */

function contextOf(app: AppContext, req: Request, res: Response): PublicPageContext {
  const lang = languageOf(req, res);
  return {
    lang,
    switchLanguageUrl: switchUrl(req, lang),
    catalogue: app.catalogue,
    competenceUrl: (code, level) => app.ids.competence(code, level),
  };
}

/** Renders a page from facts a use case gathers, or the 404 page when the use case finds nothing. */
async function sendPage<F>(
  pages: PageRenderer,
  req: Request,
  res: Response,
  template: string,
  facts: () => Promise<F>,
  present: (facts: F) => PageModel,
): Promise<void> {
  const found = await facts().catch((error: unknown) => {
    if (error instanceof AppError && error.status === 404) return undefined;
    throw error;
  });
  if (found === undefined) return pages.errorPage(req, res, 404);
  // Badges are added, archived and endorsed at any time: a cache may keep the page but must ask again.
  res.setHeader('Cache-Control', 'no-cache');
  res.type('html').send(renderPage(template, present(found)));
}

export function sendIssuerPage(app: AppContext, pages: PageRenderer, req: Request, res: Response): Promise<void> {
  const ctx = contextOf(app, req, res);
  return sendPage(pages, req, res, 'issuer', () => issuerPageFacts(app, param(req, 'slug')), (facts) =>
    presentIssuerPage(ctx, facts),
  );
}

export function sendAchievementPage(
  app: AppContext,
  pages: PageRenderer,
  req: Request,
  res: Response,
): Promise<void> {
  const ctx = contextOf(app, req, res);
  return sendPage(pages, req, res, 'achievement', () => achievementPageFacts(app, param(req, 'id')), (facts) =>
    presentAchievementPage(ctx, facts),
  );
}

/** /referentiels/entrecomp and each competence's page (a level is a section of it: `#niveau-N`). */
export function referentialRouter(app: AppContext, pages: PageRenderer): Router {
  const router = Router();
  router.get(REFERENTIAL_PATH, async (req, res) => {
    const ctx = contextOf(app, req, res);
    await sendPage(pages, req, res, 'referential', () => referentialFacts(app), (facts) =>
      presentReferentialPage(ctx, facts),
    );
  });
  router.get(`${REFERENTIAL_PATH}/:code`, async (req, res) => {
    const ctx = contextOf(app, req, res);
    await sendPage(pages, req, res, 'competence', () => competencePageFacts(app, param(req, 'code')), (facts) =>
      presentCompetencePage(ctx, facts),
    );
  });
  // The English spelling of the address leads to the same pages, in English.
  router.get(['/referentials/entrecomp', '/referentials/entrecomp/:code'], (req, res) => {
    const code = typeof req.params.code === 'string' ? req.params.code : undefined;
    res.redirect(301, `${REFERENTIAL_PATH}${code ? `/${encodeURIComponent(code)}` : ''}?lang=en`);
  });
  return router;
}
