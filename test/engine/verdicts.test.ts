/**
 * Verdict levels a person understands (issue 10 §3) and the formats beyond Open Badges 3.0 (§4): plain W3C
 * credentials, VCDM 1.1 dates, endorsements that do not verify.
 */
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { VC_V1, VC_V2 } from '../../src/engine/model/contexts.js';
import { signDataIntegrity, signJwt } from '../../src/engine/proof/sign.js';
import { ed25519Signer, jwtSigner } from '../../src/engine/proof/signer.js';
import { ReportBuilder, VERDICTS, type Verdict, type VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, testIssuer, type TestIssuer } from '../support/credentials.js';
import { failedCodes, warningCodes } from '../support/verification.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const DI_V2 = 'https://w3id.org/security/data-integrity/v2';
type Json = Record<string, unknown>;

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await testIssuer();
});

function verify(credential: Json | string): Promise<VerificationReport> {
  const input = typeof credential === 'string' ? { text: credential } : { credential };
  return verifyCredential(input, { fetcher: issuer.fetcher, now: NOW });
}

const signed = (credential: Json) => signDataIntegrity(credential, ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey));

describe('verdict precedence', () => {
  test('the order is invalid, issuer-unconfirmed, revoked, suspended, expired, not-yet-valid, status-unknown, nonconformant, valid', () => {
    expect(VERDICTS).toEqual(['invalid', 'issuer-unconfirmed', 'revoked', 'suspended', 'expired', 'not-yet-valid', 'status-unknown', 'nonconformant', 'valid']);
  });

  const pairs: [Verdict, Verdict][] = [];
  for (const [i, higher] of VERDICTS.entries()) for (const lower of VERDICTS.slice(i + 1)) if (lower !== 'valid') pairs.push([higher, lower]);
  test.each(pairs)('%s wins over %s, whichever is found first', (higher, lower) => {
    for (const order of [[higher, lower], [lower, higher]] as Verdict[][]) {
      const report = new ReportBuilder();
      for (const verdict of order) report.fail('proof', 'proof.invalid', verdict, undefined, verdict);
      expect(report.verdict()).toBe(higher);
    }
  });

  test('every check is kept in the report, with its code and message, whatever the verdict', async () => {
    const credential = buildOpenBadgeCredential(draft(issuer, { validUntil: new Date('2026-02-01T00:00:00Z') })) as unknown as Json;
    const report = await verify({ ...(await signed({ ...credential, validFrom: '2026-01-15T09:00:00Z' })), name: 'altered' });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['proof.signatureMismatch', 'validUntil.past']);
    for (const check of report.checks) expect(check.message.length).toBeGreaterThan(10);
  });
});

describe('authentic but not a conformant Open Badge: nonconformant, never invalid', () => {
  test('a signed badge without a recipient', async () => {
    const credential = buildOpenBadgeCredential(draft(issuer)) as unknown as Json;
    const subject = { ...(credential.credentialSubject as Json) };
    delete subject.identifier;
    delete subject.id;
    const report = await verify(await signed({ ...credential, credentialSubject: subject }));
    expect(report.verdict).toBe('nonconformant');
    expect(failedCodes(report)).toEqual(['subject.noRecipient']);
  });

  test('a signed badge that breaks the Open Badges schema', async () => {
    const credential = buildOpenBadgeCredential(draft(issuer)) as unknown as Json;
    const report = await verify(await signed({ ...credential, name: 42 }));
    expect(report.verdict).toBe('nonconformant');
    expect(failedCodes(report)).toEqual(['schema.invalid']);
  });

  test('a plain W3C credential (VCDM 2.0) signed by a known issuer: its signature and dates are checked', async () => {
    const plain = {
      '@context': [VC_V2], id: 'urn:uuid:0d6f1c5e-8c1a-4f7e-9a55-5b0f6c2d4e11', type: ['VerifiableCredential'],
      issuer: issuer.did, validFrom: '2026-01-15T09:00:00Z', name: 'Attestation de présence',
      credentialSubject: { id: 'did:example:ana' },
    };
    const report = await verify(await signed(plain));
    expect(report.verdict).toBe('nonconformant');
    expect(report.standard).toBe('vc');
    expect(failedCodes(report)).toEqual(['context.notOpenBadge']);
    expect(report.checks.find((c) => c.code === 'proof.ok')?.outcome).toBe('passed');
    expect(report.checks.find((c) => c.code === 'key.confirmed')?.outcome).toBe('passed');
  });

  test('a plain W3C credential that was altered is invalid, not merely nonconformant', async () => {
    const plain = { '@context': [VC_V2], type: ['VerifiableCredential'], issuer: issuer.did, validFrom: '2026-01-15T09:00:00Z', credentialSubject: { id: 'did:example:ana' } };
    const report = await verify({ ...(await signed(plain)), validFrom: '2025-01-15T09:00:00Z' });
    expect(report.verdict).toBe('invalid');
  });

  test('a plain VC-JWT is verified too, and reported as not an Open Badge', async () => {
    const plain = { '@context': [VC_V2], id: 'urn:uuid:1', type: ['VerifiableCredential'], issuer: { id: issuer.did }, validFrom: '2026-01-15T09:00:00Z', credentialSubject: { id: 'did:example:ana' } };
    const jwt = await signJwt(plain as never, jwtSigner(`${issuer.did}#jwt-1`, 'ES256', issuer.jwtKey));
    const report = await verify(jwt);
    expect(report.verdict).toBe('nonconformant');
    expect(report.proofFormat).toBe('jwt');
  });
});

describe('VCDM 1.1 dates', () => {
  const plain11 = (dates: Json) => ({
    '@context': [VC_V1, DI_V2], id: 'urn:uuid:2', type: ['VerifiableCredential'], issuer: issuer.did,
    credentialSubject: { id: 'did:example:ana' }, ...dates,
  });

  test('issuanceDate is read as the start of validity (no "validFrom missing")', async () => {
    const report = await verify(await signed(plain11({ issuanceDate: '2026-01-15T09:00:00Z' })));
    expect(report.checks.find((c) => c.id === 'validFrom')?.code).toBe('validFrom.ok');
    expect(report.vcdm).toBe('1.1');
    expect(report.verdict).toBe('nonconformant');
  });

  test('a past expirationDate makes it expired', async () => {
    const report = await verify(await signed(plain11({ issuanceDate: '2025-01-15T09:00:00Z', expirationDate: '2026-01-01T00:00:00Z' })));
    expect(report.verdict).toBe('expired');
  });

  test('a future issuanceDate makes it not yet valid', async () => {
    const report = await verify(await signed(plain11({ issuanceDate: '2027-01-15T09:00:00Z' })));
    expect(report.verdict).toBe('not-yet-valid');
  });
});

describe('endorsements', () => {
  test('an endorsement that does not verify is a warning on that endorsement; the badge stays valid', async () => {
    const endorsement = {
      '@context': [VC_V2, 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
      id: 'urn:uuid:3', type: ['VerifiableCredential', 'EndorsementCredential'], name: 'Recommandation',
      issuer: { id: 'did:web:partner.example', type: ['Profile'], name: 'Partenaire' }, validFrom: '2026-01-15T09:00:00Z',
      credentialSubject: { id: 'https://badges.example.org/achievements/6f1c', type: ['EndorsementSubject'], endorsementComment: 'Très bien' },
      proof: [{ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod', verificationMethod: 'did:web:partner.example#k', created: '2026-01-15T09:00:00Z', proofValue: 'z1111' }],
    };
    const credential = buildOpenBadgeCredential(draft(issuer)) as unknown as Json;
    const report = await verify(await signed({ ...credential, endorsement: [endorsement] }));
    expect(report.verdict).toBe('valid');
    expect(warningCodes(report)).toContain('endorsements.someInvalid');
    expect(report.endorsements[0]?.verdict).not.toBe('valid');
  });
});
