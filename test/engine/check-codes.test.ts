import { CHECK_CODES } from '../../src/engine/verify/check-codes.js';
import { AUDIT_ACTIONS } from '../../src/shared/audit-actions.js';
import { allStrings } from '../../src/views/i18n.js';

/**
 * The verifier's check codes are a closed vocabulary (a typo fails to compile); each one is shown to people, so
 * each needs its words in both languages, and no text is kept for a code that no longer exists.
 */
describe('check codes', () => {
  test.each(['fr', 'en'] as const)('every check code has its text in %s', (lang) => {
    const strings = allStrings(lang);
    expect(CHECK_CODES.filter((code) => strings[`checks.${code}`] === undefined)).toEqual([]);
  });

  test.each(['fr', 'en'] as const)('every check text in %s belongs to a check code', (lang) => {
    const known = new Set<string>(CHECK_CODES);
    // Texts of a check group (proof.*, status.*…); the others (checks.id.*, checks.technical.*) are labels.
    const groups = new Set(CHECK_CODES.map((code) => code.split('.')[0]));
    const keys = Object.keys(allStrings(lang)).filter((k) => /^checks\.\w+\.\w+$/.test(k));
    const orphans = keys.map((k) => k.slice('checks.'.length)).filter((c) => groups.has(c.split('.')[0]));
    expect(orphans.filter((code) => !known.has(code))).toEqual([]);
  });

  test('codes are unique', () => {
    expect(new Set(CHECK_CODES).size).toBe(CHECK_CODES.length);
  });
});

describe('audit actions', () => {
  test('actions are unique and named object.verb', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const action of AUDIT_ACTIONS) expect(action).toMatch(/^[a-z]+(\.[a-zA-Z]+)+$/);
  });
});
