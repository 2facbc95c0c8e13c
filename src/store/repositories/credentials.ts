import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../database.js';
import type { CredentialRow, Database, StatusPurpose } from '../schema.js';


export type NewCredential = Insertable<Database['credentials']>;
export type NewRecipient = Insertable<Database['recipients']>;

/**
 * Inserts credentials and their recipients. A credential whose holder already holds this badge (inserted
 * meanwhile by another request or process) is skipped, not an error: the ids actually inserted are returned.
 */
export async function insertCredentials(
  db: Executor,
  rows: NewCredential[],
  recipients: NewRecipient[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  // Sorted by holder: two processes awarding overlapping people lock index entries in the same order, so they
  // wait for each other instead of deadlocking (PostgreSQL).
  const ordered = [...rows].sort((a, b) => (a.recipient_key ?? '').localeCompare(b.recipient_key ?? ''));
  // Chunks keep each statement under SQLite's bound-parameter limit.
  for (let i = 0; i < ordered.length; i += 100) {
    const ids = await db
      .insertInto('credentials')
      .values(ordered.slice(i, i + 100))
      .onConflict((oc) =>
        oc
          .columns(['achievement_id', 'recipient_key'])
          .where('revoked_at', 'is', null)
          .where('recipient_key', 'is not', null)
          .doNothing(),
      )
      .returning('id')
      .execute();
    for (const { id } of ids) inserted.add(id);
  }
  const kept = recipients.filter((r) => inserted.has(r.credential_id));
  for (let i = 0; i < kept.length; i += 500)
    await db
      .insertInto('recipients')
      .values(kept.slice(i, i + 500))
      .execute();
  return inserted;
}

export function findCredential(db: Executor, id: string, organisationId?: string): Promise<CredentialRow | undefined> {
  let query = db.selectFrom('credentials').selectAll().where('id', '=', id);
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  return query.executeTakeFirst();
}

export function findRecipient(db: Executor, credentialId: string) {
  return db.selectFrom('recipients').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
}

/** Which of these recipient keys already hold a live credential for the achievement. */
export async function holdersOf(
  db: Executor,
  achievementId: string,
  recipientKeys: string[],
): Promise<Map<string, string>> {
  const holders = new Map<string, string>();
  for (let i = 0; i < recipientKeys.length; i += 500) {
    const rows = await db
      .selectFrom('credentials')
      .select(['id', 'recipient_key'])
      .where('achievement_id', '=', achievementId)
      .where('revoked_at', 'is', null)
      .where('recipient_key', 'in', recipientKeys.slice(i, i + 500))
      .execute();
    for (const row of rows) if (row.recipient_key) holders.set(row.recipient_key, row.id);
  }
  return holders;
}

export interface CredentialQuery {
  organisationId?: string;
  achievementId?: string;
  recipientKey?: string;
  batchId?: string;
  limit: number;
  offset: number;
}

export function listCredentials(db: Executor, q: CredentialQuery) {
  let query = db
    .selectFrom('credentials')
    .leftJoin('recipients', 'recipients.credential_id', 'credentials.id')
    .select([
      'credentials.id',
      'credentials.organisation_id',
      'credentials.achievement_id',
      'credentials.issued_at',
      'credentials.valid_until',
      'credentials.revoked_at',
      'credentials.suspended_at',
      'credentials.erased_at',
      'credentials.batch_id',
      'recipients.email',
      'recipients.name',
    ])
    .orderBy('credentials.issued_at', 'desc')
    .orderBy('credentials.id')
    .limit(q.limit)
    .offset(q.offset);
  if (q.organisationId !== undefined) query = query.where('credentials.organisation_id', '=', q.organisationId);
  if (q.achievementId) query = query.where('credentials.achievement_id', '=', q.achievementId);
  if (q.recipientKey) query = query.where('credentials.recipient_key', '=', q.recipientKey);
  if (q.batchId) query = query.where('credentials.batch_id', '=', q.batchId);
  return query.execute();
}

export async function updateCredential(
  db: Executor,
  id: string,
  changes: Updateable<Database['credentials']>,
): Promise<void> {
  await db.updateTable('credentials').set(changes).where('id', '=', id).execute();
}

export async function deleteRecipient(db: Executor, credentialId: string): Promise<void> {
  await db.deleteFrom('recipients').where('credential_id', '=', credentialId).execute();
}

/** Indexes whose bit is set in a list: revoked ones for a revocation list, suspended ones for its suspension twin. */
export async function setIndexes(db: Executor, revocationListId: string, purpose: StatusPurpose): Promise<number[]> {
  const column = purpose === 'revocation' ? 'revoked_at' : 'suspended_at';
  let query = db
    .selectFrom('credentials')
    .select('status_index')
    .where('status_list_id', '=', revocationListId)
    .where(column, 'is not', null);
  if (purpose === 'suspension') query = query.where('revoked_at', 'is', null);
  return (await query.execute()).map((row) => row.status_index);
}
