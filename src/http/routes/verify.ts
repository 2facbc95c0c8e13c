import express, { Router, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../../app/context.js';
import { AppError, badRequest } from '../../app/errors.js';
import { verifyLink } from '../../app/verify-link.js';
import { verifyAny } from '../../app/verify.js';
import type { VerifiableInput } from '../../engine/verify/parse-input.js';
import type { VerificationReport } from '../../engine/verify/report.js';
import { DEFAULT_JSON_LIMITS, parseStrictJson } from '../../engine/verify/strict-json.js';
import { rateLimit } from '../rate-limit.js';

/** What POST /api/v1/verify reads at most (the engine refuses images over 5,000,000 bytes itself). */
const VERIFY_BODY_LIMIT = 5 * 1024 * 1024;

/**
 * Refuses a body whose Content-Length already exceeds `limit`, before reading any of it. body-parser answers
 * 413 too, but only once it has read and discarded the whole announced body: a client that announced 100 MB
 * and sent a few bytes held the request, and its socket, until the server's request timeout (5 minutes).
 * The connection is closed with the answer, since the unread rest of the body cannot be skipped.
 */
export function refuseDeclaredOversize(limit: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > limit) {
      res.setHeader('Connection', 'close');
      next(
        new AppError(
          413,
          'too-large',
          `The request body is larger than the ${Math.round(limit / 1024)} KB this endpoint accepts.`,
        ),
      );
      return;
    }
    next();
  };
}

const TYPES = [
  'application/json',
  'application/ld+json',
  'application/vc+ld+json',
  'application/jwt',
  'application/vc+jwt',
  'text/plain',
  'image/png',
  'image/svg+xml',
];

/**
 * POST /api/v1/verify: anyone may verify any OB 3.0 credential. The body is the credential (JSON, or
 * {"credential": …}), a JWT (application/jwt or text/plain), a baked PNG or SVG, or {"url": "https://…"}.
 */
export function verifyRouter(app: AppContext): Router {
  const router = Router();
  router.post(
    '/api/v1/verify',
    rateLimit(app, 'verify', app.config.publicRateLimit),
    refuseDeclaredOversize(VERIFY_BODY_LIMIT),
    express.raw({ type: () => true, limit: VERIFY_BODY_LIMIT }),
    async (req, res) => {
      const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!TYPES.includes(type))
        throw new AppError(415, 'unsupported-media-type', `Send the credential as one of: ${TYPES.join(', ')}.`);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (body.length === 0) throw badRequest('The request body is empty: send a credential, a JWT or a baked image.');
      let input: VerifiableInput = { bytes: body };
      if (type.includes('json')) {
        const text = body.toString('utf8');
        // The wrapper is read as strictly as a bare credential: with JSON.parse, {"credential": A, "credential": B}
        // verified B without a word about the repeated key. If it cannot be read strictly, the whole body goes to
        // the engine, whose report then says why.
        const wrapped = /^\s*\{\s*"(credential|url)"\s*:/.test(text)
          ? (() => {
              try {
                const value = parseStrictJson(text, {
                  maxBytes: VERIFY_BODY_LIMIT,
                  maxDepth: DEFAULT_JSON_LIMITS.maxDepth + 1,
                });
                return value && typeof value === 'object' && !Array.isArray(value)
                  ? (value as { credential?: unknown; url?: unknown })
                  : undefined;
              } catch {
                return undefined;
              }
            })()
          : undefined;
        if (wrapped && typeof wrapped.url === 'string') {
          // The use case answers our own links as the visibility rule allows, and fetches any other.
          const verified = await verifyLink(app, wrapped.url, { count: true });
          if (!verified.ok) {
            const message = `The credential at this URL could not be retrieved: ${verified.reason}`;
            throw new AppError(422, 'unreachable', message);
          }
          return void sendReport(app, res, verified.report);
        } else if (wrapped && wrapped.credential !== undefined) {
          input =
            typeof wrapped.credential === 'string'
              ? { text: wrapped.credential }
              : { credential: wrapped.credential as object };
        }
      }
      sendReport(app, res, await verifyAny(app, input, { count: true }));
    },
  );
  return router;
}

function sendReport(app: AppContext, res: Response, verified: VerificationReport): void {
  app.metrics?.verified(verified.verdict);
  const { credential: _credential, ...report } = verified;
  res.setHeader('Cache-Control', 'no-store');
  res.json(report);
}
