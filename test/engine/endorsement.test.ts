/** An EndorsementCredential is built to the OB 3.0 model, conforms to the official schema and verifies anywhere. */
import { buildEndorsementCredential } from '../../src/engine/model/build-endorsement.js';
import { signDataIntegrity, signJwt } from '../../src/engine/proof/sign.js';
import { ed25519Signer, jwtSigner } from '../../src/engine/proof/signer.js';
import { endorsementCredentialValidator } from '../../src/engine/verify/schema.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { testIssuer, type TestIssuer } from '../support/credentials.js';
import { verifyIndependently } from '../support/independent-vc.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const ACHIEVEMENT_ID = 'https://badges.example.org/achievements/6f1c';

function draftFor(endorser: TestIssuer) {
  return buildEndorsementCredential({
    id: 'https://badges.example.org/endorsements/0b4c',
    issuer: { ...endorser.profile, name: 'France Travail Hauts-de-France' },
    subjectId: ACHIEVEMENT_ID,
    comment: 'Un badge que nos conseillers reconnaissent.',
    validFrom: new Date('2026-11-01T09:00:00Z'),
  });
}

async function signed(endorser: TestIssuer) {
  return signDataIntegrity(draftFor(endorser), ed25519Signer(`${endorser.did}#ed-1`, endorser.edKey), NOW);
}

test('the endorsement names the endorsed thing, the comment and both required types', () => {
  const credential = draftFor({ profile: { id: 'did:web:x', type: ['Profile'] } } as TestIssuer);
  expect(credential.type).toEqual(['VerifiableCredential', 'EndorsementCredential']);
  expect(credential.credentialSubject).toEqual({
    id: ACHIEVEMENT_ID,
    type: ['EndorsementSubject'],
    endorsementComment: 'Un badge que nos conseillers reconnaissent.',
  });
});

test('a signed endorsement conforms to the official EndorsementCredential schema', async () => {
  const validate = endorsementCredentialValidator();
  expect(validate(await signed(await testIssuer({ slug: 'france-travail' })))).toBe(true);
});

test('a signed endorsement verifies with @digitalbazaar/vc and its own cryptosuite', async () => {
  const endorser = await testIssuer({ slug: 'france-travail' });
  const result = await verifyIndependently(await signed(endorser), [endorser.didDocument]);
  expect(result.error).toBeUndefined();
  expect(result.verified).toBe(true);
});

test('a changed comment no longer verifies independently', async () => {
  const endorser = await testIssuer({ slug: 'france-travail' });
  const credential = await signed(endorser);
  credential.credentialSubject.endorsementComment = 'Autre chose.';
  expect((await verifyIndependently(credential, [endorser.didDocument])).verified).toBe(false);
});

test("Blason's verifier accepts the endorsement as JSON and as a VC-JWT", async () => {
  const endorser = await testIssuer({ slug: 'france-travail' });
  const credential = await signed(endorser);
  const jwt = await signJwt(credential, jwtSigner(`${endorser.did}#jwt-1`, 'ES256', endorser.jwtKey));
  for (const input of [{ credential }, { text: jwt }]) {
    const report = await verifyCredential(input, { fetcher: endorser.fetcher, now: NOW });
    expect(report.checks.filter((c) => c.outcome === 'failed')).toEqual([]);
    expect(report.verdict).toBe('valid');
  }
});
