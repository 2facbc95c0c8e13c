import { sql } from 'kysely';
import type { Db } from '../database.js';

/**
 * The raw facts of the partnership indicators (issue 13 §3), for the period `[from, to)`: endorsements signed,
 * endorsement requests sent and answered, workshops run jointly, peer recognitions. Only reads; the figures are
 * made in src/app/partnership-aggregation.ts. With `organisationId`, every query keeps only what that
 * organisation took part in, on either side; peer recognitions are not read at all (they belong to people, not to
 * an organisation: see {@link PartnershipIndicators} in the aggregation).
 */
export interface PartnershipFactQuery {
  organisationId: string | undefined;
  from: string;
  to: string;
}

const monthOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 7)`;

/** An endorsement signed in the period: who signed, whose thing it is about, and the month it was signed. */
export interface EndorsementFact {
  endorserId: string;
  /** The organisation behind the subject (the issuer itself, or the owner of the badge or credential). */
  subjectOwnerId: string | null;
  month: string;
}

/** An endorsement request between two organisations. */
export interface RequestFact {
  requesterId: string;
  partnerId: string;
  month: string;
}

/** A workshop held in the period with a co-organiser. */
export interface JointSessionFact {
  organisationId: string;
  coOrganiserId: string;
  month: string;
}

export interface PartnershipFacts {
  endorsements: EndorsementFact[];
  /** Requests answered (accepted or declined) in the period, by month of the answer. */
  requestsAnswered: RequestFact[];
  /** Requests sent in the period and not withdrawn, by month of sending (whatever their answer). */
  requestsSent: RequestFact[];
  jointSessions: JointSessionFact[];
  /** Peer recognitions issued in the period and not revoked; null in an operator view. */
  recognitions: { byMonth: { month: string; n: number }[]; recipients: number } | null;
}

export async function readPartnershipFacts(
  db: Db,
  { organisationId, from, to }: PartnershipFactQuery,
): Promise<PartnershipFacts> {
  // Endorsements signed in the period, revoked since or not (like badges issued: the act took place).
  let endorsementQuery = db
    .selectFrom('endorsements as e')
    .leftJoin('achievements as a', (join) =>
      join.onRef('a.id', '=', 'e.subject_id').on('e.subject_type', '=', 'achievement'),
    )
    .leftJoin('credentials as c', (join) =>
      join.onRef('c.id', '=', 'e.subject_id').on('e.subject_type', '=', 'credential'),
    )
    .select([
      'e.organisation_id as endorser_id',
      'e.subject_type',
      'e.subject_id',
      'a.organisation_id as achievement_owner',
      'c.organisation_id as credential_owner',
      monthOf('e.created_at').as('month'),
    ])
    .where('e.created_at', '>=', from)
    .where('e.created_at', '<', to);
  if (organisationId !== undefined)
    endorsementQuery = endorsementQuery.where((eb) =>
      eb.or([
        eb('e.organisation_id', '=', organisationId),
        eb.and([eb('e.subject_type', '=', 'issuer'), eb('e.subject_id', '=', organisationId)]),
        eb('a.organisation_id', '=', organisationId),
        eb('c.organisation_id', '=', organisationId),
      ]),
    );
  const endorsements = (await endorsementQuery.execute()).map((r) => ({
    endorserId: r.endorser_id,
    subjectOwnerId:
      r.subject_type === 'issuer'
        ? r.subject_id
        : r.subject_type === 'achievement'
          ? r.achievement_owner
          : r.credential_owner,
    month: r.month,
  }));

  let answeredQuery = db
    .selectFrom('endorsement_requests')
    .select(['requester_id', 'partner_id', monthOf('answered_at').as('month')])
    .where('status', 'in', ['accepted', 'declined'])
    .where('answered_at', '>=', from)
    .where('answered_at', '<', to);
  if (organisationId !== undefined)
    answeredQuery = answeredQuery.where((eb) =>
      eb.or([eb('requester_id', '=', organisationId), eb('partner_id', '=', organisationId)]),
    );
  let sentQuery = db
    .selectFrom('endorsement_requests')
    .select(['requester_id', 'partner_id', monthOf('created_at').as('month')])
    .where('status', '!=', 'withdrawn')
    .where('created_at', '>=', from)
    .where('created_at', '<', to);
  if (organisationId !== undefined)
    sentQuery = sentQuery.where((eb) =>
      eb.or([eb('requester_id', '=', organisationId), eb('partner_id', '=', organisationId)]),
    );
  const request = (r: { requester_id: string; partner_id: string; month: string }): RequestFact => ({
    requesterId: r.requester_id,
    partnerId: r.partner_id,
    month: r.month,
  });
  const requestsAnswered = (await answeredQuery.execute()).map(request);
  const requestsSent = (await sentQuery.execute()).map(request);

  let jointQuery = db
    .selectFrom('workshops')
    .select(['organisation_id', 'co_organiser_id', monthOf('held_on').as('month')])
    .where('co_organiser_id', 'is not', null)
    .where('held_on', '>=', from)
    .where('held_on', '<', to);
  if (organisationId !== undefined)
    jointQuery = jointQuery.where((eb) =>
      eb.or([eb('organisation_id', '=', organisationId), eb('co_organiser_id', '=', organisationId)]),
    );
  const jointSessions = (await jointQuery.execute()).flatMap((r) =>
    r.co_organiser_id === null
      ? []
      : [{ organisationId: r.organisation_id, coOrganiserId: r.co_organiser_id, month: r.month }],
  );

  let recognitions: PartnershipFacts['recognitions'] = null;
  if (organisationId === undefined) {
    const inPeriod = db
      .selectFrom('peer_recognitions')
      .where('issued_at', '>=', from)
      .where('issued_at', '<', to)
      .where('revoked_at', 'is', null);
    const byMonth = await inPeriod
      .select((eb) => [monthOf('issued_at').as('month'), eb.fn.countAll<number>().as('n')])
      .groupBy(sql`substr(issued_at, 1, 7)`)
      .execute();
    const recipients = await inPeriod
      .select((eb) => eb.fn.count<number>('recipient_email').distinct().as('n'))
      .executeTakeFirst();
    recognitions = {
      byMonth: byMonth.map((r) => ({ month: r.month, n: Number(r.n) })),
      recipients: Number(recipients?.n ?? 0),
    };
  }

  return { endorsements, requestsAnswered, requestsSent, jointSessions, recognitions };
}
