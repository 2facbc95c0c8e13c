import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import type { AppContext } from '../../app/context.js';
import { AppError, badRequest } from '../../app/errors.js';
import { verifyLink } from '../../app/verify-link.js';
import { verifyForPage, type VerifyPageOutcome } from '../../app/verify-page.js';
import { verifyAny } from '../../app/verify.js';
import { verifyPresentationReport } from '../../app/vc-api.js';
import type { VerifiableInput } from '../../engine/verify/parse-input.js';
import type { VerificationReport } from '../../engine/verify/report.js';
import { DEFAULT_JSON_LIMITS, parseStrictJson } from '../../engine/verify/strict-json.js';
import { presentVerifyPage, type VerifyPageData } from '../../views/presenters/verify-page.js';
import { renderPage } from '../../views/render.js';
import { languageOf, switchUrl } from '../pages.js';
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
        const wrapped = /^\s*\{\s*"(credential|url|presentation)"\s*:/.test(text)
          ? (() => {
              try {
                const value = parseStrictJson(text, {
                  maxBytes: VERIFY_BODY_LIMIT,
                  maxDepth: DEFAULT_JSON_LIMITS.maxDepth + 1,
                });
                return value && typeof value === 'object' && !Array.isArray(value)
                  ? (value as { credential?: unknown; url?: unknown; presentation?: unknown })
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
        } else if (wrapped && wrapped.presentation && typeof wrapped.presentation === 'object') {
          // A holder presenting several badges: {"presentation": VP}, verified with each badge it carries.
          res.setHeader('Cache-Control', 'no-store');
          return void res.json(await verifyPresentationReport(app, { credential: wrapped.presentation }));
        } else if (wrapped && wrapped.credential !== undefined) {
          input =
            typeof wrapped.credential === 'string'
              ? { text: wrapped.credential }
              : { credential: wrapped.credential as object };
        }
      }
      // A bare presentation (its type says so) is verified as one; anything else as a credential.
      if ('bytes' in input && type.includes('json') && /"VerifiablePresentation"/.test(body.toString('utf8'))) {
        const report = await verifyPresentationReport(app, { text: body.toString('utf8') });
        const notOne = report.checks.some((c) => c.code === 'presentation.notPresentation');
        if (!notOne) {
          res.setHeader('Cache-Control', 'no-store');
          return void res.json(report);
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

/** What the /verify page accepts as a file (the engine refuses images over 5,000,000 bytes itself). */
const PAGE_UPLOAD_LIMIT = 5_000_000;

/**
 * The employer's page, /verify: one box for whatever they have (a link, a badge pasted as JSON or JWT, or a
 * file chosen or dropped), an optional address to check against the badge's recipient, and the answer in plain
 * words. Works without JavaScript: GET /verify?url= and a plain multipart form.
 */
export function verifyPageRouter(app: AppContext): Router {
  const router = Router();
  const limited = rateLimit(app, 'verify-page', app.config.publicRateLimit);

  const show = (req: Request, res: Response, page: Omit<VerifyPageData, 'lang' | 'switchLanguageUrl' | 'now'>) => {
    const lang = languageOf(req, res);
    if (page.report) app.metrics?.verified(page.report.verdict);
    // The answer may echo an address the employer typed: never kept by any cache.
    res.setHeader('Cache-Control', 'no-store');
    res
      .type('html')
      .send(
        renderPage(
          'verify',
          presentVerifyPage({ lang, switchLanguageUrl: switchUrl(req, lang), now: app.clock.now(), ...page }),
        ),
      );
  };

  const answer = (req: Request, res: Response, outcome: VerifyPageOutcome, email: string | undefined) => {
    const asked = email ? { email } : {};
    switch (outcome.kind) {
      case 'nothing':
        res.status(400);
        return show(req, res, { problem: { key: 'verify.nothing' }, ...asked });
      case 'pdf-without-link':
        return show(req, res, { problem: { key: 'verify.pdfWithoutLink' }, ...asked });
      case 'unreachable':
        return show(req, res, {
          problem: { key: `verify.unreachable.${outcome.failure}` },
          text: outcome.link,
          ...asked,
        });
      case 'verified':
        return show(req, res, {
          report: outcome.report,
          ...(outcome.recipient ? { recipient: outcome.recipient } : {}),
          ...(outcome.kept ? { kept: outcome.kept } : {}),
          ...asked,
        });
    }
  };

  router.get('/verify', limited, async (req, res) => {
    const url = typeof req.query.url === 'string' ? req.query.url : '';
    if (!url.trim()) return show(req, res, {});
    answer(req, res, await verifyForPage(app, { url }), undefined);
  });

  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: PAGE_UPLOAD_LIMIT, files: 1, fields: 6, fieldSize: 2_000_000, parts: 8 },
  });
  router.post(
    '/verify',
    limited,
    (req, res, next) => {
      upload.single('file')(req, res, (error: unknown) => {
        if (!error) return next();
        const code = (error as { code?: string }).code;
        if (code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_FIELD_VALUE') {
          res.status(413);
          return show(req, res, { problem: { key: 'verify.tooLarge' } });
        }
        next(new AppError(400, 'bad-request', `The form could not be read: ${(error as Error).message}`));
      });
    },
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const field = (name: string) => (typeof body[name] === 'string' ? body[name] : undefined);
      const email = field('email')?.trim() || undefined;
      const outcome = await verifyForPage(app, {
        ...(field('text') !== undefined ? { text: field('text') } : {}),
        ...(field('url') !== undefined ? { url: field('url') } : {}),
        ...(field('carried') !== undefined ? { carried: field('carried') } : {}),
        ...(email ? { email } : {}),
        ...(req.file && req.file.size > 0 ? { file: req.file.buffer } : {}),
      });
      answer(req, res, outcome, email);
    },
  );
  return router;
}
