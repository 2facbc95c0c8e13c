import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, DatabaseUnavailableError, ValidationError } from '../app/errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Sends an RFC 9457 problem document. */
export function sendProblem(
  res: Response,
  status: number,
  type: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `https://blason.dev/problems/${type}`,
        title: TITLES[status] ?? 'Error',
        status,
        detail,
        ...extra,
      }),
    );
}

/**
 * The answer to a request the database could not serve right now (DatabaseUnavailableError): 503 with
 * Retry-After, and a message that says what to do. Never a stack trace, never the driver's own words.
 */
export function sendUnavailable(res: Response, error: DatabaseUnavailableError): void {
  res.setHeader('Retry-After', String(error.retryAfterSeconds));
  res.setHeader('Cache-Control', 'no-store');
  const what =
    error.reason === 'busy' ? 'The database is busy at the moment' : 'The database is unavailable at the moment';
  sendProblem(
    res,
    503,
    'database-unavailable',
    `${what}. Retry in a few seconds: repeating the request is safe (nobody is awarded a badge twice).`,
  );
}

/** The DatabaseUnavailableError behind an error, if any (the store throws it; use cases may wrap it). */
export function databaseUnavailable(error: unknown): DatabaseUnavailableError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseUnavailableError) return e;
  }
  return undefined;
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
}

/** Multer's refusals of a form upload: the client's mistake, said in words. */
function uploadProblem(error: unknown): { status: number; detail: string } | undefined {
  const e = error as { name?: unknown; code?: unknown; field?: unknown };
  if (e?.name !== 'MulterError') return undefined;
  if (e.code === 'LIMIT_FILE_SIZE') return { status: 413, detail: 'The file is larger than this form accepts.' };
  if (e.code === 'LIMIT_UNEXPECTED_FILE') {
    const field = typeof e.field === 'string' ? ` ("${e.field}")` : '';
    return { status: 400, detail: `The form sent a file in a field it does not expect${field}.` };
  }
  return { status: 400, detail: 'The form sent more fields, files or data than it accepts.' };
}

/**
 * The one place errors become responses: AppErrors as they say, body-parser errors as 4xx, a busy or
 * unreachable database as 503 with Retry-After, anything else as a 500 that says nothing about the internals.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) {
      // Too late for a problem document: cut the response short rather than leave the client waiting.
      log.error({ err: error, path: req.path, id: (req as { id?: unknown }).id }, 'error after the response started');
      res.destroy();
      return;
    }
    if (error instanceof ValidationError)
      return sendProblem(res, 422, error.type, error.message, { errors: error.errors });
    if (error instanceof AppError) return sendProblem(res, error.status, error.type, error.message, error.extra);
    const parserError = error as BodyParserError;
    if (parserError.type === 'entity.too.large')
      return sendProblem(
        res,
        413,
        'too-large',
        `The request body is larger than the ${parserError.limit ? `${Math.round(parserError.limit / 1024)} KB` : ''}` +
          ' this endpoint accepts.',
      );
    if (parserError.type === 'entity.parse.failed')
      return sendProblem(res, 400, 'malformed-json', 'The request body is not valid JSON.');
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported')
      return sendProblem(res, 415, 'unsupported-encoding', 'The request body encoding is not supported; send UTF-8.');
    // serve-static's 404 carries the file's absolute path in its message: say nothing of it.
    if (parserError.status === 404) return sendProblem(res, 404, 'not-found', 'There is nothing at this address.');
    const upload = uploadProblem(error);
    if (upload) return sendProblem(res, upload.status, 'bad-upload', upload.detail);
    if (
      parserError.expose &&
      typeof parserError.status === 'number' &&
      parserError.status >= 400 &&
      parserError.status < 500
    ) {
      return sendProblem(res, parserError.status, 'bad-request', (error as Error).message);
    }
    // PostgreSQL refuses text it cannot store (a NUL character, an invalid byte sequence): the client's text.
    const sqlState = (error as { code?: unknown }).code;
    if (sqlState === '22021' || sqlState === '22P05') {
      return sendProblem(
        res,
        400,
        'bad-text',
        'The request contains characters that cannot be stored (such as the NUL character). Remove them and try again.',
      );
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable) {
      log.warn(
        { reason: unavailable.reason, detail: unavailable.message, path: req.path, id: (req as { id?: unknown }).id },
        'database unavailable',
      );
      return sendUnavailable(res, unavailable);
    }
    log.error({ err: error, path: req.path, id: (req as { id?: unknown }).id }, 'unhandled error');
    sendProblem(
      res,
      500,
      'internal',
      `Something went wrong on our side. Reference: ${String((req as { id?: unknown }).id ?? '')}.`,
    );
  };
}
