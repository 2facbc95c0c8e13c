import express, { Router, type Request, type Response } from 'express';
import type { AppContext } from '../app/context.js';
import { ValidationError } from '../app/errors.js';
import { claimCodeState } from '../app/claims.js';
import { normalizeClaimCode, submitClaim } from '../app/workshops.js';
import { formatDate, translator } from '../views/i18n.js';
import { renderPage } from '../views/render.js';
import { param } from './auth.js';
import { languageOf } from './pages.js';
import { rateLimit } from './rate-limit.js';

function switchUrl(req: Request, lang: string): string {
  const url = new URL(req.originalUrl, 'http://x');
  url.searchParams.set('lang', lang === 'fr' ? 'en' : 'fr');
  return `${url.pathname}${url.search}`;
}

/**
 * The participants' side of a workshop: /claim/<code> on a phone, name and email, sent for the operator's
 * approval. No account, nothing signed until approved. Rate limited against guessing codes and flooding.
 */
export function claimRouter(app: AppContext): Router {
  const router = Router();
  const limited = rateLimit(app, 'claim', 60);
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  const page = async (req: Request, res: Response, code: string, extra: Record<string, unknown> = {}, status = 200) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    // A code of a session whose requests are not open (yet) is not an unknown code: the person waits, or retries.
    const found = code ? await claimCodeState(app, code) : undefined;
    const claim = found?.state === 'open' ? found.claim : undefined;
    res.setHeader('Cache-Control', 'no-store');
    res
      .status(found?.state === 'unknown' && status === 200 ? 404 : status)
      .type('html')
      .send(
        renderPage('claim', {
          lang,
          title: t('claim.title'),
          switchLanguageUrl: switchUrl(req, lang),
          code,
          ...(claim
            ? {
                workshop: {
                  title: claim.workshop.title,
                  date: formatDate(`${claim.workshop.held_on}T12:00:00Z`, lang),
                  issuer: claim.issuerName,
                  badges: claim.badges.map((b) => b[lang]),
                },
              }
            : {}),
          ...(found?.state === 'closed' ? { closed: { title: found.title, issuer: found.issuerName } } : {}),
          ...(found?.state === 'unknown' ? { problem: t('claim.unknownCode') } : {}),
          ...extra,
        }),
      );
  };

  router.get('/claim', limited, async (req, res) => {
    const code = typeof req.query.code === 'string' ? normalizeClaimCode(req.query.code) : '';
    if (code) return res.redirect(303, `/claim/${code}`);
    await page(req, res, '');
  });

  router.get('/claim/:code', limited, async (req, res) => page(req, res, normalizeClaimCode(param(req, 'code'))));

  router.post('/claim/:code', limited, form, async (req, res) => {
    const code = normalizeClaimCode(param(req, 'code'));
    const name = typeof req.body?.name === 'string' ? req.body.name : '';
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    const found = await claimCodeState(app, code);
    // Requests closed (or never opened) while the form was on the phone: say so, rather than "unknown code".
    if (found.state !== 'open') return page(req, res, code, {}, found.state === 'closed' ? 409 : 404);
    try {
      await submitClaim(app, code, { name, email, language: languageOf(req, res) });
    } catch (error) {
      if (error instanceof ValidationError)
        return page(req, res, code, { problem: error.message, form: { name, email } }, 422);
      throw error;
    }
    // The address as it will be used (trimmed, lower-cased), so that a typo can still be seen and fixed.
    await page(req, res, code, { thanks: true, sentTo: email.trim().toLowerCase() });
  });
  return router;
}
