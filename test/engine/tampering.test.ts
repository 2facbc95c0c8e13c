/**
 * The tampering matrix (security.md §4, test plan T1): any change to what an issuer signed is caught, and so
 * is anything added that the signature cannot cover. Every case starts from a credential that verifies.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { eddsaRdfc2022 } from '../../src/engine/proof/cryptosuites.js';
import { ed25519PublicKeyMultibase } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity, toXsdSeconds } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { staticFetcher } from '../../src/engine/verify/fetcher.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, testIssuer, type TestIssuer } from '../support/credentials.js';
import { newEd25519 } from '../support/keys.js';
import { failedCodes } from '../support/verification.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const SIGNED_AT = new Date('2026-01-15T09:00:00Z');
const STATUS_LIST_URL = 'https://badges.example.org/status/1';

type Json = Record<string, unknown>;

/** The parts of jsonld-signatures Blason itself never uses (types/vendor.d.ts declares only what it does). */
const jsigsForSigning = jsigs as unknown as {
  sign(document: object, options: { suite: object; purpose: object; documentLoader: typeof contextLoader }): Promise<Json>;
  purposes: { AuthenticationProofPurpose: new (options: { challenge: string }) => object };
};

let issuer: TestIssuer;
/** name, description, achievement with criteria and alignment, hashed email identifier, evidence. */
let reference: Json;
/** The same, with a BitstringStatusListEntry. */
let referenceWithStatus: Json;

beforeAll(async () => {
  issuer = await testIssuer();
  const signer = ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey);
  reference = await signDataIntegrity(buildOpenBadgeCredential(draft(issuer, {
    description: 'Badge délivré à l\'issue de l\'atelier « Esprit d\'entreprendre ».',
    evidence: [{ id: 'https://badges.example.org/evidence/42', type: ['Evidence'], narrative: 'Cinq entretiens documentés.' }],
  })), signer, SIGNED_AT) as unknown as Json;
  referenceWithStatus = await signDataIntegrity(buildOpenBadgeCredential(draft(issuer, {
    credentialStatus: { id: `${STATUS_LIST_URL}#94567`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '94567', statusListCredential: STATUS_LIST_URL },
  })), signer, SIGNED_AT) as unknown as Json;
});

function verify(credential: Json, fetcher = issuer.fetcher): Promise<VerificationReport> {
  return verifyCredential({ credential }, { fetcher, now: NOW });
}

/** `a.b[0].c` → ['a', 'b', 0, 'c'] */
function segments(path: string): (string | number)[] {
  return path.split('.').flatMap((part) => {
    const [name, ...indexes] = part.split(/[[\]]+/).filter((s) => s !== '');
    return [name!, ...indexes.map(Number)];
  });
}

function read(root: unknown, path: string): unknown {
  return segments(path).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

function write(root: unknown, path: string, value: unknown): void {
  const keys = segments(path);
  const parent = keys.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
  (parent as Record<string | number, unknown>)[keys[keys.length - 1]!] = value;
}

/** One character changed: the last digit if there is one (dates, hashes, indexes stay well-formed), else the last letter. */
function changeOneCharacter(value: string): string {
  const digit = value.search(/\d(?=\D*$)/);
  if (digit >= 0) return value.slice(0, digit) + String((Number(value[digit]) + 1) % 10) + value.slice(digit + 1);
  const letter = value.search(/[A-Za-z](?=[^A-Za-z]*$)/);
  if (letter < 0) throw new Error(`nothing to change in "${value}"`);
  const replacement = value[letter] === 'z' ? 'a' : value[letter] === 'Z' ? 'A' : String.fromCharCode(value.charCodeAt(letter) + 1);
  return value.slice(0, letter) + replacement + value.slice(letter + 1);
}

function tampered(credential: Json, path: string): Json {
  const copy = structuredClone(credential);
  const before = read(copy, path);
  if (typeof before !== 'string') throw new Error(`${path} is not a string in the reference credential`);
  write(copy, path, changeOneCharacter(before));
  return copy;
}

describe('the reference credentials', () => {
  test('the reference credential verifies untouched', async () => {
    const report = await verify(reference);
    expect(failedCodes(report)).toEqual([]);
    expect(report.verdict).toBe('valid');
  });

  test('the reference credential with a status entry passes its proof untouched (its list is simply not served)', async () => {
    const report = await verify(referenceWithStatus);
    expect(failedCodes(report)).toEqual([]);
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'passed', code: 'proof.ok' });
    expect(report.verdict).toBe('status-unknown');
  });
});

describe('changing one character of a signed field breaks the signature', () => {
  test.each([
    'name',
    'credentialSubject.achievement.name',
    'description',
    'credentialSubject.achievement.criteria.narrative',
    'credentialSubject.achievement.alignment[0].targetUrl',
    'issuer.name',
    'validFrom',
    'credentialSubject.identifier[0].identityHash',
    'evidence[0].narrative',
    'proof[0].created',
  ])('%s', async (path) => {
    const report = await verify(tampered(reference, path));
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.signatureMismatch' });
  });

  test('credentialStatus.statusListIndex (the status list is never consulted)', async () => {
    const report = await verify(tampered(referenceWithStatus, 'credentialStatus.statusListIndex'));
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.signatureMismatch' });
    expect(report.checks.find((c) => c.id === 'status')).toMatchObject({ outcome: 'skipped', code: 'status.notChecked' });
  });

  test('a tampered credential is not displayed as trusted', async () => {
    const report = await verify(tampered(reference, 'name'));
    expect(report.display.trusted).toBe(false);
  });
});

describe('adding terms the signature cannot cover', () => {
  test('a property no context defines, inside credentialSubject, is refused as an undefined term', async () => {
    const credential = structuredClone(reference);
    (credential.credentialSubject as Json).maliciousField = 'x';
    const report = await verify(credential);
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.undefinedTerm' });
  });

  test('an unknown top-level property is refused as an undefined term', async () => {
    const report = await verify({ ...structuredClone(reference), grantsAdminRights: true });
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.undefinedTerm' });
  });

  test.each(['#x', ''])('an evidence id made relative ("%s") is refused by JSON-LD safe mode', async (id) => {
    const credential = structuredClone(reference);
    write(credential, 'evidence[0].id', id);
    const report = await verify(credential);
    expect(report.verdict).toBe('invalid');
    const proof = report.checks.find((c) => c.id === 'proof');
    expect(proof).toMatchObject({ outcome: 'failed', code: 'proof.undefinedTerm' });
    expect(proof?.message).toMatch(/relative/);
  });

  test('signing refuses a credential with a relative evidence id', async () => {
    const credential = buildOpenBadgeCredential(draft(issuer, { evidence: [{ id: '#x', type: ['Evidence'], narrative: 'n' }] }));
    await expect(signDataIntegrity(credential, ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey))).rejects.toThrow();
  });
});

describe('the JSON text itself', () => {
  function reordered(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reordered);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
    return value;
  }

  test('reordering every object\'s keys and changing whitespace still verifies', async () => {
    const text = `\n\n  ${JSON.stringify(reordered(reference), null, '\t')}  \r\n`;
    expect(text.indexOf('"proof"')).toBeLessThan(text.indexOf('"@context"'));
    const report = await verifyCredential({ text }, { fetcher: issuer.fetcher, now: NOW });
    expect(failedCodes(report)).toEqual([]);
    expect(report.verdict).toBe('valid');
  });

  test('a JSON text that repeats a key is rejected before anything else reads it', async () => {
    const text = JSON.stringify(reference).replace(/^\{/, '{"name":"Badge falsifié",');
    const report = await verifyCredential({ text }, { fetcher: issuer.fetcher, now: NOW });
    expect(report.verdict).toBe('invalid');
    expect(report.checks).toEqual([expect.objectContaining({ id: 'parse', outcome: 'failed', code: 'input.duplicateKey' })]);
  });

  test('a key repeated deep inside the credential is rejected too', async () => {
    const text = JSON.stringify(reference).replace('"narrative":', '"narrative":"Aucun critère","narrative":');
    const report = await verifyCredential({ text }, { fetcher: issuer.fetcher, now: NOW });
    expect(failedCodes(report)).toEqual(['input.duplicateKey']);
  });
});

describe('issuer and key substitution', () => {
  let other: TestIssuer;
  let both: ReturnType<typeof staticFetcher>;

  beforeAll(async () => {
    other = await testIssuer({ host: 'other.example.net', slug: 'rival' });
    both = staticFetcher({}, {
      fetch: (url, options) => (url.startsWith('https://other.example.net/') ? other.fetcher : issuer.fetcher).fetch(url, options),
    });
  });

  test('swapping the issuer of a signed credential for another published issuer breaks the signature', async () => {
    const report = await verify({ ...structuredClone(reference), issuer: other.profile }, both);
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.signatureMismatch' });
  });

  test('a credential naming one issuer but signed with another issuer\'s published key is refused: the key is not the issuer\'s', async () => {
    const { proof: _proof, ...unsigned } = reference;
    const forged = await signDataIntegrity(unsigned, ed25519Signer(`${other.did}#ed-1`, other.edKey), SIGNED_AT);
    const report = await verify(forged, both);
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'passed' });
    expect(report.checks.find((c) => c.id === 'issuerKey')).toMatchObject({ outcome: 'failed', code: 'key.controllerMismatch' });
  });

  test('re-signing with a key the issuer does not publish, under a new method id, is refused: the key is not published', async () => {
    const { proof: _proof, ...unsigned } = reference;
    const forged = await signDataIntegrity(unsigned, ed25519Signer(`${issuer.did}#attacker`, newEd25519()), SIGNED_AT);
    const report = await verify(forged);
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'issuerKey')).toMatchObject({ outcome: 'failed', code: 'key.notPublished' });
  });

  test('re-signing with another key while claiming the issuer\'s method id breaks the signature', async () => {
    const { proof: _proof, ...unsigned } = reference;
    const forged = await signDataIntegrity(unsigned, ed25519Signer(`${issuer.did}#ed-1`, newEd25519()), SIGNED_AT);
    const report = await verify(forged);
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.signatureMismatch' });
  });

  test('a proof made for authentication rather than assertionMethod is refused', async () => {
    const { proof: _proof, ...unsigned } = reference;
    const suite = new DataIntegrityProof({ signer: ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey), cryptosuite: eddsaRdfc2022, date: toXsdSeconds(SIGNED_AT) });
    const signed = await jsigsForSigning.sign(structuredClone(unsigned), {
      suite,
      purpose: new jsigsForSigning.purposes.AuthenticationProofPurpose({ challenge: 'c0ffee' }),
      documentLoader: contextLoader,
    });
    expect((signed.proof as Json).proofPurpose).toBe('authentication');
    const report = await verify(signed);
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'proof')).toMatchObject({ outcome: 'failed', code: 'proof.wrongPurpose' });
  });

  test('a key the DID document lists only for authentication may not sign credentials', async () => {
    const authKey = newEd25519();
    const authMethod = `${issuer.did}#auth-1`;
    const didDocument = structuredClone(issuer.didDocument);
    (didDocument.verificationMethod as Json[]).push({ id: authMethod, type: 'Multikey', controller: issuer.did, publicKeyMultibase: await ed25519PublicKeyMultibase(authKey) });
    didDocument.authentication = [authMethod];
    const fetcher = staticFetcher({ 'https://badges.example.org/issuers/bge-lille/did.json': didDocument });
    const { proof: _proof, ...unsigned } = reference;
    const signed = await signDataIntegrity(unsigned, ed25519Signer(authMethod, authKey), SIGNED_AT);
    const report = await verify(signed, fetcher);
    expect(report.verdict).toBe('invalid');
    expect(report.checks.find((c) => c.id === 'issuerKey')).toMatchObject({ outcome: 'failed', code: 'key.notForAssertion' });
  });
});
