import { createHash } from 'node:crypto';
import type { Db } from '../store/database.js';

/**
 * Storage for oidc-provider (codes, access and refresh tokens, grants, sessions, interactions, registered
 * clients), in Blason's database so that every process of the service shares it. Records are keyed by a hash of
 * their id: an opaque token *is* its id, so tokens are never stored in clear.
 */
export interface StoredPayload {
  grantId?: string;
  uid?: string;
  accountId?: string;
  consumed?: number;
  [key: string]: unknown;
}

const hash = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * `unauthorisedClientSeconds`: how long a registered client lives until a holder authorises it (a Grant names
 * it), from then on for good. Registration needs no account: what nobody uses must not pile up.
 */
export function databaseAdapter(db: Db, now: () => Date, options: { unauthorisedClientSeconds: number }) {
  return class DatabaseAdapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: StoredPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') return this.upsertClient(id, payload);
      const row = {
        model: this.model,
        id_hash: hash(id),
        payload: JSON.stringify(payload),
        grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        // Whose it is, so that a holder can see and end what they authorised, and deleting them deletes it all.
        account_id: typeof payload.accountId === 'string' ? payload.accountId : null,
        expires_at: expiresIn ? new Date(now().getTime() + expiresIn * 1000).toISOString() : null,
        consumed_at: null,
      };
      await db.insertInto('oauth_records').values(row)
        .onConflict((oc) => oc.columns(['model', 'id_hash']).doUpdateSet({ payload: row.payload, grant_id: row.grant_id, uid: row.uid, account_id: row.account_id, expires_at: row.expires_at }))
        .execute();
      // A holder authorised this client: it is kept.
      if (this.model === 'Grant' && typeof payload.clientId === 'string') {
        await db.updateTable('oauth_records').set({ expires_at: null }).where('model', '=', 'Client')
          .where('id_hash', '=', hash(payload.clientId)).where('expires_at', 'is not', null).execute();
      }
    }

    /** A new client expires unless authorised in time; storing it again never changes its expiry. */
    private async upsertClient(id: string, payload: StoredPayload): Promise<void> {
      const expiresAt = new Date(now().getTime() + options.unauthorisedClientSeconds * 1000).toISOString();
      await db.insertInto('oauth_records')
        .values({
          model: 'Client', id_hash: hash(id), payload: JSON.stringify(payload),
          grant_id: null, uid: null, account_id: null, expires_at: expiresAt, consumed_at: null,
        })
        .onConflict((oc) => oc.columns(['model', 'id_hash']).doUpdateSet({ payload: JSON.stringify(payload) }))
        .execute();
    }

    private async findWhere(column: 'id_hash' | 'uid', value: string): Promise<StoredPayload | undefined> {
      const row = await db.selectFrom('oauth_records').selectAll().where('model', '=', this.model).where(column, '=', value).executeTakeFirst();
      if (!row) return undefined;
      if (row.expires_at && row.expires_at <= now().toISOString()) return undefined;
      const payload = JSON.parse(row.payload) as StoredPayload;
      return row.consumed_at ? { ...payload, consumed: Math.floor(Date.parse(row.consumed_at) / 1000) } : payload;
    }

    find(id: string): Promise<StoredPayload | undefined> {
      return this.findWhere('id_hash', hash(id));
    }

    findByUid(uid: string): Promise<StoredPayload | undefined> {
      return this.findWhere('uid', uid);
    }

    async findByUserCode(): Promise<undefined> {
      return undefined;
    }

    async consume(id: string): Promise<void> {
      await db.updateTable('oauth_records').set({ consumed_at: now().toISOString() }).where('model', '=', this.model).where('id_hash', '=', hash(id)).execute();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oauth_records').where('model', '=', this.model).where('id_hash', '=', hash(id)).execute();
    }

    /** Revoking a grant ends everything issued under it: codes, access and refresh tokens. */
    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oauth_records').where('grant_id', '=', grantId).execute();
    }
  };
}
