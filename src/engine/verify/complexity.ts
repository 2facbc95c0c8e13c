import { InputError } from './errors.js';

/**
 * How much JSON-LD work a credential may ask for, counted on the parsed JSON before anything expands it
 * (security.md §4 and §11 API4). Expansion costs about a millisecond for each typed object (jsonld.js copies
 * the type-scoped context every time) and runs without yielding, and canonicalization grows with the blank
 * nodes it has to tell apart. The byte cap alone let through a credential with 11,500 alignments (957 KB,
 * 19 s of CPU) and a 100-node blank-node clique (150 KB, about a second, four times that under load).
 *
 * The limits are well above any honest badge: one Blason issues has about 15 objects and 10 blank nodes;
 * its achievement aligns with at most 120 EntreComp entries (15 competences × 8 levels); an OB 3.0 credential
 * with the 16 endorsements Blason verifies at most, each a full credential, stays under 500 objects.
 */
export interface ComplexityLimits {
  /** JSON objects anywhere in the document, embedded endorsements included. */
  maxObjects: number;
  /** Items of all arrays together. */
  maxArrayItems: number;
  /** Objects that become blank nodes: those without an `id`, or whose `id` is a blank node (`_:…`). */
  maxBlankNodes: number;
  /** `alignment` entries, all achievements and results together. */
  maxAlignments: number;
  /** `evidence` entries. */
  maxEvidence: number;
  /** `proof` entries: each is checked by canonicalizing the whole document once more. */
  maxProofs: number;
}

export const DEFAULT_COMPLEXITY_LIMITS: ComplexityLimits = {
  maxObjects: 1_500,
  maxArrayItems: 10_000,
  maxBlankNodes: 500,
  maxAlignments: 250,
  maxEvidence: 250,
  maxProofs: 32,
};

type Measure = 'objects' | 'arrayItems' | 'blankNodes' | 'alignments' | 'evidence' | 'proofs';

const WORDS: Record<Measure, string> = {
  objects: 'JSON objects',
  arrayItems: 'list items',
  blankNodes: 'entries without an identifier (blank nodes)',
  alignments: 'alignments',
  evidence: 'evidence entries',
  proofs: 'proofs',
};

const LIMIT_OF: Record<Measure, keyof ComplexityLimits> = {
  objects: 'maxObjects',
  arrayItems: 'maxArrayItems',
  blankNodes: 'maxBlankNodes',
  alignments: 'maxAlignments',
  evidence: 'maxEvidence',
  proofs: 'maxProofs',
};

/** Keys whose entries are counted as such, besides being objects like any other. */
const LISTED: Record<string, Measure> = { alignment: 'alignments', evidence: 'evidence', proof: 'proofs' };

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/** `count` is known exactly for listed entries; for the rest, the walk stopped as soon as the limit was crossed. */
function refuse(measure: Measure, count: number | undefined, limit: number): never {
  throw new InputError(
    'input.tooComplex',
    `This credential is too complex to verify: it holds ${count ?? `more than ${limit}`} ${WORDS[measure]}, ` +
      'and Blason ' +
      `verifies credentials with at most ${limit}. No badge needs that many; checking it would tie up the verifier, ` +
      'so it was refused unchecked. Ask the person who sent it for the badge exactly as its issuer delivered it.',
    { measure, ...(count !== undefined ? { count } : {}), limit },
  );
}

/** The payload of a compact JWS, parsed, or undefined when it is not JSON (the JWT check then says why). */
export function jwtPayloadOf(jwt: string): unknown {
  if (!COMPACT_JWS.test(jwt)) return undefined;
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

type Container = Record<string, unknown> | unknown[];

/**
 * Every object and array of the document, depth first, with whether it sits in an `@context` (where objects
 * are term definitions, not nodes). The payloads of `endorsementJwt` entries are walked too: each is verified
 * as a credential of its own.
 */
function* containers(document: unknown): Generator<{ value: Container; inContext: boolean }> {
  const pending: { value: unknown; inContext: boolean }[] = [{ value: document, inContext: false }];
  while (pending.length > 0) {
    const { value, inContext } = pending.pop()!;
    if (!value || typeof value !== 'object') continue;
    yield { value: value as Container, inContext };
    if (Array.isArray(value)) {
      for (const item of value) pending.push({ value: item, inContext });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === 'endorsementJwt' && !inContext) {
        for (const jwt of Array.isArray(child) ? child : [child]) {
          pending.push({ value: typeof jwt === 'string' ? jwtPayloadOf(jwt) : undefined, inContext });
        }
      } else {
        pending.push({ value: child, inContext: inContext || key === '@context' });
      }
    }
  }
}

/** How many entries the document lists under `key`, everywhere. */
function entriesUnder(document: unknown, key: string): number {
  let total = 0;
  for (const { value, inContext } of containers(document)) {
    if (inContext || Array.isArray(value) || !(key in value)) continue;
    const child = value[key];
    total += Array.isArray(child) ? child.length : 1;
  }
  return total;
}

/**
 * Throws InputError 'input.tooComplex' when `document` asks for more work than `limits` allow. The walk stops
 * at the first limit crossed, so its own cost is bounded by the limits, not by the input; past a limit on
 * listed entries (alignments…), a second walk counts them all, for a message that gives the true number.
 */
export function assertComplexity(document: unknown, limits: ComplexityLimits = DEFAULT_COMPLEXITY_LIMITS): void {
  const counts: Record<Measure, number> = {
    objects: 0,
    arrayItems: 0,
    blankNodes: 0,
    alignments: 0,
    evidence: 0,
    proofs: 0,
  };
  const add = (measure: Measure, n: number): void => {
    counts[measure] += n;
    const limit = limits[LIMIT_OF[measure]];
    if (counts[measure] > limit) refuse(measure, undefined, limit);
  };
  for (const { value, inContext } of containers(document)) {
    if (Array.isArray(value)) {
      add('arrayItems', value.length);
      continue;
    }
    add('objects', 1);
    if (inContext) continue;
    if (!('@value' in value)) {
      const id = value.id ?? value['@id'];
      if (typeof id !== 'string' || id.startsWith('_:')) add('blankNodes', 1);
    }
    // Checked as soon as the list is seen, before its entries are walked: a list past its limit is refused as such.
    for (const [key, measure] of Object.entries(LISTED)) {
      if (!(key in value)) continue;
      const child = value[key];
      counts[measure] += Array.isArray(child) ? child.length : 1;
      const limit = limits[LIMIT_OF[measure]];
      if (counts[measure] > limit) refuse(measure, entriesUnder(document, key), limit);
    }
  }
}
