/*
 * The audit log's vocabulary. In src/shared because the store types the audit_log.action column with it and the
 * use cases write it: one list below both layers.
 */

/**
 * Every action the audit log records. The use cases write only these (through recordAudit) and the console's
 * filter offers exactly these, so a new action cannot be written without becoming searchable.
 * To add an action: add it here, and give it a sentence in the console's locale texts.
 */
export const AUDIT_ACTIONS = [
  'admin.token.generated',
  'issuer.created',
  'issuer.updated',
  'issuer.logo.updated',
  'issuer.awardMessage.updated',
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
  'credential.reissued',
  'credential.offered',
  'credential.walletIssued',
  'endorsement.created',
  'endorsement.revoked',
  'endorsement.requested',
  'endorsement.request.accepted',
  'endorsement.request.declined',
  'endorsement.request.withdrawn',
  'endorsement.imported',
  'endorsement.import.removed',
  'pathway.created',
  'pathway.archived',
  'pathway.completed',
  'holder.name.chosen',
  'recognition.sent',
  'recognition.refused',
  'recognition.revoked',
  'recognition.disabled',
  'recognition.enabled',
  // A credential a program wrote and Blason signed through the W3C VC API (src/app/vc-api.ts), and its status.
  'vcapi.credential.signed',
  'vcapi.credential.revoked',
  'vcapi.credential.suspended',
  'vcapi.credential.unsuspended',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}
