import { loadCatalogue, type Catalogue, type Lang } from './catalogue.js';
import { isSuppressed, PEOPLE_THRESHOLD, type Cell, type Indicators } from './indicators.js';
import type { Translate } from './presentation.js';

/**
 * CSV exports (`../shared/docs/security.md` §10, CSV injection, CWE-1236). Every export path writes its cells
 * through {@link csvSafeCell}: operator names, workshop titles and recipient names are attacker-controlled, since
 * anyone can request a badge, and a spreadsheet must never read them as formulas.
 */

/** What a suppressed count of people reads as. */
export const SUPPRESSED_TEXT = `< ${PEOPLE_THRESHOLD}`;

export type CsvValue = string | number | Cell | null | undefined;

/**
 * Characters that make a spreadsheet read a cell as a formula (or as DDE), when the cell starts with them: the
 * OWASP list (`=`, `+`, `-`, `@`, tab, carriage return), plus line feed and the full-width forms of the four signs,
 * which some spreadsheets in Asian locales normalise.
 */
const FORMULA_START = /^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/;
/** The same after leading spaces, which some importers trim. */
const FORMULA_AFTER_SPACES = /^[ \u00A0\u3000]+[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * One cell of a CSV file, neutralised and quoted. The single function for every CSV export.
 *
 * - A string starting with `=`, `+`, `-`, `@`, a tab or a carriage return (also a line feed, the full-width
 *   `＝＋－＠`, or any of the signs after leading spaces) gets a leading `'`, so that Excel and LibreOffice show it
 *   as text instead of evaluating it.
 * - A cell containing `;`, `,`, a double quote, a tab, a line break or `separator` is enclosed in double quotes,
 *   inner quotes doubled (RFC 4180), so it is safe whichever separator the reader picks.
 * - A finite number is written as is (our counts are never negative, and a number cannot be a formula); NaN,
 *   infinities, null and undefined become an empty cell.
 * - A {@link Cell} is its value, or `< 3` when suppressed.
 */
export function csvSafeCell(value: CsvValue, separator = ';'): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'object')
    return csvSafeCell(isSuppressed(value) ? SUPPRESSED_TEXT : value.value, separator);
  else {
    text = String(value);
    if (FORMULA_START.test(text) || FORMULA_AFTER_SPACES.test(text)) text = `'${text}`;
  }
  if (/[;,"\t\r\n]/.test(text) || text.includes(separator)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

/**
 * A CSV file as Excel in France opens it: a UTF-8 byte order mark, `;` between cells, CRLF after every line
 * (the last one included). Write the result as UTF-8 (`Buffer.from(csv, 'utf8')`, or `charset=utf-8`).
 */
export function toCsv(rows: CsvValue[][], separator = ';'): string {
  if (separator.length !== 1 || /["'\r\n]/.test(separator))
    throw new RangeError('The CSV separator must be one character, not a quote or a line break');
  const lines = rows.map((row) => row.map((cell) => csvSafeCell(cell, separator)).join(separator) + '\r\n');
  return `\uFEFF${lines.join('')}`;
}

let catalogue: Catalogue | undefined;

/**
 * The indicators as one CSV file, in sections (a title line, a header line, the rows, an empty line): period and
 * scope, summary, by month, the partnership and its months, workshops by type and month, by operator and first
 * badges by operator and month (the metropolis view only), EntreComp competences covered. Headers come from `t`,
 * the views' words in `lang` (`src/views/locales/<lang>/indicators.json`, a port: the use cases never import the
 * views); workshop types and competences are named from the catalogue in the same language.
 */
export function indicatorsToCsv(indicators: Indicators, lang: Lang, t: Translate): string {
  catalogue ??= loadCatalogue();
  const cat = catalogue;
  const metropolis = indicators.organisationId === null;
  const rows: CsvValue[][] = [];
  const section = (title: string, header: CsvValue[], body: CsvValue[][]) => rows.push([title], header, ...body, []);

  rows.push([t('indicators.title')]);
  rows.push([
    t('indicators.scope'),
    metropolis ? t('indicators.scope.metropolis') : (indicators.operators[0]?.name ?? indicators.organisationId),
  ]);
  rows.push([t('indicators.period.from'), indicators.from]);
  rows.push([t('indicators.period.to'), indicators.to]);
  rows.push([t('indicators.suppressionNote')]);
  rows.push([]);

  section(
    t('indicators.section.summary'),
    [t('indicators.column.indicator'), t('indicators.column.value')],
    [
      [t('indicators.partners'), indicators.partners],
      [t('indicators.sessions'), indicators.sessionsByTypeAndMonth.total],
      [t('indicators.peopleBadged'), indicators.peopleBadged],
      [t('indicators.firstBadgePeople'), indicators.firstBadgePeople.total],
      [t('indicators.accompaniedPeople'), indicators.accompaniedPeople.total],
      [t('indicators.badgesIssued'), indicators.badgesIssued.total],
      [t('indicators.badgesClaimed'), indicators.badgesClaimed.total],
      [t('indicators.badgesRevoked'), indicators.badgesRevoked.total],
      [t('indicators.verifications'), indicators.verifications.total],
    ],
  );

  section(
    t('indicators.section.byMonth'),
    [
      t('indicators.column.month'),
      t('indicators.sessions'),
      t('indicators.badgesIssued'),
      t('indicators.badgesClaimed'),
      t('indicators.badgesRevoked'),
      t('indicators.verifications'),
      t('indicators.firstBadgePeople'),
    ],
    [
      ...indicators.months.map((month, m) => [
        month,
        indicators.sessionsByTypeAndMonth.byMonth[m],
        indicators.badgesIssued.byMonth[m],
        indicators.badgesClaimed.byMonth[m],
        indicators.badgesRevoked.byMonth[m],
        indicators.verifications.byMonth[m],
        indicators.firstBadgePeople.byMonth[m],
      ]),
      [
        t('indicators.column.total'),
        indicators.sessionsByTypeAndMonth.total,
        indicators.badgesIssued.total,
        indicators.badgesClaimed.total,
        indicators.badgesRevoked.total,
        indicators.verifications.total,
        indicators.firstBadgePeople.total,
      ],
    ],
  );

  // The partnership (issue 13 §3). Peer recognitions exist in the metropolis view only: an operator's says so.
  const actions = indicators.partnershipActions;
  const recognitions = indicators.peerRecognitions;
  section(
    t('indicators.section.partnership'),
    [t('indicators.column.indicator'), t('indicators.column.value')],
    [
      [t('indicators.partnersInvolved'), indicators.partnersInvolved],
      [t('indicators.partnership.endorsements'), actions.endorsements.total],
      [t('indicators.partnership.requestsAnswered'), actions.requestsAnswered.total],
      [t('indicators.partnership.jointSessions'), actions.jointSessions.total],
      [t('indicators.partnership.total'), actions.total.total],
      [t('indicators.recognitions.sent'), recognitions ? recognitions.sent.total : t('indicators.notApplicable')],
      [t('indicators.recognitions.received'), recognitions ? recognitions.received : t('indicators.notApplicable')],
    ],
  );
  section(
    t('indicators.section.partnershipByMonth'),
    [
      t('indicators.column.month'),
      t('indicators.partnership.endorsements'),
      t('indicators.partnership.requestsAnswered'),
      t('indicators.partnership.jointSessions'),
      t('indicators.partnership.total'),
      ...(recognitions ? [t('indicators.recognitions.sent')] : []),
    ],
    [
      ...indicators.months.map((month, m) => [
        month,
        actions.endorsements.byMonth[m],
        actions.requestsAnswered.byMonth[m],
        actions.jointSessions.byMonth[m],
        actions.total.byMonth[m],
        ...(recognitions ? [recognitions.sent.byMonth[m]] : []),
      ]),
      [
        t('indicators.column.total'),
        actions.endorsements.total,
        actions.requestsAnswered.total,
        actions.jointSessions.total,
        actions.total.total,
        ...(recognitions ? [recognitions.sent.total] : []),
      ],
    ],
  );

  const sessions = indicators.sessionsByTypeAndMonth;
  const typeName = (code: string) => {
    const type = cat.workshopTypes.find((w) => w.code === code);
    return type ? `${code} – ${type.name[lang]}` : code;
  };
  section(
    t('indicators.section.sessionsByType'),
    [t('indicators.column.workshopType'), ...indicators.months, t('indicators.column.total')],
    [
      ...sessions.types.map((type, i) => [typeName(type), ...(sessions.counts[i] ?? []), sessions.byType[i]]),
      [t('indicators.column.total'), ...sessions.byMonth, sessions.total],
    ],
  );

  if (metropolis) {
    section(
      t('indicators.section.byOperator'),
      [
        t('indicators.column.operator'),
        t('indicators.sessions'),
        t('indicators.badgesIssued'),
        t('indicators.badgesClaimed'),
        t('indicators.badgesRevoked'),
        t('indicators.verifications'),
        t('indicators.peopleBadged'),
        t('indicators.firstBadgePeople'),
        t('indicators.accompaniedPeople'),
      ],
      [
        ...indicators.badgesByOperator.map((o) => [
          o.operator.name,
          o.sessions,
          o.badgesIssued,
          o.badgesClaimed,
          o.badgesRevoked,
          o.verifications,
          o.people,
          o.firstBadgePeople,
          o.accompaniedPeople,
        ]),
        [
          t('indicators.column.total'),
          sessions.total,
          indicators.badgesIssued.total,
          indicators.badgesClaimed.total,
          indicators.badgesRevoked.total,
          indicators.verifications.total,
          indicators.peopleBadged,
          indicators.firstBadgePeople.total,
          indicators.accompaniedPeople.total,
        ],
      ],
    );

    const first = indicators.firstBadgePeople;
    section(
      t('indicators.section.firstBadgeByOperatorAndMonth'),
      [t('indicators.column.operator'), ...indicators.months, t('indicators.column.total')],
      [
        ...indicators.operators.map((operator, i) => [
          operator.name,
          ...(first.byOperatorAndMonth[i] ?? []),
          first.byOperator[i],
        ]),
        [t('indicators.column.total'), ...first.byMonth, first.total],
      ],
    );
  }

  // Code and name in one cell: a bare "1.1" would be turned into a date by Excel in French.
  section(
    t('indicators.section.competences'),
    [t('indicators.column.competence'), t('indicators.column.highestLevel'), t('indicators.column.credentials')],
    indicators.competencesCovered.map((c) => {
      const name = cat.competence(c.code)?.name[lang];
      return [name ? `${c.code} ${name}` : c.code, c.highestLevel, c.credentials];
    }),
  );

  return toCsv(rows);
}
