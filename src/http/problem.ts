import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, ValidationError } from '../app/errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 406: 'Not acceptable',
  409: 'Conflict', 410: 'Gone', 413: 'Payload too large', 415: 'Unsupported media type', 422: 'Unprocessable content',
  429: 'Too many requests', 500: 'Internal server error', 503: 'Service unavailable',
};

/** Sends an RFC 9457 problem document. */
export function sendProblem(res: Response, status: number, type: string, detail: string, extra: Record<string, unknown> = {}): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({
    type: `https://blason.dev/problems/${type}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  }));
}

/** A database that cannot be reached or is locked: the request failed fast and can be retried. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR']
    .some((known) => code === known || code.startsWith(`${known}_`)) || /timeout exceeded when trying to connect/i.test(String((error as Error).message));
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
}

/**
 * The one place errors become responses: AppErrors as they say, body-parser errors as 4xx, an unreachable
 * database as 503, anything else as a 500 that says nothing about the internals.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof ValidationError) return sendProblem(res, 422, error.type, error.message, { errors: error.errors });
    if (error instanceof AppError) return sendProblem(res, error.status, error.type, error.message, error.extra);
    const parserError = error as BodyParserError;
    if (parserError.type === 'entity.too.large') return sendProblem(res, 413, 'too-large', `The request body is larger than the ${parserError.limit ? `${Math.round(parserError.limit / 1024)} KB` : ''} this endpoint accepts.`);
    if (parserError.type === 'entity.parse.failed') return sendProblem(res, 400, 'malformed-json', 'The request body is not valid JSON.');
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') return sendProblem(res, 415, 'unsupported-encoding', 'The request body encoding is not supported; send UTF-8.');
    if (parserError.expose && typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return sendProblem(res, parserError.status, 'bad-request', (error as Error).message);
    }
    if (isDatabaseUnavailable(error)) {
      log.warn({ err: { code: (error as { code?: string }).code }, path: req.path }, 'database unavailable');
      res.setHeader('Retry-After', '5');
      return sendProblem(res, 503, 'unavailable', 'The database is unavailable at the moment. Nothing was changed; try again in a few seconds.');
    }
    log.error({ err: error, path: req.path, id: (req as { id?: unknown }).id }, 'unhandled error');
    sendProblem(res, 500, 'internal', `Something went wrong on our side. Reference: ${String((req as { id?: unknown }).id ?? "")}.`);
  };
}
