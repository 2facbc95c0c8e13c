import type { Executor } from '../database.js';

/** Whether an organisation has defined a badge and held a session yet (the dashboard's first-run checklist). */
export async function firstStepsDone(
  db: Executor,
  organisationId: string,
): Promise<{ badge: boolean; session: boolean }> {
  const badge = await db
    .selectFrom('achievements')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .limit(1)
    .executeTakeFirst();
  const session = await db
    .selectFrom('workshops')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .limit(1)
    .executeTakeFirst();
  return { badge: badge !== undefined, session: session !== undefined };
}
