import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import { bundledContexts } from './bundled-contexts.js';

export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: unknown;
  /** `static` lets jsonld.js cache the processed context for the life of the process. */
  tag?: 'static';
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/** Thrown for any URL the loader will not serve: JSON-LD contexts are never fetched. */
export class UnknownDocumentError extends Error {
  constructor(readonly url: string) {
    super(`JSON-LD context or document not recognised: ${url}. Blason only uses the contexts it bundles.`);
    this.name = 'UnknownDocumentError';
  }
}

const didKey = didKeyDriver();
didKey.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });
const didKeyCache = new Map<string, Promise<unknown>>();

/** Resolves a `did:key` DID or key URL (Ed25519 only) to its DID document or verification method, offline. */
export function resolveDidKey(url: string): Promise<unknown> {
  let cached = didKeyCache.get(url);
  if (!cached) {
    cached = didKey.get({ url });
    cached.catch(() => didKeyCache.delete(url));
    if (didKeyCache.size > 10_000) didKeyCache.clear();
    didKeyCache.set(url, cached);
  }
  return cached;
}

/**
 * The one context loader policy of the process (jsonld.js caches processed contexts by URL, process-wide):
 * bundled contexts, tagged static, and `did:key`. Everything else throws, so nothing is ever fetched.
 */
export const contextLoader: DocumentLoader = async (url) => {
  const document = bundledContexts().get(url);
  if (document !== undefined) return { contextUrl: null, documentUrl: url, document, tag: 'static' };
  if (url.startsWith('did:key:')) {
    try {
      return { contextUrl: null, documentUrl: url, document: await resolveDidKey(url) };
    } catch {
      throw new UnknownDocumentError(url);
    }
  }
  throw new UnknownDocumentError(url);
};

/**
 * A loader that also serves documents resolved for one verification (a verification method and its
 * controller, fetched through the guarded fetcher). Those are never tagged static.
 */
export function loaderWith(documents: ReadonlyMap<string, unknown>): DocumentLoader {
  return async (url) => {
    const document = documents.get(url);
    if (document !== undefined) return { contextUrl: null, documentUrl: url, document };
    return contextLoader(url);
  };
}
