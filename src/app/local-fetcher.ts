import { FetchError, type Fetcher } from '../engine/verify/fetcher.js';
import type { AppContext } from './context.js';
import { AppError } from './errors.js';
import { publicImportedEndorsement } from './endorsement-import.js';
import { ob2Assertion, ob2BadgeClassById, ob2IssuerBySlug } from './ob2.js';
import { didDocumentForSlug, platformJwks, profileForSlug, publicCredential } from './public-documents.js';
import { statusListCredential } from './status-lists.js';
import { personDidDocument, personStatusList, publicRecognition } from './peer-recognition.js';

/**
 * Our own documents are read in-process, not over the network: a did:web of ours always says https, even when
 * the service runs on plain http in development, and the badge page must see a revocation the moment it is
 * made. Anything else goes to the guarded fetcher.
 */
export function localFirstFetcher(app: Omit<AppContext, 'fetcher'>, remote: Fetcher): Fetcher {
  const host = app.ids.baseUrl.host;
  const routes: [RegExp, (m: RegExpMatchArray, url: URL) => Promise<unknown>][] = [
    [/^\/issuers\/([a-z0-9-]+)\/did\.json$/, (m) => didDocumentForSlug(app as AppContext, m[1]!)],
    [/^\/\.well-known\/jwks\.json$/, () => platformJwks(app as AppContext)],
    // A holder's personal identity (peer recognition): her DID document and her revocation list.
    [/^\/people\/([0-9a-f]{20})\/did\.json$/, (m) => personDidDocument(app as AppContext, m[1]!)],
    [/^\/people\/([0-9a-f]{20})\/status$/, (m) => personStatusList(app as AppContext, m[1]!)],
    [
      /^\/recognitions\/([0-9a-f-]{36})$/,
      async (m) => (await publicRecognition(app as AppContext, m[1]!)).credential,
    ],
    [
      /^\/status\/([0-9a-f-]{36})$/,
      async (m) => JSON.parse((await statusListCredential(app as AppContext, m[1]!)).json),
    ],
    [/^\/issuers\/([a-z0-9-]+)$/, (m) => profileForSlug(app as AppContext, m[1]!)],
    [/^\/credentials\/([0-9a-f-]{36})(\/credential\.json)?$/, (m) => publicCredential(app as AppContext, m[1]!)],
    // Our hosted 2.0 assertions too, so that verifying one by its URL says "Open Badges 2.0", not "not ours".
    [/^\/ob2\/assertions\/([0-9a-f-]{36})$/, async (m) => (await ob2Assertion(app as AppContext, m[1]!)).assertion],
    // …and the BadgeClass and Issuer it links to, which verifying it reads.
    [
      /^\/ob2\/badges\/([0-9a-f-]{36})$/,
      (m, url) => ob2BadgeClassById(app as AppContext, m[1]!, url.searchParams.get('lang') === 'en' ? 'en' : 'fr'),
    ],
    [/^\/ob2\/issuers\/([a-z0-9-]+)$/, (m) => ob2IssuerBySlug(app as AppContext, m[1]!)],
    // An endorsement imported from elsewhere, as signed (a JWT is served as its text, not as JSON).
    [
      /^\/achievements\/([0-9a-f-]{36})\/endorsements\/([0-9a-f-]{36})$/,
      async (m) => (await publicImportedEndorsement(app as AppContext, m[1]!, m[2]!)).content,
    ],
  ];
  return {
    fetch: async (rawUrl, options) => {
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        return remote.fetch(rawUrl, options);
      }
      if (url.host !== host) return remote.fetch(rawUrl, options);
      for (const [pattern, serve] of routes) {
        const match = url.pathname.match(pattern);
        if (!match) continue;
        try {
          const served = await serve(match, url);
          // Routes answer documents; a string is already the published text (an imported JWT or JSON).
          const body = Buffer.from(typeof served === 'string' ? served : JSON.stringify(served));
          return { url: url.href, contentType: 'application/json', body };
        } catch (error) {
          if (error instanceof AppError && error.status === 404)
            throw new FetchError('not-found', `${url.href} does not exist.`, 404);
          throw error;
        }
      }
      throw new FetchError('not-found', `${url.href} is not a document Blason publishes.`, 404);
    },
  };
}
