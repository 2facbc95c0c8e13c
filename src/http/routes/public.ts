import type express from 'express';
import { Router, type Response } from 'express';
import { findAchievementRow } from '../../app/achievements.js';
import { achievementImage, storedImage } from '../../app/badge-images.js';
import type { Lang } from '../../app/catalogue.js';
import type { AppContext } from '../../app/context.js';
import {
  CREDENTIAL_FILES,
  lookupPublicCredential,
  publicCredentialFile,
  type CredentialFileFormat,
} from '../../app/credential-files.js';
import { AppError, DatabaseUnavailableError, notFound } from '../../app/errors.js';
import { checkDatabase } from '../../app/operations.js';
import { didDocumentForSlug, platformJwks, profileForSlug, publicAchievement } from '../../app/public-documents.js';
import { statusListCredential } from '../../app/status-lists.js';
import { param } from '../auth.js';
import { credentialForm, wantsPage } from '../negotiate.js';
import { referentialRouter, sendAchievementPage, sendIssuerPage } from './public-pages.js';
import { sendCertificate, sendCredentialFile } from '../send-file.js';
import { translator } from '../../views/i18n.js';
import { renderCertificatePdf } from '../../views/certificate-pdf.js';
import { publicCertificate } from '../../app/certificate.js';
import { holderOf } from '../holder-routes.js';
import { languageOf } from '../pages.js';
import type { PageRenderer } from '../pages.js';
import { isUuid } from '../../shared/uuid.js';

/** Public documents: readable by anyone, from any origin, cacheable. */
function publicJson(res: Response, body: unknown, type = 'application/json', maxAge = 300): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
  res.type(type).send(JSON.stringify(body));
}

function langOf(req: express.Request): Lang {
  return req.query.lang === 'en'
    ? 'en'
    : req.query.lang === 'fr'
      ? 'fr'
      : ((req.acceptsLanguages('fr', 'en') || 'fr') as Lang);
}

export function publicRouter(app: AppContext, pages: PageRenderer): Router {
  const router = Router();

  // For load balancers and orchestrators: 200 when the database answers, 503 when it does not (in at most 2 s).
  router.get('/health', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      await checkDatabase(app);
    } catch (error) {
      res.setHeader('Retry-After', String(error instanceof DatabaseUnavailableError ? error.retryAfterSeconds : 5));
      res.status(503).json({ status: 'unavailable', database: 'down' });
      return;
    }
    res.json({ status: 'ok', database: 'up' });
  });

  router.get('/.well-known/jwks.json', async (_req, res) => {
    publicJson(res, await platformJwks(app), 'application/jwk-set+json');
  });

  router.get('/issuers/:slug/did.json', async (req, res) => {
    publicJson(res, await didDocumentForSlug(app, param(req, 'slug')), 'application/did+json');
  });

  // An issuer's and a badge's identifiers: their page for a browser, their JSON-LD for anything else.
  router.get('/issuers/:slug', async (req, res) => {
    res.setHeader('Vary', 'Accept, Accept-Language');
    if (wantsPage(req)) return sendIssuerPage(app, pages, req, res);
    publicJson(res, await profileForSlug(app, param(req, 'slug')), 'application/ld+json');
  });

  router.get('/achievements/:id', async (req, res) => {
    res.setHeader('Vary', 'Accept, Accept-Language');
    if (wantsPage(req)) return sendAchievementPage(app, pages, req, res);
    publicJson(res, await publicAchievement(app, param(req, 'id'), langOf(req)), 'application/ld+json');
  });

  router.use(referentialRouter(app, pages));

  router.get('/achievements/:id/image.:format', async (req, res) => {
    const format = param(req, 'format');
    const id = param(req, 'id');
    const row = isUuid(id) && (format === 'png' || format === 'svg') ? await findAchievementRow(app, id) : undefined;
    if (!row) throw notFound('Badge image');
    const image = await achievementImage(app, row, langOf(req));
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    if (format === 'svg') res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type(format === 'png' ? 'image/png' : 'image/svg+xml').send(format === 'png' ? image.png() : image.svg);
  });

  router.get('/images/:id', async (req, res) => {
    const id = param(req, 'id');
    const image = isUuid(id) ? await storedImage(app, id) : undefined;
    if (!image) throw notFound('Image');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    res.type(image.content_type).send(image.bytes);
  });

  router.get('/status/:id', async (req, res) => {
    const list = await statusListCredential(app, param(req, 'id'));
    const etag = `"${param(req, 'id').slice(0, 8)}-${list.version}-${Date.parse(list.validUntil)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Access-Control-Allow-Origin', '*');
    // Short caching: a revocation must reach verifiers quickly; the ETag makes revalidation cheap.
    res.setHeader('Cache-Control', 'public, max-age=60, must-revalidate');
    if (req.get('if-none-match') === etag) {
      res.status(304).end();
      return;
    }
    res.type('application/vc+ld+json').send(list.json);
  });

  // What anyone may see of a credential is decided by the visibility rule (src/app/visibility.ts).
  router.get('/credentials/:id', async (req, res) => {
    const wanted = credentialForm(req);
    // Its holder, signed in, sees her own badge's page even when she hid it (src/app/visibility.ts).
    const viewer = wanted?.form === 'html' ? (await holderOf(app, req))?.holder : undefined;
    const found = await lookupPublicCredential(app, param(req, 'id'), viewer);
    if (found.kind !== 'shown' && wanted?.form === 'html') {
      const message = found.kind === 'hidden' ? translator(languageOf(req, res))('holder.privateBadge') : undefined;
      return pages.errorPage(req, res, 404, message);
    }
    if (found.kind !== 'shown') throw notFound('Credential');
    const { row, view } = found;
    res.setHeader('Vary', 'Accept, Accept-Language');
    if (view.signedFiles === 'public') {
      res.setHeader(
        'Link',
        [
          `<${app.ids.credential(row.id)}>; rel="alternate"; type="application/vc+ld+json"`,
          `<${app.ids.credential(row.id)}>; rel="alternate"; type="application/vc+jwt"`,
        ].join(', '),
      );
    }
    if (!wanted)
      throw new AppError(
        406,
        'not-acceptable',
        'This credential is available as text/html, application/vc+ld+json (or ld+json, json) and ' +
          'application/vc+jwt (or jwt, text/plain).',
      );
    if (wanted.form === 'html') {
      res.type('html').send(await pages.credentialPage(req, row, view, found.owner));
      return;
    }
    const file = await publicCredentialFile(app, row.id, wanted.form);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-cache');
    res.type(wanted.type).send(file.body);
  });

  const download = (format: CredentialFileFormat) => async (req: express.Request, res: Response) => {
    const file = await publicCredentialFile(app, param(req, 'id'), format);
    res.setHeader('Cache-Control', 'private, no-cache');
    sendCredentialFile(req, res, file);
  };
  for (const [file, format] of CREDENTIAL_FILES) router.get(`/credentials/:id/${file}`, download(format));

  // The printable certificate, in the language asked (?lang=) or the visitor's (see src/app/certificate.ts).
  router.get('/credentials/:id/certificate.pdf', async (req, res) => {
    const facts = await publicCertificate(app, param(req, 'id'), languageOf(req, res));
    res.setHeader('Cache-Control', 'private, no-cache');
    sendCertificate(res, await renderCertificatePdf(facts), facts.baseName);
  });

  return router;
}
