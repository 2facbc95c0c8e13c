import { suppressSeries, type Cell } from './indicator-suppression.js';
import type { MonthlyCount } from './indicator-aggregation.js';
import type { PartnershipFacts } from '../store/repositories/partnership-facts.js';

/**
 * The partnership, counted (issue 13 §3): the figures from the facts the store read (pure: no database here).
 * Same conventions as every indicator (src/app/indicator-aggregation.ts): the period `[from, to)` in UTC,
 * `byMonth` aligned with `months`, events published as they are, people counts suppressed below 3.
 */

/**
 * Actions that two organisations of the platform took together in the period, by kind, each by the month it
 * happened in. In an operator view, the actions the operator took part in, on either side.
 */
export interface PartnershipActions {
  /**
   * Endorsements signed in the period (`endorsements.created_at`), withdrawn since or not. In an operator view:
   * those it signed, and those about it, one of its badge definitions or one of its credentials.
   */
  endorsements: MonthlyCount;
  /**
   * Endorsement requests answered in the period (accepted or declined, by month of `answered_at`). In an operator
   * view: those it answered and those it had sent. An accepted request also signs an endorsement, counted above:
   * answering and signing are two actions.
   */
  requestsAnswered: MonthlyCount;
  /**
   * Workshops held in the period (`held_on`) that name a co-organiser. In an operator view: those it held with a
   * co-organiser, and those it co-organised.
   */
  jointSessions: MonthlyCount;
  /** The three added up, month by month. */
  total: MonthlyCount;
}

/**
 * Peer recognitions issued in the period (`issued_at`) and not revoked, refused ones included (they were sent).
 * `sent` counts recognitions (events, as they are); `received` counts the distinct people who received one (by
 * address): a count of people, suppressed below 3.
 */
export interface PeerRecognitionCounts {
  sent: MonthlyCount;
  received: Cell;
}

export interface PartnershipIndicators {
  /**
   * Partners involved. Metropolis view: the distinct organisations that, in the period, issued a credential
   * (`credentials.issued_at`), signed an endorsement (`endorsements.created_at`) or ran a joint workshop (held in
   * the period, as organiser or co-organiser). Operator view: the distinct OTHER organisations it worked with in
   * the period: they endorsed it, one of its badges or credentials, or were endorsed by it; they answered one of
   * its endorsement requests, received one from it (sent in the period, not withdrawn), or had theirs answered
   * by it; or they co-organised a workshop with it (either way round). Endorsements imported from elsewhere are
   * not counted: their endorser is not an organisation of the platform.
   */
  partnersInvolved: number;
  partnershipActions: PartnershipActions;
  /**
   * Metropolis view only. A peer recognition is sent by a person to a person, with no organisation involved, so
   * an operator view has none to count: null there (shown as "not applicable"), rather than a guess at which
   * people belong to which operator.
   */
  peerRecognitions: PeerRecognitionCounts | null;
}

/**
 * The partnership figures. `issuerIds` are the organisations that issued a credential in the period (the
 * metropolis definition of partners involved); `organisationId` makes it an operator view.
 */
export function aggregatePartnership(
  facts: PartnershipFacts,
  period: { organisationId: string | undefined; months: string[] },
  issuerIds: Iterable<string>,
): PartnershipIndicators {
  const { organisationId, months } = period;
  const monthIndex = new Map(months.map((m, i) => [m, i]));
  const monthly = (rows: { month: string; n?: number }[]): MonthlyCount => {
    const count = { total: 0, byMonth: months.map(() => 0) };
    for (const row of rows) {
      const index = monthIndex.get(row.month);
      if (index === undefined) continue;
      count.total += row.n ?? 1;
      count.byMonth[index]! += row.n ?? 1;
    }
    return count;
  };

  const endorsements = monthly(facts.endorsements);
  const requestsAnswered = monthly(facts.requestsAnswered);
  const jointSessions = monthly(facts.jointSessions);
  const total: MonthlyCount = {
    total: endorsements.total + requestsAnswered.total + jointSessions.total,
    byMonth: months.map((_, m) => endorsements.byMonth[m]! + requestsAnswered.byMonth[m]! + jointSessions.byMonth[m]!),
  };

  const partners = new Set<string>();
  if (organisationId === undefined) {
    for (const id of issuerIds) partners.add(id);
    for (const e of facts.endorsements) partners.add(e.endorserId);
    for (const s of facts.jointSessions) partners.add(s.organisationId).add(s.coOrganiserId);
  } else {
    // Each fact links two organisations; the operator's partner is the other one (never the operator itself).
    const pairs: [string | null, string | null][] = [
      ...facts.endorsements.map((e): [string, string | null] => [e.endorserId, e.subjectOwnerId]),
      ...facts.requestsAnswered.map((r): [string, string] => [r.requesterId, r.partnerId]),
      ...facts.requestsSent
        .filter((r) => r.requesterId === organisationId)
        .map((r): [string, string] => [r.requesterId, r.partnerId]),
      ...facts.jointSessions.map((s): [string, string] => [s.organisationId, s.coOrganiserId]),
    ];
    for (const [one, other] of pairs) {
      if (one === organisationId && other !== null && other !== organisationId) partners.add(other);
      if (other === organisationId && one !== null && one !== organisationId) partners.add(one);
    }
  }

  const recognitions = facts.recognitions;
  return {
    partnersInvolved: partners.size,
    partnershipActions: { endorsements, requestsAnswered, jointSessions, total },
    peerRecognitions:
      organisationId !== undefined || recognitions === null
        ? null
        : { sent: monthly(recognitions.byMonth), received: suppressSeries([], recognitions.recipients).total },
  };
}
