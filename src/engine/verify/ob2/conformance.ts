/**
 * What an OB 2.0 badge says once it is known to be its issuer's: whether it carries the properties the standard
 * requires (standards-2.md §1.3), its dates, its recipient (§1.6), and what a displayer shows.
 */
import { identityMatches } from '../../model/identity-hash.js';
import type { DisplayData } from '../report.js';
import type { Ob2Checks } from './checks.js';
import { idOf, textOf } from './documents.js';

/** Required by OB 2.0 data validation. The issuer's `email` is checked apart: many 2.0 issuers leave it out. */
const REQUIRED: Record<'Assertion' | 'BadgeClass' | 'Issuer', string[]> = {
  Assertion: ['id', 'type', 'recipient', 'badge', 'verification', 'issuedOn'],
  BadgeClass: ['id', 'type', 'name', 'description', 'image', 'criteria', 'issuer'],
  Issuer: ['id', 'type', 'name', 'url'],
};
const REQUIRED_RECIPIENT = ['identity', 'type', 'hashed'];

type Json = Record<string, unknown>;

function missing(document: Json, names: string[], label: string): string[] {
  const absent = (value: unknown) => value === undefined || value === null || value === '';
  return names.filter((name) => absent(document[name])).map((name) => `${label}.${name}`);
}

export function checkStructure(checks: Ob2Checks, assertion: Json, badgeClass: Json, issuer: Json): void {
  // `verify` is the 2.0 context's alias of `verification`.
  const absent = [
    ...missing(
      { ...assertion, verification: assertion.verification ?? assertion.verify },
      REQUIRED.Assertion,
      'Assertion',
    ),
    ...missing(badgeClass, REQUIRED.BadgeClass, 'BadgeClass'),
    ...missing(issuer, REQUIRED.Issuer, 'Issuer'),
  ];
  const recipient = assertion.recipient;
  if (recipient && typeof recipient === 'object') {
    absent.push(...missing(recipient as Json, REQUIRED_RECIPIENT, 'Assertion.recipient'));
  }
  if (absent.length > 0) {
    const message = `The badge lacks properties Open Badges 2.0 requires: ${absent.join(', ')}.`;
    checks.fail('schema', 'ob2.missingProperties', message, { properties: absent.join(', ') }, 'nonconformant');
  } else {
    const message = 'The assertion, its badge class and its issuer carry every property Open Badges 2.0 requires.';
    checks.pass('schema', 'ob2.structureOk', message);
  }
  if (textOf(issuer.email) === undefined) {
    const message = "The issuer's profile gives no contact email, which Open Badges 2.0 asks issuers to publish.";
    checks.warn('schema', 'ob2.issuerNoEmail', message);
  }
}

function dateOf(checks: Ob2Checks, id: 'validFrom' | 'validUntil', name: string, value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    const message = `The badge's ${name} (${String(value)}) is not a date and time.`;
    checks.fail(id, 'ob2.badDate', message, { property: name }, 'nonconformant');
    return undefined;
  }
  return ms;
}

/** `issuedOn` in the future: not yet valid; `expires` in the past: expired. */
export function checkDates(checks: Ob2Checks, assertion: Json, now: Date): void {
  // A missing issuedOn is already reported as a missing property.
  if (assertion.issuedOn !== undefined) {
    const issued = dateOf(checks, 'validFrom', 'issuedOn', assertion.issuedOn);
    if (issued !== undefined) {
      const date = new Date(issued).toISOString();
      if (issued > now.getTime()) {
        const message = `The badge is not valid before ${date}.`;
        checks.fail('validFrom', 'validFrom.future', message, { date }, 'not-yet-valid');
      } else {
        checks.pass('validFrom', 'validFrom.ok', `Valid since ${date}.`, { date });
      }
    }
  }
  if (assertion.expires === undefined) {
    checks.skip('validUntil', 'validUntil.none', 'The badge does not expire.');
    return;
  }
  const expires = dateOf(checks, 'validUntil', 'expires', assertion.expires);
  if (expires === undefined) return;
  const date = new Date(expires).toISOString();
  if (expires < now.getTime()) {
    checks.fail('validUntil', 'validUntil.past', `The badge expired on ${date}.`, { date }, 'expired');
  } else {
    checks.pass('validUntil', 'validUntil.ok', `Valid until ${date}.`, { date });
  }
}

/** OB 2.0 recipient types and the identity types of the hash helper (which follows OB 3.0's names). */
const IDENTITY_TYPES: Record<string, string> = { email: 'emailAddress', url: 'url', id: 'id', telephone: 'phone' };

/** An email is compared with an `email` recipient, an id with a `url` or `id` one (salted hash if `hashed`). */
export function checkRecipient(checks: Ob2Checks, assertion: Json, expected: { email?: string; id?: string }): void {
  const given = assertion.recipient;
  const recipient = (given && typeof given === 'object' ? given : {}) as Json;
  const type = typeof recipient.type === 'string' ? recipient.type : '';
  const identityType = IDENTITY_TYPES[type] ?? type;
  const identity = { hashed: recipient.hashed, identityHash: recipient.identity, identityType, salt: recipient.salt };
  const byEmail = expected.email !== undefined && type === 'email' && identityMatches(identity, expected.email);
  const byId =
    expected.id !== undefined &&
    (type === 'url' || type === 'id') &&
    identityMatches(identity, expected.id, identityType);
  if (byEmail || byId) {
    checks.pass('recipient', 'recipient.match', 'The badge was issued to the expected recipient.');
  } else {
    const message = 'The badge was not issued to the expected recipient.';
    checks.fail('recipient', 'recipient.mismatch', message, undefined, 'invalid');
  }
}

function narrativeOf(criteria: unknown): string | undefined {
  return criteria && typeof criteria === 'object' ? textOf((criteria as { narrative?: unknown }).narrative) : undefined;
}

/** What a displayer shows, from the documents as far as they were read; `trusted` says whether they verified. */
export function displayOf(
  trusted: boolean,
  assertion: Json | undefined,
  badgeClass: Json | undefined,
  issuer: Json | undefined,
  issuerId: string | undefined,
): DisplayData {
  const entries: [keyof DisplayData, string | undefined][] = [
    ['name', textOf(badgeClass?.name)],
    ['description', textOf(badgeClass?.description)],
    ['issuerId', issuerId],
    ['issuerName', textOf(issuer?.name)],
    ['issuerUrl', textOf(issuer?.url)],
    ['issuerImage', idOf(issuer?.image)],
    ['achievementName', textOf(badgeClass?.name)],
    ['achievementDescription', textOf(badgeClass?.description)],
    ['criteria', narrativeOf(badgeClass?.criteria)],
    ['achievementImage', idOf(badgeClass?.image)],
    ['validFrom', textOf(assertion?.issuedOn)],
    ['validUntil', textOf(assertion?.expires)],
  ];
  const display: DisplayData = { trusted };
  for (const [key, value] of entries) if (value !== undefined) (display as unknown as Json)[key] = value;
  return display;
}
