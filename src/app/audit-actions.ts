import type { Transaction } from 'kysely';
import type { Db } from '../store/database.js';
import { appendAudit, type AuditEntry } from '../store/repositories/audit.js';
import type { Database } from '../store/schema.js';

/**
 * Every action the audit log records. The use cases write only these (through recordAudit) and the console's
 * filter offers exactly these, so a new action cannot be written without becoming searchable.
 */
export const AUDIT_ACTIONS = [
  'admin.token.generated',
  'issuer.created',
  'issuer.updated',
  'issuer.logo.updated',
  'keys.rotated',
  'user.created',
  'user.invited',
  'user.activated',
  'user.password.reset',
  'user.locked',
  'achievement.created',
  'achievement.updated',
  'achievement.archived',
  'workshop.created',
  'workshop.claims.opened',
  'workshop.claims.closed',
  'claim.approved',
  'claim.rejected',
  'credential.awarded',
  'credential.revoked',
  'credential.suspended',
  'credential.unsuspended',
  'credential.erased',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/** The only way a use case writes to the audit log: the action must be one the console can filter on. */
export function recordAudit(
  db: Db | Transaction<Database>,
  entry: AuditEntry & { action: AuditAction },
): Promise<void> {
  return appendAudit(db, entry);
}
