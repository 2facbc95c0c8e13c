/**
 * A holder presenting badges in a W3C Verifiable Presentation: the holder's signature (Data Integrity,
 * eddsa-rdfc-2022, for "authentication"), the verifier's challenge and domain, and each credential's own verdict.
 */
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { staticFetcher } from '../../src/engine/verify/fetcher.js';
import { verifyPresentation } from '../../src/engine/verify/verify-presentation.js';
import { signedCredential, signedJwt, testIssuer, type TestIssuer } from '../support/credentials.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const CHALLENGE = 'c0ae1c8e-c7e7-469f-b252-86e6a0e7387e';
const DOMAIN = 'verifier.example.org';

interface Holder {
  did: string;
  sign(presentation: object, challenge?: string, domain?: string): Promise<Record<string, unknown>>;
}

/** A holder's wallet: an Ed25519 key (did:key, or the given did:web), presentations signed with @digitalbazaar/vc. */
async function newHolder(didWeb?: string): Promise<Holder & { publicKeyMultibase: string }> {
  const keyPair = await Ed25519Multikey.generate();
  const fingerprint = keyPair.publicKeyMultibase;
  const did = didWeb ?? `did:key:${fingerprint}`;
  Object.assign(keyPair, { id: didWeb ? `${did}#key-1` : `${did}#${fingerprint}`, controller: did });
  const signer = (keyPair as unknown as { signer(): object }).signer();
  return {
    did,
    publicKeyMultibase: fingerprint,
    sign: (presentation, challenge = CHALLENGE, domain) =>
      vc.signPresentation({
        presentation: structuredClone(presentation),
        suite: new DataIntegrityProof({ signer: signer as never, cryptosuite: eddsaRdfc2022 }),
        challenge,
        ...(domain ? { domain } : {}),
        documentLoader: contextLoader,
      }),
  };
}

function presentationOf(holder: string, credentials: unknown[]): Record<string, unknown> {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    holder,
    verifiableCredential: credentials,
  };
}

let issuer: TestIssuer;
let holder: Holder;
let badge: Record<string, unknown>;

beforeAll(async () => {
  issuer = await testIssuer();
  holder = await newHolder();
  badge = (await signedCredential(issuer)) as unknown as Record<string, unknown>;
});

const options = (extra: { challenge?: string; domain?: string } = {}) => ({
  fetcher: issuer.fetcher,
  now: NOW,
  ...extra,
});

describe('a signed presentation', () => {
  test('is verified with the challenge and domain it was signed for', async () => {
    const vp = await holder.sign(presentationOf(holder.did, [badge]), CHALLENGE, DOMAIN);
    const report = await verifyPresentation({ credential: vp }, options({ challenge: CHALLENGE, domain: DOMAIN }));
    expect(report.checks.filter((c) => c.outcome === 'failed')).toEqual([]);
    expect([report.verified, report.holder, report.signed]).toEqual([true, holder.did, true]);
    expect(report.credentials.map((c) => c.verdict)).toEqual(['valid']);
  });

  test('is verified without a challenge asked: the one it carries is covered by its signature', async () => {
    const vp = await holder.sign(presentationOf(holder.did, [badge]));
    const report = await verifyPresentation({ credential: vp }, options());
    expect(report.verified).toBe(true);
  });

  test('is refused when signed over another challenge', async () => {
    const vp = await holder.sign(presentationOf(holder.did, [badge]), 'another-challenge');
    const report = await verifyPresentation({ credential: vp }, options({ challenge: CHALLENGE }));
    expect(report.verified).toBe(false);
    expect(report.checks.map((c) => c.code)).toContain('presentation.challengeMismatch');
  });

  test('is refused when signed for another domain', async () => {
    const vp = await holder.sign(presentationOf(holder.did, [badge]), CHALLENGE, 'elsewhere.example.com');
    const report = await verifyPresentation({ credential: vp }, options({ challenge: CHALLENGE, domain: DOMAIN }));
    expect(report.verified).toBe(false);
    expect(report.checks.map((c) => c.code)).toContain('presentation.domainMismatch');
  });

  test('is refused when its challenge was rewritten to the one asked (the signature covers it)', async () => {
    const vp = await holder.sign(presentationOf(holder.did, [badge]), 'old-challenge');
    const proof = vp.proof as Record<string, unknown>;
    const forged = { ...vp, proof: { ...proof, challenge: CHALLENGE } };
    const report = await verifyPresentation({ credential: forged }, options({ challenge: CHALLENGE }));
    expect(report.verified).toBe(false);
    expect(report.checks.find((c) => c.outcome === 'failed')?.code).toBe('proof.signatureMismatch');
  });

  test('is refused when the presentation was altered after it was signed', async () => {
    const vp = await holder.sign(presentationOf(holder.did, [badge]));
    const report = await verifyPresentation({ credential: { ...vp, id: 'urn:uuid:0b6b6ed6-0000-4000-8000-000000000001' } }, options());
    expect(report.verified).toBe(false);
    expect(report.checks.map((c) => c.code)).toContain('proof.signatureMismatch');
  });

  test('is refused when it names another holder than the key that signed it', async () => {
    const other = await newHolder();
    const vp = await holder.sign(presentationOf(other.did, [badge]));
    const report = await verifyPresentation({ credential: vp }, options());
    expect(report.verified).toBe(false);
    expect(report.checks.map((c) => c.code)).toContain('presentation.holderMismatch');
  });

  test('is refused when signed for assertion rather than authentication', async () => {
    const vp = await holder.sign(presentationOf(holder.did, [badge]));
    const forged = { ...vp, proof: { ...(vp.proof as object), proofPurpose: 'assertionMethod' } };
    const report = await verifyPresentation({ credential: forged }, options());
    expect(report.checks.map((c) => c.code)).toContain('proof.wrongPurpose');
    expect(report.verified).toBe(false);
  });
});

describe('the credentials a presentation carries', () => {
  test('an altered credential inside a validly signed presentation leaves it unverified', async () => {
    const tampered = { ...badge, name: 'Un autre badge' };
    const vp = await holder.sign(presentationOf(holder.did, [tampered]));
    const report = await verifyPresentation({ credential: vp }, options());
    expect(report.checks.map((c) => c.code)).toContain('presentation.proofOk');
    expect(report.credentials[0]!.verdict).toBe('invalid');
    expect(report.checks.map((c) => c.code)).toContain('presentation.credentialFailed');
    expect(report.verified).toBe(false);
  });

  test('a VC-JWT enveloped in the presentation is verified as a JWT', async () => {
    const jwt = await signedJwt(issuer);
    const enveloped = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['EnvelopedVerifiableCredential'],
      id: `data:application/vc+jwt,${jwt}`,
    };
    const vp = await holder.sign(presentationOf(holder.did, [badge, enveloped]));
    const report = await verifyPresentation({ credential: vp }, options());
    expect(report.credentials.map((c) => [c.proofFormat, c.verdict])).toEqual([
      ['data-integrity', 'valid'],
      ['jwt', 'valid'],
    ]);
    expect(report.verified).toBe(true);
  });

  test('an envelope that holds no JWT is refused', async () => {
    const enveloped = { type: ['EnvelopedVerifiableCredential'], id: 'data:application/vc+jwt,not-a-jwt' };
    const report = await verifyPresentation(
      { credential: presentationOf(holder.did, [enveloped]) },
      options(),
    );
    expect(report.checks.map((c) => c.code)).toContain('presentation.badCredential');
    expect(report.verified).toBe(false);
  });
});

describe('an unsigned presentation', () => {
  test('is accepted with a warning when no challenge was asked', async () => {
    const report = await verifyPresentation({ credential: presentationOf(holder.did, [badge]) }, options());
    expect(report.checks.find((c) => c.code === 'presentation.unsigned')?.outcome).toBe('warning');
    expect([report.verified, report.signed]).toEqual([true, false]);
  });

  test('is never verified when a challenge was asked', async () => {
    const report = await verifyPresentation(
      { credential: presentationOf(holder.did, [badge]) },
      options({ challenge: CHALLENGE }),
    );
    expect(report.checks.map((c) => c.code)).toContain('presentation.proofRequired');
    expect(report.verified).toBe(false);
  });

  test('that holds nothing proves nothing', async () => {
    const report = await verifyPresentation({ credential: presentationOf(holder.did, []) }, options());
    expect(report.checks.map((c) => c.code)).toContain('presentation.empty');
    expect(report.verified).toBe(false);
  });
});

describe('what is not a presentation', () => {
  test('a credential handed over as a presentation is refused', async () => {
    const report = await verifyPresentation({ credential: badge }, options());
    expect(report.checks.map((c) => c.code)).toEqual(['presentation.notPresentation']);
    expect(report.verified).toBe(false);
  });

  test('unreadable JSON is reported, not thrown', async () => {
    const report = await verifyPresentation({ text: '{"@context": ' }, options());
    expect(report.verified).toBe(false);
    expect(report.checks[0]!.id).toBe('parse');
  });
});

describe('a holder known by did:web', () => {
  const did = 'did:web:wallet.example.org:ana';
  const documentOf = (publicKeyMultibase: string, relationship: 'authentication' | 'assertionMethod') => ({
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{ id: `${did}#key-1`, type: 'Multikey', controller: did, publicKeyMultibase }],
    [relationship]: [`${did}#key-1`],
  });

  test('is verified with a key its DID document lists for authentication', async () => {
    const webHolder = await newHolder(did);
    const fetcher = staticFetcher({
      'https://wallet.example.org/ana/did.json': documentOf(webHolder.publicKeyMultibase, 'authentication'),
    });
    const vp = await webHolder.sign(presentationOf(did, []));
    const report = await verifyPresentation({ credential: vp }, { fetcher, now: NOW, challenge: CHALLENGE });
    expect([report.verified, report.holder]).toEqual([true, did]);
  });

  test('is refused with a key listed only for issuing credentials', async () => {
    const webHolder = await newHolder(did);
    const fetcher = staticFetcher({
      'https://wallet.example.org/ana/did.json': documentOf(webHolder.publicKeyMultibase, 'assertionMethod'),
    });
    const vp = await webHolder.sign(presentationOf(did, []));
    const report = await verifyPresentation({ credential: vp }, { fetcher, now: NOW, challenge: CHALLENGE });
    expect(report.checks.map((c) => c.code)).toContain('key.notPublished');
    expect(report.verified).toBe(false);
  });
});

describe('VCDM 1.1 presentations', () => {
  test('a 1.1 presentation signed by its holder is verified', async () => {
    const vp = await holder.sign({
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiablePresentation'],
      holder: holder.did,
    });
    const report = await verifyPresentation({ credential: vp }, options({ challenge: CHALLENGE }));
    expect([report.vcdm, report.verified]).toEqual(['1.1', true]);
  });
});
