import { sql, type Kysely } from 'kysely';

/**
 * Peer recognition (issue 13 §2). A holder who recognises someone gets a personal issuer identity
 * (`did:web:<host>:people:<slug>`) with its own keys and its own revocation list; what she sends is kept here,
 * apart from the operators' credentials (no achievement row, no organisation). Only the display name she chose
 * is published: her holder id stays in this database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('peer_identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Null once the holder deletes her account: what she signed keeps verifying for those who received it.
    .addColumn('holder_id', 'text', (c) => c.unique().references('holders.id').onDelete('set null'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // Same columns as issuer_keys, owned by a personal identity instead of an organisation.
  await db.schema
    .createTable('peer_identity_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('identity_id', 'text', (c) => c.notNull().references('peer_identities.id').onDelete('cascade'))
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('public_multibase', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('private_key_file', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();
  await sql`CREATE UNIQUE INDEX peer_identity_keys_one_active ON peer_identity_keys (identity_id, purpose)
    WHERE status = 'active'`.execute(db);

  await db.schema
    .createTable('peer_recognitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('identity_id', 'text', (c) => c.notNull().references('peer_identities.id').onDelete('cascade'))
    .addColumn('recipient_email', 'text', (c) => c.notNull())
    .addColumn('competence', 'text', (c) => c.notNull())
    .addColumn('credential_json', 'text', (c) => c.notNull())
    .addColumn('jwt', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    // The index in the sender's own revocation list (one list per identity, served at /people/<slug>/status).
    .addColumn('status_index', 'integer', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revocation_reason', 'text')
    .addColumn('refused_at', 'text')
    .addColumn('hidden_at', 'text')
    .addUniqueConstraint('peer_recognitions_identity_index', ['identity_id', 'status_index'])
    .execute();
  await db.schema.createIndex('peer_recognitions_by_recipient').on('peer_recognitions').column('recipient_email')
    .execute();
  await db.schema.createIndex('peer_recognitions_by_sender_day').on('peer_recognitions')
    .columns(['identity_id', 'issued_at']).execute();
}
