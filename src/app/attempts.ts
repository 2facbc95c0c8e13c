import { createHmac } from 'node:crypto';
import { countAttempt, lockAttempts, purgeAttempts } from '../store/repositories/attempt-locks.js';
import type { Executor } from '../store/database.js';
import type { AppContext } from './context.js';

/**
 * Attempts at something guessable (a console password, a holder's sign-in code), counted per key in the database
 * before the guess is checked, so that guesses sent in parallel cannot slip past the limit together.
 */

/** What is counted: an address for console passwords, a requesting client for holder codes. */
export type AttemptSubject = 'console' | 'holder-code';

/** Keys nobody tried for this long are forgotten. */
const FORGET_AFTER_HOURS = 24;
let lastPurge = 0;

/** The key of a subject's counter: a keyed hash, so that no address (typed or IP) is stored. */
export function attemptKey(app: AppContext, subject: AttemptSubject, value: string): string {
  return `${subject}:${createHmac('sha256', app.recipientSecret).update(value, 'utf8').digest('hex')}`;
}

export interface CountedAttempt {
  /** This attempt's number since the last success or lock; it may go ahead when not locked and ≤ the limit. */
  attempts: number;
  /** The lock in force, if any. */
  lockedUntil?: string;
  allowed: boolean;
}

/** Counts one attempt under `key` and says whether it may be checked at all. */
export async function countAndCheck(app: AppContext, key: string, max: number): Promise<CountedAttempt> {
  const now = app.clock.now();
  if (now.getTime() - lastPurge > 3_600_000) {
    lastPurge = now.getTime();
    await purgeAttempts(app.db, new Date(now.getTime() - FORGET_AFTER_HOURS * 3_600_000).toISOString());
  }
  const counted = await countAttempt(app.db, key, now.toISOString());
  const locked = counted.lockedUntil !== null && Date.parse(counted.lockedUntil) > now.getTime();
  return {
    attempts: counted.attempts,
    ...(locked ? { lockedUntil: counted.lockedUntil! } : {}),
    allowed: !locked && counted.attempts <= max,
  };
}

/** Locks `key` for `minutes` unless it is locked already; answers the lock and whether this call set it. */
export async function lockKey(
  app: AppContext,
  key: string,
  minutes: number,
  db: Executor = app.db,
): Promise<{ until: string; set: boolean }> {
  const now = app.clock.now();
  return lockAttempts(db, key, now.toISOString(), new Date(now.getTime() + minutes * 60_000).toISOString());
}

/** Whole minutes left until `until`, at least 1 (said to people, and sent as Retry-After). */
export function minutesLeft(app: AppContext, until: string): number {
  return Math.max(1, Math.ceil((Date.parse(until) - app.clock.now().getTime()) / 60_000));
}
