import type { Executor } from '../database.js';
import { newId } from '../../shared/clock.js';
import type { AuditAction } from '../../shared/audit-actions.js';


export interface AuditEntry {
  at: string;
  actorId: string | null;
  organisationId: string | null;
  action: AuditAction;
  targetType: string;
  targetId: string | null;
  reason?: string | null;
  /** Never personal data: ids and counts only. */
  details?: Record<string, unknown>;
}

export async function appendAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      at: entry.at,
      actor_id: entry.actorId,
      organisation_id: entry.organisationId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      reason: entry.reason ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
    .execute();
}

export interface AuditQuery {
  organisationId?: string;
  action?: AuditAction;
  targetId?: string;
  since?: string;
  limit: number;
  offset: number;
}

export function queryAudit(db: Executor, q: AuditQuery) {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id')
    .limit(q.limit)
    .offset(q.offset);
  if (q.organisationId) query = query.where('organisation_id', '=', q.organisationId);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.targetId) query = query.where('target_id', '=', q.targetId);
  if (q.since) query = query.where('at', '>=', q.since);
  return query.execute();
}
