import type { Db } from '../database.js';
import { sha256Hex } from '../../engine/util.js';

/**
 * What the OAuth server keeps (codes, tokens, grants, sessions, interactions, registered clients), one table for
 * every oidc-provider model. Records are keyed by a hash of their id: an opaque token *is* its id, so tokens are
 * never stored in clear. Payloads stay JSON text here; src/oauth and the use cases read them.
 */

export interface OAuthRecordInput {
  model: string;
  id: string;
  payload: string;
  grantId: string | null;
  uid: string | null;
  /** Whose it is, so that a holder can see and end what they authorised, and deleting them deletes it all. */
  accountId: string | null;
  expiresAt: string | null;
}

export async function upsertOAuthRecord(db: Db, record: OAuthRecordInput): Promise<void> {
  const row = {
    model: record.model,
    id_hash: sha256Hex(record.id),
    payload: record.payload,
    grant_id: record.grantId,
    uid: record.uid,
    account_id: record.accountId,
    expires_at: record.expiresAt,
    consumed_at: null,
  };
  await db
    .insertInto('oauth_records')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['model', 'id_hash']).doUpdateSet({
        payload: row.payload,
        grant_id: row.grant_id,
        uid: row.uid,
        account_id: row.account_id,
        expires_at: row.expires_at,
      }),
    )
    .execute();
}

/** A new client expires at `expiresAt`; storing it again changes its metadata, never its expiry. */
export async function upsertOAuthClient(db: Db, clientId: string, payload: string, expiresAt: string): Promise<void> {
  await db
    .insertInto('oauth_records')
    .values({
      model: 'Client',
      id_hash: sha256Hex(clientId),
      payload,
      grant_id: null,
      uid: null,
      account_id: null,
      expires_at: expiresAt,
      consumed_at: null,
    })
    .onConflict((oc) => oc.columns(['model', 'id_hash']).doUpdateSet({ payload }))
    .execute();
}

/** A holder authorised this client: it is kept for good. */
export async function keepOAuthClient(db: Db, clientId: string): Promise<void> {
  await db
    .updateTable('oauth_records')
    .set({ expires_at: null })
    .where('model', '=', 'Client')
    .where('id_hash', '=', sha256Hex(clientId))
    .where('expires_at', 'is not', null)
    .execute();
}

/** A record still valid at `now`, found by its id or by its interaction uid. */
export async function findOAuthRecord(
  db: Db,
  model: string,
  key: { id: string } | { uid: string },
  now: string,
): Promise<{ payload: string; consumedAt: string | null } | undefined> {
  const [column, value] = 'id' in key ? (['id_hash', sha256Hex(key.id)] as const) : (['uid', key.uid] as const);
  const row = await db
    .selectFrom('oauth_records')
    .select(['payload', 'expires_at', 'consumed_at'])
    .where('model', '=', model)
    .where(column, '=', value)
    .executeTakeFirst();
  if (!row || (row.expires_at && row.expires_at <= now)) return undefined;
  return { payload: row.payload, consumedAt: row.consumed_at };
}

export async function consumeOAuthRecord(db: Db, model: string, id: string, at: string): Promise<void> {
  await db
    .updateTable('oauth_records')
    .set({ consumed_at: at })
    .where('model', '=', model)
    .where('id_hash', '=', sha256Hex(id))
    .execute();
}

export async function deleteOAuthRecord(db: Db, model: string, id: string): Promise<void> {
  await db.deleteFrom('oauth_records').where('model', '=', model).where('id_hash', '=', sha256Hex(id)).execute();
}

/** Everything issued under these grants: codes, access and refresh tokens. */
export async function deleteOAuthRecordsOfGrants(db: Db, grantIds: string[]): Promise<void> {
  if (grantIds.length > 0) await db.deleteFrom('oauth_records').where('grant_id', 'in', grantIds).execute();
}

/** The grants a holder gave (JSON payloads), with their expiry. */
export function listOAuthGrantsOf(
  db: Db,
  accountId: string,
): Promise<{ payload: string; expires_at: string | null }[]> {
  return db
    .selectFrom('oauth_records')
    .select(['payload', 'expires_at'])
    .where('model', '=', 'Grant')
    .where('account_id', '=', accountId)
    .execute();
}

export async function findOAuthClientPayload(db: Db, clientId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('oauth_records')
    .select('payload')
    .where('model', '=', 'Client')
    .where('id_hash', '=', sha256Hex(clientId))
    .executeTakeFirst();
  return row?.payload;
}

/** Ends one grant of a holder and everything issued under it; false when the holder has no such grant. */
export async function deleteOAuthGrantOf(db: Db, accountId: string, grantId: string): Promise<boolean> {
  const grant = await db
    .selectFrom('oauth_records')
    .select('id_hash')
    .where('model', '=', 'Grant')
    .where('id_hash', '=', sha256Hex(grantId))
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!grant) return false;
  await db
    .deleteFrom('oauth_records')
    .where((eb) =>
      eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id_hash', '=', grant.id_hash)])]),
    )
    .execute();
  return true;
}

export async function deleteOAuthRecordsOfAccount(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('oauth_records').where('account_id', '=', accountId).execute();
}

/** Registered clients nobody authorised in time (see UNAUTHORISED_CLIENT_HOURS in src/oauth/provider.ts). */
export async function deleteExpiredOAuthClients(db: Db, now: string): Promise<void> {
  await db.deleteFrom('oauth_records').where('model', '=', 'Client').where('expires_at', '<=', now).execute();
}
