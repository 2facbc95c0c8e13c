import { identityMatches } from '../model/identity-hash.js';
import { normalizeForSchema, vcdm11AsVcdm20 } from './normalize.js';
import type { ReportBuilder } from './report.js';
import {
  achievementCredentialValidator,
  bundledSchemaValidator,
  compileForeignSchema,
  describeSchemaErrors,
  endorsementCredentialValidator,
} from './schema.js';
import type { Fetcher } from './fetcher.js';
import { parseStrictJson } from './strict-json.js';
import { asArray } from '../util.js';

export type CredentialKind = 'achievement' | 'endorsement';

/** What the checks here find is about conformance, not authenticity: the signature may still hold. */
const NOT_CONFORMANT = 'nonconformant';

export function checkType(credential: Record<string, unknown>, kind: CredentialKind, report: ReportBuilder): void {
  const types = asArray(credential.type);
  const expected =
    kind === 'achievement' ? ['OpenBadgeCredential', 'AchievementCredential'] : ['EndorsementCredential'];
  if (!types.includes('VerifiableCredential') || !types.some((type) => expected.includes(type as string))) {
    report.fail(
      'type',
      'type.notOpenBadge',
      `The credential's type is ${JSON.stringify(credential.type)}; it must include "VerifiableCredential" and ` +
        `"${expected[0]}".`,
      undefined,
      NOT_CONFORMANT,
    );
    return;
  }
  report.pass(
    'type',
    'type.ok',
    `The credential is ${kind === 'achievement' ? 'an OpenBadgeCredential' : 'an EndorsementCredential'}.`,
  );
}

const SCHEMA_LIMIT = 512 * 1024;

/**
 * JSON Schema conformance against the official OB 3.0 schema (held locally), after expanding the compacted
 * forms the spec allows. Schemas the credential declares beyond the official ones are fetched and applied.
 */
export async function checkSchema(
  credential: Record<string, unknown>,
  kind: CredentialKind,
  vcdm: '1.1' | '2.0',
  fetcher: Fetcher,
  report: ReportBuilder,
): Promise<void> {
  const { document, relaxed } = normalizeForSchema(vcdm === '1.1' ? vcdm11AsVcdm20(credential) : credential);
  const official = kind === 'achievement' ? achievementCredentialValidator() : endorsementCredentialValidator();
  if (!official(document)) {
    report.fail(
      'schema',
      'schema.invalid',
      `The credential does not conform to the Open Badges 3.0 schema: ${describeSchemaErrors(official.errors)}.`,
      { errors: describeSchemaErrors(official.errors) },
      NOT_CONFORMANT,
    );
    return;
  }
  for (const declared of asArray(credential.credentialSchema)) {
    const entry = declared as { id?: unknown; type?: unknown };
    if (!entry || entry.type !== '1EdTechJsonSchemaValidator2019' || typeof entry.id !== 'string') continue;
    let validate = bundledSchemaValidator(entry.id);
    if (!validate) {
      try {
        const { body } = await fetcher.fetch(entry.id, {
          accept: 'application/schema+json, application/json',
          maxBytes: SCHEMA_LIMIT,
        });
        validate = compileForeignSchema(
          parseStrictJson(body.toString('utf8'), { maxBytes: SCHEMA_LIMIT, maxDepth: 64 }) as object,
        );
      } catch (error) {
        report.fail(
          'schema',
          'schema.unreachable',
          `The credential declares the schema ${entry.id}, which could not be retrieved or compiled ` +
            `(${(error as Error).message}).`,
          { url: entry.id },
          NOT_CONFORMANT,
        );
        return;
      }
    }
    if (!validate(document)) {
      report.fail(
        'schema',
        'schema.declaredInvalid',
        `The credential does not conform to the schema it declares (${entry.id}): ` +
          `${describeSchemaErrors(validate.errors)}.`,
        { url: entry.id },
        NOT_CONFORMANT,
      );
      return;
    }
  }
  if (relaxed.length > 0) {
    report.warn(
      'schema',
      'schema.relaxed',
      `The credential conforms to the Open Badges 3.0 schema once ${relaxed.join(', ')} is read as a list, as many ` +
        `issuers write it.`,
    );
  } else {
    report.pass('schema', 'schema.ok', 'The credential conforms to the Open Badges 3.0 schema.');
  }
}

/** What the schema cannot say: one subject, identified by an id or an identifier, with criteria. */
export function checkSubject(credential: Record<string, unknown>, report: ReportBuilder): void {
  const subject = credential.credentialSubject;
  if (!subject || typeof subject !== 'object' || Array.isArray(subject)) {
    report.fail(
      'subject',
      'subject.notOne',
      'The credential must have exactly one credentialSubject object.',
      undefined,
      NOT_CONFORMANT,
    );
    return;
  }
  const { id, identifier, achievement } = subject as { id?: unknown; identifier?: unknown; achievement?: unknown };
  if (id === undefined && asArray(identifier).length === 0) {
    report.fail(
      'subject',
      'subject.noRecipient',
      'The credential does not say who received it: credentialSubject has neither an id nor an identifier.',
      undefined,
      NOT_CONFORMANT,
    );
    return;
  }
  const criteria = (achievement as { criteria?: { id?: unknown; narrative?: unknown } } | undefined)?.criteria;
  if (!criteria || (criteria.id === undefined && criteria.narrative === undefined)) {
    report.fail(
      'subject',
      'subject.noCriteria',
      'The achievement has no criteria (neither a criteria page nor a narrative).',
      undefined,
      NOT_CONFORMANT,
    );
    return;
  }
  report.pass('subject', 'subject.ok', 'The credential names its recipient and an achievement with criteria.');
}

export function checkRecipient(
  credential: Record<string, unknown>,
  expected: { email?: string; id?: string },
  report: ReportBuilder,
): void {
  const subject = credential.credentialSubject as { id?: unknown; identifier?: unknown } | undefined;
  const byId = expected.id !== undefined && subject?.id === expected.id;
  const byEmail =
    expected.email !== undefined &&
    asArray(subject?.identifier).some(
      (identity) =>
        identity &&
        typeof identity === 'object' &&
        identityMatches(identity as Record<string, unknown>, expected.email!),
    );
  if (byId || byEmail)
    report.pass('recipient', 'recipient.match', 'The credential was issued to the expected recipient.');
  else report.fail('recipient', 'recipient.mismatch', 'The credential was not issued to the expected recipient.');
}
