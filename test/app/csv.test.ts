import { decodeSpreadsheetText, parseAwardCsv } from '../../src/app/csv.js';

describe('reading an award spreadsheet', () => {
  test('reads comma-separated email,name,evidence without a header', () => {
    expect(parseAwardCsv('ana@example.fr,Ana Martin,A pitché son projet\nbob@example.fr,Bob')).toEqual([
      { line: 1, email: 'ana@example.fr', name: 'Ana Martin', evidence: 'A pitché son projet', problems: [] },
      { line: 2, email: 'bob@example.fr', name: 'Bob', problems: [] },
    ]);
  });

  test('reads semicolons and a French header, in any column order', () => {
    expect(parseAwardCsv('Nom;Courriel\nAna Martin;ana@example.fr')).toEqual([{ line: 2, email: 'ana@example.fr', name: 'Ana Martin', problems: [] }]);
  });

  test('tells the separator from the first line, not from commas inside quoted names', () => {
    expect(parseAwardCsv('ana@example.fr;"Martin, Ana"\nbob@example.fr;"Durand, Bob"')).toEqual([
      { line: 1, email: 'ana@example.fr', name: 'Martin, Ana', problems: [] },
      { line: 2, email: 'bob@example.fr', name: 'Durand, Bob', problems: [] },
    ]);
  });

  test('ignores a UTF-8 byte order mark', () => {
    expect(parseAwardCsv('\uFEFFemail,name\nana@example.fr,Ana')[0]).toMatchObject({ email: 'ana@example.fr', name: 'Ana' });
  });

  test('reads a Windows-1252 export from Excel with its accents intact', () => {
    const bytes = Buffer.from([...Buffer.from('email;nom\nzoe@example.fr;Zo'), 0xeb, ...Buffer.from(' Lef'), 0xe8, ...Buffer.from('vre')]);
    expect(parseAwardCsv(decodeSpreadsheetText(bytes))[0]).toMatchObject({ name: 'Zoë Lefèvre' });
  });

  test('reads Excel\'s "Unicode text" export: UTF-16 with its byte order mark, tab-separated', () => {
    const text = 'Courriel\tNom\nzoe@example.fr\tZoë Lefèvre\nana@example.fr\tAna Œuvray';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parseAwardCsv(decodeSpreadsheetText(bytes))).toEqual([
      { line: 2, email: 'zoe@example.fr', name: 'Zoë Lefèvre', problems: [] },
      { line: 3, email: 'ana@example.fr', name: 'Ana Œuvray', problems: [] },
    ]);
  });

  test('reads big-endian UTF-16 when its byte order mark says so', () => {
    const bytes = Buffer.from([0xfe, 0xff, ...Buffer.from('zoe@example.fr;Zoë', 'utf16le').swap16()]);
    expect(parseAwardCsv(decodeSpreadsheetText(bytes))[0]).toMatchObject({ email: 'zoe@example.fr', name: 'Zoë' });
  });

  test('reads lines copied from a spreadsheet and pasted (tab-separated), whatever commas the names hold', () => {
    expect(parseAwardCsv('Martin, Ana\tana@example.fr\nDurand, Bob\tbob@example.fr')).toEqual([
      { line: 1, email: 'ana@example.fr', name: 'Martin, Ana', problems: [] },
      { line: 2, email: 'bob@example.fr', name: 'Durand, Bob', problems: [] },
    ]);
  });

  test.each([
    ['an XLSX or ODS workbook (a ZIP archive)', '504b030414000600'],
    ['an XLS workbook (an OLE2 compound file)', 'd0cf11e0a1b11ae1'],
  ])('%s is refused with what to do instead, not read as rows of noise', (_what, hex) => {
    expect(() => decodeSpreadsheetText(Buffer.from(hex + '00'.repeat(64), 'hex'))).toThrow(/CSV UTF-8/);
  });

  test('lower-cases and trims emails', () => {
    expect(parseAwardCsv('  Ana@Example.FR  ,Ana')[0]!.email).toBe('ana@example.fr');
  });

  test('keeps quoted cells with separators and line breaks', () => {
    expect(parseAwardCsv('email,name,evidence\nana@example.fr,"Martin, Ana","ligne 1\nligne 2"')[0]).toMatchObject({ name: 'Martin, Ana', evidence: 'ligne 1\nligne 2' });
  });

  test('flags a bad email, a missing email and too many columns on their own rows', () => {
    const rows = parseAwardCsv('pas-un-email,X\n,Y\nc@example.fr,Z,E,extra');
    expect(rows.map((r) => r.problems.length > 0)).toEqual([true, true, true]);
    expect(rows[0]!.problems[0]!.message).toContain('not a valid email');
    expect(rows[1]!.problems[0]!.code).toBe('emailMissing');
    expect(rows[2]!.problems[0]!.code).toBe('tooManyColumns');
  });

  test('skips empty lines and reports spreadsheet line numbers', () => {
    expect(parseAwardCsv('email\n\na@example.fr\n\nb@example.fr').map((r) => r.line)).toEqual([3, 5]);
  });

  test('does not choke on a row of 100,000 columns', () => {
    const rows = parseAwardCsv(`a@example.fr,${'x,'.repeat(20_000)}`);
    expect(rows[0]!.problems.length).toBeGreaterThan(0);
  });

  test('keeps formula-like names as plain text (they are never evaluated here)', () => {
    expect(parseAwardCsv('a@example.fr,"=HYPERLINK(""https://evil"",""x"")"')[0]!.name).toBe('=HYPERLINK("https://evil","x")');
  });

  test('a file broken by its quotes is refused with the line to fix, not a server error', () => {
    expect(() => parseAwardCsv('a@example.fr,ok\nb@example.fr,=HYPERLINK("https://evil","x")')).toThrow(/line 2/);
  });
});
