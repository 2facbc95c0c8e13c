/**
 * OB 3.0 allows a one-element array to be written as a bare value in a few places (ob3-spec.md §4), and the
 * 1EdTech validator accepts those forms, but the canonical JSON Schemas do not. Before schema validation we
 * expand exactly the allowed compactions into arrays, on a copy, and note what we had to relax.
 */

/** Classes whose `type` may be written as a single string. */
const COMPACTABLE_TYPES = new Set([
  'Achievement',
  'AchievementCredential',
  'OpenBadgeCredential',
  'AchievementSubject',
  'Address',
  'Alignment',
  'EndorsementCredential',
  'EndorsementSubject',
  'Evidence',
  'Profile',
  'Related',
  'Result',
  'ResultDescription',
  'RubricCriterionLevel',
]);
/** Properties that may be a single object instead of an array, wherever they appear. */
const COMPACTABLE_PROPERTIES = ['credentialSchema', 'proof', 'termsOfUse'];

export interface Normalized {
  document: Record<string, unknown>;
  /** Lenient fixes beyond the spec's compaction list (e.g. `identifier` as a single object). */
  relaxed: string[];
}

export function normalizeForSchema(credential: Record<string, unknown>): Normalized {
  const relaxed: string[] = [];
  const visit = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => visit(item, `${path}[${i}]`));
    if (!value || typeof value !== 'object') return value;
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      let next = visit(child, path ? `${path}.${key}` : key);
      if (key === 'type' && typeof next === 'string' && COMPACTABLE_TYPES.has(next)) next = [next];
      if (COMPACTABLE_PROPERTIES.includes(key) && next && typeof next === 'object' && !Array.isArray(next))
        next = [next];
      if (
        key === 'identifier' &&
        path.endsWith('credentialSubject') &&
        next &&
        typeof next === 'object' &&
        !Array.isArray(next)
      ) {
        next = [next];
        relaxed.push(`${path}.identifier`);
      }
      copy[key] = next;
    }
    return copy;
  };
  return { document: visit(credential, '') as Record<string, unknown>, relaxed };
}

/** A VCDM 1.1 credential mapped onto the VCDM 2.0 shape, so the same schema checks everything else. */
export function vcdm11AsVcdm20(credential: Record<string, unknown>): Record<string, unknown> {
  const { issuanceDate, expirationDate, ...rest } = credential;
  const context = Array.isArray(credential['@context']) ? [...credential['@context']] : [];
  context[0] = 'https://www.w3.org/ns/credentials/v2';
  return {
    ...rest,
    '@context': context.filter(
      (c) =>
        c !== 'https://w3id.org/security/suites/ed25519-2020/v1' && c !== 'https://w3id.org/security/data-integrity/v1',
    ),
    ...(issuanceDate !== undefined ? { validFrom: issuanceDate } : {}),
    ...(expirationDate !== undefined ? { validUntil: expirationDate } : {}),
  };
}
