import type { KeyObject } from 'node:crypto';
import { buildOpenBadgeCredential, type CredentialDraft } from '../../src/engine/model/build-credential.js';
import type { Achievement, OpenBadgeCredential, Profile } from '../../src/engine/model/types.js';
import { ed25519PublicKeyMultibase, publicJwk } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity, signJwt } from '../../src/engine/proof/sign.js';
import { ed25519Signer, jwtSigner, type JwtAlgorithm } from '../../src/engine/proof/signer.js';
import { staticFetcher, type Fetcher } from '../../src/engine/verify/fetcher.js';
import { newEd25519, newP256 } from './keys.js';

/**
 * A test issuer published as did:web, the way Blason publishes its operators: a DID document with an Ed25519
 * Multikey (Data Integrity) and a P-256 JWK (VC-JWT), both for assertionMethod, served by a local fetcher.
 */
export interface TestIssuer {
  did: string;
  profile: Profile;
  edKey: KeyObject;
  jwtKey: KeyObject;
  jwtAlg: JwtAlgorithm;
  didDocument: Record<string, unknown>;
  fetcher: Fetcher;
}

export async function testIssuer(options: { host?: string; slug?: string; jwtKey?: KeyObject; jwtAlg?: JwtAlgorithm } = {}): Promise<TestIssuer> {
  const host = options.host ?? 'badges.example.org';
  const slug = options.slug ?? 'bge-lille';
  const did = `did:web:${host}:issuers:${slug}`;
  const edKey = newEd25519();
  const jwtKey = options.jwtKey ?? newP256();
  const multibase = await ed25519PublicKeyMultibase(edKey);
  const didDocument = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: [
      { id: `${did}#ed-1`, type: 'Multikey', controller: did, publicKeyMultibase: multibase },
      { id: `${did}#jwt-1`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicJwk(jwtKey) },
    ],
    assertionMethod: [`${did}#ed-1`, `${did}#jwt-1`],
  };
  return {
    did,
    profile: { id: did, type: ['Profile'], name: 'BGE Hauts-de-France', url: `https://${host}/`, email: 'contact@example.org' },
    edKey,
    jwtKey,
    jwtAlg: options.jwtAlg ?? 'ES256',
    didDocument,
    fetcher: staticFetcher({ [`https://${host}/issuers/${slug}/did.json`]: didDocument }),
  };
}

export function achievement(overrides: Partial<Achievement> = {}): Achievement {
  return {
    id: 'https://badges.example.org/achievements/6f1c',
    type: ['Achievement'],
    name: 'De l\'idée à l\'opportunité',
    description: 'Reconnaît la transformation d\'une idée en opportunité documentée.',
    criteria: { narrative: 'A mené au moins cinq entretiens avec des clients potentiels.' },
    achievementType: 'Competency',
    alignment: [{
      type: ['Alignment'],
      targetName: 'Repérer les opportunités — niveau 3 (Expérimenter)',
      targetUrl: 'https://badges.example.org/referentiels/entrecomp/1.1#niveau-3',
      targetCode: '1.1-N3',
      targetFramework: 'EntreComp',
      targetType: 'ext:EntreCompCompetence',
    }],
    ...overrides,
  };
}

export function draft(issuer: TestIssuer, overrides: Partial<CredentialDraft> = {}): CredentialDraft {
  return {
    id: 'urn:uuid:5b1d3d51-8a39-4a4b-9c1f-1f0a0c6c2a11',
    issuer: issuer.profile,
    achievement: achievement(),
    recipient: { email: 'ana@example.fr', salt: 'sel', name: 'Ana Martin' },
    validFrom: new Date('2026-01-15T09:00:00Z'),
    ...overrides,
  };
}

export async function signedCredential(issuer: TestIssuer, overrides: Partial<CredentialDraft> = {}): Promise<OpenBadgeCredential & { proof: NonNullable<OpenBadgeCredential['proof']> }> {
  return signDataIntegrity(buildOpenBadgeCredential(draft(issuer, overrides)), ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey));
}

export async function signedJwt(issuer: TestIssuer, credential?: OpenBadgeCredential): Promise<string> {
  return signJwt(credential ?? buildOpenBadgeCredential(draft(issuer)), jwtSigner(`${issuer.did}#jwt-1`, issuer.jwtAlg, issuer.jwtKey));
}

/** A hosted Open Badges 2.0 assertion (what an older backpack exports), which Blason recognises and refuses. */
export const OB2_ASSERTION = Object.freeze({
  '@context': 'https://w3id.org/openbadges/v2',
  type: 'Assertion',
  id: 'https://example.org/assertions/123',
  recipient: { type: 'email', hashed: false, identity: 'ana@example.fr' },
  badge: 'https://example.org/badges/5',
  verification: { type: 'hosted' },
  issuedOn: '2016-12-31T23:59:59Z',
});
