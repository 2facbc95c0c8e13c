import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app/context.js';
import { directoryFacts, directoryFeed, readDirectoryFilter, widgetFacts } from '../../app/directory.js';
import { AppError } from '../../app/errors.js';
import type { Lang } from '../../app/catalogue.js';
import { DIRECTORY_PATHS, presentDirectoryPage, presentDirectoryWidget } from '../../views/presenters/directory.js';
import type { PublicPageContext } from '../../views/presenters/public-pages.js';
import { renderPage } from '../../views/render.js';
import { param } from '../auth.js';
import type { PageRenderer } from '../pages.js';

/** The directory changes when an organisation adds a badge: shared caches may keep it a few minutes. */
const CACHE = 'public, max-age=300';

/**
 * The widget is made to be framed by other websites (the Métropole's, an organisation's own): its policy is the
 * site's, except that any page may frame it. It runs no script and links open outside the frame.
 */
const WIDGET_POLICY =
  "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors *";

function contextOf(app: AppContext, lang: Lang): PublicPageContext {
  const other = lang === 'fr' ? 'en' : 'fr';
  return {
    lang,
    switchLanguageUrl: DIRECTORY_PATHS[other],
    catalogue: app.catalogue,
    competenceUrl: (code, level) => app.ids.competence(code, level),
  };
}

/** The language of a path: /annuaire is French, /directory English, whatever the browser prefers. */
function pageLanguage(res: Response, lang: Lang): Lang {
  res.setHeader('Content-Language', lang);
  return lang;
}

/** /annuaire and /directory (pages), their widgets, and GET /api/v1/directory (the JSON feed); all public. */
export function directoryRouter(app: AppContext, pages: PageRenderer): Router {
  const router = Router();

  for (const lang of ['fr', 'en'] as const) {
    const path = DIRECTORY_PATHS[lang];
    router.get(path, async (req, res) => {
      pageLanguage(res, lang);
      const filter = readDirectoryFilter(app, req.query, true);
      const facts = await directoryFacts(app, filter);
      res.setHeader('Cache-Control', CACHE);
      res.type('html').send(renderPage('directory', presentDirectoryPage(contextOf(app, lang), facts)));
    });
    router.get(`${path}/widget/:slug`, async (req: Request, res: Response) => {
      pageLanguage(res, lang);
      const entry = await widgetFacts(app, param(req, 'slug')).catch((error: unknown) => {
        if (error instanceof AppError && error.status === 404) return undefined;
        throw error;
      });
      if (!entry) return pages.errorPage(req, res, 404);
      res.setHeader('Content-Security-Policy', WIDGET_POLICY);
      res.removeHeader('X-Frame-Options');
      res.setHeader('Cache-Control', CACHE);
      res.type('html').send(renderPage('directory-widget', presentDirectoryWidget(contextOf(app, lang), entry)));
    });
  }

  router.get('/api/v1/directory', async (req, res) => {
    const filter = readDirectoryFilter(app, req.query);
    const lang: Lang = req.query.lang === 'en' ? 'en' : 'fr';
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', CACHE);
    res.json(await directoryFeed(app, filter, lang));
  });
  return router;
}
