import type { Kysely } from 'kysely';

/**
 * Pathways (issue 14 §3): an ordered or unordered set of badges, possibly of several organisations, with a
 * completion rule (all of them, or `required_count` of them, optionally within `within_days`). Completing one
 * earns the pathway badge (`achievement_id`, an achievement of the owner organisation created with the pathway).
 * pathway_completions holds one row per person (pseudonymous key) and pathway: its primary key is what makes a
 * completion, and so the pathway badge, happen once however often it is checked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pathways')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('name_fr', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('description_fr', 'text', (c) => c.notNull())
    .addColumn('description_en', 'text', (c) => c.notNull())
    .addColumn('ordered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('required_count', 'integer', (c) => c.notNull())
    .addColumn('within_days', 'integer')
    .addColumn('achievement_id', 'text', (c) => c.notNull().unique().references('achievements.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('archived_at', 'text')
    .execute();
  await db.schema
    .createTable('pathway_badges')
    .addColumn('pathway_id', 'text', (c) => c.notNull().references('pathways.id'))
    .addColumn('achievement_id', 'text', (c) => c.notNull().references('achievements.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('pathway_badges_pk', ['pathway_id', 'achievement_id'])
    .execute();
  await db.schema
    .createIndex('pathway_badges_achievement')
    .on('pathway_badges')
    .columns(['achievement_id'])
    .execute();
  await db.schema
    .createTable('pathway_completions')
    .addColumn('pathway_id', 'text', (c) => c.notNull().references('pathways.id'))
    .addColumn('recipient_key', 'text', (c) => c.notNull())
    .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
    .addColumn('completed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pathway_completions_pk', ['pathway_id', 'recipient_key'])
    .execute();
}
