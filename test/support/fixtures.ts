import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures');

export function fixtureBytes(...segments: string[]): Buffer {
  return readFileSync(path.join(FIXTURES, ...segments));
}

export function fixtureJson<T = Record<string, unknown>>(...segments: string[]): T {
  return JSON.parse(fixtureBytes(...segments).toString('utf8')) as T;
}
