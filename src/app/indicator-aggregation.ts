import type { CompetenceRef } from './catalogue.js';
import { suppressSeries, suppressTable, type Cell } from './indicator-suppression.js';
import { aggregatePartnership, type PartnershipIndicators } from './partnership-aggregation.js';
import type { IndicatorFacts } from '../store/repositories/indicator-facts.js';

/**
 * The programme's follow-up indicators, computed from the facts the store read (pure: no database here).
 * Conventions, for every figure:
 * - The period is `[from, to)`: two calendar days `YYYY-MM-DD`, `from` included, `to` excluded. Timestamps
 *   (`issued_at`, `revoked_at`) are UTC, so a day and a month are UTC days and months.
 * - `months` lists every month (`YYYY-MM`) that overlaps the period; every `byMonth` array is aligned with it.
 *   Verification counters only exist per month: they are counted for every month of `months`, so a period that
 *   does not start and end on a month boundary takes in the whole of its first and last months.
 * - An operator view (`organisationId` given) only ever counts that operator's workshops, credentials and
 *   verification counters. The one exception is the definition of a FIRST badge, which is programme-wide:
 *   see {@link Indicators.firstBadgePeople}.
 * - A person is a pseudonymous `recipient_key`. Credentials whose holder was erased (`recipient_key` NULL) still
 *   count as badges issued, never as people. People counts ignore revoked credentials (a withdrawn badge attests
 *   nothing); badge counts do not (the badge was issued).
 */

export interface OperatorRef {
  id: string;
  name: string;
}

/** A count of events for the period, and month by month (aligned with {@link Indicators.months}). */
export interface MonthlyCount {
  total: number;
  byMonth: number[];
}

/** One operator's line of the metropolis table. People counts are suppressed column by column, with their total. */
export interface OperatorIndicators {
  operator: OperatorRef;
  /** Workshops the operator held in the period. */
  sessions: number;
  badgesIssued: number;
  badgesClaimed: number;
  badgesRevoked: number;
  verifications: number;
  /** Distinct people who received ≥1 (non-revoked) credential from this operator in the period. */
  people: Cell;
  /** People whose first badge ever was issued by this operator in the period (row total of the first-badge table). */
  firstBadgePeople: Cell;
  /** People accompanied by this operator, judged on this operator's credentials alone. */
  accompaniedPeople: Cell;
}

export interface CompetenceCoverage {
  /** EntreComp competence code, e.g. "2.3". */
  code: string;
  /** The highest EntreComp proficiency level (1–8) among the achievements concerned. */
  highestLevel: number;
  /** Credentials issued in the period whose achievement is aligned with this competence. */
  credentials: number;
}

/**
 * The partnership figures (partners involved, partnership actions, peer recognitions) are defined in
 * {@link PartnershipIndicators} (src/app/partnership-aggregation.ts).
 */
export interface Indicators extends PartnershipIndicators {
  /** The operator of an operator view; null for the metropolis view (all operators). */
  organisationId: string | null;
  /** First day of the period, included (YYYY-MM-DD). */
  from: string;
  /** Day after the period, excluded (YYYY-MM-DD). */
  to: string;
  /** Every month overlapping the period, in order (YYYY-MM). */
  months: string[];
  /**
   * Rows of every by-operator table: in the metropolis view, the operators with any activity in the period
   * (workshop held, credential issued or revoked, verification), by name; in an operator view, that operator.
   */
  operators: OperatorRef[];
  /**
   * Active operators: distinct operators with ≥1 workshop held (`held_on` in the period) or ≥1 credential issued
   * (`issued_at` in the period). In an operator view, 1 or 0. Not the partners involved of the partnership
   * ({@link PartnershipIndicators.partnersInvolved}), which count endorsements and joint workshops too.
   */
  partners: number;
  /**
   * Partner actions: workshops held in the period, by workshop type (rows: the catalogue's types in catalogue
   * order, then any other type found, alphabetically) × month of `held_on` (columns: {@link months}).
   */
  sessionsByTypeAndMonth: { types: string[]; counts: number[][]; byType: number[]; byMonth: number[]; total: number };
  /** Distinct people who received ≥1 non-revoked credential in the period (suppressed). */
  peopleBadged: Cell;
  /**
   * People who received their FIRST badge: distinct people whose earliest non-revoked credential, across ALL
   * operators, was issued in the period. The person is attributed to the operator and month of that first
   * credential (on equal timestamps, the credential with the smallest id), so the table operator × month is
   * additive. In an operator view: the people whose first badge ever was issued by this operator in the period;
   * a person who already had a badge from another operator is not counted (the other operator's data is used to
   * exclude, never counted). Suppressed as one bordered table (operator × month, with margins).
   */
  firstBadgePeople: { total: Cell; byMonth: Cell[]; byOperator: Cell[]; byOperatorAndMonth: Cell[][] };
  /**
   * People accompanied: distinct people who, among their non-revoked credentials issued in the period, hold ≥1
   * credential whose achievement type is `Competency` or `Assessment`, or received credentials in ≥2 distinct
   * workshops (`workshop_id`). The total looks at all the credentials in scope (two workshops with two operators
   * qualify); each operator's count looks at that operator's credentials only, so the rows need not add up to
   * the total. Suppressed as one series (by operator, with the total).
   */
  accompaniedPeople: { total: Cell; byOperator: Cell[] };
  /** Credentials issued in the period (`issued_at`), whatever happened to them since (revoked, erased). */
  badgesIssued: MonthlyCount;
  /** Of those, the credentials issued on a participant's claim (`claim_request_id` set), by month of issue. */
  badgesClaimed: MonthlyCount;
  /** Credentials revoked in the period (`revoked_at`), whenever they were issued, by month of revocation. */
  badgesRevoked: MonthlyCount;
  /** Verifications counted (sum of `verification_counts.count`) for the months of the period. */
  verifications: MonthlyCount;
  /** The same, operator by operator (rows: {@link operators}). Event counts as they are; people counts suppressed. */
  badgesByOperator: OperatorIndicators[];
  /**
   * EntreComp competences covered: every competence code in the `competences` of the achievements of the
   * credentials issued in the period, with the highest level found and the number of those credentials aligned
   * with it (a credential counts once per code). Sorted by code.
   */
  competencesCovered: CompetenceCoverage[];
}

export interface IndicatorQuery {
  /** One operator; undefined for the metropolis view (all operators). */
  organisationId?: string;
  /** First day, included (YYYY-MM-DD). */
  from: string;
  /** Day after the last, excluded (YYYY-MM-DD). */
  to: string;
}

/** Types whose holders count as accompanied (OB 3.0 achievement types). */
const ACCOMPANYING_TYPES = new Set(['Competency', 'Assessment']);

/** The figures of the period, from its facts. `workshopTypes` gives the catalogue's order of session types. */
export function aggregateIndicators(
  facts: IndicatorFacts,
  period: { organisationId: string | undefined; from: string; to: string; months: string[] },
  workshopTypes: string[],
): Indicators {
  const { names, workshops, issued, revoked, verifications, holdings, firstOf, competenceRows, partnership } = facts;
  const { organisationId, from, to, months } = period;
  const monthIndex = new Map(months.map((m, i) => [m, i]));

  // --- Operators -----------------------------------------------------------------------------------------
  const partnerIds = new Set([...workshops.map((w) => w.organisation_id), ...issued.map((r) => r.organisation_id)]);
  const activeIds = new Set([
    ...partnerIds,
    ...revoked.map((r) => r.organisation_id),
    ...verifications.map((r) => r.organisation_id),
  ]);
  const operators: OperatorRef[] = (organisationId !== undefined ? [organisationId] : [...activeIds])
    .map((id) => ({ id, name: names.get(id) ?? id }))
    .sort((a, b) => a.name.localeCompare(b.name, 'fr') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const operatorIndex = new Map(operators.map((o, i) => [o.id, i]));
  const zeros = () => months.map(() => 0);

  // --- Sessions ------------------------------------------------------------------------------------------
  const catalogueTypes = workshopTypes;
  const extraTypes = [...new Set(workshops.map((w) => w.workshop_type))]
    .filter((t) => !catalogueTypes.includes(t))
    .sort();
  const types = [...catalogueTypes, ...extraTypes];
  const sessionCounts = types.map(zeros);
  const sessionsByOperator = operators.map(() => 0);
  for (const w of workshops) {
    sessionCounts[types.indexOf(w.workshop_type)]![monthIndex.get(w.month)!]! += w.n;
    sessionsByOperator[operatorIndex.get(w.organisation_id)!]! += w.n;
  }
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const sessionsByMonth = months.map((_, m) => sum(sessionCounts.map((row) => row[m]!)));

  // --- Events --------------------------------------------------------------------------------------------
  const monthly = () => ({ total: 0, byMonth: zeros() });
  const badgesIssued = monthly();
  const badgesClaimed = monthly();
  const badgesRevoked = monthly();
  const verified = monthly();
  const perOperator = operators.map(() => ({ issued: 0, claimed: 0, revoked: 0, verifications: 0 }));
  const add = (count: MonthlyCount, month: string, n: number) => {
    const index = monthIndex.get(month);
    if (index === undefined) return;
    count.total += n;
    count.byMonth[index]! += n;
  };
  for (const r of issued) {
    add(badgesIssued, r.month, r.issued);
    add(badgesClaimed, r.month, r.claimed);
    perOperator[operatorIndex.get(r.organisation_id)!]!.issued += r.issued;
    perOperator[operatorIndex.get(r.organisation_id)!]!.claimed += r.claimed;
  }
  for (const r of revoked) {
    add(badgesRevoked, r.month, r.n);
    perOperator[operatorIndex.get(r.organisation_id)!]!.revoked += r.n;
  }
  for (const r of verifications) {
    add(verified, r.month, r.n);
    perOperator[operatorIndex.get(r.organisation_id)!]!.verifications += r.n;
  }

  // --- People --------------------------------------------------------------------------------------------
  const peopleOf = operators.map(() => new Set<string>());
  const everyone = new Set<string>();
  interface Track {
    workshops: Set<string>;
    accompanying: boolean;
  }
  const track = () => ({ workshops: new Set<string>(), accompanying: false });
  const overall = new Map<string, Track>();
  const byOperator = operators.map(() => new Map<string, Track>());
  for (const h of holdings) {
    const i = operatorIndex.get(h.organisation_id)!;
    everyone.add(h.recipient_key);
    peopleOf[i]!.add(h.recipient_key);
    for (const map of [overall, byOperator[i]!]) {
      let t = map.get(h.recipient_key);
      if (!t) map.set(h.recipient_key, (t = track()));
      if (h.workshop_id !== null) t.workshops.add(h.workshop_id);
      if (ACCOMPANYING_TYPES.has(h.achievement_type)) t.accompanying = true;
    }
  }
  const accompaniedCount = (map: Map<string, Track>) =>
    [...map.values()].filter((t) => t.accompanying || t.workshops.size >= 2).length;

  const firstTable = operators.map(zeros);
  for (const first of firstOf.values()) {
    const i = operatorIndex.get(first.organisation_id);
    const m = monthIndex.get(first.issued_at.slice(0, 7));
    if (i === undefined || m === undefined) continue; // another operator's first badge, in an operator view
    firstTable[i]![m]! += 1;
  }
  // With no row at all (no operator active), the margins still exist: a zero total, zero months.
  const firstSuppressed = operators.length > 0 ? suppressTable(firstTable) : suppressTable([zeros()]);
  const people = suppressSeries(
    peopleOf.map((s) => s.size),
    everyone.size,
  );
  const accompanied = suppressSeries(byOperator.map(accompaniedCount), accompaniedCount(overall));

  // --- Competences ---------------------------------------------------------------------------------------
  const coverage = new Map<string, CompetenceCoverage>();
  for (const row of competenceRows) {
    const seen = new Set<string>();
    for (const { code, level } of parseCompetences(row.competences)) {
      const entry = coverage.get(code) ?? { code, highestLevel: 0, credentials: 0 };
      entry.highestLevel = Math.max(entry.highestLevel, level);
      if (!seen.has(code)) entry.credentials += Number(row.n);
      seen.add(code);
      coverage.set(code, entry);
    }
  }

  return {
    organisationId: organisationId ?? null,
    from,
    to,
    months,
    operators,
    partners: partnerIds.size,
    sessionsByTypeAndMonth: {
      types,
      counts: sessionCounts,
      byType: sessionCounts.map(sum),
      byMonth: sessionsByMonth,
      total: sum(sessionsByMonth),
    },
    peopleBadged: people.total,
    firstBadgePeople: {
      total: firstSuppressed.total,
      byMonth: firstSuppressed.columnTotals,
      byOperator: operators.length > 0 ? firstSuppressed.rowTotals : [],
      byOperatorAndMonth: operators.length > 0 ? firstSuppressed.cells : [],
    },
    accompaniedPeople: { total: accompanied.total, byOperator: accompanied.values },
    badgesIssued,
    badgesClaimed,
    badgesRevoked,
    verifications: verified,
    badgesByOperator: operators.map((operator, i) => ({
      operator,
      sessions: sessionsByOperator[i]!,
      badgesIssued: perOperator[i]!.issued,
      badgesClaimed: perOperator[i]!.claimed,
      badgesRevoked: perOperator[i]!.revoked,
      verifications: perOperator[i]!.verifications,
      people: people.values[i]!,
      firstBadgePeople: firstSuppressed.rowTotals[i]!,
      accompaniedPeople: accompanied.values[i]!,
    })),
    competencesCovered: [...coverage.values()].sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true })),
    ...aggregatePartnership(
      partnership,
      { organisationId, months },
      issued.map((r) => r.organisation_id),
    ),
  };
}

/** The `competences` column, read defensively: anything that is not `[{code, level}]` is ignored. */
function parseCompetences(json: string): CompetenceRef[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.filter(
    (c): c is CompetenceRef =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as CompetenceRef).code === 'string' &&
      typeof (c as CompetenceRef).level === 'number' &&
      Number.isFinite((c as CompetenceRef).level),
  );
}
