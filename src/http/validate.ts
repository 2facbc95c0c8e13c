import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RequestHandler } from 'express';
import { ValidationError } from '../app/errors.js';
import { fromRoot } from '../paths.js';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
for (const file of readdirSync(fromRoot('schemas', 'api'))) {
  if (file.endsWith('.json')) ajv.addSchema(JSON.parse(readFileSync(fromRoot('schemas', 'api', file), 'utf8')) as object, file);
}

const compiled = new Map<string, ValidateFunction>();
function validator(schema: string): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.getSchema(schema);
    if (!validate) throw new Error(`No request schema ${schema}`);
    compiled.set(schema, validate);
  }
  return validate;
}

function fieldErrors(errors: ErrorObject[]): { field: string; message: string }[] {
  return errors.map((e) => {
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (e.keyword === 'additionalProperties') return { field: path ? `${path}.${String(e.params.additionalProperty)}` : String(e.params.additionalProperty), message: 'is not an accepted field' };
    if (e.keyword === 'required') return { field: path ? `${path}.${String(e.params.missingProperty)}` : String(e.params.missingProperty), message: 'is required' };
    return { field: path || '(body)', message: e.message ?? e.keyword };
  });
}

/** Checks `req.body` against one of the request schemas in schemas/api/ (422 with every field error). */
export function validateBody(schema: string): RequestHandler {
  const validate = validator(schema);
  return (req, _res, next) => {
    if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new ValidationError('The request body must be a JSON object (Content-Type: application/json).');
    }
    if (!validate(req.body)) throw new ValidationError('The request body is not valid.', fieldErrors(validate.errors ?? []));
    next();
  };
}
