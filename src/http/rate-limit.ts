import { createHmac } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { AppContext } from '../app/context.js';
import { DatabaseUnavailableError } from '../app/errors.js';
import { countRequest, forgetRequestCounts } from '../app/operations.js';
import { sendProblem } from './problem.js';

/** The requesting client, as a keyed hash of its address (no IP address is ever stored). */
export function clientOf(app: AppContext, req: Request): string {
  return createHmac('sha256', app.recipientSecret)
    .update(req.ip ?? 'unknown')
    .digest('hex')
    .slice(0, 24);
}

/**
 * A fixed-window limit per client, counted in the database so that it holds across every process. The client
 * address is kept only as a keyed hash (no IP address is ever stored).
 */
export function rateLimit(app: AppContext, name: string, limitPerMinute: number): RequestHandler {
  let lastPurge = 0;
  return async (req, res, next) => {
    const windowStart = Math.floor(app.clock.now().getTime() / 60_000) * 60;
    const client = clientOf(app, req);
    let count: number;
    try {
      count = await countRequest(app, `${name}:${client}`, windowStart);
    } catch (error) {
      // Counting needs the database; when it is unavailable the limit fails open, so that what can still be
      // served without it (verifying someone else's badge) is not refused for want of a counter.
      if (!(error instanceof DatabaseUnavailableError)) throw error;
      return next();
    }
    res.setHeader('RateLimit-Limit', String(limitPerMinute));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limitPerMinute - count)));
    if (windowStart - lastPurge > 300) {
      lastPurge = windowStart;
      void forgetRequestCounts(app, windowStart - 120).catch(() => undefined);
    }
    if (count > limitPerMinute) {
      res.setHeader('Retry-After', String(60 - (Math.floor(app.clock.now().getTime() / 1000) % 60)));
      return sendProblem(
        res,
        429,
        'rate-limited',
        `Too many requests: at most ${limitPerMinute} a minute. Try again shortly.`,
      );
    }
    next();
  };
}
