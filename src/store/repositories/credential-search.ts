import { sql, type ExpressionBuilder } from 'kysely';
import type { Executor } from '../database.js';
import type { Database } from '../schema.js';

/*
 * Finding issued credentials in the console. What can be searched as text is the `recipients` table: the holder's
 * address and name, kept in clear for the issuer (to send the badge, to find it again) until the holder's data is
 * erased. The signed credential holds only a salted hash of the address, and `recipient_key` a keyed hash: neither
 * can match part of an address, so erased holders are found by badge, session and status only.
 */

export type CredentialStatus = 'active' | 'revoked' | 'suspended' | 'expired';

export interface CredentialSearch {
  organisationId?: string;
  /** Part of a name or of an address, any case. */
  text?: string;
  achievementId?: string;
  workshopId?: string;
  status?: CredentialStatus;
  /** Now, for `expired` and `active`. */
  now: string;
  limit: number;
}

type Builder = ExpressionBuilder<
  Database & { recipients: Database['recipients'] },
  'credentials' | 'recipients' | 'achievements' | 'workshops'
>;

/** LIKE's own wildcards typed by the operator are looked for as themselves. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function statusCondition(eb: Builder, status: CredentialStatus, now: string) {
  const live = eb.and([eb('credentials.revoked_at', 'is', null), eb('credentials.suspended_at', 'is', null)]);
  switch (status) {
    case 'revoked':
      return eb('credentials.revoked_at', 'is not', null);
    case 'suspended':
      return eb.and([eb('credentials.revoked_at', 'is', null), eb('credentials.suspended_at', 'is not', null)]);
    case 'expired':
      return eb.and([live, eb('credentials.valid_until', 'is not', null), eb('credentials.valid_until', '<', now)]);
    case 'active':
      return eb.and([
        live,
        eb.or([eb('credentials.valid_until', 'is', null), eb('credentials.valid_until', '>=', now)]),
      ]);
  }
}

function filtered(db: Executor, q: CredentialSearch) {
  let query = db
    .selectFrom('credentials')
    .leftJoin('recipients', 'recipients.credential_id', 'credentials.id')
    .innerJoin('achievements', 'achievements.id', 'credentials.achievement_id')
    .leftJoin('workshops', 'workshops.id', 'credentials.workshop_id');
  if (q.organisationId !== undefined) query = query.where('credentials.organisation_id', '=', q.organisationId);
  if (q.achievementId) query = query.where('credentials.achievement_id', '=', q.achievementId);
  if (q.workshopId) query = query.where('credentials.workshop_id', '=', q.workshopId);
  if (q.status) {
    const status = q.status;
    query = query.where((eb) => statusCondition(eb as unknown as Builder, status, q.now));
  }
  const text = q.text?.trim();
  if (text) {
    const pattern = likePattern(text);
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(recipients.email)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(coalesce(recipients.name, ''))`, 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  return query;
}

export function searchCredentials(db: Executor, q: CredentialSearch) {
  return filtered(db, q)
    .select([
      'credentials.id',
      'credentials.achievement_id',
      'credentials.workshop_id',
      'credentials.issued_at',
      'credentials.valid_until',
      'credentials.revoked_at',
      'credentials.suspended_at',
      'credentials.erased_at',
      'recipients.email',
      'recipients.name',
      'achievements.name_fr',
      'achievements.name_en',
      'workshops.title as workshop_title',
    ])
    .orderBy('credentials.issued_at', 'desc')
    .orderBy('credentials.id')
    .limit(q.limit)
    .execute();
}

export async function countCredentials(db: Executor, q: CredentialSearch): Promise<number> {
  const row = await filtered(db, q)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The organisation's sessions, for the session filter. */
export function sessionChoices(db: Executor, organisationId: string | undefined) {
  let query = db.selectFrom('workshops').select(['id', 'title', 'held_on']).orderBy('held_on', 'desc');
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  return query.execute();
}
