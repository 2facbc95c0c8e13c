import type { Executor } from '../database.js';
import type { AuditAction } from '../../shared/audit-actions.js';

/*
 * The audit log as the console reads it: filtered by who acted and by badge, and the names its entries point
 * to (the log itself holds ids only, never personal data, so a name erased elsewhere is erased here too).
 */

export interface JournalQuery {
  organisationId?: string;
  actorId?: string;
  /** Entries about this badge: the badge itself, its credentials one by one, and its group awards. */
  achievementId?: string;
  action?: AuditAction;
  since?: string;
  limit: number;
}

export function queryJournal(db: Executor, q: JournalQuery) {
  let query = db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id').limit(q.limit);
  if (q.organisationId) query = query.where('organisation_id', '=', q.organisationId);
  if (q.actorId) query = query.where('actor_id', '=', q.actorId);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.since) query = query.where('at', '>=', q.since);
  const badge = q.achievementId;
  if (badge) {
    query = query.where((eb) =>
      eb.or([
        eb.and([eb('target_type', '=', 'achievement'), eb('target_id', '=', badge)]),
        eb.and([
          eb('target_type', '=', 'credential'),
          eb('target_id', 'in', eb.selectFrom('credentials').select('id').where('achievement_id', '=', badge)),
        ]),
        // Group awards name their badge in their details (JSON text); `badge` is a UUID, matched literally.
        eb.and([eb('target_type', '=', 'batch'), eb('details', 'like', `%"achievementId":"${badge}"%`)]),
      ]),
    );
  }
  return query.execute();
}

/** Everyone who wrote in an organisation's log (for the "who" filter). */
export async function journalActorIds(db: Executor, organisationId: string | undefined): Promise<string[]> {
  let query = db.selectFrom('audit_log').select('actor_id').distinct().where('actor_id', 'is not', null);
  if (organisationId) query = query.where('organisation_id', '=', organisationId);
  return (await query.execute()).map((r) => r.actor_id).filter((id): id is string => id !== null);
}

const CHUNK = 500;

async function inChunks<T>(ids: string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const unique = [...new Set(ids)];
  const rows: T[] = [];
  for (let i = 0; i < unique.length; i += CHUNK) rows.push(...(await load(unique.slice(i, i + CHUNK))));
  return rows;
}

export function usersByIds(db: Executor, ids: string[]) {
  return inChunks(ids, (chunk) =>
    db
      .selectFrom('users')
      .select(['id', 'name', 'email', 'role', 'organisation_id'])
      .where('id', 'in', chunk)
      .execute(),
  );
}

export function achievementNames(db: Executor, ids: string[]) {
  return inChunks(ids, (chunk) =>
    db
      .selectFrom('achievements')
      .select(['id', 'name_fr', 'name_en', 'organisation_id'])
      .where('id', 'in', chunk)
      .execute(),
  );
}

/** Credentials with their badge and, unless erased, their holder's name and address. */
export function credentialHolders(db: Executor, ids: string[]) {
  return inChunks(ids, (chunk) =>
    db
      .selectFrom('credentials')
      .leftJoin('recipients', 'recipients.credential_id', 'credentials.id')
      .select(['credentials.id', 'credentials.achievement_id', 'recipients.name', 'recipients.email'])
      .where('credentials.id', 'in', chunk)
      .execute(),
  );
}

export function workshopTitles(db: Executor, ids: string[]) {
  return inChunks(ids, (chunk) =>
    db.selectFrom('workshops').select(['id', 'title']).where('id', 'in', chunk).execute(),
  );
}

export function claimRequesters(db: Executor, ids: string[]) {
  return inChunks(ids, (chunk) =>
    db
      .selectFrom('claim_requests')
      .select(['id', 'name', 'workshop_id'])
      .where('id', 'in', chunk)
      .execute(),
  );
}

export function organisationNames(db: Executor, ids: string[]) {
  return inChunks(ids, (chunk) =>
    db.selectFrom('organisations').select(['id', 'name']).where('id', 'in', chunk).execute(),
  );
}
