import type { Db } from '../store/database.js';
import {
  consumeOAuthRecord,
  deleteOAuthRecord,
  deleteOAuthRecordsOfGrants,
  findOAuthRecord,
  keepOAuthClient,
  upsertOAuthClient,
  upsertOAuthRecord,
} from '../store/repositories/oauth-records.js';

/**
 * Storage for oidc-provider (codes, access and refresh tokens, grants, sessions, interactions, registered
 * clients), in Blason's database so that every process of the service shares it; the SQL is in
 * src/store/repositories/oauth-records.ts, which keys records by a hash of their id.
 */
export interface StoredPayload {
  grantId?: string;
  uid?: string;
  accountId?: string;
  consumed?: number;
  [key: string]: unknown;
}

/**
 * `unauthorisedClientSeconds`: how long a registered client lives until a holder authorises it (a Grant names
 * it), from then on for good. Registration needs no account: what nobody uses must not pile up.
 */
export function databaseAdapter(db: Db, now: () => Date, options: { unauthorisedClientSeconds: number }) {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return class DatabaseAdapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: StoredPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') {
        const expiresAt = new Date(now().getTime() + options.unauthorisedClientSeconds * 1000).toISOString();
        return upsertOAuthClient(db, id, JSON.stringify(payload), expiresAt);
      }
      await upsertOAuthRecord(db, {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grantId: text(payload.grantId),
        uid: text(payload.uid),
        accountId: text(payload.accountId),
        expiresAt: expiresIn ? new Date(now().getTime() + expiresIn * 1000).toISOString() : null,
      });
      // A holder authorised this client: it is kept.
      if (this.model === 'Grant' && typeof payload.clientId === 'string') await keepOAuthClient(db, payload.clientId);
    }

    private async findBy(key: { id: string } | { uid: string }): Promise<StoredPayload | undefined> {
      const row = await findOAuthRecord(db, this.model, key, now().toISOString());
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as StoredPayload;
      return row.consumedAt ? { ...payload, consumed: Math.floor(Date.parse(row.consumedAt) / 1000) } : payload;
    }

    find(id: string): Promise<StoredPayload | undefined> {
      return this.findBy({ id });
    }

    findByUid(uid: string): Promise<StoredPayload | undefined> {
      return this.findBy({ uid });
    }

    async findByUserCode(): Promise<undefined> {
      return undefined;
    }

    async consume(id: string): Promise<void> {
      await consumeOAuthRecord(db, this.model, id, now().toISOString());
    }

    async destroy(id: string): Promise<void> {
      await deleteOAuthRecord(db, this.model, id);
    }

    /** Revoking a grant ends everything issued under it: codes, access and refresh tokens. */
    async revokeByGrantId(grantId: string): Promise<void> {
      await deleteOAuthRecordsOfGrants(db, [grantId]);
    }
  };
}
