import express, { Router, type Request, type Response } from 'express';
import { credentialPageFacts, holderSettings, setHolderNameVisible } from '../app/credential-page.js';
import type { AppContext } from '../app/context.js';
import { CREDENTIAL_FILES, managedCredentialFile } from '../app/credential-files.js';
import type { CredentialRow } from '../app/credentials.js';
import { AppError } from '../app/errors.js';
import type { PublicView } from '../app/visibility.js';
import { fromRoot } from '../shared/paths.js';
import { pickLanguage, translator, type Lang } from '../views/i18n.js';
import { presentCredentialPage } from '../views/presenters/credential-page.js';
import { qrSvg } from '../views/qr.js';
import { renderPage } from '../views/render.js';
import { param } from './auth.js';
import { sendCredentialFile } from './send-file.js';
import { readCookie, setCookie } from './cookies.js';

/** Renders the HTML pages that other routers need (the badge page is one form of /credentials/{id}). */
export interface PageRenderer {
  /** `owner`: the viewer is the badge's holder, signed in (her own downloads, a way back to her space). */
  credentialPage(req: Request, row: CredentialRow, view: PublicView, owner?: { hidden: boolean }): Promise<string>;
  errorPage(req: Request, res: Response, status: number, message?: string): void;
}

const LANG_COOKIE = 'lang';

/** The page language; choosing one with ?lang= is remembered in a cookie. */
export function languageOf(req: Request, res: Response): Lang {
  const lang = pickLanguage({
    query: req.query.lang,
    cookie: readCookie(req, LANG_COOKIE),
    acceptLanguage: req.get('accept-language'),
  });
  if (req.query.lang === lang) {
    setCookie(res, LANG_COOKIE, lang, { maxAge: 365 * 86_400_000, sameSite: 'lax', httpOnly: true, path: '/' });
  }
  res.setHeader('Content-Language', lang);
  res.vary('Accept-Language');
  return lang;
}

/** The same address in the other language (the header's language switch). */
export function switchUrl(req: Request, lang: Lang): string {
  const url = new URL(req.originalUrl, 'http://x');
  url.searchParams.delete('key');
  url.searchParams.set('lang', lang === 'fr' ? 'en' : 'fr');
  return `${url.pathname}${url.search}`;
}

export function htmlPages(app: AppContext): PageRenderer {
  return {
    async credentialPage(req, row, view, owner) {
      const res = req.res!;
      const lang = languageOf(req, res);
      const facts = await credentialPageFacts(app, row, view);
      const url = app.ids.credential(row.id);
      const achievement = facts.achievement;
      const catalogueBadge = achievement.catalogue_key ? app.catalogue.badge(achievement.catalogue_key) : undefined;
      // Her own view of the page (her hidden badge, her downloads) is hers alone: never kept by a shared cache.
      res.setHeader('Cache-Control', owner ? 'private, no-store' : 'no-cache');
      res.vary('Cookie');
      const own = `/holder/credentials/${row.id}`;
      return renderPage(
        'credential',
        presentCredentialPage({
          lang,
          url,
          credentialId: url,
          credential: facts.credential,
          report: facts.report,
          achievement: {
            name: lang === 'fr' ? achievement.name_fr : achievement.name_en,
            description: lang === 'fr' ? achievement.description_fr : achievement.description_en,
            criteria: lang === 'fr' ? achievement.criteria_fr : achievement.criteria_en,
            achievementType: achievement.achievement_type,
            competences: facts.competences,
            imageUrl: `${app.ids.achievementImage(achievement.id, 'png')}?lang=${lang}`,
            ...(catalogueBadge ? { register: catalogueBadge.register } : {}),
          },
          issuer: {
            name: facts.organisation.name,
            url: facts.organisation.url,
            logoUrl: facts.organisation.logo_image_id ? app.ids.image(facts.organisation.logo_image_id) : null,
            linkedinOrganizationId: facts.organisation.linkedin_org_id,
            // Its page on Blason (who it is, the badges it awards); its own website is on that page.
            profileUrl: app.ids.issuerPage(facts.organisation.slug),
          },
          competenceUrl: (code: string, level: number) => app.ids.competence(code, level),
          holderName: facts.holderName,
          issuedAt: row.issued_at,
          validUntil: row.valid_until,
          revokedAt: row.revoked_at,
          erased: view.visibility === 'erased',
          downloads: {
            ...(owner?.hidden ? {} : { ob2: `${app.ids.origin}/ob2/assertions/${row.id}/badge.png` }),
            pdf: `${owner ? own : url}/certificate.pdf?lang=${lang}`,
            // The signed files are offered only where the visibility rule lets them out (they may carry the name);
            // to their holder, always, from her space.
            ...(owner
              ? {
                  png: `${own}/badge.png?download=1`,
                  svg: `${own}/badge.svg?download=1`,
                  json: `${own}/credential.json`,
                  jwt: `${own}/credential.jwt`,
                }
              : facts.signedFiles === 'public'
                ? {
                    png: `${url}/badge.png?download=1`,
                    svg: `${url}/badge.svg?download=1`,
                    json: `${url}/credential.json`,
                    jwt: `${url}/credential.jwt`,
                  }
                : {}),
            holderOnly: !owner && facts.signedFiles === 'holder-only',
          },
          ...(owner ? { owner } : {}),
          qrSvg: await qrSvg(url),
          verifyPageUrl: `/verify?url=${encodeURIComponent(url)}`,
          switchLanguageUrl: switchUrl(req, lang),
          now: app.clock.now(),
          catalogue: app.catalogue,
          endorsements: facts.endorsements,
        }),
      );
    },
    errorPage(req, res, status, message) {
      const lang = languageOf(req, res);
      const t = translator(lang);
      res
        .status(status)
        .type('html')
        .send(
          renderPage('error', {
            lang,
            title: t(status === 404 ? 'error.title' : 'error.generic'),
            heading: t(status === 404 ? 'error.title' : 'error.generic'),
            message: message ?? t(status === 404 ? 'error.notFound' : 'error.generic'),
            switchLanguageUrl: switchUrl(req, lang),
          }),
        );
    },
  };
}

/** The holder's management page and the static assets (the verification page is routes/verify.ts's). */
export function pagesRouter(app: AppContext): Router {
  const router = Router();
  router.use(
    '/assets',
    express.static(fromRoot('public', 'assets'), { maxAge: '1h', fallthrough: false, index: false }),
  );
  router.get('/', (_req, res) => res.redirect(302, '/verify'));

  const manage = async (req: Request, res: Response, key: string, saved: boolean) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const id = param(req, 'id');
    try {
      const settings = await holderSettings(app, id, key);
      res.type('html').send(
        renderPage('manage', {
          lang,
          title: t('manage.title'),
          switchLanguageUrl: switchUrl(req, lang),
          badgeName: settings.badgeName,
          holderName: settings.holderName,
          showName: settings.showName,
          key,
          saved,
          action: `/credentials/${id}/manage`,
          publicUrl: app.ids.credential(settings.row.id),
          // Her own signed files, whatever the public may see; the key is hers and leaves with no referrer.
          downloads: Object.fromEntries(
            CREDENTIAL_FILES.map(([file, format]) => [
              format,
              `/credentials/${id}/manage/${file}?key=${encodeURIComponent(key)}&download=1`,
            ]),
          ),
        }),
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 404) throw error;
      res
        .status(404)
        .type('html')
        .send(
          renderPage('manage', {
            lang,
            title: t('manage.title'),
            switchLanguageUrl: switchUrl(req, lang),
            invalid: true,
          }),
        );
    }
  };
  router.get('/credentials/:id/manage', async (req, res) =>
    manage(req, res, typeof req.query.key === 'string' ? req.query.key : '', req.query.saved === '1'),
  );
  router.post('/credentials/:id/manage', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const key = typeof req.body?.key === 'string' ? req.body.key : '';
    try {
      await setHolderNameVisible(app, param(req, 'id'), key, req.body?.showName === '1');
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return manage(req, res, key, false);
      throw error;
    }
    // Post/redirect/get; the key travels in the URL of the holder's own page, never to third parties (no-referrer).
    res.redirect(303, `/credentials/${param(req, 'id')}/manage?key=${encodeURIComponent(key)}&saved=1`);
  });
  for (const [file, format] of CREDENTIAL_FILES) {
    router.get(`/credentials/:id/manage/${file}`, async (req, res) => {
      const key = typeof req.query.key === 'string' ? req.query.key : '';
      const found = await managedCredentialFile(app, param(req, 'id'), key, format);
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Referrer-Policy', 'no-referrer');
      sendCredentialFile(req, res, found);
    });
  }
  return router;
}
