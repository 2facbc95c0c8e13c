/**
 * The eddsa-rdfc-2022 test vector of the OB 3.0 implementation guide (test/fixtures/test-vector, copied from
 * ../shared/ob3/test-vectors/obv3p0) is reproduced exactly: canonical N-Quads, both hashes, the signature.
 */
import { createHash, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { eddsaRdfc2022 } from '../../src/engine/proof/cryptosuites.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { ed25519PublicKeyMultibase } from '../../src/engine/proof/key-formats.js';
import { FIXTURES } from '../support/fixtures.js';
import { ed25519FromSeed } from '../support/keys.js';

const dir = path.join(FIXTURES, 'test-vector');
const vector = JSON.parse(readFileSync(path.join(dir, 'linked-data-proof-ob.vector.json'), 'utf8'));
const documentCanon = readFileSync(path.join(dir, 'document-canon.txt'), 'utf8');
const proofCanon = readFileSync(path.join(dir, 'proof-canon.txt'), 'utf8');
const key = ed25519FromSeed(vector.keyPair.privateKeyHex.slice(0, 64));
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const options = { documentLoader: contextLoader, safe: true, base: null };

test('the test key is the published public key', async () => {
  expect(await ed25519PublicKeyMultibase(key)).toBe(vector.keyPair.publicKeyMultibase);
});

test('the credential canonicalizes to the published N-Quads', async () => {
  expect(await eddsaRdfc2022.canonize(vector.unsignedCredential, options)).toBe(documentCanon);
});

test('the proof options canonicalize to the published N-Quads', async () => {
  const proofConfig = { '@context': vector.unsignedCredential['@context'], ...vector.proofOptions };
  expect(await eddsaRdfc2022.canonize(proofConfig, options)).toBe(proofCanon);
});

test('both hashes match the published ones', () => {
  expect(sha256(documentCanon)).toBe(vector.documentHashHex);
  expect(sha256(proofCanon)).toBe(vector.proofHashHex);
});

test('signing produces the published signature and signed credential', async () => {
  const signer = ed25519Signer(vector.proofOptions.verificationMethod, key);
  const signed = await signDataIntegrity(vector.unsignedCredential, signer, new Date(vector.proofOptions.created));
  expect(signed).toEqual(vector.signedCredential);
  const signature = Buffer.from(await signer.sign({ data: Buffer.from(vector.dataToSignHex, 'hex') }));
  expect(signature.toString('hex')).toBe(vector.signatureHex);
});

test('the published signature verifies over proofHash || documentHash with node:crypto alone', () => {
  const data = Buffer.from(vector.proofHashHex + vector.documentHashHex, 'hex');
  expect(verify(null, data, key, Buffer.from(vector.signatureHex, 'hex'))).toBe(true);
});

test('signing leaves the input credential untouched', async () => {
  const input = structuredClone(vector.unsignedCredential);
  await signDataIntegrity(input, ed25519Signer(vector.proofOptions.verificationMethod, key));
  expect(input).toEqual(vector.unsignedCredential);
});
