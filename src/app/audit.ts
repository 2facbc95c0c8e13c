import { queryAudit } from '../store/repositories/audit.js';
import { findUser } from '../store/repositories/users.js';
import { isAuditAction, type AuditAction } from './audit-actions.js';
import type { AppContext } from './context.js';
import { ValidationError } from './errors.js';
import { loadIssuer } from './issuers.js';
import { authorize, scopeOf, type Actor } from './policies.js';

export interface AuditView {
  at: string;
  actorId: string | null;
  issuerId: string | null;
  action: AuditAction;
  targetType: string;
  targetId: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

/** The audit log: who created, awarded, revoked or rotated what, when and why. Scoped like everything else. */
export async function listAudit(
  app: AppContext,
  actor: Actor,
  filter: { issuerId?: string; action?: string; targetId?: string; since?: string; limit?: number; offset?: number },
): Promise<AuditView[]> {
  authorize(actor, 'audit.read');
  if (filter.action && !isAuditAction(filter.action)) {
    throw new ValidationError('Unknown audit action: choose one of the listed actions.', [
      { field: 'action', message: 'unknown action' },
    ]);
  }
  if (filter.issuerId) await loadIssuer(app, actor, filter.issuerId);
  const organisationId = filter.issuerId ?? scopeOf(actor);
  const rows = await queryAudit(app.db, {
    ...(organisationId ? { organisationId } : {}),
    ...(filter.action && isAuditAction(filter.action) ? { action: filter.action } : {}),
    ...(filter.targetId ? { targetId: filter.targetId } : {}),
    ...(filter.since ? { since: filter.since } : {}),
    limit: Math.min(filter.limit ?? 100, 1000),
    offset: filter.offset ?? 0,
  });
  return rows.map((r) => ({
    at: r.at,
    actorId: r.actor_id,
    issuerId: r.organisation_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    reason: r.reason,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  }));
}

/**
 * The e-mail addresses of the people who wrote these entries, for the console's audit page: only the actor's
 * organisation's users (a platform admin's, all), so the page never lists another organisation's accounts.
 */
export async function auditActorEmails(
  app: AppContext,
  actor: Actor,
  entries: AuditView[],
): Promise<Map<string, string>> {
  authorize(actor, 'audit.read');
  const scope = scopeOf(actor);
  const emails = new Map<string, string>();
  for (const id of new Set(entries.map((e) => e.actorId).filter((a): a is string => a !== null))) {
    const user = await findUser(app.db, id);
    if (user && (scope === undefined || user.organisation_id === scope)) emails.set(id, user.email);
  }
  return emails;
}
