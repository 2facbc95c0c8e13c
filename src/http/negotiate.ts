import type { Request } from 'express';

export type CredentialForm = 'html' | 'json' | 'jwt';

const JSON_TYPES = ['application/vc+ld+json', 'application/ld+json', 'application/json'];
const JWT_TYPES = ['application/vc+jwt', 'application/jwt', 'text/plain'];

/**
 * Which form of a credential the client wants: the HTML page, the signed JSON-LD, or the JWT, with the exact
 * media type to answer with. A browser's Accept (text/html first) gets the page; `*\/*` gets JSON.
 */
export function credentialForm(req: Request): { form: CredentialForm; type: string } | undefined {
  const accept = req.get('accept') ?? '*/*';
  const best = req.accepts(['text/html', ...JSON_TYPES, ...JWT_TYPES]);
  if (!best) return undefined;
  if (best === 'text/html') {
    // `*/*` alone (curl, fetch, verifiers) wants data, not a page.
    return /text\/html/.test(accept)
      ? { form: 'html', type: 'text/html' }
      : { form: 'json', type: 'application/vc+ld+json' };
  }
  if (JSON_TYPES.includes(best)) return { form: 'json', type: best };
  return { form: 'jwt', type: best };
}

/**
 * Whether a document that is JSON-LD for machines (an issuer's profile, a badge definition) should be answered
 * with its page: only for a browser, whose Accept names text/html first. `*\/*`, JSON types, anything else, and
 * `?format=json` (the page's own link) keep the JSON-LD.
 */
export function wantsPage(req: Request): boolean {
  if (req.query.format === 'json') return false;
  const accept = req.get('accept') ?? '';
  const best = req.accepts(['text/html', 'application/ld+json', 'application/json']);
  return /text\/html/.test(accept) && best === 'text/html';
}
