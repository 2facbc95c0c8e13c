/**
 * Proof sets and proof chains, as Data Integrity §2.1 says (issue 10 §2): every proof verifies, each against its
 * own key's controller; `previousProof` names proofs of the set, which the chained proof covers; at least one
 * proof is the issuer's.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { eddsaRdfc2022 } from '../../src/engine/proof/cryptosuites.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { type Fetcher, staticFetcher } from '../../src/engine/verify/fetcher.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, testIssuer, type TestIssuer } from '../support/credentials.js';
import { failedCodes } from '../support/verification.js';

const NOW = new Date('2026-11-26T12:00:00Z');
type Json = Record<string, unknown>;

let issuer: TestIssuer;
let cosigner: TestIssuer;
let both: Fetcher;
let unsigned: Json;

beforeAll(async () => {
  issuer = await testIssuer();
  cosigner = await testIssuer({ host: 'france-travail.example.fr', slug: 'hdf' });
  both = staticFetcher({
    [`https://badges.example.org/issuers/bge-lille/did.json`]: issuer.didDocument,
    [`https://france-travail.example.fr/issuers/hdf/did.json`]: cosigner.didDocument,
  });
  unsigned = buildOpenBadgeCredential(draft(issuer)) as unknown as Json;
});

const issuerSigner = () => ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey);
const cosignerSigner = () => ed25519Signer(`${cosigner.did}#ed-1`, cosigner.edKey);

function verify(credential: Json): Promise<VerificationReport> {
  return verifyCredential({ credential }, { fetcher: both, now: NOW });
}

interface ProofMaker {
  proof?: Json;
  createProof(options: Json): Promise<Json>;
}

/** A proof over the document with `previous` as its proof (a chain link), carrying `extra` (id, previousProof). */
async function chainedProof(signer: ReturnType<typeof ed25519Signer>, previous: Json[], extra: Json): Promise<Json> {
  const suite = new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022, date: '2026-01-15T09:00:00Z' }) as unknown as ProofMaker;
  suite.proof = extra;
  const document = previous.length > 0 ? { ...unsigned, proof: previous } : unsigned;
  return suite.createProof({ document, purpose: new jsigs.purposes.AssertionProofPurpose(), proofSet: previous, documentLoader: contextLoader });
}

function corrupt(proof: Json): Json {
  const value = String(proof.proofValue);
  return { ...proof, proofValue: `${value.slice(0, -4)}${value.endsWith('1111') ? '2222' : '1111'}` };
}

describe('proof sets', () => {
  test('two proofs by the issuer, both intact, are valid', async () => {
    const once = await signDataIntegrity(unsigned, issuerSigner());
    expect((await verify(await signDataIntegrity(once, issuerSigner(), new Date('2026-02-01T00:00:00Z')))).verdict).toBe('valid');
  });

  test('a set whose second proof is corrupted is invalid, although the first verifies', async () => {
    const signed = await signDataIntegrity(await signDataIntegrity(unsigned, issuerSigner()), cosignerSigner());
    const proofs = signed.proof as unknown as Json[];
    const report = await verify({ ...signed, proof: [proofs[0], corrupt(proofs[1]!)] });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('proof.signatureMismatch');
  });

  test('a co-signer\'s proof first and the issuer\'s second is valid, and the co-signer is named', async () => {
    const signed = await signDataIntegrity(await signDataIntegrity(unsigned, cosignerSigner()), issuerSigner());
    const report = await verify(signed);
    expect(report.verdict).toBe('valid');
    expect(report.checks.find((c) => c.code === 'proof.coSigned')?.params?.signer).toBe(cosigner.did);
  });

  test('a credential signed only by a co-signer is invalid: no proof is the issuer\'s', async () => {
    const report = await verify(await signDataIntegrity(unsigned, cosignerSigner()));
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['key.controllerMismatch']);
  });

  test('an unsupported proof type beside a good proof is named as unsupported', async () => {
    const signed = await signDataIntegrity(unsigned, issuerSigner());
    const legacy = { type: 'Ed25519Signature2018', created: '2026-01-15T09:00:00Z', proofPurpose: 'assertionMethod', jws: 'x..y' };
    const report = await verify({ ...signed, proof: [...(signed.proof as unknown as Json[]), legacy] });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toEqual(['proof.unsupportedType']);
    expect(report.checks.find((c) => c.code === 'proof.unsupportedType')?.message).toContain('Ed25519Signature2018');
  });
});

describe('proof chains', () => {
  test('a proof chained to the issuer\'s proof verifies over it: valid', async () => {
    const first = await chainedProof(issuerSigner(), [], { id: 'urn:uuid:proof-1' });
    const second = await chainedProof(cosignerSigner(), [first], { id: 'urn:uuid:proof-2', previousProof: 'urn:uuid:proof-1' });
    const report = await verify({ ...unsigned, proof: [first, second] });
    expect(report.verdict).toBe('valid');
    expect(report.checks.filter((c) => c.outcome === 'passed' && c.id === 'proof')).toHaveLength(2);
  });

  test('a previousProof naming a proof the credential does not carry breaks the chain: invalid', async () => {
    const first = await chainedProof(issuerSigner(), [], { id: 'urn:uuid:proof-1' });
    const second = await chainedProof(cosignerSigner(), [first], { id: 'urn:uuid:proof-2', previousProof: 'urn:uuid:proof-1' });
    const report = await verify({ ...unsigned, proof: [{ ...first, id: 'urn:uuid:other' }, second] });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('proof.previousMissing');
  });

  test('a chained proof that did not sign over its previous proof is invalid', async () => {
    const first = await chainedProof(issuerSigner(), [], { id: 'urn:uuid:proof-1' });
    const unchained = await chainedProof(cosignerSigner(), [], { id: 'urn:uuid:proof-2', previousProof: 'urn:uuid:proof-1' });
    const report = await verify({ ...unsigned, proof: [first, unchained] });
    expect(report.verdict).toBe('invalid');
    expect(failedCodes(report)).toContain('proof.signatureMismatch');
  });

  test('a chain whose first link is corrupted is invalid', async () => {
    const first = await chainedProof(issuerSigner(), [], { id: 'urn:uuid:proof-1' });
    const second = await chainedProof(cosignerSigner(), [first], { id: 'urn:uuid:proof-2', previousProof: 'urn:uuid:proof-1' });
    expect((await verify({ ...unsigned, proof: [corrupt(first), second] })).verdict).toBe('invalid');
  });
});
