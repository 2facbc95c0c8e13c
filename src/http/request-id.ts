import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/**
 * The id of the request being answered (pino-http's, also sent as X-Request-Id), for every log line written
 * while answering it: a use case logs through app.log and knows nothing of requests, yet its lines say which
 * request they belong to.
 */
const current = new AsyncLocalStorage<string>();

/** After pino-http (which gives req.id): the rest of the request runs in its scope. */
export function requestIdScope(): RequestHandler {
  return (req, _res, next) => current.run(String((req as { id?: unknown }).id ?? ''), next);
}

/** A pino mixin: `reqId` on each line written within a request. */
export function requestIdMixin(): Record<string, string> {
  const id = current.getStore();
  return id ? { reqId: id } : {};
}
