import { FetchError, scopeOf, type FetchedDocument, type Fetcher } from '../engine/verify/fetcher.js';

/**
 * One verification's fetches share one deadline. Each fetch of the guarded fetcher is bounded (5 s), but a
 * credential decides how many there are: declared schemas, keys, status lists, endorsements (up to 16, each
 * with its own key and status list). Without a shared budget a hostile credential whose hosts each answer
 * just before the timeout holds a verification for minutes. With it, the verification ends within
 * `budgetMs` (plus its own computing), and whatever could not be fetched in time is reported as unreachable.
 *
 * The same document asked for twice in one verification (the issuer's DID document for the credential and
 * again for its status list, say) is fetched once; a failure is remembered too, so a dead host costs its
 * timeout once.
 */
export function budgetedFetcher(inner: Fetcher, budgetMs: number): Fetcher {
  const deadline = Date.now() + budgetMs;
  const fetched = new Map<string, Promise<FetchedDocument>>();
  const withinBudget = (url: string, work: () => Promise<FetchedDocument>): Promise<FetchedDocument> => {
    const remaining = deadline - Date.now();
    const spent = () =>
      new FetchError(
        'timeout',
        `${url} was not fetched: this verification's ${budgetMs / 1000} s for fetching documents ran out.`,
      );
    if (remaining <= 0) return Promise.reject(spent());
    let timer: NodeJS.Timeout | undefined;
    // The inner fetch keeps its own (bounded) timeout and closes its socket then; here we stop waiting for it.
    const expiry = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(spent()), remaining);
    });
    return Promise.race([work(), expiry]).finally(() => clearTimeout(timer));
  };
  return {
    scope: scopeOf(inner),
    fetch: (url, options) => {
      const key = `${options.maxBytes} ${options.accept} ${url}`;
      let pending = fetched.get(key);
      if (!pending) {
        pending = withinBudget(url, () => inner.fetch(url, options));
        fetched.set(key, pending);
      }
      return pending;
    },
  };
}
