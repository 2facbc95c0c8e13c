/**
 * Complexity limits (src/engine/verify/complexity.ts): what a credential may ask of JSON-LD processing is
 * counted on the parsed JSON, before anything expands it. Honest badges pass with room to spare; past a limit
 * the credential is refused unread as 'input.tooComplex', with the measure, the count and the limit.
 */
import { assertComplexity, DEFAULT_COMPLEXITY_LIMITS } from '../../src/engine/verify/complexity.js';
import { InputError } from '../../src/engine/verify/errors.js';
import { DEFAULT_INPUT_LIMITS } from '../../src/engine/verify/parse-input.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import type { Alignment } from '../../src/engine/model/types.js';
import { achievement, draft, signedCredential, signedJwt, testIssuer } from '../support/credentials.js';
import type { TestIssuer } from '../support/credentials.js';
import { withAlignments } from '../hostile/support.js';

const NOW = new Date('2026-11-26T12:00:00Z');
type Json = Record<string, unknown>;

let issuer: TestIssuer;
let credential: Json;

beforeAll(async () => {
  issuer = await testIssuer();
  credential = await signedCredential(issuer) as unknown as Json;
});

function refusal(document: unknown): InputError {
  try {
    assertComplexity(document);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('not refused');
}

function expectRefusedUnread(report: VerificationReport, params: Record<string, unknown>): void {
  expect(report.verdict).toBe('invalid');
  const tooComplex = { id: 'parse', outcome: 'failed', code: 'input.tooComplex' };
  expect(report.checks).toEqual([expect.objectContaining(tooComplex)]);
  expect(report.checks[0]!.params).toMatchObject(params);
}

const many = <T>(count: number, make: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));

describe('honest credentials pass', () => {
  test('one Blason issues holds a few objects, far from every limit', () => {
    expect(() => assertComplexity(credential)).not.toThrow();
  });

  test('one aligned with every EntreComp entry (15 competences × 8 levels) verifies', async () => {
    const alignment: Alignment[] = many(120, (i) => ({
      type: ['Alignment'], targetName: `Compétence ${Math.floor(i / 8) + 1}, niveau ${(i % 8) + 1}`,
      targetUrl: `https://badges.example.org/referentiels/entrecomp/${Math.floor(i / 8) + 1}#niveau-${(i % 8) + 1}`,
      targetFramework: 'EntreComp',
    }));
    const aligned = await signedCredential(issuer, { achievement: achievement({ alignment }) });
    const report = await verifyCredential({ credential: aligned }, { fetcher: issuer.fetcher, now: NOW });
    expect(report.verdict).toBe('valid');
  });

  test('term definitions in an inline @context are not counted as blank nodes', () => {
    const context = Object.fromEntries(many(600, (i) => [`t${i}`, { '@id': `https://example.org/t#${i}` }] as const));
    const contexts = [...(credential['@context'] as string[]), context];
    expect(() => assertComplexity({ ...credential, '@context': contexts })).not.toThrow();
  });
});

describe('past a limit, refused with the measure, the count and the limit', () => {
  const evidence = (i: number) => ({ id: `https://example.org/e/${i}`, type: ['Evidence'] });
  const result = (i: number) => ({ id: `https://example.org/r/${i}`, type: ['Result'] });
  const anonymousResult = () => ({ type: ['Result'], value: 'x' });
  const proof = (c: Json) => (c.proof as unknown[])[0];
  test.each([
    ['alignments', (c: Json) => withAlignments(c, 251), { measure: 'alignments', count: 251, limit: 250 }],
    ['evidence entries', (c: Json) => ({ ...c, evidence: many(251, evidence) }), { measure: 'evidence', count: 251 }],
    ['proofs', (c: Json) => ({ ...c, proof: many(33, () => proof(c)) }), { measure: 'proofs', count: 33, limit: 32 }],
    ['blank nodes', (c: Json) => ({ ...c, result: many(501, anonymousResult) }), { measure: 'blankNodes', limit: 500 }],
    ['objects', (c: Json) => ({ ...c, result: many(1_500, result) }), { measure: 'objects', limit: 1_500 }],
    ['list items', (c: Json) => ({ ...c, tag: many(10_001, (i) => `t${i}`) }), { measure: 'arrayItems' }],
  ])('%s', (_name, build, params) => {
    const error = refusal(build(credential));
    expect(error.code).toBe('input.tooComplex');
    expect(error.params).toMatchObject(params);
    expect(error.message).toMatch(/^This credential is too complex to verify: it holds .+, and Blason.* at most \d+\./);
  });

  test('limits are the verifier\'s options', async () => {
    const limits = { ...DEFAULT_INPUT_LIMITS, maxAlignments: 0 };
    const report = await verifyCredential({ credential }, { fetcher: issuer.fetcher, now: NOW, limits });
    expectRefusedUnread(report, { measure: 'alignments', count: 1, limit: 0 });
  });

  test('the defaults leave room above honest badges', () => {
    expect(DEFAULT_COMPLEXITY_LIMITS).toEqual({
      maxObjects: 1_500, maxArrayItems: 10_000, maxBlankNodes: 500, maxAlignments: 250, maxEvidence: 250, maxProofs: 32,
    });
  });
});

describe('every form of input is counted', () => {
  test('as JSON text', async () => {
    const report = await verifyCredential({ text: JSON.stringify(withAlignments(credential, 300)) }, { now: NOW });
    expectRefusedUnread(report, { measure: 'alignments', count: 300 });
  });

  test('as the payload of a VC-JWT, whose signature is genuine', async () => {
    const jwt = await signedJwt(issuer, withAlignments(buildOpenBadgeCredential(draft(issuer)), 300));
    const report = await verifyCredential({ text: jwt }, { fetcher: issuer.fetcher, now: NOW });
    expectRefusedUnread(report, { measure: 'alignments', count: 300 });
  });

  test('with the payloads of its endorsement JWTs, each verified as a credential of its own', async () => {
    const endorsement = await signedJwt(issuer, withAlignments(buildOpenBadgeCredential(draft(issuer)), 200));
    const endorsed = { ...credential, endorsementJwt: [endorsement, endorsement] };
    const report = await verifyCredential({ credential: endorsed }, { fetcher: issuer.fetcher, now: NOW });
    expectRefusedUnread(report, { measure: 'alignments', count: 401 });
  });
});
