import { pingDatabase } from '../store/database.js';
import { hit, purgeBefore } from '../store/repositories/rate-limits.js';
import type { AppContext } from './context.js';
import type { StatusPurpose } from '../store/schema.js';

/**
 * What running the service asks of the database, outside any use case of its users: /health, rate-limit
 * counters, the metrics gauges. Here so that src/http reaches the store only through src/app.
 */

/** Resolves when the database answers (within `timeoutMs`); rejects, often with DatabaseUnavailableError. */
export function checkDatabase(app: Pick<AppContext, 'db'>, timeoutMs?: number): Promise<void> {
  return pingDatabase(app.db, timeoutMs);
}

/** Counts one request in a fixed window (start in seconds); returns the count so far, shared by every process. */
export function countRequest(app: Pick<AppContext, 'db'>, bucket: string, windowStart: number): Promise<number> {
  return hit(app.db, bucket, windowStart);
}

/** Forgets the counts of windows that started before `windowStart`. */
export function forgetRequestCounts(app: Pick<AppContext, 'db'>, windowStart: number): Promise<void> {
  return purgeBefore(app.db, windowStart);
}

/** How full each status list is: the share of its indexes already given to credentials. */
export async function statusListFill(
  app: Pick<AppContext, 'db'>,
): Promise<{ list: string; purpose: StatusPurpose; ratio: number }[]> {
  const lists = await app.db.selectFrom('status_lists').select(['id', 'purpose', 'size', 'allocated']).execute();
  return lists.map((l) => ({ list: l.id, purpose: l.purpose, ratio: l.size > 0 ? Number(l.allocated) / l.size : 0 }));
}
