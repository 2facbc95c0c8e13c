/**
 * Small-cell suppression, pure: counts of PEOPLE below {@link PEOPLE_THRESHOLD} are not published, with secondary
 * suppression so that totals cannot give a hidden cell back. Used by the indicators (src/app/indicators.ts) and
 * their CSV export.
 */

/** A published count, or a count hidden because it (or what it would reveal) concerns fewer than 3 people. */
export type Cell = { value: number } | { suppressed: true };

/** Below this, a count of people is not published. */
export const PEOPLE_THRESHOLD = 3;

export function isSuppressed(cell: Cell): cell is { suppressed: true } {
  return 'suppressed' in cell;
}

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
