import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { loadCatalogue, type Catalogue, type CompetenceRef } from './catalogue.js';
import type { AppContext } from './context.js';
import { notFound, ValidationError } from './errors.js';
import { assertInScope, authorize, scopeOf, type Actor } from './policies.js';

/**
 * Follow-up indicators of the programme (action sheets 6 and 13), computed from the issuing data only
 * (`../shared/docs/entrecomp-and-catalogue.md` §d). Counts of EVENTS (workshops, badges, verifications) are
 * published as they are. Counts of PEOPLE are statistical disclosures about individuals: every cell below
 * {@link PEOPLE_THRESHOLD} is suppressed, with secondary suppression so that totals cannot give it back.
 *
 * Conventions used by every indicator:
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

/** A published count, or a count hidden because it (or what it would reveal) concerns fewer than 3 people. */
export type Cell = { value: number } | { suppressed: true };

/** Below this, a count of people is not published. */
export const PEOPLE_THRESHOLD = 3;

export function isSuppressed(cell: Cell): cell is { suppressed: true } {
  return 'suppressed' in cell;
}

// ---------------------------------------------------------------------------------------------------------
// Small-cell suppression (pure)
// ---------------------------------------------------------------------------------------------------------

/**
 * Primary and secondary suppression of a 2-D table of counts of people.
 *
 * Primary: every cell below `threshold` (including 0) is suppressed.
 * Secondary: while some row or column holds exactly one suppressed cell, the smallest published cell of that row
 * or column (the first one on a tie) is suppressed too, so that the row or column total cannot give the hidden
 * value back; this repeats until no row or column has exactly one suppressed cell (a suppression made for a row
 * can leave a column with a single one, and so on). A row or column of a single cell cannot be protected this way:
 * its total is the cell itself, which is then below the threshold and must be suppressed wherever it is published.
 *
 * Rows may have different lengths; a column is then made of the rows long enough to have that cell. Values must
 * be finite and non-negative.
 */
export function suppressSmallCells(table: number[][], threshold = PEOPLE_THRESHOLD): Cell[][] {
  for (const row of table) {
    for (const value of row) {
      if (!Number.isFinite(value) || value < 0)
        throw new RangeError(`A count must be a finite, non-negative number (got ${value})`);
    }
  }
  const hidden = table.map((row) => row.map((value) => value < threshold));
  const width = Math.max(0, ...table.map((row) => row.length));
  const lines: [number, number][][] = [
    ...table.map((row, r) => row.map((_, c) => [r, c] as [number, number])),
    ...Array.from({ length: width }, (_, c) =>
      table.flatMap((row, r) => (c < row.length ? [[r, c] as [number, number]] : [])),
    ),
  ];
  let changed = true;
  while (changed) {
    changed = false;
    for (const line of lines) {
      if (line.filter(([r, c]) => hidden[r]![c]).length !== 1) continue;
      let next: [number, number] | undefined;
      for (const [r, c] of line) {
        if (hidden[r]![c]) continue;
        if (next === undefined || table[r]![c]! < table[next[0]]![next[1]]!) next = [r, c];
      }
      if (next === undefined) continue;
      hidden[next[0]]![next[1]] = true;
      changed = true;
    }
  }
  return table.map((row, r) => row.map((value, c) => (hidden[r]![c] ? { suppressed: true as const } : { value })));
}

/** A table of counts of people with its margins, after suppression. */
export interface SuppressedTable {
  cells: Cell[][];
  rowTotals: Cell[];
  columnTotals: Cell[];
  total: Cell;
}

/**
 * Suppression of a table together with its margins: the table is bordered by its row totals (last column), its
 * column totals (last row) and the grand total, and {@link suppressSmallCells} runs on the bordered table. So a
 * total is published only if it is at least `threshold`, and no row, column, row of totals or column of totals
 * ever has exactly one hidden entry (which the others would give back by subtraction).
 *
 * Totals default to the sums. Pass them when the table is not additive (distinct people: a person counted in
 * two cells is counted once in the total); the same protection then applies, conservatively. The table must be
 * rectangular.
 */
export function suppressTable(
  table: number[][],
  totals: { rowTotals?: number[]; columnTotals?: number[]; total?: number } = {},
  threshold = PEOPLE_THRESHOLD,
): SuppressedTable {
  const width = table[0]?.length ?? 0;
  if (table.some((row) => row.length !== width)) throw new RangeError('suppressTable needs a rectangular table');
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const rowTotals = totals.rowTotals ?? table.map(sum);
  const columnTotals = totals.columnTotals ?? Array.from({ length: width }, (_, c) => sum(table.map((row) => row[c]!)));
  const total = totals.total ?? sum(rowTotals);
  if (rowTotals.length !== table.length || columnTotals.length !== width)
    throw new RangeError('suppressTable: totals do not match the table');
  const bordered = [...table.map((row, r) => [...row, rowTotals[r]!]), [...columnTotals, total]];
  const cells = suppressSmallCells(bordered, threshold);
  const last = cells.pop()!;
  return {
    cells: cells.map((row) => row.slice(0, width)),
    rowTotals: cells.map((row) => row[width]!),
    columnTotals: last.slice(0, width),
    total: last[width]!,
  };
}

/** A one-dimensional breakdown (by operator, by month…) and its total: one row of {@link suppressTable}. */
export function suppressSeries(
  values: number[],
  total?: number,
  threshold = PEOPLE_THRESHOLD,
): { values: Cell[]; total: Cell } {
  const row = suppressSmallCells([[...values, total ?? values.reduce((a, b) => a + b, 0)]], threshold)[0]!;
  return { values: row.slice(0, values.length), total: row[values.length]! };
}

// ---------------------------------------------------------------------------------------------------------
// Indicators
// ---------------------------------------------------------------------------------------------------------

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

export interface Indicators {
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
   * Partners involved: distinct operators with ≥1 workshop held (`held_on` in the period) or ≥1 credential
   * issued (`issued_at` in the period). In an operator view, 1 or 0.
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
/** More than 20 years of months is a mistake in the request, not a report. */
const MAX_MONTHS = 240;

let catalogue: Catalogue | undefined;
function workshopTypeOrder(): string[] {
  catalogue ??= loadCatalogue();
  return catalogue.workshopTypes.map((t) => t.code);
}

function checkDay(field: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
  ) {
    throw new ValidationError(`${field} must be a calendar day, YYYY-MM-DD.`, [
      { field, message: 'expected YYYY-MM-DD' },
    ]);
  }
  return value;
}

/** Every month overlapping `[from, to)`. */
export function monthsOf(from: string, to: string): string[] {
  const last = new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 7);
  const months: string[] = [];
  let [year, month] = from.slice(0, 7).split('-').map(Number) as [number, number];
  for (;;) {
    const current = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (current > last) break;
    months.push(current);
    if (months.length > MAX_MONTHS)
      throw new ValidationError(`The period is longer than ${MAX_MONTHS} months.`, [
        { field: 'to', message: 'period too long' },
      ]);
    month += 1;
    if (month === 13) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

const monthOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 7)`;

/**
 * Computes the indicators of one operator (`organisationId`) or of the metropolis (all operators) for the
 * period `[from, to)`. See {@link Indicators} for the definition of each figure.
 */
export async function computeIndicators(db: Db, query: IndicatorQuery): Promise<Indicators> {
  const from = checkDay('from', query.from);
  const to = checkDay('to', query.to);
  if (from >= to)
    throw new ValidationError('The period must end after it starts.', [{ field: 'to', message: 'must be after from' }]);
  const organisationId = query.organisationId;
  const months = monthsOf(from, to);
  const monthIndex = new Map(months.map((m, i) => [m, i]));
  const firstMonth = months[0]!;
  const lastMonth = months[months.length - 1]!;

  // Names of operators (all of them in the metropolis view: names are needed for any operator with activity).
  let organisations = db.selectFrom('organisations').select(['id', 'name']);
  if (organisationId !== undefined) organisations = organisations.where('id', '=', organisationId);
  const names = new Map((await organisations.execute()).map((o) => [o.id, o.name]));
  if (organisationId !== undefined && !names.has(organisationId)) throw notFound('Organisation');

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
  const catalogueTypes = workshopTypeOrder();
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

/**
 * The indicators as the console shows them: an operator's people see only their organisation (asking for another
 * is "not found"); the platform administrator sees the one asked for, or the metropolis (all) when none is.
 */
export async function indicatorsFor(
  app: Pick<AppContext, 'db'>,
  actor: Actor,
  query: IndicatorQuery,
): Promise<Indicators> {
  authorize(actor, 'credential.read');
  if (query.organisationId !== undefined) assertInScope(actor, query.organisationId, 'Issuer');
  const organisationId = query.organisationId ?? scopeOf(actor);
  return computeIndicators(app.db, { ...query, ...(organisationId !== undefined ? { organisationId } : {}) });
}
