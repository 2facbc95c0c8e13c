/**
 * 1EdTech's validator conformance fixtures (test/fixtures/ob30, copied from ../shared/ob3/validator-fixtures)
 * give the outcome the shared README lists for each file.
 *
 * Several fixtures need documents that live at URLs: the issuers' published keys (https://example.com/issuers/…,
 * https://1edtech.edu/…) and one status list on raw.githubusercontent.com. A local fetcher serves them, as the
 * issuers would publish them: controller documents listing the keys the fixtures are signed with, JWKS holding
 * the keys the baked JWTs embed, and the status list bytes from the fixture folder. The live 1EdTech did:web
 * of `credential-status-revoked.json` cannot be reproduced (its DID document is not among the fixtures), so
 * that fixture is checked offline: it is refused because its issuer's DID cannot be resolved.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { unbakePng } from '../../src/engine/bake/png.js';
import { unbakeSvg } from '../../src/engine/bake/svg.js';
import { staticFetcher } from '../../src/engine/verify/fetcher.js';
import type { Verdict, VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { FIXTURES } from '../support/fixtures.js';
import { controllerDocument } from '../support/issuer-documents.js';

const DIR = path.join(FIXTURES, 'ob30');
const TEST_VECTOR_KEY = 'z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi';
const STATUS_LIST_URL = 'https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist';

function embeddedJwk(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')).jwk as Record<string, unknown>;
}
const jwks = (issuerFixtures: string[]) => ({
  keys: issuerFixtures.map((file) => {
    const bytes = readFileSync(path.join(DIR, file));
    const baked = file.endsWith('.png') ? unbakePng(bytes) : unbakeSvg(bytes.toString('utf8'));
    return embeddedJwk(baked!.text);
  }),
});

const publishedByIssuers = staticFetcher({
  'https://example.com/issuers/876543': controllerDocument('https://example.com/issuers/876543', [TEST_VECTOR_KEY, 'z6MknNHHrBzPytzu6CUBP9Lg7fg4KSBjzimc2Frh693YbMiv', 'z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x']),
  'https://example.edu/issuers/565049': controllerDocument('https://example.edu/issuers/565049', [TEST_VECTOR_KEY]),
  'https://1edtech.edu/issuers/565049': controllerDocument('https://1edtech.edu/issuers/565049', [TEST_VECTOR_KEY, 'z6Mknyb2Gb4NxzW3xSr9ChTtdQZ1zs77piQ3r9SaJ9vMzmrs']),
  'https://state.gov/issuers/565049': controllerDocument('https://state.gov/issuers/565049', ['z6MkoMGF38Ck9xkdqrbZt4h9eHb1qc3GhAAkoSWa4Vy3SHRN', 'z6MkmQ49FhpMN7V11B7Qzc6WC6Q3ymVW4xmHUsHBR2MWMMo1']),
  'https://1edtech.edu/.well-known/jwks.json': jwks(['simple-jwt.png', 'simple-jwt.svg']),
  'https://example.edu/.well-known/jwks.json': jwks(['simple-jwt_v1.png', 'simple-jwt_v1.svg']),
  [STATUS_LIST_URL]: readFileSync(path.join(DIR, 'bit-string-list', 'testlist'), 'utf8'),
});

/** The fixtures' dates are fixed; "now" is today (2026), so a 2030 validUntil is still in the future. */
const NOW = new Date('2026-11-26T12:00:00Z');

async function verifyFixture(file: string): Promise<VerificationReport> {
  return verifyCredential({ bytes: readFileSync(path.join(DIR, file)) }, { fetcher: publishedByIssuers, now: NOW });
}

function failed(report: VerificationReport): string[] {
  return report.checks.filter((c) => c.outcome === 'failed').map((c) => c.code);
}
function warned(report: VerificationReport): string[] {
  return report.checks.filter((c) => c.outcome === 'warning').map((c) => c.code);
}

describe('fixtures the README lists as valid', () => {
  test.each([
    'simple.json', 'simple.1ob', 'simple-context-alias.json', 'simple-json.png', 'simple-json.svg', 'simple-jwt.png',
    'simple-jwt.svg', 'endorsement-valid.json',
  ])('%s is valid', async (file) => {
    const report = await verifyFixture(file);
    expect(failed(report)).toEqual([]);
    expect(report.verdict).toBe('valid');
    // 1EdTech's own baked JWTs carry no `sub` claim: that is the only reservation they earn.
    expect(warned(report).filter((code) => code !== 'jwt.subMissing')).toEqual([]);
  });

  // Stricter than 1EdTech's README, which lists it as valid: a urn:uuid issuer publishes no keys, so nothing ties
  // the did:key that signed it to that issuer. Authentic signature, issuer unconfirmed: never "valid".
  test('simple-did-key-method.json: its signature holds, but its urn:uuid issuer cannot be tied to its did:key', async () => {
    const report = await verifyFixture('simple-did-key-method.json');
    expect(report.verdict).toBe('issuer-unconfirmed');
    expect(failed(report)).toEqual(['key.issuerNotResolvable']);
    expect(report.checks.find((c) => c.id === 'proof')?.outcome).toBe('passed');
  });
});

describe('fixtures the README lists as valid with a warning (VCDM 1.1)', () => {
  test.each(['simple_v1.json', 'simple-jwt_v1.png', 'simple-jwt_v1.svg'])('%s is valid and warns about VCDM 1.1', async (file) => {
    const report = await verifyFixture(file);
    expect(report.verdict).toBe('valid');
    expect(report.vcdm).toBe('1.1');
    expect(warned(report)).toContain('context.vcdm11');
  });
});

describe('fixtures the README lists as invalid, each for its stated reason', () => {
  const cases: [string, Verdict, string][] = [
    ['simple-err-type.json', 'invalid', 'type.notOpenBadge'],
    ['simple-err-proof-method.json', 'invalid', 'key.notPublished'],
    ['simple-err-proof-method-no-scheme.json', 'invalid', 'key.badMethodId'],
    ['simple-err-proof-method-unknown-did-method.json', 'invalid', 'key.unsupportedDidMethod'],
    ['simple-err-proof-method-unknown-scheme.json', 'invalid', 'key.badMethodId'],
    ['simple-err-proof-value.json', 'invalid', 'proof.signatureMismatch'],
    ['simple-err-expired.json', 'expired', 'validUntil.past'],
    ['simple-err-issued.json', 'not-yet-valid', 'validFrom.future'],
    ['simple-err-context.json', 'invalid', 'context.vcdmFirst'],
    ['simple-err-issuer.json', 'invalid', 'schema.invalid'],
    ['simple-err-credential-subject-achievement-result-description-type.json', 'invalid', 'schema.invalid'],
    ['simple-err-credential-subject-identifier-type.json', 'invalid', 'schema.invalid'],
    ['simple-err-credential-subject-profile-type.json', 'invalid', 'schema.invalid'],
    ['simple-err-credential-subject-result-type.json', 'invalid', 'schema.invalid'],
    ['simple-err-credential-subject-type.json', 'invalid', 'schema.invalid'],
    ['simple-err-evidence-type.json', 'invalid', 'schema.invalid'],
    ['simple-err-issuer-otheridentifier-type.json', 'invalid', 'schema.invalid'],
    ['simple-err-issuer-parentorg-type.json', 'invalid', 'schema.invalid'],
    ['simple-err-issuer-type.json', 'invalid', 'schema.invalid'],
    ['simple-multiple-proofs.json', 'invalid', 'proof.unsupportedType'],
    ['velocity.jwt', 'invalid', 'context.unknown'],
    ['bit-string-list/credential-status-revoked.json', 'revoked', 'status.revoked'],
    ['bit-string-list/credential-status-revoked-blank-nodes.json', 'revoked', 'status.revoked'],
    ['complete_v1.json', 'invalid', 'context.missingExtensions'],
    ['credential-status-revoked.json', 'issuer-unconfirmed', 'key.issuerUnreachable'],
  ];
  test.each(cases)('%s is %s (%s)', async (file, verdict, code) => {
    const report = await verifyFixture(file);
    expect(report.verdict).toBe(verdict);
    expect(failed(report)).toContain(code);
  });

  test('the expired fixture is otherwise authentic: only its date fails', async () => {
    expect(failed(await verifyFixture('simple-err-expired.json'))).toEqual(['validUntil.past']);
  });

  test('the not-yet-valid fixture also fails its date check', async () => {
    const report = await verifyFixture('simple-err-issued.json');
    expect(report.checks.find((c) => c.id === 'validFrom')?.outcome).toBe('failed');
  });

  test("complete.json's three endorsements each fail verification on their own", async () => {
    const report = await verifyFixture('complete.json');
    expect(report.endorsements).toHaveLength(3);
    for (const endorsement of report.endorsements) expect(failed(endorsement).length).toBeGreaterThan(0);
  });

  test("complete.json's failed endorsements are a warning on the badge, not a failure of it", async () => {
    const report = await verifyFixture('complete.json');
    expect(warned(report)).toContain('endorsements.someInvalid');
    expect(failed(report)).not.toContain('endorsements.someInvalid');
    // What decides its verdict is its status list, on a host the fixtures do not serve.
    expect(report.verdict).toBe('status-unknown');
  });
});

describe('fixtures the README gives no outcome for', () => {
  test('simple-eddsa-2022.json (legacy cryptosuite name, VCDM 1.1) verifies with the VCDM 1.1 warning', async () => {
    const report = await verifyFixture('simple-eddsa-2022.json');
    expect(report.verdict).toBe('valid');
    expect(warned(report)).toEqual(['context.vcdm11']);
  });

  test('simple-context-version.json (context 3.0.2) is valid', async () => {
    expect((await verifyFixture('simple-context-version.json')).verdict).toBe('valid');
  });

  test('simple-did-web-method.json is valid once its issuer publishes the key', async () => {
    expect((await verifyFixture('simple-did-web-method.json')).verdict).toBe('valid');
  });

  test('simple-noproof.json is invalid: it is not signed', async () => {
    expect(failed(await verifyFixture('simple-noproof.json'))).toContain('proof.missing');
  });

  test('simple.jwt is invalid: its context URL is a pre-release one nobody publishes', async () => {
    expect(failed(await verifyFixture('simple.jwt'))).toContain('context.unknown');
  });

  test('sd/derivedcredential.json is invalid: ecdsa-sd-2023 is not a suite Blason verifies', async () => {
    expect(failed(await verifyFixture('sd/derivedcredential.json'))).toContain('proof.unknownCryptosuite');
  });

  test('endorsement-err-schema-status-refresh.json is invalid', async () => {
    expect((await verifyFixture('endorsement-err-schema-status-refresh.json')).verdict).toBe('invalid');
  });
});

test('every fixture file is covered by a test above', () => {
  const covered = readFileSync(new URL(import.meta.url), 'utf8');
  const files = readdirSync(DIR).filter((f) => /\.(json|png|svg|jwt|1ob)$/.test(f));
  for (const file of files) expect(covered).toContain(`'${file}'`);
});

describe('without the issuers\' published documents (offline)', () => {
  test('simple.json: its signature holds, but its issuer is unconfirmed, never valid', async () => {
    const report = await verifyCredential({ bytes: readFileSync(path.join(DIR, 'simple.json')) }, { now: NOW });
    expect(report.verdict).toBe('issuer-unconfirmed');
    expect(failed(report)).toEqual(['key.unconfirmed']);
    expect(report.checks.find((c) => c.code === 'key.unconfirmed')?.message).toContain('https://example.com/issuers/876543');
  });

  test('simple-err-proof-method.json names a key that is not a valid Ed25519 key', async () => {
    const report = await verifyCredential({ bytes: readFileSync(path.join(DIR, 'simple-err-proof-method.json')) }, { now: NOW });
    expect(failed(report)).toEqual(['key.malformed']);
  });

  test('the revoked bitstring fixture is never read as valid or "not revoked": its issuer cannot be confirmed', async () => {
    const report = await verifyCredential({ bytes: readFileSync(path.join(DIR, 'bit-string-list', 'credential-status-revoked.json')) }, { now: NOW });
    expect(report.verdict).toBe('issuer-unconfirmed');
    expect(report.checks.map((c) => c.code)).not.toContain('status.notRevoked');
  });
});
