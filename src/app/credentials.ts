import type { Lang } from './catalogue.js';
import { recordAudit } from './audit-actions.js';
import { eraseWalletData } from '../store/repositories/credential-offers.js';
import {
  deleteRecipient,
  findCredential,
  findRecipient,
  listCredentials as listRows,
  updateCredential,
} from '../store/repositories/credentials.js';
import { bumpVersion, findSuspensionTwin } from '../store/repositories/status-lists.js';
import { eraseForCredential } from '../store/repositories/outbox.js';
import type { Transaction } from 'kysely';
import type { CredentialRow, Database } from '../store/schema.js';
import { recipientKey } from './award.js';
import type { AppContext } from './context.js';
import { AppError, conflict, notFound } from './errors.js';
import { authorize, scopeOf, type Actor } from './policies.js';
import { isUuid } from '../shared/uuid.js';

export type CredentialState = 'active' | 'revoked' | 'suspended' | 'expired';

/** What the API shows an operator of a credential they issued. */
export interface CredentialView {
  id: string;
  url: string;
  achievementId: string;
  issuerId: string;
  issuedAt: string;
  validUntil: string | null;
  state: CredentialState;
  revokedAt: string | null;
  suspendedAt: string | null;
  recipient: { email: string | null; name: string | null; erased: boolean };
  language: Lang;
  batchId: string | null;
}

export function stateOf(
  row: Pick<CredentialRow, 'revoked_at' | 'suspended_at' | 'valid_until'>,
  now: Date,
): CredentialState {
  if (row.revoked_at) return 'revoked';
  if (row.suspended_at) return 'suspended';
  if (row.valid_until && Date.parse(row.valid_until) < now.getTime()) return 'expired';
  return 'active';
}

export async function loadCredential(app: AppContext, actor: Actor, id: string): Promise<CredentialRow> {
  const row = isUuid(id) ? await findCredential(app.db, id, scopeOf(actor)) : undefined;
  if (!row) throw notFound('Credential');
  return row;
}

export async function getCredential(
  app: AppContext,
  actor: Actor,
  id: string,
): Promise<CredentialView & { credential: unknown; jwt: string }> {
  authorize(actor, 'credential.read');
  const row = await loadCredential(app, actor, id);
  const recipient = await findRecipient(app.db, row.id);
  return { ...toView(app, row, recipient), credential: JSON.parse(row.credential_json), jwt: row.jwt };
}

function toView(
  app: AppContext,
  row: CredentialRow,
  recipient?: { email: string; name: string | null },
): CredentialView {
  return {
    id: row.id,
    url: app.ids.credential(row.id),
    achievementId: row.achievement_id,
    issuerId: row.organisation_id,
    issuedAt: row.issued_at,
    validUntil: row.valid_until,
    state: stateOf(row, app.clock.now()),
    revokedAt: row.revoked_at,
    suspendedAt: row.suspended_at,
    recipient: { email: recipient?.email ?? null, name: recipient?.name ?? null, erased: row.erased_at !== null },
    language: row.language,
    batchId: row.batch_id,
  };
}

export async function listCredentialViews(
  app: AppContext,
  actor: Actor,
  filter: { achievementId?: string; email?: string; batchId?: string; limit?: number; offset?: number },
) {
  authorize(actor, 'credential.read');
  const rows = await listRows(app.db, {
    ...(scopeOf(actor) !== undefined ? { organisationId: scopeOf(actor)! } : {}),
    ...(filter.achievementId ? { achievementId: filter.achievementId } : {}),
    ...(filter.email ? { recipientKey: recipientKey(app, filter.email) } : {}),
    ...(filter.batchId ? { batchId: filter.batchId } : {}),
    limit: Math.min(filter.limit ?? 50, 500),
    offset: filter.offset ?? 0,
  });
  const now = app.clock.now();
  return rows.map((r) => ({
    id: r.id,
    url: app.ids.credential(r.id),
    achievementId: r.achievement_id,
    issuerId: r.organisation_id,
    issuedAt: r.issued_at,
    validUntil: r.valid_until,
    state: stateOf(r, now),
    recipient: { email: r.email ?? null, name: r.name ?? null, erased: r.erased_at !== null },
    batchId: r.batch_id,
  }));
}

/** Revocation is final: the bit is set in the issuer's published revocation list at once. */
export async function revokeCredential(
  app: AppContext,
  actor: Actor,
  id: string,
  reason?: string,
): Promise<CredentialView> {
  authorize(actor, 'credential.revoke');
  const row = await loadCredential(app, actor, id);
  if (row.revoked_at) throw conflict('This credential is already revoked.');
  await app.db.transaction().execute((trx) => revokeWithin(app, trx, actor, [row], reason ?? null));
  return toView(app, (await findCredential(app.db, row.id))!, await findRecipient(app.db, row.id));
}

/**
 * The one way credentials are revoked, inside the caller's transaction: each row is marked only if it is not
 * revoked yet (someone else may have done it since it was read: then nothing is done, a conflict), its status
 * lists (revocation and suspension twin) are re-published, and each revocation is audited.
 */
export async function revokeWithin(
  app: AppContext,
  trx: Transaction<Database>,
  actor: Actor,
  rows: CredentialRow[],
  reason: string | null,
): Promise<void> {
  const at = app.clock.now().toISOString();
  const lists = new Set<string>();
  for (const row of rows) {
    const done = await trx
      .updateTable('credentials')
      .set({ revoked_at: at, revocation_reason: reason })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw conflict('A badge was revoked meanwhile: nothing was revoked.');
    lists.add(row.status_list_id);
    const twin = await findSuspensionTwin(trx, row.status_list_id);
    if (twin) lists.add(twin.id);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: row.organisation_id,
      action: 'credential.revoked',
      targetType: 'credential',
      targetId: row.id,
      reason,
    });
  }
  await bumpVersion(trx, [...lists]);
}

/** Suspension is temporary and published in the issuer's suspension list, at the credential's own index. */
export async function setSuspended(
  app: AppContext,
  actor: Actor,
  id: string,
  suspended: boolean,
  reason?: string,
): Promise<CredentialView> {
  authorize(actor, 'credential.revoke');
  const row = await loadCredential(app, actor, id);
  if (row.revoked_at) throw conflict('This credential is revoked; suspension no longer applies.');
  if (suspended === (row.suspended_at !== null))
    throw conflict(suspended ? 'This credential is already suspended.' : 'This credential is not suspended.');
  const twin = await findSuspensionTwin(app.db, row.status_list_id);
  if (!twin) throw new AppError(500, 'internal', 'The issuer has no suspension list.');
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    await updateCredential(
      trx,
      row.id,
      suspended
        ? { suspended_at: at, suspension_reason: reason ?? null }
        : { suspended_at: null, suspension_reason: null },
    );
    await bumpVersion(trx, [twin.id]);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: row.organisation_id,
      action: suspended ? 'credential.suspended' : 'credential.unsuspended',
      targetType: 'credential',
      targetId: row.id,
      reason: reason ?? null,
    });
  });
  return toView(app, (await findCredential(app.db, row.id))!, await findRecipient(app.db, row.id));
}

/**
 * GDPR erasure: the holder's email and name go; the signed credential (which holds only a salted hash) keeps
 * verifying unless the operator also revokes it. The public page then shows no personal data.
 */
export async function eraseRecipient(
  app: AppContext,
  actor: Actor,
  id: string,
  options: { revoke?: boolean; reason?: string },
): Promise<CredentialView> {
  authorize(actor, 'credential.erase');
  const row = await loadCredential(app, actor, id);
  if (row.erased_at) throw conflict("This holder's personal data has already been erased.");
  await eraseCredentialData(app, row, { ...options, actorId: actor.userId });
  return toView(app, (await findCredential(app.db, row.id))!);
}

/** The erasure itself, shared by the operator's request and the holder's own account deletion. */
export async function eraseCredentialData(
  app: AppContext,
  row: CredentialRow,
  options: { revoke?: boolean; reason?: string; actorId: string | null },
): Promise<void> {
  const at = app.clock.now().toISOString();
  const revoke = Boolean(options.revoke) && !row.revoked_at;
  const twin = revoke ? await findSuspensionTwin(app.db, row.status_list_id) : undefined;
  await app.db.transaction().execute(async (trx) => {
    await deleteRecipient(trx, row.id);
    await eraseForCredential(trx, row.id);
    await eraseWalletData(trx, row.id);
    // The stored copy goes too: it may carry the holder's name. The holder keeps their own copy, which still
    // verifies, since its status lives in the status list, not in this row.
    await updateCredential(trx, row.id, {
      erased_at: at,
      recipient_key: null,
      show_name: 0,
      credential_json: '{}',
      jwt: '',
      ...(revoke ? { revoked_at: at, revocation_reason: 'erasure' } : {}),
    });
    if (revoke) await bumpVersion(trx, [row.status_list_id, ...(twin ? [twin.id] : [])]);
    await recordAudit(trx, {
      at,
      actorId: options.actorId,
      organisationId: row.organisation_id,
      action: 'credential.erased',
      targetType: 'credential',
      targetId: row.id,
      reason: options.reason ?? null,
      details: { revoked: revoke },
    });
  });
}

export type { Lang };

/** The stored credential, as use cases hand it to their callers (who never import src/store). */
export type { CredentialRow };
