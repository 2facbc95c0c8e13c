import type { Kysely } from 'kysely';

/**
 * The award e-mail of each organisation and what became of each one sent.
 *
 * award_messages: one row per organisation that changed its award e-mail (subject, introduction, signature, in
 * French and in English; null keeps Blason's wording) or its reminders (days after the award e-mail; null turns
 * that reminder off). An organisation without a row gets the defaults.
 *
 * award_notices: one row per award e-mail, kept to send reminders. `open_token_hash` is the hash of the token the
 * e-mail's links carry: when the holder follows one (or signs into her space), `opened_at` is set and no reminder
 * follows. `reminders_sent` only ever grows, by a conditional update, so that no reminder is sent twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('award_messages')
    .addColumn('organisation_id', 'text', (c) => c.primaryKey().references('organisations.id'))
    .addColumn('subject_fr', 'text')
    .addColumn('intro_fr', 'text')
    .addColumn('signature_fr', 'text')
    .addColumn('subject_en', 'text')
    .addColumn('intro_en', 'text')
    .addColumn('signature_en', 'text')
    .addColumn('first_reminder_days', 'integer')
    .addColumn('second_reminder_days', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('award_notices')
    .addColumn('credential_id', 'text', (c) => c.primaryKey().references('credentials.id').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('open_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('emailed_at', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text')
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_reminder_at', 'text')
    .execute();
  // The reminder run looks for an organisation's unopened notices by age.
  await db.schema
    .createIndex('award_notices_due')
    .on('award_notices')
    .columns(['organisation_id', 'opened_at', 'reminders_sent', 'emailed_at'])
    .execute();
}
