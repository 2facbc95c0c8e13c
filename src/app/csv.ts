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

/** What a column of an attendance list holds, as read from its header (or from its position, without one). */
export type ColumnRole = 'email' | 'firstName' | 'lastName' | 'name' | 'evidence' | 'ignored';

export interface ColumnReading {
  /** 0-based position in the file. */
  index: number;
  /** The header as written, or null when the file has no header line. */
  header: string | null;
  role: ColumnRole;
}

/**
 * Headers as people write them, French and English, compared without case, accents or punctuation ("E-mail",
 * "Prénom", "first_name", "Participant·e" all match). "nom" is a last name when a first-name column exists,
 * the whole name otherwise.
 */
const HEADER_WORDS: Record<Exclude<ColumnRole, 'ignored'>, string[]> = {
  email: [
    'email',
    'e mail',
    'mail',
    'mel',
    'courriel',
    'adresse email',
    'adresse e mail',
    'adresse mail',
    'adresse courriel',
    'adresse electronique',
    'adresse de courriel',
    'email address',
    'e mail address',
    'mail address',
    'emails',
    'courriels',
  ],
  firstName: ['prenom', 'prenoms', 'first name', 'firstname', 'given name', 'forename'],
  lastName: ['nom de famille', 'last name', 'lastname', 'surname', 'family name', 'nom de naissance'],
  name: [
    'nom',
    'name',
    'nom complet',
    'full name',
    'fullname',
    'prenom nom',
    'nom prenom',
    'nom et prenom',
    'prenom et nom',
    'participant',
    'participante',
    'participant e',
    'participants',
    'stagiaire',
    'identite',
  ],
  evidence: ['evidence', 'preuve', 'preuves', 'justificatif', 'commentaire', 'commentaires', 'comment'],
};

/** "Prénom *", "E_MAIL", "Participant·e :" → "prenom", "e mail", "participant e". */
export function normalizeHeader(cell: string): string {
  return cell
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function roleOfHeader(cell: string): Exclude<ColumnRole, 'ignored'> | undefined {
  const words = normalizeHeader(cell);
  return (Object.keys(HEADER_WORDS) as Exclude<ColumnRole, 'ignored'>[]).find((role) =>
    HEADER_WORDS[role].includes(words),
  );
}

/** How each column of a header line is understood; the first column of each kind wins, later ones are ignored. */
function readHeader(cells: string[]): ColumnReading[] {
  const roles = cells.map(roleOfHeader);
  const hasFirstName = roles.includes('firstName');
  const taken = new Set<ColumnRole>();
  return cells.map((header, index) => {
    let role: ColumnRole = roles[index] ?? 'ignored';
    // "Prénom ; Nom": "Nom" is the family name; alone, it is the whole name.
    if (role === 'name' && hasFirstName && normalizeHeader(header) === 'nom') role = 'lastName';
    if (role !== 'ignored' && taken.has(role)) role = 'ignored';
    taken.add(role);
    return { index, header, role };
  });
}

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

/** An attendance list as read: its rows, and how each column was understood (shown in the preview). */
export interface AttendanceList {
  rows: CsvRow[];
  columns: ColumnReading[];
  hasHeader: boolean;
}

/**
 * Reads `email,name[,evidence]`, comma, semicolon or tab separated, with or without a header line (in French or
 * English, any order: see HEADER_WORDS; first-name and last-name columns are joined), with or without a BOM.
 * Every problem is attached to its row; only a file that is not CSV at all (broken quoting) is refused as a
 * whole, with the line to fix.
 */
export function parseAttendanceList(text: string): AttendanceList {
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
  if (records.length === 0) return { rows: [], columns: [], hasHeader: false };
  const first = records[0]!.record.map((cell) => cell.trim());
  const hasHeader = first.some((cell) => roleOfHeader(cell) === 'email') && !first.some((cell) => isEmail(cell));
  const columns: ColumnReading[] = hasHeader
    ? readHeader(first)
    : (['email', 'name', 'evidence'] as const)
        .slice(0, Math.min(3, Math.max(...records.slice(0, 50).map((r) => r.record.length))))
        .map((role, index) => ({ index, header: null, role }));
  const at = (role: ColumnRole) => columns.find((c) => c.role === role)?.index ?? -1;
  const index = {
    email: at('email'),
    name: at('name'),
    firstName: at('firstName'),
    lastName: at('lastName'),
    evidence: at('evidence'),
  };
  const rows: CsvRow[] = [];
  for (const { record, info } of hasHeader ? records.slice(1) : records) {
    const cell = (i: number) => (i >= 0 ? (record[i]?.trim() ?? '') : '');
    let email = cell(index.email).toLowerCase();
    // A full-name column wins when filled; otherwise first and last names are joined (the first name used to be
    // dropped silently when both columns were there).
    let name = cell(index.name) || [cell(index.firstName), cell(index.lastName)].filter(Boolean).join(' ');
    if (!hasHeader) {
      // Pasted lists come in every order: "Name, email", or "Ana Martin <ana@example.fr>" in one cell.
      const bracketed = nameAndBracketedEmail(cell(0));
      if (bracketed && !isEmail(email)) {
        email = bracketed[1].toLowerCase();
        name = name || bracketed[0].trim().replace(/^"|"$/g, '');
      } else if (!isEmail(email) && isEmail(name.toLowerCase())) {
        [email, name] = [name.toLowerCase(), cell(index.email)];
      }
    }
    const row = checkRow({ line: info.lines, email, name, evidence: cell(index.evidence) });
    if (record.length > 3 && !hasHeader)
      row.problems.unshift({
        code: 'tooManyColumns',
        message: `too many columns (${record.length}); expected email, name and optionally evidence`,
        params: { count: record.length },
      });
    rows.push(row);
  }
  return { rows, columns, hasHeader };
}

/** The rows of an award spreadsheet (see parseAttendanceList), as the API reads them. */
export function parseAwardCsv(text: string): CsvRow[] {
  return parseAttendanceList(text).rows;
}

/**
 * One person of a list, from a file or typed in the console's form: cleaned (NUL bytes dropped, the email
 * lower-cased) and checked, with every problem attached.
 */
export function checkRow(input: { line: number; email: string; name?: string; evidence?: string }): CsvRow {
  const problems: RowProblem[] = [];
  const email = input.email.trim().toLowerCase();
  // NUL bytes (a broken export, a UTF-16 file) cannot be stored in PostgreSQL text; they carry nothing in a
  // name or a comment, so they are dropped there. In an email they make the row invalid (see EMAIL).
  const name = (input.name ?? '').replaceAll('\0', '').trim();
  const evidence = (input.evidence ?? '').replaceAll('\0', '').trim();
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
  return { line: input.line, email, ...(name ? { name } : {}), ...(evidence ? { evidence } : {}), problems };
}

/**
 * People as a list that reads back exactly as written: semicolons, quoted cells, and a header line, which fixes
 * the separator (without it, a comma in a quoted name, "Martin, Ana", would make the list read as
 * comma-separated). The evidence column is kept when any row has one.
 */
export function writeAwardList(rows: { email: string; name?: string; evidence?: string }[]): string {
  if (rows.length === 0) return '';
  const quote = (cell: string) => (/[;,"\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  const withEvidence = rows.some((row) => row.evidence);
  return [
    withEvidence ? 'email;nom;preuve' : 'email;nom',
    ...rows.map((row) =>
      [row.email, row.name ?? '', ...(withEvidence ? [row.evidence ?? ''] : [])].map(quote).join(';'),
    ),
  ].join('\n');
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
