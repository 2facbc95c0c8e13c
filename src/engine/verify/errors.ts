import type { CheckCode } from './check-codes.js';

/** The input cannot be read as a credential at all (size, syntax, encoding). Carries a stable code. */
export class InputError extends Error {
  constructor(
    readonly code: CheckCode,
    message: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'InputError';
  }
}
