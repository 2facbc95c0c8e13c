import { readFileSync } from 'node:fs';
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { engineAsset } from '../assets.js';
import { ACHIEVEMENT_CREDENTIAL_SCHEMA, ENDORSEMENT_CREDENTIAL_SCHEMA } from '../model/contexts.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
type AddFormats = (ajv: Ajv2019) => Ajv2019;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

function newAjv(): Ajv2019 {
  const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

const ajv = newAjv();
let achievementCredential: ValidateFunction | undefined;
let endorsementCredential: ValidateFunction | undefined;

function loadSchema(file: string): object {
  return JSON.parse(readFileSync(engineAsset('schemas', 'ob3', file), 'utf8')) as object;
}

export function achievementCredentialValidator(): ValidateFunction {
  return (achievementCredential ??= ajv.compile(loadSchema('achievementcredential.json')));
}

export function endorsementCredentialValidator(): ValidateFunction {
  return (endorsementCredential ??= ajv.compile(loadSchema('endorsementcredential.json')));
}

/** Official schema URLs (both purl spellings) we hold locally, so they are never fetched. */
const BUNDLED_SCHEMAS = new Map<string, () => ValidateFunction>([
  [ACHIEVEMENT_CREDENTIAL_SCHEMA.id, achievementCredentialValidator],
  [
    'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json',
    achievementCredentialValidator,
  ],
  [
    'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_anyachievementcredential_schema.json',
    achievementCredentialValidator,
  ],
  [ENDORSEMENT_CREDENTIAL_SCHEMA.id, endorsementCredentialValidator],
  [
    'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential-jsonschema1.json',
    endorsementCredentialValidator,
  ],
  [
    'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_anyendorsementcredential_schema.json',
    endorsementCredentialValidator,
  ],
]);

export function bundledSchemaValidator(url: string): ValidateFunction | undefined {
  return BUNDLED_SCHEMAS.get(url)?.();
}

/** Compiles a schema someone else publishes (fetched through the guarded fetcher). Never fetches `$ref`s. */
export function compileForeignSchema(schema: object): ValidateFunction {
  return newAjv().compile(schema);
}

/** "credentialSubject.achievement.criteria: must have required property 'narrative'", at most `max` of them. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined, max = 5): string {
  if (!errors || errors.length === 0) return 'unknown schema error';
  const unique = [
    ...new Set(
      errors.map((e) => {
        const where = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
        return `${where}: ${e.message ?? e.keyword}`;
      }),
    ),
  ];
  return unique.slice(0, max).join('; ') + (unique.length > max ? ` (and ${unique.length - max} more)` : '');
}
