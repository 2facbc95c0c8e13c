/**
 * How the engine reaches documents it does not hold: a foreign issuer's DID document or key, a status list.
 * The engine never opens a connection itself; the service injects a guarded implementation (SSRF rules,
 * timeouts, size caps) and tests inject a local one.
 */

export interface FetchedDocument {
  url: string;
  contentType: string;
  body: Buffer;
}

export type FetchFailure =
  'unreachable' | 'timeout' | 'too-large' | 'blocked' | 'not-found' | 'http-error' | 'bad-content';

export class FetchError extends Error {
  constructor(
    readonly reason: FetchFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface FetchOptions {
  accept: string;
  maxBytes: number;
}

export interface Fetcher {
  fetch(url: string, options: FetchOptions): Promise<FetchedDocument>;
  /**
   * What this fetcher sees the world through, when it wraps another (a per-verification budget around the
   * service's fetcher): facts learnt from documents it fetched (a status list's signature verified) may be
   * reused by any fetcher of the same scope, and by no other. Without it, the fetcher itself is the scope.
   */
  readonly scope?: object;
}

/** The scope facts learnt through `fetcher` belong to (see Fetcher.scope). */
export function scopeOf(fetcher: Fetcher): object {
  return fetcher.scope ?? fetcher;
}

/** A fetcher for fully offline verification: every remote document is unreachable. */
export const offlineFetcher: Fetcher = {
  fetch: async (url) => {
    throw new FetchError('unreachable', `Offline: ${url} was not fetched.`);
  },
};

/** A fetcher serving fixed documents by URL (tests, and documents a caller already holds). */
export function staticFetcher(documents: Record<string, string | object>, fallback: Fetcher = offlineFetcher): Fetcher {
  return {
    fetch: async (url, options) => {
      const document = documents[url];
      if (document === undefined) return fallback.fetch(url, options);
      const body = Buffer.from(typeof document === 'string' ? document : JSON.stringify(document));
      if (body.length > options.maxBytes)
        throw new FetchError('too-large', `${url} is larger than ${options.maxBytes} bytes.`);
      return { url, contentType: 'application/json', body };
    },
  };
}
