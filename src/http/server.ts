import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app/context.js';
import { AppError } from '../app/errors.js';
import { languageOf, pagesRouter, type PageRenderer } from './pages.js';
import { claimRouter } from './claim-routes.js';
import { emailLinkRouter } from './email-link-routes.js';
import { holderRouter } from './holder-routes.js';
import { holderWalletRouter } from './holder-wallet-routes.js';
import { recognitionRouter } from './recognition-routes.js';
import { ob2Router } from './ob2-routes.js';
import { obApiRouter } from './ob-api.js';
import { interactionRouter } from './oauth-interactions.js';
import type Provider from 'oidc-provider';
import { OAUTH_MOUNT } from '../oauth/provider.js';
import { registrationPolicy } from '../oauth/registration.js';
import { consoleRouter } from './console/index.js';
import { useSecureCookies } from './cookies.js';
import { databaseUnavailable, errorHandler, sendProblem } from './problem.js';
import { metricsEndpoint, observeRequests, PrometheusMetrics } from './metrics.js';
import { rateLimit } from './rate-limit.js';
import { requestIdScope } from './request-id.js';
import { apiRouter } from './routes/api.js';
import { endorsementApiRouter, endorsementPageRouter } from './routes/endorsements.js';
import { endorsementRequestApiRouter } from './routes/endorsement-requests.js';
import { pathwayApiRouter } from './routes/pathways.js';
import { importedEndorsementApiRouter, importedEndorsementPageRouter } from './routes/imported-endorsements.js';
import { publicRouter } from './routes/public.js';
import { directoryRouter } from './routes/directory.js';
import { verifyPageRouter, verifyRouter } from './routes/verify.js';
import { vcApiRouter } from './routes/vc-api.js';
import { openid4vciRouter } from './routes/openid4vci.js';
import { vcapiExchangesRouter } from './routes/vcapi-exchanges.js';

const DATABASE_UNAVAILABLE = {
  fr: 'Le service est momentanément indisponible. Réessayez dans quelques secondes.',
  en: 'The service is unavailable for a moment. Please try again in a few seconds.',
};

/**
 * The Express application: security headers, request logging without personal data, the routers, and the one
 * error handler. Stateless: any number of processes can serve the same database.
 */
export function createHttpApp(app: AppContext, pages: PageRenderer, provider: Provider): express.Express {
  const http = express();
  http.disable('x-powered-by');
  http.set('trust proxy', app.config.trustProxy ? 1 : false);
  useSecureCookies(http, app.ids.baseUrl);
  const metricsToken = app.config.metricsToken;
  const metrics = metricsToken && app.metrics instanceof PrometheusMetrics ? app.metrics : undefined;
  if (metrics) http.use(observeRequests(metrics));
  http.use(
    pinoHttp({
      logger: app.log,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Paths carry ids, never personal data; query strings (which could: ?email=) and headers are not logged.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  http.use(requestIdScope());
  http.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'", 'https://www.linkedin.com'],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      crossOriginEmbedderPolicy: false,
    }),
  );

  // Without a token there are no metrics: /metrics is then an unknown address (404), like any other.
  if (metrics && metricsToken) http.get('/metrics', metricsEndpoint(metrics, metricsToken));
  // Before the pages it leads to: a badge e-mail's link records that it was followed, then drops its token.
  http.use(emailLinkRouter(app));
  http.use(pagesRouter(app));
  http.use(verifyPageRouter(app));
  http.use('/console', consoleRouter(app));
  http.use(claimRouter(app));
  http.use(holderRouter(app));
  http.use(holderWalletRouter(app));
  http.use(recognitionRouter(app));
  http.use(ob2Router(app));
  http.use('/ims/ob/v3p0', obApiRouter(app, provider));
  http.use(interactionRouter(app, provider));
  const registrationLimit = rateLimit(app, 'oauth-register', app.config.registrationRateLimit);
  http.post(`${OAUTH_MOUNT}/register`, ...registrationPolicy(app, registrationLimit));
  http.use(OAUTH_MOUNT, provider.callback());
  http.use(verifyRouter(app));
  // OpenID4VCI (wallets): metadata, token, nonce, credential; and POST /api/v1/credentials/{id}/offer.
  http.use(openid4vciRouter(app));
  // VC API exchanges for wallets: GET /interactions/{id}?iuv=1 and POST /exchanges/{id} (same offers).
  http.use(vcapiExchangesRouter(app));
  // The W3C VC API at the root (/credentials/verify, /credentials/issue…), before the /api/v1 routers.
  http.use(vcApiRouter(app));
  // Public, before the API routers that ask for a token: GET /api/v1/directory needs none.
  http.use(directoryRouter(app, pages));
  http.use('/api/v1', endorsementApiRouter(app));
  http.use('/api/v1', endorsementRequestApiRouter(app));
  http.use('/api/v1', pathwayApiRouter(app));
  http.use('/api/v1', importedEndorsementApiRouter(app));
  http.use('/api/v1', apiRouter(app));
  http.use(endorsementPageRouter(app, pages));
  http.use(importedEndorsementPageRouter(app));
  http.use(publicRouter(app, pages));

  http.use((req, res) => sendProblem(res, 404, 'not-found', `No such resource: ${req.method} ${req.path}`));
  // People in a browser on the console or the public pages get an HTML page; programs get problem+json.
  http.use((error: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    const human =
      /^\/(console|claim|verify|holder|oauth\/interaction)(\/|$)/.test(req.path) &&
      req.accepts(['html', 'json']) === 'html';
    const unavailable = human && !res.headersSent ? databaseUnavailable(error) : undefined;
    if (unavailable) {
      res.setHeader('Retry-After', String(unavailable.retryAfterSeconds));
      return pages.errorPage(req, res, 503, DATABASE_UNAVAILABLE[languageOf(req, res)]);
    }
    if (!human || res.headersSent || !(error instanceof AppError) || error.status >= 500) return next(error);
    pages.errorPage(req, res, error.status, error.message);
  });
  http.use(errorHandler(app.log));
  return http;
}
