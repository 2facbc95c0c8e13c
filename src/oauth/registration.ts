import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../app/context.js';
import { deleteExpiredOAuthClients } from '../store/repositories/oauth-records.js';
import { ALL_OB_SCOPES } from './scopes.js';

const REQUIRED = [
  'client_name',
  'client_uri',
  'logo_uri',
  'tos_uri',
  'policy_uri',
  'software_id',
  'software_version',
  'redirect_uris',
  'scope',
] as const;
const URL_FIELDS = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const;
/** The only members naming URLs that a client may register: links shown to the holder, and where to return. */
const ACCEPTED_URL_MEMBERS: ReadonlySet<string> = new Set([...URL_FIELDS, 'redirect_uris']);

/** How often this process forgets expired registrations (see UNAUTHORISED_CLIENT_HOURS in provider.ts). */
const PURGE_EVERY_MS = 5 * 60_000;

function refuse(res: Response, error: string, description: string): void {
  res.status(400).type('application/json').setHeader('Cache-Control', 'no-store');
  res.send(JSON.stringify({ error, error_description: description }));
}

/**
 * Dynamic client registration as OB 3.0 profiles RFC 7591, checked before oidc-provider stores the client:
 * every required field, HTTPS everywhere on one host name (plain HTTP only for hosts configuration allows, for
 * tests), only the OB scopes, client_secret_basic, the code and refresh grants. Registration needs no account,
 * so:
 * - no member naming a URL beyond those OB 3.0 uses (`jwks_uri`, `sector_identifier_uri`,
 *   `initiate_login_uri`, `request_uris`…): oidc-provider would fetch some of them from the server, outside the
 *   guarded fetcher (a blind SSRF into the internal network), and Blason needs none of them;
 * - a limit per client a minute (BLASON_REGISTRATION_RATE_LIMIT), `limited`: src/http builds it, since rate
 *   limits are HTTP's (src/oauth does not import src/http);
 * - registrations no holder authorises within a day are forgotten (see databaseAdapter).
 */
export function registrationPolicy(app: AppContext, limited: RequestHandler) {
  const json = express.json({ limit: '32kb', type: ['application/json'] });
  const insecure = new Set(app.config.oauthInsecureRedirectHosts.map((h) => h.toLowerCase()));
  let lastPurge = 0;
  const forgetExpired = async (_req: Request, _res: Response, next: NextFunction) => {
    const now = app.clock.now();
    if (now.getTime() - lastPurge > PURGE_EVERY_MS) {
      lastPurge = now.getTime();
      await deleteExpiredOAuthClients(app.db, now.toISOString());
    }
    next();
  };
  return [
    limited,
    forgetExpired,
    json,
    (req: Request, res: Response, next: NextFunction) => {
      const body = req.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body))
        return refuse(res, 'invalid_client_metadata', 'The registration request must be a JSON object.');
      const fetchable = Object.keys(body).find((member) => /_uris?$/.test(member) && !ACCEPTED_URL_MEMBERS.has(member));
      if (fetchable) {
        const accepted = [...ACCEPTED_URL_MEMBERS].join(', ');
        const description = `${fetchable} is not accepted: an Open Badges client registers only ${accepted}.`;
        return refuse(res, 'invalid_client_metadata', description);
      }
      const missing = REQUIRED.filter((field) => body[field] === undefined || body[field] === '');
      if (missing.length > 0)
        return refuse(
          res,
          'invalid_client_metadata',
          `Missing client metadata: ${missing.join(', ')} (all required by Open Badges 3.0).`,
        );
      if (
        !Array.isArray(body.redirect_uris) ||
        body.redirect_uris.length === 0 ||
        !body.redirect_uris.every((u) => typeof u === 'string')
      ) {
        return refuse(res, 'invalid_redirect_uri', 'redirect_uris must be a non-empty array of URLs.');
      }
      const urls: URL[] = [];
      for (const value of [...URL_FIELDS.map((f) => body[f]), ...(body.redirect_uris as string[])]) {
        let url: URL;
        try {
          url = new URL(String(value));
        } catch {
          return refuse(res, 'invalid_client_metadata', `${String(value)} is not a URL.`);
        }
        const plainAllowed = url.protocol === 'http:' && insecure.has(url.host.toLowerCase());
        if (url.protocol !== 'https:' && !plainAllowed)
          return refuse(res, 'invalid_client_metadata', `${url.href} must use https.`);
        urls.push(url);
      }
      if (new Set(urls.map((u) => u.hostname.toLowerCase())).size > 1)
        return refuse(res, 'invalid_client_metadata', 'All the client URLs must share one host name.');
      const scopes = String(body.scope).split(' ').filter(Boolean);
      const unknown = scopes.filter((s) => s !== 'offline_access' && !ALL_OB_SCOPES.includes(s));
      if (unknown.length > 0) return refuse(res, 'invalid_client_metadata', `Unknown scope: ${unknown.join(' ')}.`);
      if (body.token_endpoint_auth_method !== undefined && body.token_endpoint_auth_method !== 'client_secret_basic') {
        return refuse(res, 'invalid_client_metadata', 'token_endpoint_auth_method must be client_secret_basic.');
      }
      const grants = (body.grant_types as unknown[] | undefined) ?? ['authorization_code', 'refresh_token'];
      if (!Array.isArray(grants) || !grants.every((g) => g === 'authorization_code' || g === 'refresh_token')) {
        return refuse(res, 'invalid_client_metadata', 'grant_types may only be authorization_code and refresh_token.');
      }
      const responses = (body.response_types as unknown[] | undefined) ?? ['code'];
      if (!Array.isArray(responses) || responses.length !== 1 || responses[0] !== 'code')
        return refuse(res, 'invalid_client_metadata', 'response_types must be ["code"].');
      // Refresh tokens unless the client said otherwise: a backpack syncs when its user is away.
      req.body = {
        ...body,
        grant_types: grants,
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      };
      next();
    },
  ];
}
