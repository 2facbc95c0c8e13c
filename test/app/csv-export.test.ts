/** CSV exports: no formula injection (security.md §10), quoting, BOM and CRLF for Excel in French, suppressed cells. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvSafeCell, indicatorsToCsv, toCsv } from '../../src/app/csv-export.js';
import { translator } from '../../src/views/i18n.js';
import type { Indicators } from '../../src/app/indicators.js';

/** OWASP WSTG "Testing for CSV Injection" payloads, and the leading characters security.md §10 lists. */
const PAYLOADS = [
  '=HYPERLINK("https://evil","x")',
  "=cmd|' /C calc'!A0",
  '+1+1',
  '-2+3',
  '@SUM(A1:A9)',
  '\t=1+1',
  '\r=1+1',
];

const read = (csv: string, delimiter = ';') => parse(csv, { bom: true, delimiter, relax_column_count: true }) as string[][];
/** The bytes of one field as written, without its enclosing double quotes. */
const unquoted = (field: string) => (field.startsWith('"') ? field.slice(1) : field);

describe('csvSafeCell', () => {
  test.each(PAYLOADS)('neutralises %j with a leading quote, in the raw bytes', (payload) => {
    const field = csvSafeCell(payload);
    expect(unquoted(field).startsWith("'")).toBe(true);
    expect(read(field)[0]![0]).toBe(`'${payload}`);
  });

  test('also neutralises signs after leading spaces, full-width signs and a leading line feed', () => {
    for (const payload of ['  =1+1', '\u00A0@A1', '\uFF1D1+1', '\n=1+1']) expect(unquoted(csvSafeCell(payload)).startsWith("'")).toBe(true);
  });

  test('leaves ordinary text, inner signs and numbers alone', () => {
    expect(csvSafeCell('Ana Martin')).toBe('Ana Martin');
    expect(csvSafeCell('a=b+c-d@e')).toBe('a=b+c-d@e');
    expect(csvSafeCell(42)).toBe('42');
    expect(csvSafeCell(0)).toBe('0');
    expect(csvSafeCell(Number.NaN)).toBe('');
    expect(csvSafeCell(null)).toBe('');
    expect(csvSafeCell(undefined)).toBe('');
  });

  test('quotes separators, double quotes and line breaks, doubling inner quotes', () => {
    expect(csvSafeCell('Martin; Ana')).toBe('"Martin; Ana"');
    expect(csvSafeCell('Martin, Ana')).toBe('"Martin, Ana"');
    expect(csvSafeCell('dit "bonjour"')).toBe('"dit ""bonjour"""');
    expect(csvSafeCell('ligne 1\nligne 2')).toBe('"ligne 1\nligne 2"');
    expect(csvSafeCell('ligne 1\r\nligne 2')).toBe('"ligne 1\r\nligne 2"');
    expect(csvSafeCell('a|b', '|')).toBe('"a|b"');
  });

  test('writes a suppressed count as "< 3" and a published one as its value', () => {
    expect(csvSafeCell({ suppressed: true })).toBe('< 3');
    expect(csvSafeCell({ value: 7 })).toBe('7');
  });
});

describe('toCsv', () => {
  const rows = [
    ['Nom', 'Valeur', 'Note'],
    ...PAYLOADS.map((payload, i) => [payload, i, 'x']),
    ['Martin; Ana', { suppressed: true } as const, 'dit "bonjour"\r\nsuite'],
    ['Zoë Lefèvre', { value: 12 }, ''],
  ];

  test('starts with a UTF-8 BOM and ends every line with CRLF', () => {
    const bytes = Buffer.from(toCsv([['a', 'b'], ['c', 'd']]), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe('a;b\r\nc;d\r\n');
  });

  test('every formula payload starts with a quote in the raw bytes, right after a separator or a line start', () => {
    const csv = toCsv(rows);
    for (const payload of PAYLOADS) {
      const field = csvSafeCell(payload);
      expect(unquoted(field).startsWith("'")).toBe(true);
      expect(csv).toContain(`\r\n${field};`);
    }
    // No raw field anywhere starts with a formula sign: every field start is a BOM, CRLF or separator.
    const fields = read(csv);
    for (const row of fields) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  test('reads back cell for cell: quoting survives separators, quotes and line breaks', () => {
    const back = read(toCsv(rows));
    expect(back[0]).toEqual(['Nom', 'Valeur', 'Note']);
    expect(back.slice(1, 1 + PAYLOADS.length).map((row) => row[0])).toEqual(PAYLOADS.map((p) => `'${p}`));
    expect(back[1 + PAYLOADS.length]).toEqual(['Martin; Ana', '< 3', 'dit "bonjour"\r\nsuite']);
    expect(back[2 + PAYLOADS.length]).toEqual(['Zoë Lefèvre', '12', '']);
  });

  test('writes suppressed cells as "< 3"', () => {
    expect(toCsv([[{ suppressed: true }, { value: 3 }]])).toBe('\uFEFF< 3;3\r\n');
  });

  test('accepts another separator, and refuses one that would break the format', () => {
    expect(toCsv([['a,b', 'c']], ',')).toBe('\uFEFF"a,b",c\r\n');
    expect(toCsv([['a\tb', 'c']], '\t')).toBe('\uFEFF"a\tb"\tc\r\n');
    expect(() => toCsv([], '"')).toThrow(RangeError);
    expect(() => toCsv([], ';;')).toThrow(RangeError);
  });
});

/** Indicators as computeIndicators returns them, with an attacker-chosen operator name. */
function sampleIndicators(): Indicators {
  const S = { suppressed: true } as const;
  const evil = { id: 'o2', name: '=HYPERLINK("https://evil","x")' };
  const alpha = { id: 'o1', name: 'Alpha; Entreprendre' };
  return {
    organisationId: null,
    from: '2026-03-01',
    to: '2026-05-01',
    months: ['2026-03', '2026-04'],
    operators: [alpha, evil],
    partners: 2,
    sessionsByTypeAndMonth: { types: ['INFO', 'BP'], counts: [[2, 1], [0, 1]], byType: [3, 1], byMonth: [2, 2], total: 4 },
    peopleBadged: { value: 11 },
    firstBadgePeople: { total: { value: 10 }, byMonth: [{ value: 5 }, { value: 5 }], byOperator: [{ value: 6 }, S], byOperatorAndMonth: [[{ value: 3 }, { value: 3 }], [S, S]] },
    accompaniedPeople: { total: { value: 5 }, byOperator: [{ value: 3 }, S] },
    badgesIssued: { total: 19, byMonth: [12, 7] },
    badgesClaimed: { total: 3, byMonth: [1, 2] },
    badgesRevoked: { total: 3, byMonth: [2, 1] },
    verifications: { total: 13, byMonth: [6, 7] },
    badgesByOperator: [
      { operator: alpha, sessions: 3, badgesIssued: 13, badgesClaimed: 1, badgesRevoked: 2, verifications: 5, people: { value: 8 }, firstBadgePeople: { value: 6 }, accompaniedPeople: { value: 3 } },
      { operator: evil, sessions: 1, badgesIssued: 6, badgesClaimed: 2, badgesRevoked: 1, verifications: 8, people: S, firstBadgePeople: S, accompaniedPeople: S },
    ],
    competencesCovered: [{ code: '2.3', highestLevel: 2, credentials: 1 }, { code: '3.1', highestLevel: 3, credentials: 13 }],
    partnersInvolved: 3,
    partnershipActions: {
      endorsements: { total: 2, byMonth: [1, 1] },
      requestsAnswered: { total: 1, byMonth: [0, 1] },
      jointSessions: { total: 1, byMonth: [1, 0] },
      total: { total: 4, byMonth: [2, 2] },
    },
    peerRecognitions: { sent: { total: 2, byMonth: [2, 0] }, received: S },
  };
}

describe('indicatorsToCsv', () => {
  test('writes French headers from the locale files, operator names neutralised, suppressed cells as "< 3"', () => {
    const fr = JSON.parse(readFileSync(new URL('../../src/views/locales/fr/indicators.json', import.meta.url), 'utf8')) as Record<string, string>;
    const csv = indicatorsToCsv(sampleIndicators(), 'fr', translator('fr'));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = read(csv);
    const cells = rows.flat();
    for (const key of ['indicators.title', 'indicators.section.byOperator', 'indicators.column.operator', 'indicators.firstBadgePeople', 'indicators.section.competences']) {
      expect(cells).toContain(fr[key]);
    }
    expect(rows).toContainEqual([fr['indicators.scope'], fr['indicators.scope.metropolis']]);
    expect(rows).toContainEqual(["'=HYPERLINK(\"https://evil\",\"x\")", '1', '6', '2', '1', '8', '< 3', '< 3', '< 3']);
    expect(rows).toContainEqual(['Alpha; Entreprendre', '3', '13', '1', '2', '5', '8', '6', '3']);
    expect(rows).toContainEqual([fr['indicators.column.total'], '4', '19', '3', '3', '13', '11', '10', '5']);
    expect(rows).toContainEqual(["'=HYPERLINK(\"https://evil\",\"x\")", '< 3', '< 3', '< 3']);
    expect(rows).toContainEqual(['3.1 Prendre l\'initiative', '3', '13']);
    expect(rows).toContainEqual(['2026-03', '2', '12', '1', '2', '6', '5']);
    expect(cells.some((c) => c.startsWith('INFO'))).toBe(true);
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  test('writes English headers in English', () => {
    const en = JSON.parse(readFileSync(new URL('../../src/views/locales/en/indicators.json', import.meta.url), 'utf8')) as Record<string, string>;
    const rows = read(indicatorsToCsv(sampleIndicators(), 'en', translator('en')));
    expect(rows).toContainEqual([en['indicators.scope'], en['indicators.scope.metropolis']]);
    expect(rows.flat()).toContain(en['indicators.accompaniedPeople']);
    expect(rows).toContainEqual(['3.1 Taking the initiative', '3', '13']);
  });

  test('an operator view names the operator and leaves out the by-operator tables', () => {
    const indicators = { ...sampleIndicators(), organisationId: 'o2', operators: [{ id: 'o2', name: '@evil' }] };
    const rows = read(indicatorsToCsv(indicators, 'en', translator('en')));
    expect(rows).toContainEqual(['Scope', "'@evil"]);
    expect(rows.flat()).not.toContain('By operator');
  });
});

/** LibreOffice, when installed: open the CSV, save as .xlsx, reopen and save as CSV; nothing may have been evaluated. */
const office = ['libreoffice', 'soffice']
  .flatMap((name) => (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name)))
  .find((file) => existsSync(file));
const officeTest = office ? test : test.skip;

describe('in a spreadsheet', () => {
  officeTest(office
    ? 'LibreOffice headless, CSV → xlsx → CSV: no payload is evaluated'
    : 'LibreOffice headless, CSV → xlsx → CSV: no payload is evaluated (skipped: neither libreoffice nor soffice is on PATH)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'blason-csv-office-'));
    try {
      writeFileSync(path.join(dir, 'export.csv'), toCsv([['payload'], ...PAYLOADS.map((p) => [p])]), 'utf8');
      // 59 = ';', 34 = '"', 76 = UTF-8, line 1; the same filter options on the way back.
      const run = (args: string[]) => {
        const result = spawnSync(office!, [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--norestore', ...args], { cwd: dir, timeout: 120_000, encoding: 'utf8' });
        expect(result.status).toBe(0);
      };
      run(['--infilter=Text - txt - csv (StarCalc):59,34,76,1', '--convert-to', 'xlsx', '--outdir', path.join(dir, 'xlsx'), path.join(dir, 'export.csv')]);
      run(['--convert-to', 'csv:Text - txt - csv (StarCalc):59,34,76,1', '--outdir', path.join(dir, 'back'), path.join(dir, 'xlsx', 'export.xlsx')]);
      const name = readdirSync(path.join(dir, 'back')).find((f) => f.endsWith('.csv'))!;
      const back = read(readFileSync(path.join(dir, 'back', name), 'utf8')).slice(1).map((row) => row[0] ?? '');
      expect(back).toHaveLength(PAYLOADS.length);
      // Still the text (with or without the quote, which LibreOffice may take as a "text" marker; tab and CR may be
      // dropped or turned into spaces on the way), never a result such as 2, 1 or an error.
      const text = (s: string) => s.replace(/^'/, '').replace(/[\s]/g, '');
      back.forEach((cell, i) => expect(text(cell)).toBe(text(PAYLOADS[i]!)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
