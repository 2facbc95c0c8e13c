import type { Transaction } from 'kysely';
import type { Db } from '../store/database.js';
import { appendAudit, type AuditEntry } from '../store/repositories/audit.js';
import type { Database } from '../store/schema.js';

export { AUDIT_ACTIONS, isAuditAction, type AuditAction } from '../shared/audit-actions.js';

/** The only way a use case writes to the audit log: the action must be one the console can filter on. */
export function recordAudit(db: Db | Transaction<Database>, entry: AuditEntry): Promise<void> {
  return appendAudit(db, entry);
}
