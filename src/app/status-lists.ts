import { Bitstring } from '../engine/status/bitstring.js';
import { signDataIntegrity } from '../engine/proof/sign.js';
import { setIndexes } from '../store/repositories/credentials.js';
import { revokedEndorsementIndexes } from '../store/repositories/endorsements.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import { findStatusList, storeSignedList } from '../store/repositories/status-lists.js';
import { vcApiSetIndexes } from '../store/repositories/vc-api-credentials.js';
import type { AppContext } from './context.js';
import { notFound } from './errors.js';
import { issuerDid } from './issuers.js';
import { isUuid } from '../shared/uuid.js';

/** How long a signed status list is valid. Short, so a verifier never trusts a stale copy for long. */
const LIST_TTL_MS = 24 * 3_600_000;
/** Re-sign when less than this is left, so a served list is never about to expire. */
const LIST_REFRESH_MS = 12 * 3_600_000;

export interface SignedStatusList {
  json: string;
  version: number;
  validUntil: string;
}

/**
 * The signed BitstringStatusListCredential of a list. Signed once per change (the list's version) and reused
 * by every process until the next change or until it nears expiry.
 */
export async function statusListCredential(app: AppContext, listId: string): Promise<SignedStatusList> {
  const list = isUuid(listId) ? await findStatusList(app.db, listId) : undefined;
  if (!list) throw notFound('Status list');
  const now = app.clock.now();
  if (list.signed_credential && list.signed_version === list.version) {
    const cached = JSON.parse(list.signed_credential) as { validUntil: string };
    if (Date.parse(cached.validUntil) - now.getTime() > LIST_REFRESH_MS)
      return { json: list.signed_credential, version: list.version, validUntil: cached.validUntil };
  }
  const org = (await findOrganisation(app.db, list.organisation_id))!;
  const bits = new Bitstring(list.size);
  const purpose = list.purpose;
  for (const index of await setIndexes(app.db, list.twin_id ?? list.id, purpose)) bits.set(index, true);
  // Credentials signed through the VC API take indexes in the same lists, suspension at the same index too.
  for (const index of await vcApiSetIndexes(app.db, list.twin_id ?? list.id, purpose)) bits.set(index, true);
  // Endorsements take indexes in the same revocation lists as credentials (never suspended).
  if (purpose === 'revocation') {
    for (const index of await revokedEndorsementIndexes(app.db, list.id)) bits.set(index, true);
  }
  const url = app.ids.statusList(list.id);
  const did = issuerDid(app, org);
  const validUntil = new Date(now.getTime() + LIST_TTL_MS);
  const unsigned = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: did,
    validFrom: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    validUntil: validUntil.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: purpose,
      encodedList: bits.encode(),
    },
  };
  const signers = await app.keys.signers(org.id, did);
  const json = JSON.stringify(await signDataIntegrity(unsigned, signers.dataIntegrity, now));
  await storeSignedList(app.db, list.id, json, list.version);
  return { json, version: list.version, validUntil: unsigned.validUntil };
}
