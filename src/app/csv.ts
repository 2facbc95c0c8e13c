import { parse } from 'csv-parse/sync';
import { ValidationError } from './errors.js';

/** Something wrong with one row: a stable code (translated by the console) and an English message (the API). */
export interface RowProblem {
  code: 'tooManyColumns' | 'emailMissing' | 'emailInvalid' | 'nameTooLong' | 'evidenceTooLong' | 'duplicate';
  message: string;
  params?: Record<string, string | number>;
}

/** One line of an award spreadsheet, before validation. */
export interface CsvRow {
  /** 1-based line number in the file, as a spreadsheet shows it. */
  line: number;
  email: string;
  name?: string;
  evidence?: string;
  problems: RowProblem[];
}

export const MAX_CSV_ROWS = 20_000;
const EMAIL = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]{2,}$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

const HEADERS: Record<'email' | 'name' | 'evidence', RegExp> = {
  email: /^(e-?mail|courriel|mail|adresse (e-?mail|électronique|electronique)|email address)$/i,
  name: /^(name|nom|nom complet|prénom nom|prenom nom|full name|participant)$/i,
  evidence: /^(evidence|preuve|preuves|justificatif|commentaire)$/i,
};

/**
 * Spreadsheets exported in France are often Windows-1252, not UTF-8: bytes that are not valid UTF-8 are
 * read as Windows-1252 rather than turned into replacement characters.
 */
export function decodeSpreadsheetText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * Reads `email,name[,evidence]`, comma or semicolon separated, with or without a header line (in French or
 * English), with or without a BOM. Every problem is attached to its row; only a file that is not CSV at all
 * (broken quoting) is refused as a whole, with the line to fix.
 */
export function parseAwardCsv(text: string): CsvRow[] {
  const delimiter = detectDelimiter(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = readRecords(text, delimiter);
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new ValidationError(`The file cannot be read as CSV${line ? ` at line ${line}` : ''}: ${(error as Error).message}. Check the quotes around cells that contain a separator.`);
  }
  if (records.length === 0) return [];
  const first = records[0]!.record.map((cell) => cell.trim());
  const hasHeader = first.some((cell) => HEADERS.email.test(cell)) && !first.some((cell) => isEmail(cell));
  const columns = { email: 0, name: 1, evidence: 2 };
  if (hasHeader) {
    for (const key of ['email', 'name', 'evidence'] as const) {
      const index = first.findIndex((cell) => HEADERS[key].test(cell));
      columns[key] = index;
    }
  }
  const rows: CsvRow[] = [];
  for (const { record, info } of hasHeader ? records.slice(1) : records) {
    const problems: RowProblem[] = [];
    if (record.length > 3 && !hasHeader) problems.push({ code: 'tooManyColumns', message: `too many columns (${record.length}); expected email, name and optionally evidence`, params: { count: record.length } });
    const cell = (i: number) => (i >= 0 ? record[i]?.trim() ?? '' : '');
    let email = cell(columns.email).toLowerCase();
    let name = cell(columns.name);
    if (!hasHeader) {
      // Pasted lists come in every order: "Name, email", or "Ana Martin <ana@example.fr>" in one cell.
      const bracketed = /^(.*)<([^<>\s]+@[^<>\s]+)>\s*$/.exec(cell(0));
      if (bracketed && !isEmail(email)) {
        email = bracketed[2]!.toLowerCase();
        name = name || bracketed[1]!.trim().replace(/^"|"$/g, '');
      } else if (!isEmail(email) && isEmail(name.toLowerCase())) {
        [email, name] = [name.toLowerCase(), cell(columns.email)];
      }
    }
    const evidence = cell(columns.evidence);
    if (!email) problems.push({ code: 'emailMissing', message: 'the email is missing' });
    else if (!isEmail(email)) problems.push({ code: 'emailInvalid', message: `"${email.slice(0, 80)}" is not a valid email address`, params: { value: email.slice(0, 80) } });
    if (name.length > 200) problems.push({ code: 'nameTooLong', message: 'the name is longer than 200 characters' });
    if (evidence.length > 5000) problems.push({ code: 'evidenceTooLong', message: 'the evidence is longer than 5,000 characters' });
    rows.push({ line: info.lines, email, ...(name ? { name } : {}), ...(evidence ? { evidence } : {}), problems });
  }
  return rows;
}

function readRecords(text: string, delimiter: string): { record: string[]; info: { lines: number } }[] {
  return parse(text, {
    bom: true,
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: 65_536,
    to_line: MAX_CSV_ROWS + 1,
    info: true,
  }) as unknown as { record: string[]; info: { lines: number } }[];
}

/** Semicolon when the first line has more semicolons than commas (French spreadsheets), comma otherwise. */
function detectDelimiter(text: string): string {
  const end = text.indexOf('\n');
  // Separators inside quotes ("Martin, Ana") say nothing about the file's separator.
  const firstLine = text.slice(0, end === -1 ? 4096 : Math.min(end, 4096)).replace(/"(?:[^"]|"")*"/g, '""');
  const count = (c: string) => firstLine.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}
