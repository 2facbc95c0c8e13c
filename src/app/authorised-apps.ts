import type { AppContext } from './context.js';
import { notFound } from './errors.js';
import {
  deleteOAuthGrantOf,
  deleteOAuthRecordsOfAccount,
  deleteOAuthRecordsOfGrants,
  findOAuthClientPayload,
  listOAuthGrantsOf,
} from '../store/repositories/oauth-records.js';

/**
 * What a holder authorised: one grant per application (OAuth client), with its scopes. Ending a grant ends every
 * code and token issued under it, at once. A use case over the OAuth records (src/store), so that the holder's
 * space and account deletion need nothing of the OAuth server itself (src/oauth).
 */
export interface AuthorisedApp {
  grantId: string;
  clientName: string;
  clientUri?: string;
  /** The scopes as granted (full OB 3.0 scope URIs; src/oauth/scopes.ts names them). */
  scopes: string[];
  since?: string;
}

interface GrantPayload {
  jti?: string;
  clientId?: string;
  iat?: number;
  resources?: Record<string, string>;
  openid?: { scope?: string };
}

export async function authorisedApps(app: AppContext, holderId: string): Promise<AuthorisedApp[]> {
  const now = app.clock.now().toISOString();
  const apps: AuthorisedApp[] = [];
  for (const row of await listOAuthGrantsOf(app.db, holderId)) {
    if (row.expires_at && row.expires_at <= now) continue;
    const grant = JSON.parse(row.payload) as GrantPayload;
    if (!grant.jti || !grant.clientId) continue;
    const client = await findOAuthClientPayload(app.db, grant.clientId);
    const metadata = client ? (JSON.parse(client) as { client_name?: string; client_uri?: string }) : {};
    const granted = [...Object.values(grant.resources ?? {}), grant.openid?.scope ?? ''];
    const scopes = [...new Set(granted.flatMap((s) => s.split(' ')).filter(Boolean))];
    apps.push({
      grantId: grant.jti,
      clientName: metadata.client_name ?? grant.clientId,
      ...(metadata.client_uri && /^https:\/\//.test(metadata.client_uri) ? { clientUri: metadata.client_uri } : {}),
      scopes,
      ...(grant.iat ? { since: new Date(grant.iat * 1000).toISOString() } : {}),
    });
  }
  return apps;
}

/** Ends one of the holder's grants: the application loses every token at once. */
export async function revokeAuthorisedApp(app: AppContext, holderId: string, grantId: string): Promise<void> {
  if (!(await deleteOAuthGrantOf(app.db, holderId, grantId))) throw notFound('Authorised application');
}

/** Everything OAuth kept for a holder (grants, tokens, sessions), for account deletion. */
export async function forgetHolderOAuth(app: AppContext, holderId: string): Promise<void> {
  const grants = await listOAuthGrantsOf(app.db, holderId);
  const grantIds = grants
    .map((g) => (JSON.parse(g.payload) as GrantPayload).jti)
    .filter((id): id is string => typeof id === 'string');
  await deleteOAuthRecordsOfGrants(app.db, grantIds);
  await deleteOAuthRecordsOfAccount(app.db, holderId);
}
