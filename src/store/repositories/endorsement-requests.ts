import type { Executor } from '../database.js';
import type { Database, EndorsementRequestRow, EndorsementRequestStatus } from '../schema.js';

/** A request with the names a list shows: both organisations and the badge in both languages. */
export interface EndorsementRequestListed extends EndorsementRequestRow {
  requester_name: string;
  partner_name: string;
  name_fr: string;
  name_en: string;
}

export function insertEndorsementRequest(db: Executor, row: Database['endorsement_requests']): Promise<unknown> {
  return db.insertInto('endorsement_requests').values(row).execute();
}

export function findEndorsementRequest(db: Executor, id: string): Promise<EndorsementRequestRow | undefined> {
  return db.selectFrom('endorsement_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The request still waiting for this partner's answer about this badge, if there is one. */
export function findPendingRequest(
  db: Executor,
  partnerId: string,
  achievementId: string,
): Promise<EndorsementRequestRow | undefined> {
  return db
    .selectFrom('endorsement_requests')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('achievement_id', '=', achievementId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

/**
 * Closes a pending request (accepted, declined or withdrawn); false when it was no longer pending, so that two
 * answers given at the same moment cannot both win.
 */
export async function closeRequest(
  db: Executor,
  id: string,
  answer: {
    status: Exclude<EndorsementRequestStatus, 'pending'>;
    answered_at: string;
    answered_by: string;
    answer_message: string | null;
    endorsement_id: string | null;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('endorsement_requests')
    .set(answer)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The requests one organisation received (`partner_id`) or sent (`requester_id`), or every one when no
 * organisation is given (the platform administrator): pending ones first, then the newest.
 */
export function listEndorsementRequests(
  db: Executor,
  side: 'partner_id' | 'requester_id',
  organisationId: string | undefined,
): Promise<EndorsementRequestListed[]> {
  let query = db
    .selectFrom('endorsement_requests as r')
    .innerJoin('organisations as req', 'req.id', 'r.requester_id')
    .innerJoin('organisations as par', 'par.id', 'r.partner_id')
    .innerJoin('achievements as a', 'a.id', 'r.achievement_id')
    .selectAll('r')
    .select(['req.name as requester_name', 'par.name as partner_name', 'a.name_fr', 'a.name_en']);
  if (organisationId !== undefined) query = query.where(`r.${side}`, '=', organisationId);
  return query
    .orderBy((eb) => eb.case().when('r.status', '=', 'pending').then(0).else(1).end())
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id')
    .execute();
}

/** How many requests wait for this organisation's answer. */
export async function countPendingReceived(db: Executor, partnerId: string): Promise<number> {
  const row = await db
    .selectFrom('endorsement_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('partner_id', '=', partnerId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Who hears about a request on the organisation's side: its contact address and its administrators (accounts
 * still active), each address once.
 */
export async function organisationContacts(db: Executor, organisationId: string): Promise<string[]> {
  const org = await db
    .selectFrom('organisations')
    .select('email')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  const admins = await db
    .selectFrom('users')
    .select('email')
    .where('organisation_id', '=', organisationId)
    .where('role', '=', 'operator_admin')
    .where('disabled_at', 'is', null)
    .orderBy('created_at')
    .execute();
  const all = [org?.email, ...admins.map((u) => u.email)].filter((e): e is string => !!e);
  return [...new Set(all.map((e) => e.trim().toLowerCase()))];
}
