import type { AppContext } from './context.js';
import { loadCredential, revokeWithin, stateOf, type CredentialRow, type CredentialState } from './credentials.js';
import { conflict, ValidationError } from './errors.js';
import { authorize, type Actor } from './policies.js';

/**
 * Revoking several badges at once, with one reason, after a confirmation that names each of them. Revocation is
 * final and published in the issuers' status lists at once, so all of them are revoked in one transaction, or
 * none (one already revoked meanwhile stops the whole batch, and the page says so).
 */

/** At most this many in one go: a confirmation page must still name each one. */
export const MAX_REVOCATIONS = 500;

export interface RevocationItem {
  id: string;
  badge: { fr: string; en: string };
  name: string | null;
  email: string | null;
  erased: boolean;
  state: CredentialState;
}

function idsOf(ids: string[]): string[] {
  const unique = [...new Set(ids.map((id) => id.trim()).filter(Boolean))];
  if (unique.length === 0)
    throw new ValidationError('Choose at least one badge to revoke.', [
      { field: 'credentialIds', message: 'none chosen' },
    ]);
  if (unique.length > MAX_REVOCATIONS)
    throw new ValidationError(`Revoke at most ${MAX_REVOCATIONS} badges at a time.`, [
      { field: 'credentialIds', message: 'too many' },
    ]);
  return unique;
}

function reasonOf(reason: string): string {
  const text = reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (!text)
    throw new ValidationError('Give the reason for the revocation (it stays internal, never published).', [
      { field: 'reason', message: 'required' },
    ]);
  if (text.length > 1000)
    throw new ValidationError('The reason is longer than 1,000 characters.', [
      { field: 'reason', message: 'too long' },
    ]);
  return text;
}

/** The badges a revocation would withdraw, for its confirmation page. Another organisation's: 404. */
export async function describeRevocation(
  app: AppContext,
  actor: Actor,
  ids: string[],
  reason: string,
): Promise<{ items: RevocationItem[]; reason: string }> {
  authorize(actor, 'credential.revoke');
  const unique = idsOf(ids);
  const text = reasonOf(reason);
  const now = app.clock.now();
  const items: RevocationItem[] = [];
  for (const id of unique) {
    const row = await loadCredential(app, actor, id);
    const badge = await app.db
      .selectFrom('achievements')
      .select(['name_fr', 'name_en'])
      .where('id', '=', row.achievement_id)
      .executeTakeFirstOrThrow();
    const recipient = await app.db
      .selectFrom('recipients')
      .select(['email', 'name'])
      .where('credential_id', '=', row.id)
      .executeTakeFirst();
    items.push({
      id: row.id,
      badge: { fr: badge.name_fr, en: badge.name_en },
      name: recipient?.name ?? null,
      email: recipient?.email ?? null,
      erased: row.erased_at !== null,
      state: stateOf(row, now),
    });
  }
  if (items.some((item) => item.state === 'revoked'))
    throw conflict('One of these badges is already revoked: choose again.', {
      revoked: items.filter((item) => item.state === 'revoked').map((item) => item.id),
    });
  return { items, reason: text };
}

/** Revokes every credential listed, with the same reason, in one transaction; each one is audited. */
export async function revokeCredentials(
  app: AppContext,
  actor: Actor,
  ids: string[],
  reason: string,
): Promise<{ revoked: number }> {
  authorize(actor, 'credential.revoke');
  const unique = idsOf(ids);
  const text = reasonOf(reason);
  const rows: CredentialRow[] = [];
  for (const id of unique) rows.push(await loadCredential(app, actor, id));
  if (rows.some((row) => row.revoked_at))
    throw conflict('One of these badges is already revoked: nothing was revoked.');
  await app.db.transaction().execute((trx) => revokeWithin(app, trx, actor, rows, text));
  return { revoked: rows.length };
}
