/**
 * Benchmark cases for the credential engine. Each runs in its own process (see run.ts), because jsonld.js
 * caches processed contexts per process and a shared process would let one case warm the other's cache.
 */
import { sign as cryptoSign } from 'node:crypto';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as plainEddsa } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { SignJWT, jwtVerify, importJWK, type JWK } from 'jose';
import jsigs from 'jsonld-signatures';
import { buildOpenBadgeCredential } from '../src/engine/model/build-credential.js';
import { bundledContexts } from '../src/engine/jsonld/bundled-contexts.js';
import { resolveDidKey } from '../src/engine/jsonld/document-loader.js';
import { ed25519PublicKeyMultibase, publicJwk } from '../src/engine/proof/key-formats.js';
import { signDataIntegrity, signJwt } from '../src/engine/proof/sign.js';
import { ed25519Signer, jwtSigner } from '../src/engine/proof/signer.js';
import { SigningPool } from '../src/engine/proof/signing-pool.js';
import { verifyJwt } from '../src/engine/verify/jwt.js';
import { verifyCredential } from '../src/engine/verify/verify-credential.js';
import { checkStatus } from '../src/engine/verify/status.js';
import { staticFetcher } from '../src/engine/verify/fetcher.js';
import { Bitstring } from '../src/engine/status/bitstring.js';
import { achievement, testIssuer } from '../test/support/credentials.js';
import { newEd25519 } from '../test/support/keys.js';

/**
 * Checking one credential's status against a signed BitstringStatusListCredential of `size` entries, 1 % of them
 * revoked at random (real lists are mostly zeros): fetch (in memory), signature check of the list, decode, read.
 */
function statusCheckCase(size: number): Case {
  return {
    setup: async () => {
      const issuer = await testIssuer();
      const url = 'https://badges.example.org/status/1';
      const bits = new Bitstring(size);
      for (let i = 0; i < size / 100; i++) bits.set(Math.floor(Math.random() * size), true);
      const list = await signDataIntegrity({
        '@context': ['https://www.w3.org/ns/credentials/v2'], id: url, type: ['VerifiableCredential', 'BitstringStatusListCredential'], issuer: issuer.did,
        validFrom: '2026-01-01T00:00:00Z', credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: bits.encode() },
      }, ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey));
      // Served as bytes, as any real fetcher returns them (a static fetcher would otherwise serialize the list each time).
      const fetcher = staticFetcher({ [`https://badges.example.org/issuers/bge-lille/did.json`]: issuer.didDocument, [url]: JSON.stringify(list) });
      const now = new Date();
      return {
        run: async (i: number) => {
          const credential = { issuer: { id: issuer.did }, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String((i * 7919) % size), statusListCredential: url } };
          const [outcome] = await checkStatus(credential, fetcher, now);
          if (outcome?.kind !== 'checked') throw new Error(JSON.stringify(outcome));
        },
      };
    },
  };
}

export type Case = { setup: () => Promise<{ run: (i: number) => Promise<unknown>; batch?: number; teardown?: () => Promise<void> }> };

/** A realistic Blason credential: EntreComp alignment, hashed email, schema, about 2.5 KB. */
async function didKeyCredential() {
  const key = newEd25519();
  const multibase = await ed25519PublicKeyMultibase(key);
  const did = `did:key:${multibase}`;
  const issuer = { id: did, type: ['Profile'], name: 'BGE Hauts-de-France', url: 'https://bge.example.org/' };
  const make = (i: number) => buildOpenBadgeCredential({
    id: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    issuer, achievement: achievement(), recipient: { email: `porteur${i}@example.fr`, name: 'Ana Martin' },
    validFrom: new Date('2026-01-15T09:00:00Z'),
  });
  return { key, did, methodId: `${did}#${multibase}`, make };
}

/** What an integrator writes with the library defaults: a Map of contexts, no caching tag, the key's own signer. */
const plainLoader = async (url: string) => {
  const document = bundledContexts().get(url);
  if (document) return { contextUrl: null, documentUrl: url, document };
  if (url.startsWith('did:key:')) return { contextUrl: null, documentUrl: url, document: await resolveDidKey(url) };
  throw new Error(`not found: ${url}`);
};

export const engineCases: Record<string, Case> = {
  'status-check-131k': statusCheckCase(131_072),
  'status-check-1m': statusCheckCase(1_048_576),
  'status-check-16m': statusCheckCase(16_777_216),
  'ed25519-raw-sign': {
    setup: async () => {
      const key = newEd25519();
      const data = Buffer.alloc(64, 7);
      return { run: async () => cryptoSign(null, data, key) };
    },
  },
  'di-sign-reference': {
    setup: async () => {
      const { key, methodId, make } = await didKeyCredential();
      const pair = await Ed25519Multikey.fromJwk({ jwk: { ...key.export({ format: 'jwk' }) }, secretKey: true, id: methodId, controller: methodId.split('#')[0] });
      const signer = (pair as unknown as { signer(): { id: string; algorithm: string; sign(a: { data: Uint8Array }): Promise<Uint8Array> } }).signer();
      return {
        run: async (i) => vc.issue({ credential: structuredClone(make(i)), suite: new DataIntegrityProof({ signer, cryptosuite: plainEddsa }), documentLoader: plainLoader }),
      };
    },
  },
  'di-sign-blason': {
    setup: async () => {
      const { key, methodId, make } = await didKeyCredential();
      const signer = ed25519Signer(methodId, key);
      const created = new Date();
      return { run: async (i) => signDataIntegrity(make(i), signer, created) };
    },
  },
  'di-sign-blason-pool': {
    setup: async () => {
      const { key, methodId, make } = await didKeyCredential();
      const pool = new SigningPool();
      const batch = 400;
      const keys = { dataIntegrity: { verificationMethod: methodId, privateKey: key } };
      await pool.sign(Array.from({ length: 50 }, (_, i) => make(i) as unknown as Record<string, unknown>), keys);
      return {
        batch,
        run: async (i) => pool.sign(Array.from({ length: batch }, (_, j) => make(i * batch + j) as unknown as Record<string, unknown>), keys),
        teardown: () => pool.close(),
      };
    },
  },
  'di-verify-reference': {
    setup: async () => {
      const { key, methodId, make } = await didKeyCredential();
      const signed = await signDataIntegrity(make(1), ed25519Signer(methodId, key));
      const suite = new DataIntegrityProof({ cryptosuite: plainEddsa });
      return {
        run: async () => {
          const result = await jsigs.verify(structuredClone(signed), { suite, purpose: new jsigs.purposes.AssertionProofPurpose(), documentLoader: plainLoader });
          if (!result.verified) throw new Error('reference verification failed');
        },
      };
    },
  },
  'di-verify-blason': {
    setup: async () => {
      const { key, methodId, make } = await didKeyCredential();
      const signed = await signDataIntegrity(make(1), ed25519Signer(methodId, key));
      return {
        run: async () => {
          const report = await verifyCredential({ credential: signed });
          if (!report.verified) throw new Error('verification failed');
        },
      };
    },
  },
  'jwt-sign-jose': {
    setup: async () => {
      const issuer = await testIssuer();
      const credential = buildOpenBadgeCredential({ id: 'urn:uuid:1', issuer: issuer.profile, achievement: achievement(), recipient: { email: 'a@example.fr' }, validFrom: new Date('2026-01-15T09:00:00Z') });
      return {
        run: async () => new SignJWT({ ...credential, iss: issuer.did, jti: credential.id, nbf: 1768467600 })
          .setProtectedHeader({ alg: 'ES256', kid: `${issuer.did}#jwt-1`, typ: 'JWT' }).sign(issuer.jwtKey),
      };
    },
  },
  'jwt-sign-blason': {
    setup: async () => {
      const issuer = await testIssuer();
      const credential = buildOpenBadgeCredential({ id: 'urn:uuid:1', issuer: issuer.profile, achievement: achievement(), recipient: { email: 'a@example.fr' }, validFrom: new Date('2026-01-15T09:00:00Z') });
      const signer = jwtSigner(`${issuer.did}#jwt-1`, 'ES256', issuer.jwtKey);
      return { run: async () => signJwt(credential, signer) };
    },
  },
  'jwt-verify-jose': {
    setup: async () => {
      const issuer = await testIssuer();
      const credential = buildOpenBadgeCredential({ id: 'urn:uuid:1', issuer: issuer.profile, achievement: achievement(), recipient: { email: 'a@example.fr' }, validFrom: new Date('2026-01-15T09:00:00Z') });
      const jwt = await signJwt(credential, jwtSigner(`${issuer.did}#jwt-1`, 'ES256', issuer.jwtKey));
      const key = await importJWK(publicJwk(issuer.jwtKey) as JWK, 'ES256');
      return { run: async () => jwtVerify(jwt, key, { algorithms: ['ES256'] }) };
    },
  },
  'jwt-verify-blason': {
    setup: async () => {
      const issuer = await testIssuer();
      const credential = buildOpenBadgeCredential({ id: 'urn:uuid:1', issuer: issuer.profile, achievement: achievement(), recipient: { email: 'a@example.fr' }, validFrom: new Date('2026-01-15T09:00:00Z') });
      const jwt = await signJwt(credential, jwtSigner(`${issuer.did}#jwt-1`, 'ES256', issuer.jwtKey));
      return {
        run: async () => {
          const outcome = await verifyJwt(jwt, issuer.fetcher);
          if (!outcome.ok) throw new Error(outcome.message);
        },
      };
    },
  },
};
