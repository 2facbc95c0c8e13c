import type { Kysely } from 'kysely';

/**
 * Credentials signed through the W3C VC API (POST /credentials/issue, issue 15 §2): a document the caller
 * wrote, signed with the organisation's key. They do not fit the `credentials` table, whose rows are awards of
 * one of our badges to one person (a required achievement, recipient, holder link), so they have their own,
 * with what status changes need: the index in the organisation's revocation list (whose suspension twin uses
 * the same index), and when and why it was revoked or suspended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vc_api_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    /** The credential's own `id` (a URL or URN), by which the VC API names it. */
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('credential_json', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('status_list_id', 'text', (c) => c.notNull())
    .addColumn('status_index', 'integer', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revocation_reason', 'text')
    .addColumn('suspended_at', 'text')
    .addColumn('suspension_reason', 'text')
    .addColumn('created_by', 'text')
    .execute();
  await db.schema
    .createIndex('vc_api_credentials_status')
    .on('vc_api_credentials')
    .columns(['status_list_id', 'status_index'])
    .unique()
    .execute();
}
