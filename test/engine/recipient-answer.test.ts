import { hashedEmailIdentity, identityHash } from '../../src/engine/model/identity-hash.js';
import { recipientAnswer } from '../../src/engine/verify/recipient-answer.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';

const report = (over: Partial<VerificationReport>): VerificationReport => ({
  verdict: 'valid', verified: true, warnings: 0, checks: [], endorsements: [], display: { trusted: true }, ...over,
});
const ob3 = (subject: Record<string, unknown>) => report({ standard: 'ob3', credential: { credentialSubject: subject } });

describe('was this badge issued to this address?', () => {
  test('an Open Badges 3.0 badge with a salted hashed address: yes for it, in any case, no for another', () => {
    const badge = ob3({ identifier: [hashedEmailIdentity('ana@example.fr', 'sel')] });
    expect(recipientAnswer(badge, 'ANA@example.fr')).toBe('issued-to');
    expect(recipientAnswer(badge, 'ana@example.com')).toBe('not-issued-to');
  });

  test('an Open Badges 2.0 badge, hashed or not', () => {
    const hashed = { type: 'email', hashed: true, salt: 'sel', identity: identityHash('ana@example.fr', 'sel') };
    const plain = { type: 'email', hashed: false, identity: 'ana@example.fr' };
    for (const recipient of [hashed, plain]) {
      const badge = report({ standard: 'ob2', credential: { recipient } });
      expect([recipientAnswer(badge, 'ana@example.fr'), recipientAnswer(badge, 'bob@example.fr')])
        .toEqual(['issued-to', 'not-issued-to']);
    }
  });

  test('a badge whose holder is named by a DID only: no address matches', () => {
    expect(recipientAnswer(ob3({ id: 'did:example:ana' }), 'ana@example.fr')).toBe('not-issued-to');
  });

  test('an authentic badge that is revoked or expired is still answered: it says who it was issued to', () => {
    const badge = { ...ob3({ identifier: [hashedEmailIdentity('ana@example.fr', 'sel')] }), verdict: 'revoked' as const };
    expect(recipientAnswer(badge, 'ana@example.fr')).toBe('issued-to');
  });

  test.each(['invalid', 'issuer-unconfirmed'] as const)('a %s badge gets no answer', (verdict) => {
    const badge = { ...ob3({ identifier: [hashedEmailIdentity('ana@example.fr', 'sel')] }), verdict };
    expect(recipientAnswer(badge, 'ana@example.fr')).toBe('cannot-tell');
  });
});
