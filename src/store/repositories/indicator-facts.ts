import { sql } from 'kysely';
import type { Db } from '../database.js';
import { readPartnershipFacts } from './partnership-facts.js';

/**
 * The raw facts the programme's indicators are computed from (src/app/indicators.ts): counts grouped by operator
 * and month, and who received what, for the period `[from, to)`. Only reads; the use case validates the period
 * and aggregates. `organisationId` restricts every query to one operator (the first-badge query excepted: a first
 * badge is programme-wide).
 */
export interface FactQuery {
  organisationId: string | undefined;
  from: string;
  to: string;
  firstMonth: string;
  lastMonth: string;
}

const monthOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 7)`;

export async function readIndicatorFacts(db: Db, { organisationId, from, to, firstMonth, lastMonth }: FactQuery) {
  // Names of operators (all of them in the metropolis view: names are needed for any operator with activity).
  let organisations = db.selectFrom('organisations').select(['id', 'name']);
  if (organisationId !== undefined) organisations = organisations.where('id', '=', organisationId);
  const names = new Map((await organisations.execute()).map((o) => [o.id, o.name]));

  // Workshops held in the period, by operator, type and month.
  let workshopQuery = db
    .selectFrom('workshops')
    .select((eb) => [
      'organisation_id',
      'workshop_type',
      monthOf('held_on').as('month'),
      eb.fn.countAll<number>().as('n'),
    ])
    .where('held_on', '>=', from)
    .where('held_on', '<', to)
    .groupBy(['organisation_id', 'workshop_type', sql`substr(held_on, 1, 7)`]);
  if (organisationId !== undefined) workshopQuery = workshopQuery.where('organisation_id', '=', organisationId);
  const workshops = (await workshopQuery.execute()).map((w) => ({ ...w, n: Number(w.n) }));

  // Credentials issued in the period, by operator and month.
  let issuedQuery = db
    .selectFrom('credentials')
    .select((eb) => [
      'organisation_id',
      monthOf('issued_at').as('month'),
      eb.fn.countAll<number>().as('issued'),
      eb.fn.count<number>('claim_request_id').as('claimed'),
    ])
    .where('issued_at', '>=', from)
    .where('issued_at', '<', to)
    .groupBy(['organisation_id', sql`substr(issued_at, 1, 7)`]);
  if (organisationId !== undefined) issuedQuery = issuedQuery.where('organisation_id', '=', organisationId);
  const issued = (await issuedQuery.execute()).map((r) => ({
    ...r,
    issued: Number(r.issued),
    claimed: Number(r.claimed),
  }));

  // Credentials revoked in the period, by operator and month of revocation.
  let revokedQuery = db
    .selectFrom('credentials')
    .select((eb) => ['organisation_id', monthOf('revoked_at').as('month'), eb.fn.countAll<number>().as('n')])
    .where('revoked_at', '>=', from)
    .where('revoked_at', '<', to)
    .groupBy(['organisation_id', sql`substr(revoked_at, 1, 7)`]);
  if (organisationId !== undefined) revokedQuery = revokedQuery.where('organisation_id', '=', organisationId);
  const revoked = (await revokedQuery.execute()).map((r) => ({ ...r, n: Number(r.n) }));

  // Verification counters of the months of the period.
  let verificationQuery = db
    .selectFrom('verification_counts')
    .select((eb) => ['organisation_id', 'month', eb.fn.sum<number>('count').as('n')])
    .where('month', '>=', firstMonth)
    .where('month', '<=', lastMonth)
    .groupBy(['organisation_id', 'month']);
  if (organisationId !== undefined) verificationQuery = verificationQuery.where('organisation_id', '=', organisationId);
  const verifications = (await verificationQuery.execute()).map((r) => ({ ...r, n: Number(r.n) }));

  // People: who received what in the period (non-revoked credentials with a holder).
  let holdingQuery = db
    .selectFrom('credentials as c')
    .innerJoin('achievements as a', 'a.id', 'c.achievement_id')
    .select(['c.recipient_key', 'c.organisation_id', 'c.workshop_id', 'a.achievement_type'])
    .distinct()
    .where('c.issued_at', '>=', from)
    .where('c.issued_at', '<', to)
    .where('c.revoked_at', 'is', null)
    .where('c.recipient_key', 'is not', null);
  if (organisationId !== undefined) holdingQuery = holdingQuery.where('c.organisation_id', '=', organisationId);
  const holdings = (await holdingQuery.execute()).filter(
    (h): h is typeof h & { recipient_key: string } => h.recipient_key !== null,
  );

  // First credentials ever (all operators), when they fall in the period.
  const firsts = db
    .selectFrom('credentials')
    .select((eb) => ['recipient_key', eb.fn.min('issued_at').as('first_at')])
    .where('recipient_key', 'is not', null)
    .where('revoked_at', 'is', null)
    .groupBy('recipient_key')
    .having((eb) => eb.and([eb(eb.fn.min('issued_at'), '>=', from), eb(eb.fn.min('issued_at'), '<', to)]));
  const firstRows = await db
    .selectFrom('credentials as c')
    .innerJoin(firsts.as('f'), (join) =>
      join.onRef('f.recipient_key', '=', 'c.recipient_key').onRef('f.first_at', '=', 'c.issued_at'),
    )
    .select(['c.id', 'c.recipient_key', 'c.organisation_id', 'c.issued_at'])
    .where('c.revoked_at', 'is', null)
    .execute();
  const firstOf = new Map<string, { id: string; organisation_id: string; issued_at: string }>();
  for (const row of firstRows) {
    if (row.recipient_key === null) continue;
    const known = firstOf.get(row.recipient_key);
    if (!known || row.id < known.id) firstOf.set(row.recipient_key, row);
  }

  // Competences of the achievements of the credentials issued in the period.
  let competenceQuery = db
    .selectFrom('credentials as c')
    .innerJoin('achievements as a', 'a.id', 'c.achievement_id')
    .select((eb) => ['a.id', 'a.competences', eb.fn.countAll<number>().as('n')])
    .where('c.issued_at', '>=', from)
    .where('c.issued_at', '<', to)
    .groupBy(['a.id', 'a.competences']);
  if (organisationId !== undefined) competenceQuery = competenceQuery.where('c.organisation_id', '=', organisationId);
  const competenceRows = await competenceQuery.execute();

  // The partnership: endorsements, requests, joint workshops, peer recognitions (./partnership-facts.ts).
  const partnership = await readPartnershipFacts(db, { organisationId, from, to });

  return { names, workshops, issued, revoked, verifications, holdings, firstOf, competenceRows, partnership };
}

export type IndicatorFacts = Awaited<ReturnType<typeof readIndicatorFacts>>;
