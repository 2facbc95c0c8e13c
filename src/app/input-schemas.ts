import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fromRoot } from '../shared/paths.js';
import { ValidationError, type FieldError } from './errors.js';
import type { InputTypes } from './input-types.js';

/**
 * What a use case accepts, as JSON Schemas in schemas/api/. The HTTP API checks request bodies against them
 * (src/http/validate.ts) and the use cases check their input against the same ones, so that every door (the API,
 * the console's forms) holds to one rule: a console form once stored `javascript:` URLs that the API refused.
 */
export type InputSchema =
  | 'achievement-create.json'
  | 'achievement-update.json'
  | 'award-message.json'
  | 'credential-award.json'
  | 'credential-erase.json'
  | 'endorsement-create.json'
  | 'endorsement-import.json'
  | 'endorsement-request-answer.json'
  | 'endorsement-request-create.json'
  | 'issuer-create.json'
  | 'issuer-update.json'
  | 'peer-recognition.json'
  | 'pathway-create.json'
  | 'status-change.json'
  | 'user-create.json'
  | 'vc-api-issue.json'
  | 'vc-api-status.json'
  | 'vc-api-verify-credential.json'
  | 'vc-api-verify-presentation.json'
  | 'vcapi-exchange.json'
  | 'verify-page.json';

type AddFormats = (ajv: Ajv) => Ajv;
const formatsModule = addFormatsModule as unknown as { default?: AddFormats };
const addFormats = (formatsModule.default ?? addFormatsModule) as unknown as AddFormats;

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
for (const file of readdirSync(fromRoot('schemas', 'api'))) {
  if (!file.endsWith('.json')) continue;
  ajv.addSchema(JSON.parse(readFileSync(fromRoot('schemas', 'api', file), 'utf8')) as object, file);
}

const compiled = new Map<string, ValidateFunction>();
function validator(schema: InputSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.getSchema(schema);
    if (!validate) throw new Error(`No input schema ${schema}`);
    compiled.set(schema, validate);
  }
  return validate;
}

/** The keywords whose errors name a limit in `params.limit`, as ajv reports them. */
const LIMITED: ReadonlySet<string> = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum']);
const EXPLAINED: ReadonlySet<string> = new Set([...LIMITED, 'format', 'pattern', 'enum', 'type']);

/** ajv's errors as fields, each with its keyword so that the console can say it in the reader's language. */
function fieldErrors(errors: ErrorObject[]): FieldError[] {
  return errors.map((e): FieldError => {
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const under = (name: unknown) => (path ? `${path}.${String(name)}` : String(name));
    if (e.keyword === 'additionalProperties') {
      return {
        field: under(e.params.additionalProperty),
        message: 'is not an accepted field',
        keyword: 'additionalProperties',
      };
    }
    if (e.keyword === 'required') {
      return { field: under(e.params.missingProperty), message: 'is required', keyword: 'required' };
    }
    const error: FieldError = { field: path || '(body)', message: e.message ?? e.keyword };
    if (!EXPLAINED.has(e.keyword)) return error;
    const params = e.params as { limit?: unknown; format?: unknown };
    return {
      ...error,
      keyword: e.keyword as FieldError['keyword'],
      ...(LIMITED.has(e.keyword) && typeof params.limit === 'number' ? { params: { limit: params.limit } } : {}),
      ...(e.keyword === 'format' && typeof params.format === 'string' ? { params: { format: params.format } } : {}),
    };
  });
}

/** Every way `value` breaks `schema` (none when it is valid). */
export function inputErrors(schema: InputSchema, value: unknown): FieldError[] {
  const validate = validator(schema);
  return validate(value) ? [] : fieldErrors(validate.errors ?? []);
}

/**
 * Throws a ValidationError (422) naming every field of `value` that breaks `schema`; past it, `value` has the
 * schema's own type (src/app/input-types.ts, generated from the schema).
 */
export function checkInput<S extends InputSchema>(schema: S, value: unknown): asserts value is InputTypes[S] {
  const errors = inputErrors(schema, value);
  if (errors.length === 0) return;
  const fields = [...new Set(errors.map((e) => e.field))];
  throw new ValidationError(`Not valid: ${fields.join(', ')}.`, errors);
}
