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
    super(
      `Undefined JSON-LD term${terms.length > 1 ? 's' : ''}: ${terms.join(', ')}. No context in @context defines ` +
        `${terms.length > 1 ? 'them' : 'it'}.`,
    );
    this.name = 'UndefinedTermError';
  }
}

/**
 * The canonicalization of a poison dataset (rdf-canon's test074c kind: blank nodes all linked to each other the
 * same way) was cut short by its work limit or deadline. Honest credentials never come near either.
 */
export class CanonizationLimitError extends Error {
  constructor(readonly reason: string) {
    super(
      `The credential's data is built so that canonicalizing it would take unbounded work ` +
        `(${reason.replace(/\.$/, '')}); its signature is not checked.`,
    );
    this.name = 'CanonizationLimitError';
  }
}

/** rdf-canonize's own messages for its work limit and its abort signal. */
export function isCanonizationLimit(error: unknown): boolean {
  return (
    error instanceof CanonizationLimitError ||
    /Maximum deep iterations exceeded|Abort signal received/.test(String((error as Error | undefined)?.message))
  );
}

/**
 * RDFC-1.0 work limits (security.md §4, poison graphs). maxWorkFactor 1 allows as many deep hashing steps as the
 * document has blank nodes that first-degree hashing cannot tell apart: a 200-node clique is refused in about a
 * second, instead of running for ever. It is rdf-canonize 5's default, set here so that no upgrade can lift it.
 * The deadline is a second line, for shapes the step count would let through slowly.
 */
const CANONIZE_LIMITS = { maxWorkFactor: 1 };
const CANONIZE_DEADLINE_MS = 2_000;

async function limited(canonize: () => Promise<string>): Promise<string> {
  try {
    return await canonize();
  } catch (error) {
    if (isCanonizationLimit(error) && !(error instanceof CanonizationLimitError))
      throw new CanonizationLimitError((error as Error).message);
    throw error;
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
 * - bounds the work on poison datasets (see CANONIZE_LIMITS and CanonizationLimitError);
 * - expands documents through the shape cache (expansion-cache.ts), which makes canonicalizing a credential
 *   about ten times cheaper when its shape was seen before;
 * - memoizes the canonical form of proof configurations. A batch signed in one second shares one proof
 *   configuration (same context, key, `created`), and canonicalizing it costs about a quarter of a signature
 *   (toolchain.md §5).
 */
export function withGuardedCanonize(suite: Cryptosuite): Cryptosuite {
  const proofCache = new Map<string, Promise<string>>();
  const canonize = async (input: object, callerOptions: Record<string, unknown>): Promise<string> => {
    const options = { ...callerOptions, ...CANONIZE_LIMITS, signal: AbortSignal.timeout(CANONIZE_DEADLINE_MS) };
    const isProofConfiguration = 'proofPurpose' in input && !('credentialSubject' in input);
    if (!isProofConfiguration) {
      const expanded = Array.isArray(input) ? input : await expansionCache.expand(input);
      // Already expanded (and expansion is idempotent): toRDF would otherwise walk the whole document again,
      // about a tenth of the cost of a signature.
      const nquads = await limited(() => suite.canonize(expanded as object, { ...options, skipExpansion: true }));
      assertNoUndefinedTerms(nquads);
      return nquads;
    }
    const key = JSON.stringify(input);
    let cached = proofCache.get(key);
    if (!cached) {
      if (proofCache.size >= PROOF_CACHE_LIMIT) proofCache.clear();
      cached = limited(() => suite.canonize(input, options)).then((nquads) => {
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
