import jsonld from 'jsonld';
import type { DocumentLoader } from './document-loader.js';

/**
 * JSON-LD expansion by shape.
 *
 * Expanding a credential costs about 2 ms, nearly all of it jsonld.js copying type-scoped contexts
 * (digitalbazaar/jsonld.js#414); canonicalizing an already expanded credential costs 0.2 ms. Yet two
 * credentials of one badge differ only in string values (ids, salts, hashes, dates, names), and how a string
 * value expands depends on the term it sits under, not on the string, with one exception handled below.
 *
 * So a document is split into a *skeleton* (keys, structure, `@context`, `type` values, numbers and booleans)
 * and its string leaves. The skeleton, with every leaf replaced by a unique absolute-IRI placeholder, is
 * expanded once; that tells which leaves land in `@value` (literals: any string is safe to put back) and which
 * in `@id` (IRIs: only an absolute IRI such as `https:…`, `urn:…` or `did:…` expands to itself; anything else,
 * like `Competency` under an `@vocab`-typed term or a relative `#x`, must go through real expansion). The
 * leaves of the second kind are folded into the cache key, the rest are substituted back into the cached
 * expansion. Each cached template is checked once against a full expansion of a real document before use.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const PLACEHOLDER = 'urn:x-blason-slot:';
const SAFE_ABSOLUTE_IRI = /^(https?|urn|did|mailto|data):[^\s]*$/i;
const CACHE_LIMIT = 500;

/** Keys whose string values are part of the shape, never placeholders. */
function keepsValue(key: string): boolean {
  return (
    key === 'type' ||
    key === '@type' ||
    key === '@context' ||
    (key.startsWith('@') && key !== '@id' && key !== '@value')
  );
}

interface Skeleton {
  template: Json;
  leaves: string[];
}

/**
 * A copy of the document in which every string leaf outside contexts and types (the ones that can vary
 * between two credentials of one shape) is replaced by `replace(leaf, n)`, n counting those leaves in
 * document order.
 */
function mapLeaves(document: Json, replace: (leaf: string, index: number) => string): Json {
  let count = 0;
  const walk = (value: Json, keep: boolean): Json => {
    if (typeof value === 'string') return keep ? value : replace(value, count++);
    if (Array.isArray(value)) return value.map((item) => walk(item, keep));
    if (value && typeof value === 'object') {
      const out: { [key: string]: Json } = {};
      for (const [key, child] of Object.entries(value))
        out[key] = key === '@context' ? child : walk(child, keep || keepsValue(key));
      return out;
    }
    return value;
  };
  return walk(document, false);
}

/** Replaces every string leaf (outside contexts and types) with a numbered placeholder. */
function skeletonOf(document: Json): Skeleton {
  const leaves: string[] = [];
  const template = mapLeaves(document, (leaf, index) => {
    leaves.push(leaf);
    return `${PLACEHOLDER}${index}`;
  });
  return { template, leaves };
}

type SlotKind = 'value' | 'id' | 'other';

/** Where each placeholder ended up in an expansion. */
function classify(expanded: Json, count: number): SlotKind[] {
  const kinds: (SlotKind | undefined)[] = new Array(count);
  const note = (index: number, kind: SlotKind) => {
    kinds[index] = kinds[index] === undefined || kinds[index] === kind ? kind : 'other';
  };
  const indexOf = (text: string): number | undefined => {
    if (!text.includes(PLACEHOLDER)) return undefined;
    const match = /^urn:x-blason-slot:(\d+)$/.exec(text);
    return match ? Number(match[1]) : -1;
  };
  const walk = (value: Json, parentKey: string | undefined): void => {
    if (typeof value === 'string') {
      const index = indexOf(value);
      if (index === undefined) return;
      if (index < 0) {
        // A placeholder inside a longer string: that leaf changes how it expands. Mark every one it contains.
        for (const m of value.matchAll(/urn:x-blason-slot:(\d+)/g)) note(Number(m[1]), 'other');
        return;
      }
      note(index, parentKey === '@value' ? 'value' : parentKey === '@id' ? 'id' : 'other');
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, parentKey === '@type' ? '@type' : parentKey);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const index = indexOf(key);
        if (index !== undefined) {
          if (index >= 0) note(index, 'other');
        }
        walk(child, key);
      }
    }
  };
  walk(expanded, undefined);
  // A placeholder that vanished was dropped by expansion: its value matters (or safe mode would have thrown).
  return Array.from(kinds, (kind) => kind ?? 'other');
}

function substitute(value: Json, leaves: readonly string[]): Json {
  if (typeof value === 'string') {
    if (!value.startsWith(PLACEHOLDER)) return value;
    return leaves[Number(value.slice(PLACEHOLDER.length))]!;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, leaves));
  if (value && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, child] of Object.entries(value)) out[key] = substitute(child, leaves);
    return out;
  }
  return value;
}

interface SkeletonEntry {
  kinds: SlotKind[];
}

interface TemplateEntry {
  /** The expansion with placeholders for the substitutable leaves. */
  expanded: Json;
  /** Checked against a full expansion of a real document; `false` means: never use this template. */
  trusted: boolean | undefined;
}

export interface ExpansionCacheStats {
  hits: number;
  misses: number;
  bypassed: number;
}

export class ExpansionCache {
  private readonly skeletons = new Map<string, Promise<SkeletonEntry>>();
  private readonly templates = new Map<string, Promise<TemplateEntry>>();
  readonly stats: ExpansionCacheStats = { hits: 0, misses: 0, bypassed: 0 };

  constructor(private readonly documentLoader: DocumentLoader) {}

  private options(): Record<string, unknown> {
    return { documentLoader: this.documentLoader, safe: true, base: null };
  }

  private remember<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let entry = map.get(key);
    if (!entry) {
      if (map.size >= CACHE_LIMIT) map.clear();
      entry = make();
      entry.catch(() => map.delete(key));
      map.set(key, entry);
    }
    return entry;
  }

  /**
   * The expanded form of `document`, identical to `jsonld.expand(document, {safe: true})`. Errors (safe mode,
   * unknown contexts) are the same as a full expansion's, because anything unusual goes through one.
   */
  async expand(document: object): Promise<unknown> {
    const { template, leaves } = skeletonOf(document as Json);
    const skeletonKey = JSON.stringify(template);
    let skeleton: SkeletonEntry;
    try {
      skeleton = await this.remember(this.skeletons, skeletonKey, async () => ({
        kinds: classify(
          (await jsonld.expand(template as never, this.options() as never)) as unknown as Json,
          leaves.length,
        ),
      }));
    } catch {
      // The placeholder skeleton itself does not expand (safe mode, contexts): let the real expansion say why.
      this.stats.bypassed++;
      return jsonld.expand(document as never, this.options() as never);
    }
    // Leaves that cannot be substituted become part of the template, and of its key.
    const fixed: (string | undefined)[] = leaves.map((leaf, i) => {
      const kind = skeleton.kinds[i];
      if (kind === 'value') return undefined;
      if (kind === 'id' && SAFE_ABSOLUTE_IRI.test(leaf)) return undefined;
      return leaf;
    });
    const templateKey = `${skeletonKey}\u0000${JSON.stringify(fixed)}`;
    const partial = (): Json => mapLeaves(document as Json, (_leaf, index) => fixed[index] ?? `${PLACEHOLDER}${index}`);
    const entry = await this.remember(this.templates, templateKey, async () => {
      this.stats.misses++;
      return {
        expanded: (await jsonld.expand(partial() as never, this.options() as never)) as unknown as Json,
        trusted: undefined,
      };
    });
    if (entry.trusted === false) {
      this.stats.bypassed++;
      return jsonld.expand(document as never, this.options() as never);
    }
    const result = substitute(entry.expanded, leaves);
    if (entry.trusted === undefined) {
      // First use: the template must reproduce the full expansion of a real document exactly.
      const full = await jsonld.expand(document as never, this.options() as never);
      entry.trusted = JSON.stringify(full) === JSON.stringify(result);
      return full;
    }
    this.stats.hits++;
    return result;
  }
}
