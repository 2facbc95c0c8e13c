import express, { Router, type Request } from 'express';
import type { AppContext } from '../../app/context.js';
import {
  endorse,
  endorsementPageFacts,
  listEndorsements,
  publicEndorsement,
  revokeEndorsement,
} from '../../app/endorsements.js';
import { AppError, badRequest } from '../../app/errors.js';
import { presentEndorsementPage } from '../../views/presenters/endorsement-page.js';
import { renderPage } from '../../views/render.js';
import { actorOf, param, requireToken } from '../auth.js';
import { credentialForm, type CredentialForm } from '../negotiate.js';
import { languageOf, switchUrl, type PageRenderer } from '../pages.js';
import { validateBody } from '../validate.js';
import { refuseDeclaredOversize } from './verify.js';

const JSON_BODY_LIMIT = 64 * 1024;

/** /api/v1/endorsements: thin routes over src/app/endorsements.ts (the token is checked on each route). */
export function endorsementApiRouter(app: AppContext): Router {
  const router = Router();
  const json = Router().use(refuseDeclaredOversize(JSON_BODY_LIMIT), express.json({ limit: JSON_BODY_LIMIT }));
  const token = requireToken(app);

  router.post('/endorsements', token, json, validateBody('endorsement-create.json'), async (req, res) => {
    const created = await endorse(app, actorOf(res), req.body);
    res.status(201).location(created.url).json(created);
  });
  router.get('/endorsements', token, async (req, res) => {
    const subjectId = typeof req.query.subjectId === 'string' ? req.query.subjectId : '';
    if (!subjectId) throw badRequest('Say whose endorsements to list: ?subjectId=<id or address of the subject>.');
    res.json({ endorsements: await listEndorsements(app, subjectId) });
  });
  router.post('/endorsements/:id/revoke', token, json, validateBody('status-change.json'), async (req, res) => {
    res.json(await revokeEndorsement(app, actorOf(res), param(req, 'id'), req.body?.reason));
  });
  return router;
}

/** `?format=json|jwt` (the page's download links) wins over the Accept header. */
function wantedForm(req: Request): { form: CredentialForm; type: string } | undefined {
  if (req.query.format === 'json') return { form: 'json', type: 'application/vc+ld+json' };
  if (req.query.format === 'jwt') return { form: 'jwt', type: 'application/vc+jwt' };
  return credentialForm(req);
}

/** GET /endorsements/{id}: the page, the signed JSON-LD or the VC-JWT, like a badge's own address. */
export function endorsementPageRouter(app: AppContext, pages: PageRenderer): Router {
  const router = Router();
  router.get('/endorsements/:id', async (req, res) => {
    const wanted = wantedForm(req);
    res.setHeader('Vary', 'Accept, Accept-Language');
    if (!wanted)
      throw new AppError(
        406,
        'not-acceptable',
        'This endorsement is available as text/html, application/vc+ld+json (or ld+json, json) and ' +
          'application/vc+jwt (or jwt, text/plain).',
      );
    const id = param(req, 'id');
    if (wanted.form === 'html') {
      const lang = languageOf(req, res);
      const facts = await endorsementPageFacts(app, id).catch((error: unknown) => {
        if (error instanceof AppError && error.status === 404) return undefined;
        throw error;
      });
      if (!facts) return pages.errorPage(req, res, 404);
      res.setHeader('Cache-Control', 'no-cache');
      res.type('html').send(
        renderPage(
          'endorsement',
          presentEndorsementPage({
            lang,
            facts,
            verifyPageUrl: `/verify?url=${encodeURIComponent(facts.view.url)}`,
            switchLanguageUrl: switchUrl(req, lang),
          }),
        ),
      );
      return;
    }
    const found = await publicEndorsement(app, id);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-cache');
    res.type(wanted.type).send(wanted.form === 'json' ? JSON.stringify(found.credential) : found.jwt);
  });
  return router;
}
