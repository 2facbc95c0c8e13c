import type { Kysely } from 'kysely';

/**
 * The holder's answer to "may your name appear on your public badge pages?": `holders.show_name` holds it, and
 * `holders.name_chosen_at` says when she gave it (null: never asked yet, so her space asks her on her next visit,
 * and badges awarded after it follow it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('holders').addColumn('name_chosen_at', 'text').execute();
}
