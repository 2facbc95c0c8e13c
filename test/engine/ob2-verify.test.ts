/**
 * Open Badges 2.0 verification end to end (standards-2.md §1), against a foreign 2.0 issuer served over real
 * HTTPS on 127.0.0.1 and reached through the guarded fetcher, which trusts the issuer's throwaway certificate.
 * Hosted badges count only as the issuer hosts them, where the issuer allows; signed badges only with a key the
 * issuer's own profile lists and that names the issuer as its owner. 1.x badges are too old to verify.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { bakePng } from '../../src/engine/bake/png.js';
import type { Fetcher } from '../../src/engine/verify/fetcher.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential, type VerifyOptions } from '../../src/engine/verify/verify-credential.js';
import { guardedFetcher } from '../../src/net/guarded-fetch.js';
import {
  ob2Svg, plainPng, publicKeyPem, RECIPIENT_EMAIL, startOb2Issuer, throwawayCertificate, withTextChunk,
  type Ob2Issuer, type ThrowawayCertificate,
} from '../support/ob2-issuer.js';
import { failedCodes } from '../support/verification.js';

type Json = Record<string, unknown>;
const NOW = new Date('2026-11-26T12:00:00Z');

let certificate: ThrowawayCertificate;
let issuer: Ob2Issuer;
/** Another 2.0 issuer, on its own origin, that tries to pass its badges off as the first one's. */
let impostor: Ob2Issuer;
/** A loopback port nothing listens on. */
let deadHost: string;
let fetcher: Fetcher;

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  certificate = throwawayCertificate();
  issuer = await startOb2Issuer(certificate);
  impostor = await startOb2Issuer(certificate, { name: 'Maison de l\'emploi de Lens (copie)' });
  deadHost = `127.0.0.1:${await unusedPort()}`;
  const allowHosts = [issuer.host, impostor.host, deadHost];
  fetcher = guardedFetcher({ allowHosts, ca: [certificate.cert], timeoutMs: 3_000 });
});

afterAll(async () => {
  await issuer.close();
  await impostor.close();
  certificate.remove();
});

type Input = { text: string } | { bytes: Uint8Array } | { credential: object };

function verify(input: Input, options: VerifyOptions = {}): Promise<VerificationReport> {
  return verifyCredential(input, { fetcher, now: NOW, ...options });
}

function codes(report: VerificationReport): string[] {
  return report.checks.map((check) => check.code);
}

function base64url(value: Json | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function messageOf(report: VerificationReport, code: string): string {
  return report.checks.find((check) => check.code === code)?.message ?? '';
}

describe('a hosted Open Badges 2.0 assertion', () => {
  test('given by its URL, is valid, reported as Open Badges 2.0, showing what its issuer publishes', async () => {
    const assertion = issuer.publish(issuer.assertion({ expires: '2027-06-30T00:00:00Z' }));
    const report = await verify({ text: String(assertion.id) });
    expect(failedCodes(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'valid', verified: true, standard: 'ob2' });
    expect(report).toMatchObject({ credentialId: assertion.id, issuerId: issuer.issuerId });
    expect(report.display).toEqual({
      trusted: true,
      name: 'Accueil du public',
      description: 'Accueillir et orienter le public d\'une structure d\'insertion.',
      issuerId: issuer.issuerId,
      issuerName: 'Maison de l\'emploi de Lens',
      issuerUrl: 'https://www.example.org',
      achievementName: 'Accueil du public',
      achievementDescription: 'Accueillir et orienter le public d\'une structure d\'insertion.',
      criteria: 'A accueilli le public pendant trois mois.',
      achievementImage: issuer.url('/badges/1/image.png'),
      validFrom: '2026-01-15T09:00:00Z',
      validUntil: '2027-06-30T00:00:00Z',
    });
  });

  test('given as a JSON copy identical to the hosted one, is valid', async () => {
    const assertion = issuer.publish(issuer.assertion());
    const report = await verify({ text: JSON.stringify(assertion) });
    expect(report.verdict).toBe('valid');
    expect(codes(report)).toContain('ob2.copyMatches');
  });

  test('given as a JSON copy that differs from the hosted one, is invalid: not what the issuer hosts', async () => {
    const assertion = issuer.publish(issuer.assertion());
    const report = await verify({ credential: { ...assertion, issuedOn: '2025-01-15T09:00:00Z' } });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['ob2.hostedMismatch']);
    expect(report.checks.find((c) => c.code === 'ob2.hostedMismatch')?.params).toEqual({ properties: 'issuedOn' });
    expect(report.display.trusted).toBe(false);
  });

  test('answered 410 Gone by its issuer, is revoked', async () => {
    const assertion = issuer.publish(issuer.assertion(), 410);
    const report = await verify({ text: String(assertion.id) });
    expect(report.verdict).toBe('revoked');
    expect(failedCodes(report)).toEqual(['ob2.revoked']);
  });

  test('hosted with revoked: true, is revoked, and the message gives the issuer\'s reason', async () => {
    const assertion = issuer.assertion();
    issuer.publish({ ...assertion, revoked: true, revocationReason: 'Attribué par erreur' });
    const report = await verify({ text: JSON.stringify(assertion) });
    expect(report.verdict).toBe('revoked');
    expect(failedCodes(report)).toEqual(['ob2.revoked']);
    expect(messageOf(report, 'ob2.revoked')).toContain('Attribué par erreur');
    expect(report.status).toEqual({ method: 'HostedBadge', revoked: true });
  });

  test('past its expires date, is expired', async () => {
    const assertion = issuer.publish(issuer.assertion({ expires: '2026-06-30T00:00:00Z' }));
    const report = await verify({ text: String(assertion.id) });
    expect(report.verdict).toBe('expired');
    expect(failedCodes(report)).toEqual(['validUntil.past']);
  });

  test('issued on a date still to come, is not yet valid', async () => {
    const assertion = issuer.publish(issuer.assertion({ issuedOn: '2027-01-01T00:00:00Z' }));
    const report = await verify({ text: String(assertion.id) });
    expect(report.verdict).toBe('not-yet-valid');
    expect(failedCodes(report)).toEqual(['validFrom.future']);
  });

  test('that its issuer does not host (404), is invalid', async () => {
    const report = await verify({ text: JSON.stringify(issuer.assertion()) });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['ob2.hostedNotFound']);
  });

  test('whose host cannot be reached, is issuer-unconfirmed: trying again later may succeed', async () => {
    const report = await verify({ text: JSON.stringify(issuer.assertion({ id: `https://${deadHost}/assertions/1` })) });
    expect(report.verdict).toBe('issuer-unconfirmed');
    expect(failedCodes(report)).toEqual(['ob2.hostedUnreachable']);
    const message = messageOf(report, 'ob2.hostedUnreachable');
    expect(message).toContain(`could not be fetched from https://${deadHost}/assertions/1`);
    expect(message).toContain('trying again later may succeed');
  });

  test('served under an id other than its URL, is invalid', async () => {
    const assertion = issuer.assertion();
    issuer.serve(new URL(String(assertion.id)).pathname, { ...assertion, id: issuer.url('/assertions/elsewhere') });
    const report = await verify({ text: String(assertion.id) });
    expect(failedCodes(report)).toEqual(['ob2.idMismatch']);
  });
});

describe('the hosting policy of the issuer (forged hosted badges)', () => {
  afterEach(() => issuer.updateProfile({ verification: undefined }));

  test('an assertion hosted on another origin than its issuer\'s is invalid, though it names its badge', async () => {
    const forged = impostor.publish(impostor.assertion({ badge: issuer.badgeClassId }));
    const report = await verify({ text: String(forged.id) });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['ob2.originMismatch']);
    expect(report.display.trusted).toBe(false);
  });

  test('an origin the issuer lists in verification.allowedOrigins may host its assertions', async () => {
    issuer.updateProfile({ verification: { type: 'VerificationObject', allowedOrigins: [impostor.host] } });
    const hosted = impostor.publish(impostor.assertion({ badge: issuer.badgeClassId }));
    expect((await verify({ text: String(hosted.id) })).verdict).toBe('valid');
  });

  test('an assertion outside the URL prefixes of verification.startsWith is invalid', async () => {
    issuer.updateProfile({ verification: { type: 'VerificationObject', startsWith: issuer.url('/official/') } });
    const assertion = issuer.publish(issuer.assertion());
    const report = await verify({ text: String(assertion.id) });
    expect(failedCodes(report)).toEqual(['ob2.prefixMismatch']);
  });
});

describe('a signed Open Badges 2.0 assertion', () => {
  test('signed RS256 with the key it names, pasted as text, is valid and read as OB 2.0, not as a VC-JWT', async () => {
    const report = await verify({ text: issuer.sign(issuer.signedAssertion()) });
    expect(failedCodes(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'valid', standard: 'ob2', format: 'jwt', issuerId: issuer.issuerId });
    expect(codes(report)).toEqual(expect.arrayContaining(['ob2.keyConfirmed', 'ob2.signatureOk', 'ob2.notRevoked']));
    expect(report.checks.some((c) => c.code.startsWith('jwt.'))).toBe(false);
  });

  test('signed ES256 with the issuer\'s P-256 key is valid', async () => {
    const assertion = issuer.signedAssertion({ verification: { type: 'signed', creator: issuer.ecKeyId } });
    expect((await verify({ text: issuer.sign(assertion, { alg: 'ES256' }) })).verdict).toBe('valid');
  });

  test('naming no key, it is checked with the keys the issuer\'s profile lists', async () => {
    const assertion = issuer.signedAssertion({ verification: { type: 'SignedBadge' } });
    expect((await verify({ text: issuer.sign(assertion) })).verdict).toBe('valid');
  });

  test('altered after signing, is invalid', async () => {
    const [header, , signature] = issuer.sign(issuer.signedAssertion()).split('.');
    const altered = base64url(issuer.signedAssertion({ issuedOn: '2020-01-01T00:00:00Z' }));
    const report = await verify({ text: `${header}.${altered}.${signature}` });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['ob2.badSignature']);
  });

  test('listed in the issuer\'s revocation list, is revoked, with the reason in the message', async () => {
    const assertion = issuer.signedAssertion();
    issuer.revoke(String(assertion.id), 'Fraude à l\'examen');
    const report = await verify({ text: issuer.sign(assertion) });
    expect(report.verdict).toBe('revoked');
    expect(failedCodes(report)).toEqual(['ob2.revoked']);
    expect(messageOf(report, 'ob2.revoked')).toContain('Fraude à l\'examen');
  });

  test('signed with a key naming the issuer as owner but not listed by the issuer\'s profile, is invalid', async () => {
    const forgedKeyId = impostor.url('/keys/forged');
    const publicKey = publicKeyPem(impostor.rsaKey);
    const forgedKey = { type: 'CryptographicKey', id: forgedKeyId, owner: issuer.issuerId, publicKeyPem: publicKey };
    impostor.serve('/keys/forged', forgedKey);
    const assertion = issuer.signedAssertion({ verification: { type: 'SignedBadge', creator: forgedKeyId } });
    const report = await verify({ text: issuer.sign(assertion, { key: impostor.rsaKey }) });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['ob2.keyNotListed']);
  });

  test('signed with a key the issuer\'s profile lists but that belongs to another issuer, is invalid', async () => {
    issuer.updateProfile({ publicKey: [issuer.rsaKeyId, impostor.rsaKeyId] });
    try {
      const assertion = issuer.signedAssertion({ verification: { type: 'SignedBadge', creator: impostor.rsaKeyId } });
      const report = await verify({ text: issuer.sign(assertion, { key: impostor.rsaKey }) });
      expect(report.verdict).toBe('invalid');
      expect(failedCodes(report)).toEqual(['ob2.keyNotIssuers']);
    } finally {
      issuer.updateProfile({ publicKey: [issuer.rsaKeyId, issuer.ecKeyId] });
    }
  });

  test.each([
    ['none', (payload: Json) => `${base64url({ alg: 'none' })}.${base64url(payload)}.AA`],
    ['HS256 keyed with the issuer\'s public key', (payload: Json) => {
      const input = `${base64url({ alg: 'HS256' })}.${base64url(payload)}`;
      const secret = publicKeyPem(issuer.rsaKey);
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    }],
  ])('with alg %s, is refused', async (_alg, make) => {
    const report = await verify({ text: make(issuer.signedAssertion()) });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['ob2.jwsAlgorithm']);
  });

  test('whose issuer\'s profile cannot be reached, cannot be confirmed: issuer-unconfirmed', async () => {
    const id = 'urn:uuid:6f1e3a2c-0000-4000-8000-000000000001';
    const badge = { type: 'BadgeClass', id, name: 'B', issuer: `https://${deadHost}/issuer` };
    const report = await verify({ text: issuer.sign(issuer.signedAssertion({ badge })) });
    expect(report.verdict).toBe('issuer-unconfirmed');
    expect(failedCodes(report)).toEqual(['ob2.issuerUnreachable']);
  });

  test('given as JSON, without its signature, is invalid', async () => {
    const report = await verify({ credential: issuer.signedAssertion() });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['ob2.signatureMissing']);
  });
});

describe('baked Open Badges 2.0 images', () => {
  const hostedJson = () => JSON.stringify(issuer.publish(issuer.assertion()));
  const hostedUrl = () => String(issuer.publish(issuer.assertion()).id);
  const signed = () => issuer.sign(issuer.signedAssertion());
  const forms: [string, 'png' | 'svg', () => Uint8Array | string][] = [
    ['a PNG holding a hosted assertion (iTXt)', 'png', () => bakePng(plainPng(), hostedJson(), 'openbadges')],
    ['a PNG holding only the hosted assertion\'s URL (legacy tEXt)', 'png',
      () => withTextChunk(plainPng(), 'openbadges', hostedUrl())],
    ['a PNG holding a signed assertion', 'png', () => bakePng(plainPng(), signed(), 'openbadges')],
    ['an SVG whose verify attribute is the hosted assertion\'s URL', 'svg', () => ob2Svg({ verify: hostedUrl() })],
    ['an SVG holding a hosted assertion', 'svg', () => ob2Svg({ json: hostedJson() })],
    ['an SVG whose verify attribute is a signed assertion', 'svg', () => ob2Svg({ verify: signed() })],
  ];

  test.each(forms)('%s is valid', async (_form, format, make) => {
    const baked = make();
    const report = await verify(typeof baked === 'string' ? { text: baked } : { bytes: baked });
    expect(failedCodes(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'valid', standard: 'ob2', format });
  });

  test('a PNG holding a signed assertion that was revoked is revoked', async () => {
    const assertion = issuer.signedAssertion();
    issuer.revoke(String(assertion.id));
    const png = bakePng(plainPng(), issuer.sign(assertion), 'openbadges');
    expect((await verify({ bytes: png })).verdict).toBe('revoked');
  });
});

describe('Open Badges 1.x and 0.5: too old to verify', () => {
  const v10Assertion = (url: string): Json => ({
    uid: 'abc123',
    recipient: { type: 'email', hashed: false, identity: RECIPIENT_EMAIL },
    badge: issuer.url('/v1/badge'),
    verify: { type: 'hosted', url },
    issuedOn: '2015-04-30',
  });

  const old: [string, () => Json][] = [
    ['a 1.0 hosted assertion', () => v10Assertion(issuer.url('/v1/assertions/abc123'))],
    ['a 1.1 assertion', () => ({
      '@context': 'https://w3id.org/openbadges/v1',
      type: 'Assertion',
      ...v10Assertion(issuer.url('/v1/a')),
      issuedOn: 1430352000,
    })],
    ['a 0.5 badge', () => ({
      recipient: `sha256$${'a'.repeat(64)}`,
      salt: 'x',
      badge: {
        version: '0.5.0', name: 'Old', image: '/img.png', description: 'd', criteria: '/c',
        issuer: { origin: 'https://example.org', name: 'Old issuer' },
      },
    })],
  ];

  test.each(old)('%s is invalid, and the message asks for a newer version', async (_form, make) => {
    const report = await verify({ text: JSON.stringify(make()) });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['ob1.tooOld']);
    expect(messageOf(report, 'ob1.tooOld')).toMatch(/too old to be verified.*Ask the issuer .* newer version/);
  });

  test('a link to a hosted 1.0 assertion is invalid as too old', async () => {
    const url = issuer.url('/v1/assertions/abc123');
    issuer.serve('/v1/assertions/abc123', v10Assertion(url));
    const report = await verify({ text: url });
    expect(failedCodes(report)).toEqual(['ob1.tooOld']);
  });
});

describe('the recipient', () => {
  test('the address it was awarded to, in any case, matches its salted hash', async () => {
    const assertion = issuer.publish(issuer.assertion());
    const expectedRecipient = { email: ' Ana.Martin@Example.FR ' };
    const report = await verify({ text: String(assertion.id) }, { expectedRecipient });
    expect(report.verdict).toBe('valid');
    const check = report.checks.find((c) => c.id === 'recipient');
    expect(check).toMatchObject({ outcome: 'passed', code: 'recipient.match' });
  });

  test('another address does not match: invalid', async () => {
    const assertion = issuer.publish(issuer.assertion());
    const expectedRecipient = { email: 'someone.else@example.fr' };
    const report = await verify({ text: String(assertion.id) }, { expectedRecipient });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['recipient.mismatch']);
  });
});
