/**
 * Errors a use case raises on purpose. Each carries an HTTP status, a stable `type` slug and a message a user
 * can act on; the HTTP layer turns them into `application/problem+json` (RFC 9457). Anything else is a bug
 * and becomes a 500 without details.
 */
export const ERROR_TYPES = [
  'bad-request',
  'validation',
  'unauthorized',
  'invalid-credentials',
  'locked',
  'forbidden',
  'csrf',
  'not-found',
  'archived',
  'erased',
  'holder-only',
  'conflict',
  'not-acceptable',
  'unsupported-media-type',
  'too-large',
  'too-many-claims',
  'too-many-recognitions',
  'recognition-off',
  'link-expired',
  'invalid-code',
  'too-many-codes',
  'invalid-client',
  'unreachable',
  'internal',
  // The OB 3.0 API's Imsx codes, kept in their own spelling because backpacks read them.
  'invalid_data',
  'not_modified',
] as const;

/** The stable slug of a problem (the last segment of its `type` URI): a typo fails to compile. */
export type ErrorType = (typeof ERROR_TYPES)[number];

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(404, 'not-found', `${what} not found.`);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError(403, 'forbidden', message);
export const unauthorized = (
  message = 'Authentication required: send an API token as "Authorization: Bearer <token>".',
) => new AppError(401, 'unauthorized', message);
export const conflict = (message: string, extra: Record<string, unknown> = {}) =>
  new AppError(409, 'conflict', message, extra);

/**
 * The rule a field broke: JSON Schema's keywords (as ajv names them), plus `image` for an uploaded picture. The
 * console says each in the reader's language with the field's label (src/views/presenters/field-errors.ts).
 */
export type FieldKeyword =
  | 'required'
  | 'minLength'
  | 'maxLength'
  | 'minItems'
  | 'maxItems'
  | 'minimum'
  | 'maximum'
  | 'format'
  | 'pattern'
  | 'enum'
  | 'type'
  | 'additionalProperties'
  | 'image';

export interface FieldError {
  field: string;
  message: string;
  keyword?: FieldKeyword;
  /** What the translation of `keyword` needs: a limit, a format's name, an image problem's code. */
  params?: { limit?: number; format?: string; problem?: string };
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(422, 'validation', message, { errors });
  }
}

export const badRequest = (message: string) => new AppError(400, 'bad-request', message);

/**
 * Raised by the store when the database cannot do the work right now (HTTP answers 503 with Retry-After).
 * Re-exported here because src/http reaches the store only through the use cases.
 */
export { DatabaseUnavailableError } from '../store/errors.js';
