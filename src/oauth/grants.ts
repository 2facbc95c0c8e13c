import { createHash } from 'node:crypto';
import type { AppContext } from '../app/context.js';
import { notFound } from '../app/errors.js';
import { scopeKey } from './scopes.js';

/**
 * What a holder authorised: one grant per application (OAuth client), with its scopes. Ending a grant ends every
 * code and token issued under it, at once.
 */
export interface AuthorisedApp {
  grantId: string;
  clientName: string;
  clientUri?: string;
  scopes: string[];
  since?: string;
}

const hash = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

interface GrantPayload {
  jti?: string;
  clientId?: string;
  iat?: number;
  resources?: Record<string, string>;
  openid?: { scope?: string };
}

export async function authorisedApps(app: AppContext, holderId: string): Promise<AuthorisedApp[]> {
  const now = app.clock.now().toISOString();
  const grants = await app.db.selectFrom('oauth_records').select(['payload', 'expires_at']).where('model', '=', 'Grant').where('account_id', '=', holderId).execute();
  const apps: AuthorisedApp[] = [];
  for (const row of grants) {
    if (row.expires_at && row.expires_at <= now) continue;
    const grant = JSON.parse(row.payload) as GrantPayload;
    if (!grant.jti || !grant.clientId) continue;
    const client = await app.db.selectFrom('oauth_records').select('payload').where('model', '=', 'Client').where('id_hash', '=', hash(grant.clientId)).executeTakeFirst();
    const metadata = client ? JSON.parse(client.payload) as { client_name?: string; client_uri?: string } : {};
    const granted = [...Object.values(grant.resources ?? {}), grant.openid?.scope ?? ''];
    const scopes = [...new Set(granted.flatMap((s) => s.split(' ')).filter(Boolean).map(scopeKey))];
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
  const grant = await app.db.selectFrom('oauth_records').select('id_hash').where('model', '=', 'Grant').where('id_hash', '=', hash(grantId)).where('account_id', '=', holderId).executeTakeFirst();
  if (!grant) throw notFound('Authorised application');
  await app.db.deleteFrom('oauth_records').where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id_hash', '=', grant.id_hash)])])).execute();
}

/** Everything OAuth kept for a holder (grants, tokens, sessions), for account deletion. */
export async function forgetHolderOAuth(app: AppContext, holderId: string): Promise<void> {
  const grants = await app.db.selectFrom('oauth_records').select('payload').where('model', '=', 'Grant').where('account_id', '=', holderId).execute();
  const grantIds = grants.map((g) => (JSON.parse(g.payload) as GrantPayload).jti).filter((id): id is string => typeof id === 'string');
  if (grantIds.length > 0) await app.db.deleteFrom('oauth_records').where('grant_id', 'in', grantIds).execute();
  await app.db.deleteFrom('oauth_records').where('account_id', '=', holderId).execute();
}
