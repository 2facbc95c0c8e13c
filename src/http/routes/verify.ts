import express, { Router } from 'express';
import type { AppContext } from '../../app/context.js';
import { AppError, badRequest } from '../../app/errors.js';
import { verifyAny } from '../../app/verify.js';
import type { VerifiableInput } from '../../engine/verify/parse-input.js';
import { rateLimit } from '../rate-limit.js';

const TYPES = ['application/json', 'application/ld+json', 'application/vc+ld+json', 'application/jwt', 'application/vc+jwt', 'text/plain', 'image/png', 'image/svg+xml'];

/**
 * POST /api/v1/verify: anyone may verify any OB 3.0 credential. The body is the credential (JSON, or
 * {"credential": …}), a JWT (application/jwt or text/plain), a baked PNG or SVG, or {"url": "https://…"}.
 */
export function verifyRouter(app: AppContext): Router {
  const router = Router();
  router.post('/api/v1/verify', rateLimit(app, 'verify', app.config.publicRateLimit), express.raw({ type: () => true, limit: '5mb' }), async (req, res) => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!TYPES.includes(type)) throw new AppError(415, 'unsupported-media-type', `Send the credential as one of: ${TYPES.join(', ')}.`);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) throw badRequest('The request body is empty: send a credential, a JWT or a baked image.');
    let input: VerifiableInput = { bytes: body };
    if (type.includes('json')) {
      const text = body.toString('utf8');
      const wrapped = /^\s*\{\s*"(credential|url)"\s*:/.test(text) ? (() => {
        try {
          return JSON.parse(text) as { credential?: unknown; url?: unknown };
        } catch {
          return undefined;
        }
      })() : undefined;
      if (wrapped && typeof wrapped.url === 'string') {
        const fetched = await app.fetcher.fetch(wrapped.url, { accept: 'application/vc+ld+json, application/ld+json, application/json, application/vc+jwt, text/plain, image/png, image/svg+xml', maxBytes: 5_000_000 })
          .catch((error: Error) => {
            throw new AppError(422, 'unreachable', `The credential at this URL could not be retrieved: ${error.message}`);
          });
        input = { bytes: fetched.body };
      } else if (wrapped && wrapped.credential !== undefined) {
        input = typeof wrapped.credential === 'string' ? { text: wrapped.credential } : { credential: wrapped.credential as object };
      }
    }
    const { credential: _credential, ...report } = await verifyAny(app, input, { count: true });
    res.setHeader('Cache-Control', 'no-store');
    res.json(report);
  });
  return router;
}
