import { randomUUID } from 'node:crypto';

/** Time and identifiers, injected so tests control them. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function newId(): string {
  return randomUUID();
}

export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}
