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
// Control characters (NUL first: PostgreSQL text cannot hold it, and an INSERT failed as a 500) are never part
// of an address; \s alone does not exclude them.
const EMAIL =
  /^[^\s@<>()[\],;:"\\\x00-\x1f\x7f]+@[^\s@<>()[\],;:"\\\x00-\x1f\x7f]+\.[^\s@<>()[\],;:"\\\x00-\x1f\x7f]{2,}$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

const HEADERS: Record<'email' | 'name' | 'evidence', RegExp> = {
  email: /^(e-?mail|courriel|mail|adresse (e-?mail|électronique|electronique)|email address)$/i,
  name: /^(name|nom|nom complet|prénom nom|prenom nom|full name|participant)$/i,
  evidence: /^(evidence|preuve|preuves|justificatif|commentaire)$/i,
};

/** The field error of a workbook sent where CSV was expected. */
export const WORKBOOK = 'workbook';

/**
 * XLSX and ODS are ZIP archives, XLS an OLE2 compound file: read as text they would become rows of noise.
 * They are refused with what to do instead (XLSX is not read: a ZIP can inflate a small upload into gigabytes).
 */
function isWorkbook(bytes: Uint8Array): boolean {
  const starts = (...magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
  return starts(0x50, 0x4b, 0x03, 0x04) || starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);
}

/**
 * Spreadsheets exported in France are often Windows-1252, not UTF-8: bytes that are not valid UTF-8 are
 * read as Windows-1252 rather than turned into replacement characters. Excel's "Unicode text" export is UTF-16
 * (little-endian) with a byte order mark: the mark says so.
 */
export function decodeSpreadsheetText(bytes: Uint8Array): string {
  if (isWorkbook(bytes)) {
    throw new ValidationError(
      'This file is a workbook (XLSX, ODS or XLS), not CSV: save it as "CSV UTF-8" (or "Unicode text") and send ' +
        'that file.',
      [{ field: 'file', message: WORKBOOK }],
    );
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** What Windows-1252 puts at 0x80–0x9F (the five unassigned bytes map to the same code point, as WHATWG says). */
const WINDOWS_1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/**
 * Node 20's TextDecoder('windows-1252') decodes like Latin-1: 0x80–0x9F became control characters, so the €,
 * the typographic apostrophe (’), Œ and the dashes of a French Excel export were silently lost. Latin-1 is right
 * for every other byte; those 32 are mapped by hand.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009F]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/**
 * Reads `email,name[,evidence]`, comma, semicolon or tab separated, with or without a header line (in French or
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
    throw new ValidationError(
      `The file cannot be read as CSV${line ? ` at line ${line}` : ''}: ${(error as Error).message}. ` +
        'Check the quotes around cells that contain a separator.',
    );
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
    if (record.length > 3 && !hasHeader)
      problems.push({
        code: 'tooManyColumns',
        message: `too many columns (${record.length}); expected email, name and optionally evidence`,
        params: { count: record.length },
      });
    const cell = (i: number) => (i >= 0 ? (record[i]?.trim() ?? '') : '');
    let email = cell(columns.email).toLowerCase();
    let name = cell(columns.name);
    if (!hasHeader) {
      // Pasted lists come in every order: "Name, email", or "Ana Martin <ana@example.fr>" in one cell.
      const bracketed = nameAndBracketedEmail(cell(0));
      if (bracketed && !isEmail(email)) {
        email = bracketed[1].toLowerCase();
        name = name || bracketed[0].trim().replace(/^"|"$/g, '');
      } else if (!isEmail(email) && isEmail(name.toLowerCase())) {
        [email, name] = [name.toLowerCase(), cell(columns.email)];
      }
    }
    // NUL bytes (a broken export, a UTF-16 file) cannot be stored in PostgreSQL text; they carry nothing in a
    // name or a comment, so they are dropped there. In an email they make the row invalid (see EMAIL).
    name = name.replaceAll('\0', '').trim();
    const evidence = cell(columns.evidence).replaceAll('\0', '').trim();
    if (!email) problems.push({ code: 'emailMissing', message: 'the email is missing' });
    else if (!isEmail(email))
      problems.push({
        code: 'emailInvalid',
        message: `"${email.slice(0, 80)}" is not a valid email address`,
        params: { value: email.slice(0, 80) },
      });
    if (name.length > 200) problems.push({ code: 'nameTooLong', message: 'the name is longer than 200 characters' });
    if (evidence.length > 5000)
      problems.push({ code: 'evidenceTooLong', message: 'the evidence is longer than 5,000 characters' });
    rows.push({ line: info.lines, email, ...(name ? { name } : {}), ...(evidence ? { evidence } : {}), problems });
  }
  return rows;
}

/**
 * `Ana Martin <ana@example.fr>` → ['Ana Martin ', 'ana@example.fr'], as /^(.*)<([^<>\s]+@[^<>\s]+)>\s*$/ would
 * match it. Written out because that pattern backtracks over every '@' for every end position: a 64 KB cell of
 * "<a@a@a@…" took a second, and a 5 MB file holds eighty of them.
 */
function nameAndBracketedEmail(value: string): [string, string] | undefined {
  const text = value.trimEnd();
  if (!text.endsWith('>')) return undefined;
  const open = text.lastIndexOf('<');
  if (open < 0) return undefined;
  const name = text.slice(0, open);
  const address = text.slice(open + 1, -1);
  const at = address.indexOf('@', 1);
  if (/[\n\r\u2028\u2029]/.test(name) || /[<>\s]/.test(address) || at < 1 || at >= address.length - 1) return undefined;
  return [name, address];
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
  const commaOrSemicolon = count(';') > count(',') ? ';' : ',';
  // Tabs: Excel's "Unicode text" export, and cells copied from a spreadsheet and pasted, where names keep
  // their commas ("Martin, Ana<tab>ana@…"): a tab is never typed into a cell, so it wins a tie.
  const tabs = count('\t');
  return tabs > 0 && tabs >= count(commaOrSemicolon) ? '\t' : commaOrSemicolon;
}
