import type { Kysely } from 'kysely';

/**
 * Open recognition, the rest of issue 13:
 * - organisations.kind: 'issuer' (awards badges) or 'partner' (a France Travail, a bank, a Région that only
 *   endorses: it has a did:web identity and keys like any issuer, but no badge definitions or workshops).
 * - endorsement_requests: an operator asks a partner to endorse one of its badge definitions; the partner accepts
 *   (which signs an endorsement, `endorsement_id`) or declines with a message.
 * - imported_endorsements: an EndorsementCredential signed elsewhere (JSON-LD or VC-JWT), attached to a badge
 *   definition after it verified; embedded in the Achievement document beside the ones signed here.
 * - workshops.co_organiser_id: a workshop run jointly by two organisations (a partnership action).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('organisations')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('issuer'))
    .execute();
  await db.schema
    .alterTable('workshops')
    .addColumn('co_organiser_id', 'text', (c) => c.references('organisations.id'))
    .execute();
  await db.schema
    .createTable('endorsement_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('requester_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('achievement_id', 'text', (c) => c.notNull().references('achievements.id'))
    .addColumn('message', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('answered_by', 'text')
    .addColumn('answer_message', 'text')
    .addColumn('endorsement_id', 'text', (c) => c.references('endorsements.id'))
    .execute();
  await db.schema
    .createIndex('endorsement_requests_partner')
    .on('endorsement_requests')
    .columns(['partner_id', 'status'])
    .execute();
  await db.schema
    .createIndex('endorsement_requests_requester')
    .on('endorsement_requests')
    .columns(['requester_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('imported_endorsements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('achievement_id', 'text', (c) => c.notNull().references('achievements.id'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('endorser_id', 'text', (c) => c.notNull())
    .addColumn('endorser_name', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('imported_by', 'text')
    .addColumn('removed_at', 'text')
    .execute();
  await db.schema
    .createIndex('imported_endorsements_achievement')
    .on('imported_endorsements')
    .columns(['achievement_id'])
    .execute();
}
