import type { RequestHandler } from 'express';
import { ValidationError } from '../app/errors.js';
import { inputErrors, type InputSchema } from '../app/input-schemas.js';

/** Checks `req.body` against one of the request schemas in schemas/api/ (422 with every field error). */
export function validateBody(schema: InputSchema): RequestHandler {
  return (req, _res, next) => {
    if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new ValidationError('The request body must be a JSON object (Content-Type: application/json).');
    }
    const errors = inputErrors(schema, req.body);
    if (errors.length > 0) throw new ValidationError('The request body is not valid.', errors);
    next();
  };
}
