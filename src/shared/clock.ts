import { randomUUID } from 'node:crypto';

/**
 * Time and identifiers, injected so tests control them. In src/shared/ because every layer below the use cases
 * (store repositories, keys, the outbox sender) needs them too: src/shared depends on nothing of the service.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function newId(): string {
  return randomUUID();
}
