import type { Kysely } from 'kysely';

/**
 * endorsements: OB 3.0 EndorsementCredentials an organisation signed about an issuer, a badge definition or an
 * awarded credential. Each takes a status index in its endorser's revocation list, like a credential, so that a
 * revocation is seen by any verifier; `subject_iri` is the id written in credentialSubject, which the public
 * Profile and Achievement documents look up to embed their current endorsements.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('endorsements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_iri', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('credential_json', 'text', (c) => c.notNull())
    .addColumn('jwt', 'text', (c) => c.notNull())
    .addColumn('status_list_id', 'text', (c) => c.notNull().references('status_lists.id'))
    .addColumn('status_index', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revocation_reason', 'text')
    .execute();
  await db.schema.createIndex('endorsements_subject').on('endorsements').columns(['subject_iri']).execute();
  await db.schema.createIndex('endorsements_subject_id').on('endorsements').columns(['subject_id']).execute();
  await db.schema.createIndex('endorsements_list').on('endorsements').columns(['status_list_id']).execute();
}
