import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { hashedEmailIdentity, identityHash, identityMatches } from '../../src/engine/model/identity-hash.js';
import { draft, testIssuer } from '../support/credentials.js';

describe('the salted identity hash', () => {
  test('reproduces the spec example sha256("a@example.com" + "Kosher")', () => {
    expect(identityHash('a@example.com', 'Kosher')).toBe('sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399');
  });

  test('reproduces the implementation guide example (jjefferson18@example.com, FleurDeSel)', () => {
    expect(identityHash('jjefferson18@example.com', 'FleurDeSel')).toBe('sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc');
  });

  test('lower-cases and trims the email before hashing', () => {
    expect(hashedEmailIdentity('  A@Example.COM ', 'Kosher').identityHash).toBe(identityHash('a@example.com', 'Kosher'));
  });

  test('matches the email it was made from, whatever its case, and nothing else', () => {
    const identity = hashedEmailIdentity('ana@example.fr');
    expect(identityMatches(identity, 'Ana@Example.fr')).toBe(true);
    expect(identityMatches(identity, 'ana@example.com')).toBe(false);
  });

  test('gives a different hash for the same email with a fresh salt', () => {
    expect(hashedEmailIdentity('ana@example.fr').identityHash).not.toBe(hashedEmailIdentity('ana@example.fr').identityHash);
  });

  test('accepts upper-case hex in a published hash', () => {
    const identity = { type: 'IdentityObject', hashed: true, identityType: 'emailAddress', salt: 'Kosher', identityHash: 'sha256$B5809D8A92F8858436D7E6B87C12EBC0AE1EAC4BAECC2C0B913AEE2C922EF399' };
    expect(identityMatches(identity, 'a@example.com')).toBe(true);
  });
});

describe('the credential builder', () => {
  test('puts the VCDM 2.0 context first, OB 3.0.3 second and the extensions context for the schema type', async () => {
    const credential = buildOpenBadgeCredential(draft(await testIssuer()));
    expect(credential['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    ]);
  });

  test('leaves the extensions context out when no extension type is used', async () => {
    const credential = buildOpenBadgeCredential(draft(await testIssuer(), { withSchema: false }));
    expect(credential['@context']).toHaveLength(2);
  });

  test('identifies the recipient by a salted email hash, never the email itself', async () => {
    const credential = buildOpenBadgeCredential(draft(await testIssuer()));
    expect(JSON.stringify(credential)).not.toContain('ana@example.fr');
    expect(credential.credentialSubject.identifier).toEqual([hashedEmailIdentity('ana@example.fr', 'sel')]);
  });

  test('identifies the recipient by DID when given one', async () => {
    const credential = buildOpenBadgeCredential(draft(await testIssuer(), { recipient: { did: 'did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi' } }));
    expect(credential.credentialSubject.id).toBe('did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi');
    expect(credential.credentialSubject.identifier).toBeUndefined();
  });

  test('writes dates as UTC date-times to the second', async () => {
    const credential = buildOpenBadgeCredential(draft(await testIssuer(), { validUntil: new Date('2030-06-30T23:59:59.999Z') }));
    expect([credential.validFrom, credential.validUntil]).toEqual(['2026-01-15T09:00:00Z', '2030-06-30T23:59:59Z']);
  });

  test('refuses a validUntil before validFrom', async () => {
    expect(() => buildOpenBadgeCredential(draft({ profile: { id: 'did:web:x', type: ['Profile'] } } as never, { validUntil: new Date('2020-01-01') }))).toThrow(RangeError);
  });
});
