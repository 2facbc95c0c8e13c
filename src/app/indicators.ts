import { loadCatalogue, type Catalogue } from './catalogue.js';
import type { AppContext } from './context.js';
import { notFound, ValidationError } from './errors.js';
import { aggregateIndicators, type IndicatorQuery, type Indicators } from './indicator-aggregation.js';
import { assertInScope, authorize, scopeOf, type Actor } from './policies.js';
import { readIndicatorFacts } from '../store/repositories/indicator-facts.js';
import type { Db } from '../store/database.js';

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
 *
 * Three files: the store reads the facts (src/store/repositories/indicator-facts.ts),
 * src/app/indicator-aggregation.ts turns them into figures, src/app/indicator-suppression.ts hides small counts
 * of people. This file validates the period and checks who may see what.
 */

export * from './indicator-suppression.js';
export type * from './indicator-aggregation.js';
export type * from './partnership-aggregation.js';

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
  const facts = await readIndicatorFacts(db, {
    organisationId,
    from,
    to,
    firstMonth: months[0]!,
    lastMonth: months[months.length - 1]!,
  });
  if (organisationId !== undefined && !facts.names.has(organisationId)) throw notFound('Organisation');
  return aggregateIndicators(facts, { organisationId, from, to, months }, workshopTypeOrder());
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
