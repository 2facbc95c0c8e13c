import type { VerifiableInput } from '../engine/verify/parse-input.js';
import type { VerificationReport } from '../engine/verify/report.js';
import { verifyCredential } from '../engine/verify/verify-credential.js';
import { findCredential } from '../store/repositories/credentials.js';
import { findSuspensionTwin } from '../store/repositories/status-lists.js';
import type { AppContext } from './context.js';

/**
 * Verifies any OB 3.0 credential, ours or anyone's, with the engine. For our own credentials the issuer's
 * suspension list is checked too (the credential itself can only name its revocation entry).
 */
export async function verifyAny(app: AppContext, input: VerifiableInput, options: { expectedRecipient?: { email?: string; id?: string } } = {}): Promise<VerificationReport> {
  return verifyCredential(input, {
    fetcher: app.fetcher,
    now: app.clock.now(),
    ...(options.expectedRecipient ? { expectedRecipient: options.expectedRecipient } : {}),
    additionalStatus: (credential) => suspensionEntryOf(app, credential),
  });
}

async function suspensionEntryOf(app: AppContext, credential: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  const id = typeof credential.id === 'string' ? app.ids.credentialIdFromUrl(credential.id) : undefined;
  if (!id) return [];
  const row = await findCredential(app.db, id);
  if (!row) return [];
  const twin = await findSuspensionTwin(app.db, row.status_list_id);
  if (!twin) return [];
  const listUrl = app.ids.statusList(twin.id);
  return [{ id: `${listUrl}#${row.status_index}`, type: 'BitstringStatusListEntry', statusPurpose: 'suspension', statusListIndex: String(row.status_index), statusListCredential: listUrl }];
}
