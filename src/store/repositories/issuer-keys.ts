import { sql, type Insertable } from 'kysely';
import type { Executor } from '../database.js';
import type { Database, IssuerKeyRow } from '../schema.js';

export type { KeyPurpose, KeyStatus } from '../schema.js';


export function activeKeys(db: Executor, organisationId: string): Promise<IssuerKeyRow[]> {
  return db
    .selectFrom('issuer_keys')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'active')
    .execute();
}

/** Every key still published (active and retired): what the DID document and JWKS list. */
export function publishedKeys(db: Executor, organisationId?: string): Promise<IssuerKeyRow[]> {
  let query = db.selectFrom('issuer_keys').selectAll().where('status', '!=', 'compromised').orderBy('created_at');
  if (organisationId) query = query.where('organisation_id', '=', organisationId);
  return query.execute();
}

/** Inserts a key; false when another process made the active key for this purpose first. */
export async function insertKeyIfNoneActive(db: Executor, row: Insertable<Database['issuer_keys']>): Promise<boolean> {
  const inserted = await db
    .insertInto('issuer_keys')
    .values(row)
    // The predicate must be the partial index's own, literally (a bound parameter would not match it).
    .onConflict((oc) =>
      oc
        .columns(['organisation_id', 'purpose'])
        .where(sql<boolean>`status = 'active'`)
        .doNothing(),
    )
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function retireActiveKeys(db: Executor, organisationId: string, at: string): Promise<IssuerKeyRow[]> {
  const keys = await activeKeys(db, organisationId);
  await db
    .updateTable('issuer_keys')
    .set({ status: 'retired', retired_at: at })
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'active')
    .execute();
  return keys;
}
