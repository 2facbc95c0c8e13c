/** Small-cell suppression of counts of people: primary below the threshold, secondary so totals cannot give them back. */
import fc from 'fast-check';
import { isSuppressed, suppressSeries, suppressSmallCells, suppressTable, type Cell } from '../../src/app/indicators.js';

const S = { suppressed: true } as const;
const v = (value: number): Cell => ({ value });
/** A table of cells as numbers, with null for suppressed: easier to read in expectations. */
const plain = (cells: Cell[][]) => cells.map((row) => row.map((c) => (isSuppressed(c) ? null : c.value)));
const hiddenCount = (cells: Cell[]) => cells.filter(isSuppressed).length;
const columnsOf = <T>(table: T[][]): T[][] => Array.from({ length: table[0]?.length ?? 0 }, (_, c) => table.map((row) => row[c]!));

describe('suppressSmallCells', () => {
  test('suppresses every cell below 3, zero included, and publishes the others unchanged', () => {
    // Each row and each column already has 0 or 2 suppressed cells: nothing secondary to do.
    expect(plain(suppressSmallCells([[1, 0, 5], [2, 2, 6], [7, 8, 9]]))).toEqual([[null, null, 5], [null, null, 6], [7, 8, 9]]);
  });

  test('publishes everything when every cell is at least 3', () => {
    expect(suppressSmallCells([[3, 4], [10, 250]])).toEqual([[v(3), v(4)], [v(10), v(250)]]);
  });

  test('a row with a single small cell also loses its next smallest cell', () => {
    expect(suppressSmallCells([[5, 2, 8, 4]])).toEqual([[v(5), S, v(8), S]]);
  });

  test('a column with a single small cell also loses its next smallest cell', () => {
    expect(plain(suppressSmallCells([[5], [2], [8], [4]]))).toEqual([[5], [null], [8], [null]]);
  });

  test('on equal values, the first one is suppressed', () => {
    expect(plain(suppressSmallCells([[9, 1, 4, 4]]))).toEqual([[9, null, null, 4]]);
  });

  test('secondary suppression cascades across rows and columns until stable', () => {
    // (0,0) is small → row 0 loses 3 → columns 0 and 1 now have one each → 60 and 4 go → rows 1 and 2 now have
    // one each → 5 and 90 go → column 2 now has one → 80 goes. Only 70 and 95 stay published.
    const table = [
      [1, 3, 80],
      [70, 4, 5],
      [60, 90, 95],
    ];
    expect(plain(suppressSmallCells(table))).toEqual([
      [null, null, null],
      [70, null, null],
      [null, null, 95],
    ]);
  });

  test('the threshold can be raised (sensitive crossings)', () => {
    expect(plain(suppressSmallCells([[12, 9, 11, 30]], 10))).toEqual([[12, null, null, 30]]);
  });

  test('refuses negative or non-finite counts', () => {
    expect(() => suppressSmallCells([[1, -1]])).toThrow(RangeError);
    expect(() => suppressSmallCells([[Number.NaN]])).toThrow(RangeError);
  });

  test('an empty table stays empty', () => {
    expect(suppressSmallCells([])).toEqual([]);
    expect(suppressSmallCells([[]])).toEqual([[]]);
  });
});

describe('suppressTable and suppressSeries (with totals)', () => {
  test('totals below 3 are suppressed, and another total with them so the grand total cannot give them back', () => {
    const result = suppressTable([[1, 1], [5, 6]]);
    // Row 0 (total 2) is hidden; each column then has one hidden cell, so row 1 goes too, and its total with it.
    expect(plain(result.cells)).toEqual([[null, null], [null, null]]);
    expect(result.rowTotals).toEqual([S, S]);
    expect(result.columnTotals).toEqual([v(6), v(7)]);
    expect(result.total).toEqual(v(13));
  });

  test('a grand total below 3 is suppressed', () => {
    expect(suppressTable([[1, 1]]).total).toEqual(S);
    expect(suppressSeries([0, 2]).total).toEqual(S);
    expect(suppressSeries([]).total).toEqual(S);
  });

  test('nothing is suppressed when every cell and total is at least 3', () => {
    expect(suppressTable([[3, 4], [5, 6]])).toEqual({
      cells: [[v(3), v(4)], [v(5), v(6)]], rowTotals: [v(7), v(11)], columnTotals: [v(8), v(10)], total: v(18),
    });
  });

  test('a series with one small value loses its next smallest value, and keeps its total', () => {
    expect(suppressSeries([8, 6, 0], 11)).toEqual({ values: [v(8), S, S], total: v(11) });
  });

  test('given totals are used for non-additive tables (distinct people)', () => {
    const result = suppressTable([[4, 5]], { rowTotals: [7], columnTotals: [4, 5], total: 7 });
    expect(result.rowTotals).toEqual([v(7)]);
    expect(result.total).toEqual(v(7));
  });

  test('refuses ragged tables and totals of the wrong size', () => {
    expect(() => suppressTable([[1, 2], [3]])).toThrow(RangeError);
    expect(() => suppressTable([[1, 2]], { rowTotals: [1, 2] })).toThrow(RangeError);
  });
});

describe('properties, on random tables', () => {
  const tables = fc.integer({ min: 1, max: 6 }).chain((width) => fc.array(
    fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 40 })), { minLength: width, maxLength: width }),
    { minLength: 1, maxLength: 6 },
  ));
  const thresholds = fc.integer({ min: 1, max: 5 });

  test('no published cell is below the threshold, every published value is the true one, every small cell is hidden', () => {
    fc.assert(fc.property(tables, thresholds, (table, threshold) => {
      const cells = suppressSmallCells(table, threshold);
      table.forEach((row, r) => row.forEach((value, c) => {
        const cell = cells[r]![c]!;
        if (value < threshold) expect(isSuppressed(cell)).toBe(true);
        if (!isSuppressed(cell)) {
          expect(cell.value).toBe(value);
          expect(cell.value).toBeGreaterThanOrEqual(threshold);
        }
      }));
    }));
  });

  test('no row or column of two cells or more has exactly one suppressed cell (a single cell is its own total)', () => {
    fc.assert(fc.property(tables, thresholds, (table, threshold) => {
      const cells = suppressSmallCells(table, threshold);
      for (const line of [...cells, ...columnsOf(cells)]) {
        if (line.length >= 2) expect(hiddenCount(line)).not.toBe(1);
      }
    }));
  });

  test('with margins: no line of the bordered table has exactly one hidden entry, no published total is small or wrong', () => {
    fc.assert(fc.property(tables, thresholds, (table, threshold) => {
      const result = suppressTable(table, {}, threshold);
      const bordered = [...result.cells.map((row, r) => [...row, result.rowTotals[r]!]), [...result.columnTotals, result.total]];
      for (const line of [...bordered, ...columnsOf(bordered)]) expect(hiddenCount(line)).not.toBe(1);
      // In the brief's words: a row or column with exactly one suppressed cell has its total suppressed.
      result.cells.forEach((row, r) => {
        if (hiddenCount(row) === 1) expect(isSuppressed(result.rowTotals[r]!)).toBe(true);
      });
      columnsOf(result.cells).forEach((column, c) => {
        if (hiddenCount(column) === 1) expect(isSuppressed(result.columnTotals[c]!)).toBe(true);
      });
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      const expected = [...table.map(sum), ...columnsOf(table).map(sum), sum(table.map(sum))];
      [...result.rowTotals, ...result.columnTotals, result.total].forEach((cell, i) => {
        if (isSuppressed(cell)) return;
        expect(cell.value).toBe(expected[i]);
        expect(cell.value).toBeGreaterThanOrEqual(threshold);
      });
    }));
  });
});
