import { readFileSync } from 'node:fs';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { AppContext } from '../app/context.js';
import { AppError } from '../app/errors.js';
import { findHolder, heldCredentials, setHolderName, upsertHeldCredential, type HolderRow } from '../app/holders.js';
import { COMPACT_JWS } from '../engine/verify/parse-input.js';
import { apiResource, OAUTH_MOUNT } from '../oauth/provider.js';
import { OB_SCOPES } from '../oauth/scopes.js';
import { parseStrictJson } from '../engine/verify/strict-json.js';
import { fromRoot } from '../shared/paths.js';
import { databaseUnavailable } from './problem.js';
import { sha256Hex } from '../engine/util.js';

/**
 * The Open Badges 3.0 API, as a service provider (host): /ims/ob/v3p0/discovery, /credentials and /profile,
 * exactly as the 1EdTech OpenAPI description (../shared/ob3/openapi) says. Errors are Imsx_StatusInfo.
 */

type CodeMinor =
  | 'forbidden'
  | 'fullsuccess'
  | 'internal_server_error'
  | 'invalid_data'
  | 'invalid_query_parameter'
  | 'misdirected_request'
  | 'not_acceptable'
  | 'not_allowed'
  | 'not_found'
  | 'not_modified'
  | 'server_busy'
  | 'unauthorizedrequest'
  | 'unknown';

export function sendStatusInfo(res: Response, status: number, codeMinor: CodeMinor, description: string): void {
  res.status(status).type('application/json').setHeader('Cache-Control', 'no-store');
  res.send(
    JSON.stringify({
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: description,
      imsx_codeMinor: {
        imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor }],
      },
    }),
  );
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly codeMinor: CodeMinor,
    message: string,
    readonly challenge?: string,
  ) {
    super(message);
  }
}

interface Grant {
  holder: HolderRow;
  scopes: Set<string>;
}

/** The operations Blason serves, by path: the discovery document lists these, and any other method is 405. */
const SERVED: Record<string, readonly string[]> = {
  '/credentials': ['get', 'post'],
  '/profile': ['get', 'put'],
  '/discovery': ['get'],
};

interface OpenApi {
  paths: Record<string, Record<string, unknown>>;
  tags: { name: string }[];
  components: Record<string, Record<string, unknown>>;
}
let official: OpenApi | undefined;

/**
 * The paths, tags and components of the official OpenAPI description (schemas/ob3/openapi.json) that describe
 * the operations in SERVED, with the schemas they refer to: the "profiled version" an SDD must be (ob3-spec.md §11).
 */
function profiledDescription(): Pick<OpenApi, 'paths' | 'tags' | 'components'> {
  official ??= JSON.parse(readFileSync(fromRoot('schemas', 'ob3', 'openapi.json'), 'utf8')) as OpenApi;
  const paths: OpenApi['paths'] = {};
  for (const [path, methods] of Object.entries(SERVED)) {
    const operations = Object.entries(official.paths[path] ?? {}).filter(([method]) => methods.includes(method));
    if (operations.length > 0) paths[path] = Object.fromEntries(operations);
  }
  const operations = Object.values(paths).flatMap((ops) => Object.values(ops) as { tags?: string[] }[]);
  const used = new Set(operations.flatMap((operation) => operation.tags ?? []));
  // The schemas the operations name, and those these name, and so on.
  const all = official.components.schemas!;
  const schemas: Record<string, unknown> = {};
  const pending = [JSON.stringify(paths)];
  for (let text = pending.pop(); text !== undefined; text = pending.pop()) {
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (name && !(name in schemas) && all[name]) {
        schemas[name] = all[name];
        pending.push(JSON.stringify(all[name]));
      }
    }
  }
  return {
    paths,
    tags: official.tags.filter((tag) => used.has(tag.name)),
    components: { schemas, headers: official.components.headers ?? {}, links: official.components.links ?? {} },
  };
}

function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(req.get('authorization') ?? '')?.[1];
}

export function serviceDescription(app: AppContext): Record<string, unknown> {
  const origin = app.ids.origin;
  const scopes = {
    [OB_SCOPES.credentialRead]: 'Permission to read AchievementCredentials for the authenticated entity.',
    [OB_SCOPES.credentialUpsert]: 'Permission to create or update AchievementCredentials for the authenticated entity.',
    [OB_SCOPES.profileRead]: 'Permission to read the profile for the authenticated entity.',
    [OB_SCOPES.profileUpdate]: 'Permission to update the profile for the authenticated entity.',
  };
  const terms = `${origin}/terms`;
  const privacy = `${origin}/privacy`;
  const profiled = profiledDescription();
  return {
    openapi: '3.0.1',
    info: {
      title: 'Blason — Open Badges 3.0',
      description: 'Open Badges 3.0 API of Blason: your badges from every operator, and the ones you import.',
      termsOfService: terms,
      version: '1.0',
      'x-imssf-image': `${origin}/assets/favicon.svg`,
      'x-imssf-privacyPolicyUrl': privacy,
    },
    servers: [{ url: apiResource(app), description: 'Blason' }],
    tags: profiled.tags,
    paths: profiled.paths,
    components: {
      ...profiled.components,
      securitySchemes: {
        OAuth2ACG: {
          type: 'oauth2',
          description: 'OAuth 2.0 Authorization Code Grant authorization (PKCE S256)',
          'x-imssf-name': 'Blason',
          'x-imssf-privacyPolicyUrl': privacy,
          'x-imssf-termsOfServiceUrl': terms,
          'x-imssf-registrationUrl': `${origin}${OAUTH_MOUNT}/register`,
          flows: {
            authorizationCode: {
              tokenUrl: `${origin}${OAUTH_MOUNT}/token`,
              authorizationUrl: `${origin}${OAUTH_MOUNT}/auth`,
              refreshUrl: `${origin}${OAUTH_MOUNT}/token`,
              scopes,
            },
          },
        },
      },
    },
  };
}

function linkHeader(base: string, query: URLSearchParams, limit: number, offset: number, total: number): string {
  const at = (o: number) => {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    params.set('offset', String(o));
    return `<${base}?${params.toString()}>`;
  };
  const last = Math.max(0, Math.floor((total - 1) / limit) * limit);
  const links = [`${at(0)}; rel="first"`, `${at(last)}; rel="last"`];
  if (offset + limit < total) links.push(`${at(offset + limit)}; rel="next"`);
  if (offset > 0) links.push(`${at(Math.max(0, offset - limit))}; rel="prev"`);
  return links.join(', ');
}

export function obApiRouter(app: AppContext, provider: Provider): Router {
  const router = Router();
  const base = apiResource(app);

  router.get('/discovery', (req, res) => {
    const body = JSON.stringify(serviceDescription(app));
    const etag = `"${sha256Hex(body).slice(0, 16)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.get('if-none-match') === etag) return void res.status(304).end();
    res.type('application/json').send(body);
  });

  /** Resolves the bearer token and checks its audience and scope; 401 and 403 as RFC 6750 says. */
  const authorize = (scope: string) => async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (!token)
      throw new ApiError(
        401,
        'unauthorizedrequest',
        'Authentication required: send an OAuth 2.0 access token (Authorization: Bearer).',
        'Bearer realm="Blason"',
      );
    const found = await provider.AccessToken.find(token);
    const audience = found ? (Array.isArray(found.aud) ? found.aud : [found.aud]) : [];
    if (!found || found.isExpired || !audience.includes(base)) {
      throw new ApiError(
        401,
        'unauthorizedrequest',
        'The access token is invalid, expired or revoked.',
        'Bearer realm="Blason", error="invalid_token"',
      );
    }
    const scopes = new Set((found.scope ?? '').split(' '));
    if (!scopes.has(scope))
      throw new ApiError(
        403,
        'forbidden',
        `This access token does not carry the scope ${scope}.`,
        `Bearer realm="Blason", error="insufficient_scope", scope="${scope}"`,
      );
    const holder = await findHolder(app, found.accountId);
    if (!holder)
      throw new ApiError(
        401,
        'unauthorizedrequest',
        'The account of this access token no longer exists.',
        'Bearer realm="Blason", error="invalid_token"',
      );
    res.locals.grant = { holder, scopes } satisfies Grant;
    next();
  };
  const grantOf = (res: Response) => res.locals.grant as Grant;

  // The holder's private channel, not a public surface (src/app/visibility.ts): an app she authorised reads all her
  // badges that are not erased, hidden ones and her name included. Nothing lists a holder's badges publicly.
  router.get('/credentials', authorize(OB_SCOPES.credentialRead), async (req, res) => {
    const query = new URLSearchParams();
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    const offset = req.query.offset === undefined ? 0 : Number(req.query.offset);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new ApiError(400, 'invalid_query_parameter', 'limit must be an integer from 1 to 1000.');
    if (!Number.isInteger(offset) || offset < 0)
      throw new ApiError(400, 'invalid_query_parameter', 'offset must be a non-negative integer.');
    let since: number | undefined;
    if (typeof req.query.since === 'string') {
      since = Date.parse(req.query.since);
      if (Number.isNaN(since))
        throw new ApiError(400, 'invalid_query_parameter', 'since must be an ISO 8601 date-time.');
      query.set('since', req.query.since);
    }
    const all = (await heldCredentials(app, grantOf(res).holder)).filter(
      (c) => since === undefined || Date.parse(c.validFrom) > since,
    );
    const page = all.slice(offset, offset + limit);
    const credential: unknown[] = [];
    const compactJwsString: string[] = [];
    for (const held of page) {
      if (held.kind === 'issued') credential.push(held.credential);
      else if (held.format === 'jwt') compactJwsString.push(held.content);
      else credential.push(JSON.parse(held.content));
    }
    res.setHeader('X-Total-Count', String(all.length));
    if (all.length > 0) res.setHeader('Link', linkHeader(`${base}/credentials`, query, limit, offset, all.length));
    res.setHeader('Cache-Control', 'no-store');
    res
      .type('application/json')
      .send(
        JSON.stringify({
          ...(credential.length ? { credential } : {}),
          ...(compactJwsString.length ? { compactJwsString } : {}),
        }),
      );
  });

  const upsertBody = express.raw({ type: () => true, limit: '1mb' });
  router.post('/credentials', authorize(OB_SCOPES.credentialUpsert), upsertBody, async (req, res) => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    // The body is read as UTF-8 (JSON and JWS are): another declared charset would be misread, so it is refused.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      throw new ApiError(415, 'not_acceptable', `The charset ${charset} is not supported: send UTF-8.`);
    }
    const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8').trim() : '';
    let format: 'json' | 'jwt';
    if (['application/json', 'application/vc+ld+json', 'application/ld+json'].includes(type)) {
      format = 'json';
      try {
        parseStrictJson(text);
      } catch (error) {
        throw new ApiError(400, 'invalid_data', `The body is not a JSON credential: ${(error as Error).message}`);
      }
    } else if (type === 'text/plain' || type === 'application/jwt' || type === 'application/vc+jwt') {
      format = 'jwt';
      if (!COMPACT_JWS.test(text)) throw new ApiError(400, 'invalid_data', 'The body is not a compact JWS.');
    } else {
      throw new ApiError(
        415,
        'not_acceptable',
        'Send a credential as application/json (or vc+ld+json) or a compact JWS as text/plain.',
      );
    }
    let result;
    try {
      result = await upsertHeldCredential(app, grantOf(res).holder, { text }, format, text);
    } catch (error) {
      if (error instanceof AppError)
        throw new ApiError(
          error.status === 409 ? 409 : error.status,
          error.status === 403 ? 'forbidden' : error.status === 409 ? 'not_modified' : 'invalid_data',
          error.message,
        );
      throw error;
    }
    res
      .status(result.created ? 201 : 200)
      .type(format === 'json' ? type || 'application/json' : 'text/plain')
      .send(text);
  });

  const profile = (holder: HolderRow) => ({
    id: `${app.ids.origin}/holders/${holder.id}`,
    type: ['Profile'],
    ...(holder.name ? { name: holder.name } : {}),
    email: holder.email,
  });

  router.get('/profile', authorize(OB_SCOPES.profileRead), (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/json').send(JSON.stringify(profile(grantOf(res).holder)));
  });

  router.put(
    '/profile',
    authorize(OB_SCOPES.profileUpdate),
    express.json({ limit: '64kb', type: () => true }),
    async (req, res) => {
      const body = req.body as Record<string, unknown> | undefined;
      const holder = grantOf(res).holder;
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new ApiError(400, 'invalid_data', 'Send the entire Profile as a JSON object.');
      const types = Array.isArray(body.type) ? body.type : [body.type];
      if (!types.includes('Profile'))
        throw new ApiError(400, 'invalid_data', 'A Profile must have "Profile" in its type.');
      if (body.id !== undefined && body.id !== profile(holder).id)
        throw new ApiError(400, 'invalid_data', 'The profile id cannot change.');
      if (body.email !== undefined && body.email !== holder.email)
        throw new ApiError(400, 'invalid_data', 'The email address is the account itself: it cannot change here.');
      const name =
        typeof body.name === 'string'
          ? body.name
          : [body.givenName, body.familyName].filter((part) => typeof part === 'string').join(' ') || null;
      if (name !== null && name.length > 200)
        throw new ApiError(400, 'invalid_data', 'The name is longer than 200 characters.');
      const updated = await setHolderName(app, holder, { name });
      res.setHeader('Cache-Control', 'no-store');
      res.type('application/json').send(JSON.stringify(profile(updated)));
    },
  );

  for (const path of Object.keys(SERVED)) {
    router.all(path, (_req, res) =>
      sendStatusInfo(res, 405, 'not_allowed', 'This method is not allowed on this endpoint.'),
    );
  }
  router.use((_req, res) => sendStatusInfo(res, 404, 'not_found', 'No such endpoint in the Open Badges 3.0 API.'));
  // Every error of this API is an Imsx_StatusInfo, whoever raised it (this router, the body parsers, the
  // database), never the problem+json of the rest of the service.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error instanceof ApiError) {
      if (error.challenge) res.setHeader('WWW-Authenticate', error.challenge);
      return sendStatusInfo(res, error.status, error.codeMinor, error.message);
    }
    const parser = error as { type?: string; status?: number; expose?: boolean };
    if (parser.type === 'entity.too.large') return sendStatusInfo(res, 413, 'invalid_data', 'The body is too large.');
    if (parser.type === 'entity.parse.failed')
      return sendStatusInfo(res, 400, 'invalid_data', 'The body is not valid JSON.');
    if (parser.type === 'charset.unsupported') {
      return sendStatusInfo(res, 415, 'not_acceptable', "The body's charset is not supported: send UTF-8.");
    }
    if (parser.type === 'encoding.unsupported') {
      const message =
        "The body's Content-Encoding is not supported: send it uncompressed, or gzip- or deflate-compressed.";
      return sendStatusInfo(res, 415, 'not_acceptable', message);
    }
    if (parser.expose && typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
      return sendStatusInfo(res, parser.status, 'invalid_data', (error as Error).message);
    }
    const id = String((req as { id?: unknown }).id ?? '');
    const unavailable = databaseUnavailable(error);
    if (unavailable) {
      app.log.warn(
        { reason: unavailable.reason, detail: unavailable.message, path: req.path, id },
        'database unavailable',
      );
      res.setHeader('Retry-After', String(unavailable.retryAfterSeconds));
      const message = 'The service is busy for a moment. Retry in a few seconds: repeating the request is safe.';
      return sendStatusInfo(res, 503, 'server_busy', message);
    }
    app.log.error({ err: error, path: req.path, id }, 'unhandled error');
    sendStatusInfo(res, 500, 'internal_server_error', `Something went wrong on our side. Reference: ${id}.`);
  });
  return router;
}
