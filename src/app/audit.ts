import { queryAudit } from '../store/repositories/audit.js';
import type { AppContext } from './context.js';
import { loadIssuer } from './issuers.js';
import { authorize, scopeOf, type Actor } from './policies.js';

export interface AuditView {
  at: string;
  actorId: string | null;
  issuerId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

/** The audit log: who created, awarded, revoked or rotated what, when and why. Scoped like everything else. */
export async function listAudit(app: AppContext, actor: Actor, filter: { issuerId?: string; action?: string; targetId?: string; since?: string; limit?: number; offset?: number }): Promise<AuditView[]> {
  authorize(actor, 'audit.read');
  if (filter.issuerId) await loadIssuer(app, actor, filter.issuerId);
  const organisationId = filter.issuerId ?? scopeOf(actor);
  const rows = await queryAudit(app.db, {
    ...(organisationId ? { organisationId } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.targetId ? { targetId: filter.targetId } : {}),
    ...(filter.since ? { since: filter.since } : {}),
    limit: Math.min(filter.limit ?? 100, 1000),
    offset: filter.offset ?? 0,
  });
  return rows.map((r) => ({ at: r.at, actorId: r.actor_id, issuerId: r.organisation_id, action: r.action, targetType: r.target_type, targetId: r.target_id, reason: r.reason, details: r.details ? JSON.parse(r.details) as Record<string, unknown> : null }));
}
