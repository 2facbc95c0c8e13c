/**
 * Attendance lists as operators export them: headers in French or English, in any order, any case, with or
 * without accents; first and last names in two columns; and addresses mistyped at the workshop's desk.
 */
import { parseAttendanceList, writeAwardList, parseAwardCsv } from '../../src/app/csv.js';
import { editDistance, suggestEmail } from '../../src/app/email-typos.js';

describe('reading the columns of an attendance list', () => {
  test('joins a first-name and a last-name column into the name (the first name used to be dropped)', () => {
    const list = parseAttendanceList('Prénom;Nom;Courriel\nAna;Martin;ana@example.fr');
    expect(list.rows).toEqual([{ line: 2, email: 'ana@example.fr', name: 'Ana Martin', problems: [] }]);
  });

  test('says how each column was understood, ignoring the ones it does not need', () => {
    const list = parseAttendanceList('Téléphone;E-mail;PRENOM;nom\n0600000000;ana@example.fr;Ana;Martin');
    expect(list.columns).toEqual([
      { index: 0, header: 'Téléphone', role: 'ignored' },
      { index: 1, header: 'E-mail', role: 'email' },
      { index: 2, header: 'PRENOM', role: 'firstName' },
      { index: 3, header: 'nom', role: 'lastName' },
    ]);
  });

  test('reads English headers in any order and case', () => {
    const list = parseAttendanceList('Last Name,first_name,Email Address\nMartin,Ana,ana@example.fr');
    expect(list.rows[0]).toMatchObject({ email: 'ana@example.fr', name: 'Ana Martin' });
  });

  test('takes "Nom" alone as the whole name', () => {
    expect(parseAttendanceList('nom;mail\nAna Martin;ana@example.fr').rows[0]!.name).toBe('Ana Martin');
  });

  test('prefers a full-name column when it is filled, and joins first and last names when it is not', () => {
    const list = parseAttendanceList('nom complet;prénom;nom de famille;courriel\nAna M.;Ana;Martin;a@example.fr\n;Bob;Durand;b@example.fr');
    expect(list.rows.map((r) => r.name)).toEqual(['Ana M.', 'Bob Durand']);
  });

  test('keeps a person with only a first name', () => {
    expect(parseAttendanceList('prénom;nom;email\nAna;;ana@example.fr').rows[0]!.name).toBe('Ana');
  });

  test('a list without a header line is read as address, name, evidence, and says so', () => {
    const list = parseAttendanceList('ana@example.fr;Ana Martin');
    expect(list.hasHeader).toBe(false);
    expect(list.columns.map((c) => [c.header, c.role])).toEqual([[null, 'email'], [null, 'name']]);
  });

  test('a list the console writes back reads the same', () => {
    const people = [{ email: 'ana@example.fr', name: 'Martin, Ana' }, { email: 'bob@example.fr', name: 'Bob "B" Durand' }];
    expect(parseAwardCsv(writeAwardList(people)).map(({ email, name }) => ({ email, name }))).toEqual(people);
  });
});

describe('suggesting a correction for a mistyped address', () => {
  test.each([
    ['ana@gmial.com', 'ana@gmail.com'],
    ['ana@gmail.fr', 'ana@gmail.com'],
    ['ana@hotmial.fr', 'ana@hotmail.fr'],
    ['ana@hotmail.fe', 'ana@hotmail.fr'],
    ['ana@orange.fe', 'ana@orange.fr'],
    ['ana@wanadoo.fe', 'ana@wanadoo.fr'],
    ['ana@yaho.fr', 'ana@yahoo.fr'],
    ['ana@outlok.fr', 'ana@outlook.fr'],
    ['ana@gmail,com', 'ana@gmail.com'],
    ['ana@gmail', 'ana@gmail.com'],
  ])('%s → %s', (typed, meant) => {
    expect(suggestEmail(typed)).toBe(meant);
  });

  test.each(['ana@gmail.com', 'ana@orange.fr', 'ana@free.fr', 'ana@mail.com', 'ana@orange.com', 'ana@univ-lille.fr', 'ana@exemple.fr'])(
    'leaves %s alone',
    (address) => {
      expect(suggestEmail(address)).toBeUndefined();
    },
  );

  test('counts two neighbouring letters swapped as one slip', () => {
    expect(editDistance('gmial', 'gmail')).toBe(1);
    expect(editDistance('hotmail', 'outlook')).toBeGreaterThan(2);
  });
});
