import { sql } from 'kysely';
import type { Fetcher } from '../engine/verify/fetcher.js';
import type { VerifiableInput } from '../engine/verify/parse-input.js';
import type { VerificationReport } from '../engine/verify/report.js';
import { verifyCredential } from '../engine/verify/verify-credential.js';
import { budgetedFetcher } from '../net/fetch-budget.js';
import { originalOfWalletCopy } from '../store/repositories/credential-offers.js';
import { findCredential } from '../store/repositories/credentials.js';
import { findSuspensionTwin } from '../store/repositories/status-lists.js';
import { findVcApiCredential } from '../store/repositories/vc-api-credentials.js';
import { isUuid } from '../shared/uuid.js';
import type { AppContext } from './context.js';

/** All the documents one verification fetches (schemas, keys, status lists, endorsements) share this time. */
export const VERIFICATION_FETCH_BUDGET_MS = 8_000;

/**
 * Verifies any OB 3.0 credential, ours or anyone's, with the engine. For our own credentials the issuer's
 * suspension list is checked too (the credential itself can only name its revocation entry).
 */
export async function verifyAny(
  app: AppContext,
  input: VerifiableInput,
  options: {
    expectedRecipient?: { email?: string; id?: string };
    count?: boolean;
    /** A fetcher whose time budget is shared with other verifications (the credentials of one presentation). */
    fetcher?: Fetcher;
  } = {},
): Promise<VerificationReport> {
  // Off this thread when the service has verification workers: hostile input then cannot stall it.
  const verify = app.verifier ? app.verifier.verify.bind(app.verifier) : verifyCredential;
  const report = await verify(input, {
    fetcher: options.fetcher ?? budgetedFetcher(app.fetcher, VERIFICATION_FETCH_BUDGET_MS),
    now: app.clock.now(),
    ...(options.expectedRecipient ? { expectedRecipient: options.expectedRecipient } : {}),
    additionalStatus: (credential) => suspensionEntryOf(app, credential),
  });
  if (options.count) await countVerification(app, report);
  return report;
}

/**
 * Counts a verification of one of our credentials, by month, for the indicators. Nothing about who verified
 * (no address, no time of day) is kept: a verification is a data event about the holder.
 */
async function countVerification(app: AppContext, report: VerificationReport): Promise<void> {
  const id = report.credentialId ? app.ids.credentialIdFromUrl(report.credentialId) : undefined;
  if (!id || report.verdict === 'invalid') return;
  const row = await findCredential(app.db, id);
  if (!row) return;
  const month = app.clock.now().toISOString().slice(0, 7);
  await app.db
    .insertInto('verification_counts')
    .values({ credential_id: id, organisation_id: row.organisation_id, month, count: 1 })
    .onConflict((oc) =>
      oc.columns(['credential_id', 'month']).doUpdateSet({ count: sql`verification_counts.count + 1` }),
    )
    .execute();
}

/** A copy taken into a wallet (OpenID4VCI) shares its badge's status: its suspension is the badge's. */
async function walletCopyOriginal(app: AppContext, id: string): Promise<string | undefined> {
  const copy = /^urn:uuid:([0-9a-f-]{36})$/i.exec(id)?.[1];
  return copy && isUuid(copy) ? originalOfWalletCopy(app.db, copy) : undefined;
}

async function suspensionEntryOf(
  app: AppContext,
  credential: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const id =
    typeof credential.id !== 'string'
      ? undefined
      : (app.ids.credentialIdFromUrl(credential.id) ?? (await walletCopyOriginal(app, credential.id)));
  // A credential signed through the VC API (src/app/vc-api.ts) is found by its own id, whatever it is.
  const row =
    (id ? await findCredential(app.db, id) : undefined) ??
    (typeof credential.id === 'string' ? await findVcApiCredential(app.db, credential.id) : undefined);
  if (!row) return [];
  const twin = await findSuspensionTwin(app.db, row.status_list_id);
  if (!twin) return [];
  const listUrl = app.ids.statusList(twin.id);
  return [
    {
      id: `${listUrl}#${row.status_index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'suspension',
      statusListIndex: String(row.status_index),
      statusListCredential: listUrl,
    },
  ];
}
