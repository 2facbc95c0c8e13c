import type { Updateable } from 'kysely';
import type { Executor } from '../database.js';
import type { CredentialOfferRow, Database, WalletCredentialRow } from '../schema.js';

type NewOffer = Omit<
  Database['credential_offers'],
  'failed_attempts' | 'exchange_challenge' | 'exchange_challenge_expires_at'
>;

export function insertOffer(db: Executor, row: NewOffer): Promise<unknown> {
  return db.insertInto('credential_offers').values(row).execute();
}

export function findOfferByCode(db: Executor, codeHash: string): Promise<CredentialOfferRow | undefined> {
  return db
    .selectFrom('credential_offers')
    .selectAll()
    .where('pre_authorized_code_hash', '=', codeHash)
    .executeTakeFirst();
}

export function findOfferByToken(db: Executor, tokenHash: string): Promise<CredentialOfferRow | undefined> {
  return db.selectFrom('credential_offers').selectAll().where('access_token_hash', '=', tokenHash).executeTakeFirst();
}

/** One more wrong transaction code; the new count. */
export async function countFailedAttempt(db: Executor, id: string): Promise<number> {
  await db
    .updateTable('credential_offers')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
  const row = await db
    .selectFrom('credential_offers')
    .select('failed_attempts')
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(row?.failed_attempts ?? 0);
}

/** What says an offer is still open to a change: not used yet by either protocol, or its copy not issued yet. */
type OpenColumn = 'used_at' | 'issued_credential_id';

/**
 * The one way an offer changes state: the change is made only while every column named is still empty, in one
 * statement, so that two requests racing for the same offer cannot both win. False when someone was first.
 */
async function changeWhileOpen(
  db: Executor,
  id: string,
  change: Updateable<Database['credential_offers']>,
  open: OpenColumn[],
): Promise<boolean> {
  let query = db.updateTable('credential_offers').set(change).where('id', '=', id);
  for (const column of open) query = query.where(column, 'is', null);
  const done = await query.executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/** Exchanges the pre-authorized code for an access token, only if nobody did it first: false when someone did. */
export function redeemOffer(
  db: Executor,
  id: string,
  change: { used_at: string; access_token_hash: string; access_token_expires_at: string },
): Promise<boolean> {
  return changeWhileOpen(db, id, change, ['used_at']);
}

/** Marks the offer's credential as issued, only once: false when it already was. */
export function markIssued(
  db: Executor,
  id: string,
  change: { issued_credential_id: string; notification_id: string },
): Promise<boolean> {
  return changeWhileOpen(db, id, change, ['issued_credential_id']);
}

/** A VC API exchange's new challenge, only on an offer nobody used: false when someone did. */
export function setExchangeChallenge(
  db: Executor,
  id: string,
  change: { exchange_challenge: string; exchange_challenge_expires_at: string },
): Promise<boolean> {
  return changeWhileOpen(db, id, change, ['used_at']);
}

/**
 * Uses the offer up through a VC API exchange and records its copy, only if neither protocol used it first (the
 * OpenID4VCI token sets used_at): false when one did. The challenge goes with it, so it cannot be answered again.
 */
export function claimForExchange(
  db: Executor,
  id: string,
  change: { used_at: string; issued_credential_id: string },
): Promise<boolean> {
  const closing = { ...change, exchange_challenge: null, exchange_challenge_expires_at: null };
  return changeWhileOpen(db, id, closing, ['used_at', 'issued_credential_id']);
}

export async function recordNotification(db: Executor, id: string, event: string): Promise<void> {
  await db.updateTable('credential_offers').set({ notified_event: event }).where('id', '=', id).execute();
}

export async function insertNonce(db: Executor, nonce: string, expiresAt: string): Promise<void> {
  await db.insertInto('credential_nonces').values({ nonce, expires_at: expiresAt }).execute();
}

/** Takes a nonce for one proof: true when it existed and had not expired. Expired nonces are swept meanwhile. */
export async function consumeNonce(db: Executor, nonce: string, now: string): Promise<boolean> {
  await db.deleteFrom('credential_nonces').where('expires_at', '<', now).execute();
  const done = await db.deleteFrom('credential_nonces').where('nonce', '=', nonce).executeTakeFirst();
  return Number(done.numDeletedRows) === 1;
}

export function insertWalletCredential(db: Executor, row: Database['wallet_credentials']): Promise<unknown> {
  return db.insertInto('wallet_credentials').values(row).execute();
}

/** The copies of one badge that went to wallets, oldest first. */
export function walletCopiesOf(db: Executor, credentialId: string): Promise<WalletCredentialRow[]> {
  return db
    .selectFrom('wallet_credentials')
    .selectAll()
    .where('credential_id', '=', credentialId)
    .orderBy('issued_at')
    .execute();
}

/**
 * A holder's data erased: the copies in wallets keep verifying where they are (their status is in the list), but
 * the platform forgets them (the holder's DID, the signed copy with its hashed e-mail), and unused offers die.
 */
export async function eraseWalletData(db: Executor, credentialId: string): Promise<void> {
  await db
    .updateTable('wallet_credentials')
    .set({ holder_did: '', credential_json: '{}', jwt: '' })
    .where('credential_id', '=', credentialId)
    .execute();
  await db
    .deleteFrom('credential_offers')
    .where('credential_id', '=', credentialId)
    .where('used_at', 'is', null)
    .execute();
}

/** The badge a wallet copy was made from, found by the copy's own id (`urn:uuid:<id>`). */
export async function originalOfWalletCopy(db: Executor, copyId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('wallet_credentials')
    .select('credential_id')
    .where('id', '=', copyId)
    .executeTakeFirst();
  return row?.credential_id;
}
