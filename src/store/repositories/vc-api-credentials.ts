import type { Executor } from '../database.js';
import type { Database, StatusPurpose, VcApiCredentialRow } from '../schema.js';

export function insertVcApiCredential(db: Executor, row: Database['vc_api_credentials']): Promise<unknown> {
  return db.insertInto('vc_api_credentials').values(row).execute();
}

/** A credential signed through the VC API, by the `id` it carries; limited to one organisation when given. */
export function findVcApiCredential(
  db: Executor,
  credentialId: string,
  organisationId?: string,
): Promise<VcApiCredentialRow | undefined> {
  let query = db.selectFrom('vc_api_credentials').selectAll().where('credential_id', '=', credentialId);
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  return query.executeTakeFirst();
}

/** Marks a status change, only if the row is still in the state it was read in; false when it was not. */
export async function updateVcApiStatus(
  db: Executor,
  id: string,
  change:
    | { revoked_at: string; revocation_reason: string | null }
    | { suspended_at: string | null; suspension_reason: string | null },
): Promise<boolean> {
  let query = db.updateTable('vc_api_credentials').set(change).where('id', '=', id).where('revoked_at', 'is', null);
  if ('suspended_at' in change)
    query = query.where('suspended_at', change.suspended_at === null ? 'is not' : 'is', null);
  const done = await query.executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/** The indexes set in a list for VC API credentials: revoked ones, or suspended (and not revoked) ones. */
export async function vcApiSetIndexes(
  db: Executor,
  revocationListId: string,
  purpose: StatusPurpose,
): Promise<number[]> {
  const column = purpose === 'revocation' ? 'revoked_at' : 'suspended_at';
  let query = db
    .selectFrom('vc_api_credentials')
    .select('status_index')
    .where('status_list_id', '=', revocationListId)
    .where(column, 'is not', null);
  if (purpose === 'suspension') query = query.where('revoked_at', 'is', null);
  return (await query.execute()).map((row) => row.status_index);
}
