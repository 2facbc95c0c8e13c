import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import type { AppContext } from '../app/context.js';
import { findHolder } from '../app/holders.js';
import { getOrInitSetting } from '../store/repositories/settings.js';
import { databaseAdapter } from './adapter.js';
import { ALL_OB_SCOPES } from './scopes.js';

export const OAUTH_MOUNT = '/oauth';

/** A registered client that no holder authorises within this time is forgotten (README, OB 3.0 API). */
export const UNAUTHORISED_CLIENT_HOURS = 24;

export function apiResource(app: AppContext): string {
  return `${app.ids.origin}/ims/ob/v3p0`;
}

/**
 * The OAuth 2.0 authorization server of the Open Badges API, built on oidc-provider: dynamic client registration
 * (RFC 7591, no initial access token, as OB 3.0 requires), the authorization code grant with PKCE S256 only,
 * client_secret_basic at the token endpoint, refresh tokens (rotated), token revocation (RFC 7009). Access
 * tokens are opaque, bound to the OB API as their resource, one hour. Holders sign in and consent in Blason's
 * own pages (src/http/oauth-interactions.ts).
 */
export async function createOAuthProvider(app: AppContext): Promise<Provider> {
  const cookieKey = await getOrInitSetting(app.db, 'oauth_cookie_key', () => randomBytes(32).toString('base64url'));
  // oidc-provider signs nothing we use (no ID tokens) but needs a key set; one RSA key, shared by all processes.
  const signingJwk = JSON.parse(
    await getOrInitSetting(app.db, 'oauth_signing_jwk', () =>
      JSON.stringify({
        ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
        kid: randomBytes(8).toString('hex'),
        use: 'sig',
        alg: 'RS256',
      }),
    ),
  ) as Record<string, unknown>;
  const resource = apiResource(app);
  const provider = new Provider(`${app.ids.origin}${OAUTH_MOUNT}`, {
    adapter: databaseAdapter(app.db, () => app.clock.now(), {
      unauthorisedClientSeconds: UNAUTHORISED_CLIENT_HOURS * 3600,
    }),
    // Nothing here needs to fetch from a URL a client named (jwks_uri, sector_identifier_uri, request_uri: the
    // registration policy refuses them): should oidc-provider ever try, the request is aborted before it starts.
    httpOptions: () => ({ signal: AbortSignal.abort() }),
    jwks: { keys: [signingJwk] },
    cookies: {
      keys: [cookieKey],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    findAccount: async (_ctx: unknown, id: string) => {
      const holder = await findHolder(app, id);
      return holder ? { accountId: holder.id, claims: async () => ({ sub: holder.id }) } : undefined;
    },
    scopes: ['offline_access', ...ALL_OB_SCOPES],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    clientAuthMethods: ['client_secret_basic'],
    extraClientMetadata: { properties: ['software_id', 'software_version'] },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: app.config.oauthAccessTokenTtl,
      AuthorizationCode: 600,
      RefreshToken: 30 * 86_400,
      Interaction: 3600,
      Session: 86_400,
      Grant: 30 * 86_400,
    },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: false },
      revocation: { enabled: true },
      introspection: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: ALL_OB_SCOPES.join(' '),
          audience: resource,
          accessTokenTTL: app.config.oauthAccessTokenTtl,
          accessTokenFormat: 'opaque',
        }),
      },
    },
    routes: {
      authorization: '/auth',
      token: '/token',
      registration: '/register',
      revocation: '/revoke',
      jwks: '/jwks',
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${OAUTH_MOUNT}/interaction/${interaction.uid}`,
    },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      const text = Object.entries(out)
        .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(String(v))}</p>`)
        .join('');
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OAuth error</title><link ` +
        `rel="stylesheet" href="/assets/app.css"></head><body><main class="page narrow"><h1>Authorization ` +
        `error</h1>${text}</main></body></html>`;
    },
  });
  provider.proxy = app.config.baseUrl.protocol === 'https:' && app.config.trustProxy;
  return provider;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
