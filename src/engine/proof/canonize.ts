import type { Cryptosuite } from '@digitalbazaar/data-integrity';
import { contextLoader } from '../jsonld/document-loader.js';
import { ExpansionCache } from '../jsonld/expansion-cache.js';

const ISSUER_DEPENDENT = /<https:\/\/www\.w3\.org\/ns\/credentials\/issuer-dependent#([^>]*)>/g;

/**
 * A term no bundled context defines. Under the VCDM 2.0 context such a term does not vanish (which JSON-LD
 * safe mode would catch): it silently expands to an `issuer-dependent#` IRI. OB 3.0 counts it as an error,
 * so canonicalization refuses it, on signing and on verifying alike.
 */
export class UndefinedTermError extends Error {
  constructor(readonly terms: string[]) {
    super(`Undefined JSON-LD term${terms.length > 1 ? 's' : ''}: ${terms.join(', ')}. No context in @context defines ${terms.length > 1 ? 'them' : 'it'}.`);
    this.name = 'UndefinedTermError';
  }
}

function assertNoUndefinedTerms(nquads: string): void {
  const terms = new Set<string>();
  for (const match of nquads.matchAll(ISSUER_DEPENDENT)) terms.add(decodeURIComponent(match[1] ?? ''));
  if (terms.size > 0) throw new UndefinedTermError([...terms]);
}

const PROOF_CACHE_LIMIT = 2_000;

/** One expansion cache per process, over the bundled contexts only (documents never load anything else). */
export const expansionCache = new ExpansionCache(contextLoader);

/**
 * Wraps a cryptosuite's canonize:
 * - refuses undefined terms (see UndefinedTermError);
 * - expands documents through the shape cache (expansion-cache.ts), which makes canonicalizing a credential
 *   about ten times cheaper when its shape was seen before;
 * - memoizes the canonical form of proof configurations. A batch signed in one second shares one proof
 *   configuration (same context, key, `created`), and canonicalizing it costs about a quarter of a signature
 *   (toolchain.md §5).
 */
export function withGuardedCanonize(suite: Cryptosuite): Cryptosuite {
  const proofCache = new Map<string, Promise<string>>();
  const canonize = async (input: object, options: Record<string, unknown>): Promise<string> => {
    const isProofConfiguration = 'proofPurpose' in input && !('credentialSubject' in input);
    if (!isProofConfiguration) {
      const expanded = Array.isArray(input) ? input : await expansionCache.expand(input);
      const nquads = await suite.canonize(expanded as object, options);
      assertNoUndefinedTerms(nquads);
      return nquads;
    }
    const key = JSON.stringify(input);
    let cached = proofCache.get(key);
    if (!cached) {
      if (proofCache.size >= PROOF_CACHE_LIMIT) proofCache.clear();
      cached = suite.canonize(input, options).then((nquads) => {
        assertNoUndefinedTerms(nquads);
        return nquads;
      });
      cached.catch(() => proofCache.delete(key));
      proofCache.set(key, cached);
    }
    return cached;
  };
  return { ...suite, canonize };
}
