/**
 * The official Open Badges 3.0 API schemas (schemas/ob3, copied from the 1EdTech specification), as assertions:
 * a body that does not validate fails the test with the validator's own words.
 */
import { readFileSync } from 'node:fs';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { describeSchemaErrors } from '../../src/engine/verify/schema.js';
import { fromRoot } from '../../src/shared/paths.js';

type AddFormats = (ajv: Ajv2019) => Ajv2019;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);

const load = (file: string) => JSON.parse(readFileSync(fromRoot('schemas', 'ob3', file), 'utf8')) as Record<string, unknown>;
const cache = new Map<string, ValidateFunction>();

function validator(name: string): ValidateFunction {
  let validate = cache.get(name);
  if (!validate) {
    if (name === 'ServiceDescriptionDocument') {
      // The SDD exists only inside the OpenAPI description: validate against its component, refs and all.
      const openapi = load('openapi.json');
      validate = ajv.compile({ $ref: '#/components/schemas/ServiceDescriptionDocument', components: openapi.components });
    } else {
      validate = ajv.compile(load(`${name}.json`));
    }
    cache.set(name, validate);
  }
  return validate;
}

export type Ob3Schema = 'getopenbadgecredentialsresponse' | 'profile' | 'imsx_statusinfo' | 'achievementcredential' | 'endorsementcredential' | 'ServiceDescriptionDocument';

/** Throws with the schema errors when `body` does not validate. */
export function expectValid(schema: Ob3Schema, body: unknown): void {
  const validate = validator(schema);
  if (!validate(body)) throw new Error(`Not a valid ${schema}: ${describeSchemaErrors(validate.errors, 10)}\n${JSON.stringify(body).slice(0, 1500)}`);
}

/** True when `body` validates (for tests that expect it not to). */
export function isValid(schema: Ob3Schema, body: unknown): boolean {
  return validator(schema)(body) as boolean;
}
