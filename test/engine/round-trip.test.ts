/** Every proof format Blason issues verifies, and every credential it issues conforms to the official schema. */
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { bakePng, unbakePng } from '../../src/engine/bake/png.js';
import { bakeSvg, unbakeSvg } from '../../src/engine/bake/svg.js';
import { signJwt } from '../../src/engine/proof/sign.js';
import { jwtSigner } from '../../src/engine/proof/signer.js';
import { achievementCredentialValidator } from '../../src/engine/verify/schema.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, signedCredential, signedJwt, testIssuer } from '../support/credentials.js';
import { newEd25519, newRsa } from '../support/keys.js';
import { fixtureBytes } from '../support/fixtures.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const PNG = fixtureBytes('ob30', 'simple-json.png'); // any PNG: we re-bake it
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="5"/></svg>';

describe('a Data Integrity (eddsa-rdfc-2022) credential', () => {
  test('verifies as JSON', async () => {
    const issuer = await testIssuer();
    const report = await verifyCredential({ credential: await signedCredential(issuer) }, { fetcher: issuer.fetcher, now: NOW });
    expect(report.checks.filter((c) => c.outcome !== 'passed' && c.outcome !== 'skipped')).toEqual([]);
    expect(report.verdict).toBe('valid');
    expect(report.proofFormat).toBe('data-integrity');
  });

  test('verifies baked in a PNG', async () => {
    const issuer = await testIssuer();
    const png = bakePng(PNG, JSON.stringify(await signedCredential(issuer)));
    const report = await verifyCredential({ bytes: png }, { fetcher: issuer.fetcher, now: NOW });
    expect([report.format, report.verdict]).toEqual(['png', 'valid']);
  });

  test('verifies baked in an SVG', async () => {
    const issuer = await testIssuer();
    const svg = bakeSvg(SVG, { json: JSON.stringify(await signedCredential(issuer)) });
    const report = await verifyCredential({ text: svg }, { fetcher: issuer.fetcher, now: NOW });
    expect([report.format, report.verdict]).toEqual(['svg', 'valid']);
  });

  test('conforms to the official AchievementCredential schema', async () => {
    const validate = achievementCredentialValidator();
    expect(validate(await signedCredential(await testIssuer()))).toBe(true);
  });
});

describe('a VC-JWT', () => {
  test.each([
    ['ES256', undefined],
    ['EdDSA', newEd25519()],
    ['RS256', newRsa()],
  ] as const)('signed with %s verifies through the did:web key', async (alg, key) => {
    const issuer = await testIssuer({ jwtAlg: alg, ...(key ? { jwtKey: key } : {}) });
    const report = await verifyCredential({ text: await signedJwt(issuer) }, { fetcher: issuer.fetcher, now: NOW });
    expect(report.checks.filter((c) => c.outcome === 'failed' || c.outcome === 'warning')).toEqual([]);
    expect([report.proofFormat, report.verdict]).toEqual(['jwt', 'valid']);
  });

  test('baked in a PNG and an SVG verifies', async () => {
    const issuer = await testIssuer();
    const jwt = await signedJwt(issuer);
    for (const input of [{ bytes: bakePng(PNG, jwt) }, { text: bakeSvg(SVG, { jwt }) }]) {
      expect((await verifyCredential(input, { fetcher: issuer.fetcher, now: NOW })).verdict).toBe('valid');
    }
  });

  test('wrapping a Data Integrity credential keeps both proofs, and the payload conforms to the schema', async () => {
    const issuer = await testIssuer();
    const credential = await signedCredential(issuer);
    const jwt = await signJwt(credential, jwtSigner(`${issuer.did}#jwt-1`, 'ES256', issuer.jwtKey));
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload.proof).toEqual(credential.proof);
    expect([payload.iss, payload.jti, payload.nbf]).toEqual([issuer.did, credential.id, Date.parse(credential.validFrom) / 1000]);
    const { iss: _iss, jti: _jti, nbf: _nbf, ...body } = payload;
    expect(achievementCredentialValidator()(body)).toBe(true);
  });

  test('with validUntil carries a matching exp claim', async () => {
    const issuer = await testIssuer();
    const credential = buildOpenBadgeCredential(draft(issuer, { validUntil: new Date('2030-01-01T00:00:00Z') }));
    const payload = JSON.parse(Buffer.from((await signedJwt(issuer, credential)).split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload.exp).toBe(Date.parse('2030-01-01T00:00:00Z') / 1000);
  });

  test('whose subject has an id carries it as the sub claim, and the JWT verifies', async () => {
    const issuer = await testIssuer();
    const holder = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    const recipient = { did: holder, email: 'ana@example.fr', salt: 'sel' };
    const credential = buildOpenBadgeCredential(draft(issuer, { recipient }));
    const jwt = await signedJwt(issuer, credential);
    expect(JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')).sub).toBe(holder);
    expect((await verifyCredential({ text: jwt }, { fetcher: issuer.fetcher, now: NOW })).verdict).toBe('valid');
  });

  test('whose subject is known only by a hashed e-mail has no sub claim (there is no id to name)', async () => {
    const issuer = await testIssuer();
    const payload = JSON.parse(Buffer.from((await signedJwt(issuer)).split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload).not.toHaveProperty('sub');
  });
});

describe('baking', () => {
  test('re-baking a PNG replaces its credential instead of adding a second one', async () => {
    const once = bakePng(PNG, '{"first":1}');
    const twice = bakePng(once, '{"second":2}');
    expect(unbakePng(twice)).toEqual({ version: 'ob3', text: '{"second":2}' });
    expect(twice.toString('latin1').split('openbadgecredential').length - 1).toBe(1);
  });

  test('an SVG keeps its drawing and gains the credential right after the opening tag', () => {
    const baked = bakeSvg(SVG, { jwt: 'a.b.c' });
    expect(baked).toContain('<circle r="5"/>');
    expect(baked).toMatch(/^<svg xmlns:openbadges="https:\/\/purl.imsglobal.org\/ob\/v3p0" [^>]*>\n<openbadges:credential verify="a.b.c">/);
    expect(unbakeSvg(baked)).toEqual({ version: 'ob3', text: 'a.b.c' });
  });

  test('JSON containing "]]>" survives the SVG CDATA section', () => {
    const json = JSON.stringify({ name: 'x]]>y' });
    expect(JSON.parse(unbakeSvg(bakeSvg(SVG, { json }))!.text)).toEqual({ name: 'x]]>y' });
  });
});
