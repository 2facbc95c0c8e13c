import { sql, type Insertable } from 'kysely';
import type { Executor } from '../database.js';
import type { Database, PeerIdentityRow, PeerRecognitionRow } from '../schema.js';

type PersonalKey = Database['peer_identity_keys'];

/** The personal identity's active keys (one per purpose: see the partial index of migration 011). */
export function activePersonalKeys(db: Executor, identityId: string) {
  return db
    .selectFrom('peer_identity_keys')
    .selectAll()
    .where('identity_id', '=', identityId)
    .where('status', '=', 'active')
    .execute();
}

export function publishedPersonalKeys(db: Executor, identityId: string) {
  return db
    .selectFrom('peer_identity_keys')
    .selectAll()
    .where('identity_id', '=', identityId)
    .where('status', '!=', 'compromised')
    .orderBy('created_at')
    .execute();
}

/** Inserts a key; false when another process made the active key for this purpose first. */
export async function insertPersonalKeyIfNoneActive(db: Executor, row: Insertable<PersonalKey>): Promise<boolean> {
  const inserted = await db
    .insertInto('peer_identity_keys')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['identity_id', 'purpose'])
        .where(sql<boolean>`status = 'active'`)
        .doNothing(),
    )
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export function identityOfHolder(db: Executor, holderId: string): Promise<PeerIdentityRow | undefined> {
  return db.selectFrom('peer_identities').selectAll().where('holder_id', '=', holderId).executeTakeFirst();
}

export function identityBySlug(db: Executor, slug: string): Promise<PeerIdentityRow | undefined> {
  return db.selectFrom('peer_identities').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function identityById(db: Executor, id: string): Promise<PeerIdentityRow | undefined> {
  return db.selectFrom('peer_identities').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertIdentity(db: Executor, row: PeerIdentityRow): Promise<void> {
  await db.insertInto('peer_identities').values(row).onConflict((oc) => oc.column('holder_id').doNothing()).execute();
}

export async function renameIdentity(db: Executor, id: string, displayName: string): Promise<void> {
  await db.updateTable('peer_identities').set({ display_name: displayName }).where('id', '=', id).execute();
}

/** How many recognitions an identity sent since a moment (the daily limit). */
export async function countSentSince(db: Executor, identityId: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('peer_recognitions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('identity_id', '=', identityId)
    .where('issued_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function usedIndexes(db: Executor, identityId: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom('peer_recognitions')
    .select('status_index')
    .where('identity_id', '=', identityId)
    .execute();
  return new Set(rows.map((r) => r.status_index));
}

export async function insertRecognition(db: Executor, row: PeerRecognitionRow): Promise<void> {
  await db.insertInto('peer_recognitions').values(row).execute();
}

export function findRecognition(db: Executor, id: string): Promise<PeerRecognitionRow | undefined> {
  return db.selectFrom('peer_recognitions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What a holder received, newest first, refused ones left out. */
export function recognitionsReceived(db: Executor, email: string): Promise<PeerRecognitionRow[]> {
  return db
    .selectFrom('peer_recognitions')
    .selectAll()
    .where('recipient_email', '=', email)
    .where('refused_at', 'is', null)
    .orderBy('issued_at', 'desc')
    .execute();
}

/** The latest recognitions sent on the platform, newest first (moderation). */
export function latestRecognitions(db: Executor, limit: number): Promise<PeerRecognitionRow[]> {
  return db.selectFrom('peer_recognitions').selectAll().orderBy('issued_at', 'desc').limit(limit).execute();
}

export async function updateRecognition(
  db: Executor,
  id: string,
  changes: Partial<Pick<PeerRecognitionRow, 'refused_at' | 'hidden_at' | 'revoked_at' | 'revocation_reason'>>,
): Promise<void> {
  await db.updateTable('peer_recognitions').set(changes).where('id', '=', id).execute();
}

/** The indexes set in an identity's revocation list: revoked by the platform or refused by the recipient. */
export async function withdrawnIndexes(db: Executor, identityId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('peer_recognitions')
    .select('status_index')
    .where('identity_id', '=', identityId)
    .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('refused_at', 'is not', null)]))
    .execute();
  return rows.map((r) => r.status_index);
}
