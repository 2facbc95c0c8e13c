/**
 * What verification is allowed to reach (security.md §5 and §6, test plan T2 and T3): JSON-LD contexts only
 * from the bundled, hash-pinned set, never from the network; during verification only the issuer's key
 * document (and status list) is fetched, never the URLs a credential merely mentions.
 */
import { readdirSync } from 'node:fs';
import { UnknownDocumentError, contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { readContextManifest, sha256OfContextFile } from '../../src/engine/jsonld/bundled-contexts.js';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { OB_V3P0_EXTENSIONS } from '../../src/engine/model/contexts.js';
import { ed25519PublicKeyMultibase } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { offlineFetcher } from '../../src/engine/verify/fetcher.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { fromRoot } from '../../src/shared/paths.js';
import { achievement, draft, signedCredential, testIssuer, type TestIssuer } from '../support/credentials.js';
import { newEd25519 } from '../support/keys.js';
import { failedCodes, recording } from '../support/verification.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const DID_DOCUMENT_URL = 'https://badges.example.org/issuers/bge-lille/did.json';
const HOSTILE_CONTEXTS = ['https://attacker.example/ctx.jsonld', 'http://127.0.0.1:9/ctx', 'file:///etc/passwd'];

type Json = Record<string, unknown>;

let issuer: TestIssuer;
let reference: Json;

beforeAll(async () => {
  issuer = await testIssuer();
  reference = await signedCredential(issuer) as unknown as Json;
});

function withContext(credential: Json, context: unknown[]): Json {
  return { ...structuredClone(credential), '@context': context };
}

describe('@context', () => {
  test.each(HOSTILE_CONTEXTS)('a credential whose @context includes %s fails as an unknown context, and nothing is fetched', async (url) => {
    const fetcher = recording(issuer.fetcher);
    const credential = withContext(reference, [...(reference['@context'] as string[]), url]);
    const report = await verifyCredential({ credential }, { fetcher, now: NOW });
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'context')).toMatchObject({ outcome: 'failed', code: 'context.unknown' });
    expect(report.checks.find((c) => c.id === 'context')?.params).toEqual({ url });
    expect(fetcher.requested).toEqual([]);
  });

  test('a hostile context in first place fails too, and nothing is fetched', async () => {
    const fetcher = recording(issuer.fetcher);
    const credential = withContext(reference, ['https://attacker.example/ctx.jsonld', ...(reference['@context'] as string[])]);
    const report = await verifyCredential({ credential }, { fetcher, now: NOW });
    expect(failedCodes(report)).toContain('context.vcdmFirst');
    expect(fetcher.requested).toEqual([]);
  });

  test.each([
    ['redefines "name"', { name: 'https://attacker.example/vocab#name' }],
    ['imports a remote context', { '@import': 'https://attacker.example/ctx.jsonld' }],
  ])('an inline @context object that %s fails, and nothing is fetched', async (_what, inline) => {
    const fetcher = recording(issuer.fetcher);
    const credential = withContext(reference, [...(reference['@context'] as string[]), inline]);
    const report = await verifyCredential({ credential }, { fetcher, now: NOW });
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'context')).toMatchObject({ outcome: 'failed', code: 'context.inline' });
    expect(fetcher.requested).toEqual([]);
  });
});

describe('URLs a credential mentions are never fetched', () => {
  test('a refresh service is never fetched and its check is skipped', async () => {
    const built = buildOpenBadgeCredential(draft(issuer)) as unknown as Json;
    const unsigned = {
      ...built,
      '@context': [...(built['@context'] as string[]).filter((c) => c !== OB_V3P0_EXTENSIONS), OB_V3P0_EXTENSIONS],
      refreshService: { id: 'https://attacker.example/refresh', type: '1EdTechCredentialRefresh' },
    };
    const credential = await signDataIntegrity(unsigned, ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey));
    const fetcher = recording(issuer.fetcher);
    const report = await verifyCredential({ credential }, { fetcher, now: NOW });
    expect(failedCodes(report)).toEqual([]);
    expect(report.verdict).toBe('valid');
    expect(report.checks.find((c) => c.id === 'refresh')).toMatchObject({ outcome: 'skipped', code: 'refresh.notFollowed' });
    expect(fetcher.requested).not.toContain('https://attacker.example/refresh');
    expect([...new Set(fetcher.requested)]).toEqual([DID_DOCUMENT_URL]);
  });

  test('evidence, image, criteria, alignment and profile URLs are never fetched: only the issuer\'s DID document is', async () => {
    const mentioned = {
      credentialImage: 'https://images.example/credential.png',
      issuerImage: 'https://images.example/issuer.png',
      issuerUrl: 'https://issuer-site.example/',
      achievementImage: 'https://images.example/achievement.png',
      criteria: 'https://criteria.example/page',
      alignment: 'https://frameworks.example/entrecomp#1.1',
      evidence: 'https://evidence.example/portfolio/42',
    };
    const credential = await signedCredential(issuer, {
      issuer: { ...issuer.profile, url: mentioned.issuerUrl, image: { id: mentioned.issuerImage, type: 'Image' } },
      image: { id: mentioned.credentialImage, type: 'Image' },
      achievement: achievement({
        image: { id: mentioned.achievementImage, type: 'Image' },
        criteria: { id: mentioned.criteria, narrative: 'Cinq entretiens.' },
        alignment: [{ type: ['Alignment'], targetName: 'Repérer les opportunités', targetUrl: mentioned.alignment }],
      }),
      evidence: [{ id: mentioned.evidence, type: ['Evidence'], narrative: 'Portfolio.' }],
    });
    const fetcher = recording(issuer.fetcher);
    const report = await verifyCredential({ credential }, { fetcher, now: NOW });
    expect(failedCodes(report)).toEqual([]);
    expect(report.verdict).toBe('valid');
    expect([...new Set(fetcher.requested)]).toEqual([DID_DOCUMENT_URL]);
  });
});

describe('bundled contexts', () => {
  test('every context file has the SHA-256 the manifest pins', () => {
    const manifest = readContextManifest();
    expect(manifest.length).toBeGreaterThan(0);
    for (const entry of manifest) expect({ file: entry.file, sha256: sha256OfContextFile(entry.file) }).toEqual({ file: entry.file, sha256: entry.sha256 });
  });

  test('every file in contexts/ is listed in the manifest: nothing is bundled unpinned', () => {
    const listed = new Set(readContextManifest().map((entry) => entry.file));
    const files = readdirSync(fromRoot('contexts')).filter((file) => file !== 'manifest.json');
    expect(files.filter((file) => !listed.has(file))).toEqual([]);
  });

  test('the loader serves every manifest URL from the bundled copy', async () => {
    for (const { url } of readContextManifest()) {
      await expect(contextLoader(url)).resolves.toMatchObject({ documentUrl: url, tag: 'static', document: expect.any(Object) });
    }
  });

  test.each([
    ...HOSTILE_CONTEXTS,
    'http://169.254.169.254/latest/meta-data/',
    'http://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/ns/credentials/v2/',
    'https://www.w3.org/ns/credentials/v2?x=1',
    'https://www.w3.org/ns/credentials/v2#x',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.4.json',
    'did:web:attacker.example',
  ])('the loader refuses %s, which is not in the manifest', async (url) => {
    await expect(contextLoader(url)).rejects.toBeInstanceOf(UnknownDocumentError);
  });
});

describe('offline verification', () => {
  /** A credential whose issuer is a did:key: its key is in its identifier, nothing needs fetching. */
  async function didKeySignedCredential() {
    const key = newEd25519();
    const multibase = await ed25519PublicKeyMultibase(key);
    const did = `did:key:${multibase}`;
    return signDataIntegrity(
      buildOpenBadgeCredential(draft(issuer, { issuer: { id: did, type: ['Profile'], name: 'Émetteur hors ligne' } })),
      ed25519Signer(`${did}#${multibase}`, key),
    );
  }

  test('a did:key-signed credential verifies with no network at all', async () => {
    const credential = await didKeySignedCredential();
    const fetcher = recording(offlineFetcher);
    const report = await verifyCredential({ credential }, { fetcher, now: NOW });
    expect(failedCodes(report)).toEqual([]);
    expect(report.checks.find((c) => c.id === 'issuerKey')).toMatchObject({ outcome: 'passed', code: 'key.confirmed' });
    expect(report.verdict).toBe('valid');
    expect(fetcher.requested).toEqual([]);
  });

  test('without any fetcher, nothing is reached and a did:key credential still verifies', async () => {
    const credential = await didKeySignedCredential();
    expect((await verifyCredential({ credential }, { now: NOW })).verdict).toBe('valid');
  });
});
