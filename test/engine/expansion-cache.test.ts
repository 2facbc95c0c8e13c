/**
 * The shape cache gives exactly what a full JSON-LD expansion gives (and the same errors), for any strings in a
 * credential: it is a speed-up, never a change of meaning.
 */
import fc from 'fast-check';
import jsonld from 'jsonld';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { ExpansionCache } from '../../src/engine/jsonld/expansion-cache.js';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { draft, testIssuer, type TestIssuer } from '../support/credentials.js';
import { FIXTURES } from '../support/fixtures.js';

const options = { documentLoader: contextLoader, safe: true, base: null };
const full = async (document: object) => jsonld.expand(document as never, options as never);

async function outcome(promise: Promise<unknown>): Promise<{ ok: true; value: string } | { ok: false }> {
  try {
    return { ok: true, value: JSON.stringify(await promise) };
  } catch {
    return { ok: false };
  }
}

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await testIssuer();
});

test('every JSON fixture and spec example expands as jsonld.js expands it', async () => {
  const cache = new ExpansionCache(contextLoader);
  const files = [
    ...readdirSync(path.join(FIXTURES, 'ob30')).filter((f) => f.endsWith('.json')).map((f) => path.join(FIXTURES, 'ob30', f)),
    ...readdirSync(path.join(FIXTURES, 'examples')).map((f) => path.join(FIXTURES, 'examples', f)),
  ];
  for (const file of files) {
    const document = JSON.parse(readFileSync(file, 'utf8')) as { proof?: unknown };
    delete document.proof;
    // Twice: the first call fills the cache, the second one uses it.
    for (let round = 0; round < 2; round++) expect([file, await outcome(cache.expand(document))]).toEqual([file, await outcome(full(document))]);
  }
});

const text = fc.oneof(
  fc.string(),
  fc.constantFrom('', '#x', 'relative/path', 'ext:Other', 'Competency', 'Badge', 'emailAddress', 'https://example.org/a b', 'urn:uuid:1', 'did:web:x.org', 'mailto:a@b.c', '_:b0', '@id', 'http://[::1]/'),
  fc.webUrl(),
);

test('a credential with arbitrary strings in any field expands (or fails) exactly as a full expansion does', async () => {
  const cache = new ExpansionCache(contextLoader);
  const base = buildOpenBadgeCredential(draft(issuer, {
    evidence: [{ type: ['Evidence'], id: 'https://example.org/e', narrative: 'n' }],
    credentialStatus: { id: 'https://example.org/s#1', type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '1', statusListCredential: 'https://example.org/s' },
  }));
  const paths = [
    'id', 'name', 'credentialSubject.achievement.achievementType', 'credentialSubject.achievement.id', 'credentialSubject.achievement.criteria.narrative',
    'credentialSubject.achievement.alignment.0.targetType', 'credentialSubject.achievement.alignment.0.targetUrl', 'credentialSubject.identifier.0.identityType',
    'credentialSubject.identifier.0.identityHash', 'credentialStatus.statusPurpose', 'credentialStatus.statusListCredential', 'evidence.0.id', 'issuer.url', 'validFrom',
  ];
  const set = (document: Record<string, unknown>, dotted: string, value: string) => {
    const keys = dotted.split('.');
    let node = document as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[keys.at(-1)!] = value;
  };

  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: paths.length - 1 }), text), { maxLength: 4 }), async (changes) => {
    const document = structuredClone(base) as unknown as Record<string, unknown>;
    for (const [which, value] of changes) set(document, paths[which]!, value);
    // Warm the cache with the unchanged shape, then compare.
    await outcome(cache.expand(base));
    expect(await outcome(cache.expand(document))).toEqual(await outcome(full(document)));
    expect(await outcome(cache.expand(document))).toEqual(await outcome(full(document)));
  }), { numRuns: 150 });
});

test('credentials of one badge share one cached template: only the first is fully expanded twice', async () => {
  const cache = new ExpansionCache(contextLoader);
  for (let i = 0; i < 20; i++) {
    const credential = buildOpenBadgeCredential(draft(issuer, { id: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, recipient: { email: `p${i}@example.fr`, name: `P ${i}` } }));
    await cache.expand(credential);
  }
  expect(cache.stats).toMatchObject({ misses: 1, hits: 19, bypassed: 0 });
});
