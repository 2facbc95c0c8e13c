import type { Kysely } from 'kysely';

/**
 * OpenID4VCI 1.0, pre-authorized code flow (issue 15 §1). An offer hands one of our badges to the holder's
 * wallet: it is single use and short-lived, and only hashes of its secrets (the pre-authorized code, the
 * transaction code, the access token) are kept, like every other secret of the service.
 *
 * The credential the wallet receives is a copy of the badge with the holder's DID as subject. It has its own
 * table rather than a row in `credentials`, whose rows are awards (one per person and badge, a holder link, a
 * status index of their own): the copy carries the SAME credentialStatus entry as the original (same list, same
 * index), so revoking or suspending the badge reaches every copy through the published lists, with no second
 * index to keep in step.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('credential_offers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('pre_authorized_code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('tx_code_hash', 'text')
    /** Wrong transaction codes tried: the offer dies after a few, so the code cannot be guessed. */
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    /** Who made the offer: an operator's user id, or null for the holder herself. */
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    /** When the wallet exchanged the pre-authorized code for an access token (single use). */
    .addColumn('used_at', 'text')
    .addColumn('access_token_hash', 'text', (c) => c.unique())
    .addColumn('access_token_expires_at', 'text')
    .addColumn('issued_credential_id', 'text')
    .addColumn('notification_id', 'text')
    .addColumn('notified_event', 'text')
    .execute();
  await db.schema.createIndex('credential_offers_credential').on('credential_offers').column('credential_id').execute();
  /** Nonces from the nonce endpoint, each good for one proof of possession. */
  await db.schema
    .createTable('credential_nonces')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('wallet_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('offer_id', 'text', (c) => c.notNull().unique())
    .addColumn('holder_did', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('credential_json', 'text', (c) => c.notNull())
    .addColumn('jwt', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('wallet_credentials_credential')
    .on('wallet_credentials')
    .column('credential_id')
    .execute();
}
