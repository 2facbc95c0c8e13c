/**
 * Endorsements issued elsewhere (issue 13 §1), as use cases without HTTP: a foreign did:web issuer on loopback
 * signs EndorsementCredentials about one of our badge definitions, in JSON (Data Integrity) and as a VC-JWT; they
 * are attached once the platform's verifier finds them valid and about this very badge, embedded in the badge
 * definition's document and in the credentials awarded afterwards, and removed on request.
 */
import { createAchievement } from '../../src/app/achievements.js';
import { actorOf } from '../../src/app/auth.js';
import { awardCredential } from '../../src/app/award.js';
import {
  importEndorsement,
  listImportedEndorsements,
  removeImportedEndorsement,
  type ImportRefused,
} from '../../src/app/endorsement-import.js';
import { endorse, endorsementSummaries } from '../../src/app/endorsements.js';
import { createIssuer, createUser } from '../../src/app/issuers.js';
import { localFirstFetcher } from '../../src/app/local-fetcher.js';
import type { Actor } from '../../src/app/policies.js';
import { didDocumentForSlug, publicAchievement } from '../../src/app/public-documents.js';
import { verifyAny } from '../../src/app/verify.js';
import { guardedFetcher } from '../../src/net/guarded-fetch.js';
import { refusal, testApp, type TestApp } from '../support/app-context.js';
import { startForeignIssuer, type ForeignIssuer } from '../support/foreign-issuer.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { expectValid } from '../support/ob3-schemas.js';

let t: TestApp;
let foreign: ForeignIssuer;
let operator: Actor;
let partner: Actor;
let other: Actor;
let badge: string;
let otherBadge: string;
let operatorSlug: string;

async function member(organisationId: string, email: string): Promise<Actor> {
  const { user } = await createUser(t.app, t.admin, organisationId, { email, role: 'operator_admin' });
  return actorOf({ id: user.id, role: 'operator_admin', organisation_id: organisationId });
}


async function freshBadge(actor: Actor, issuerId: string): Promise<string> {
  return (await createAchievement(t.app, actor, { issuerId, catalogueKey: 'de-l-idee-a-l-opportunite' })).id;
}

beforeAll(async () => {
  t = await testApp();
  foreign = await startForeignIssuer({ name: 'France Travail Hauts-de-France' });
  // The foreign issuer's DID document and status list are on loopback: let this verifier reach them.
  const hosts = [foreign.host, foreign.statusHost];
  t.app.fetcher = localFirstFetcher(t.app, guardedFetcher({ allowHosts: hosts, insecureHttpHosts: hosts }));
  const operatorOrg = await createIssuer(t.app, t.admin, { name: 'BGE Littoral' });
  operatorSlug = operatorOrg.slug;
  const partnerOrg = await createIssuer(t.app, t.admin, { name: 'Région Hauts-de-France' });
  const otherOrg = await createIssuer(t.app, t.admin, { name: 'Autre opérateur' });
  operator = await member(operatorOrg.id, 'chloe@bge.example');
  partner = await member(partnerOrg.id, 'paul@region.example');
  other = await member(otherOrg.id, 'olga@autre.example');
  badge = await freshBadge(operator, operatorOrg.id);
  otherBadge = await freshBadge(other, otherOrg.id);
}, 30_000);
afterAll(async () => {
  await foreign?.close();
  await t?.close();
});

describe('attaching an endorsement issued elsewhere', () => {
  let jsonImportId: string;
  let jwtImportId: string;

  test('a valid JSON endorsement about the badge is attached, with its endorser and comment', async () => {
    const signed = await foreign.signEndorsement({
      subjectId: t.app.ids.achievement(badge),
      comment: 'Nos conseillers reconnaissent ce badge.',
    });
    const view = await importEndorsement(t.app, operator, { achievementId: badge, endorsement: signed });
    jsonImportId = view.id;
    expect(view).toMatchObject({
      achievementId: badge,
      endorser: { id: foreign.did, name: 'France Travail Hauts-de-France' },
      comment: 'Nos conseillers reconnaissent ce badge.',
      format: 'json',
    });
  });

  test('a valid VC-JWT endorsement is attached too, pasted as text', async () => {
    const jwt = await foreign.signEndorsementJwt({ subjectId: t.app.ids.achievement(badge), comment: 'Sérieux.' });
    const view = await importEndorsement(t.app, operator, { achievementId: badge, endorsement: `  ${jwt}\n` });
    jwtImportId = view.id;
    expect([view.format, view.comment]).toEqual(['jwt', 'Sérieux.']);
  });

  test('JSON pasted as text is read as JSON', async () => {
    const signed = await foreign.signEndorsement({ subjectId: t.app.ids.achievement(badge), comment: 'Texte.' });
    const view = await importEndorsement(t.app, operator, { achievementId: badge, endorsement: JSON.stringify(signed) });
    expect(view.format).toBe('json');
    await removeImportedEndorsement(t.app, operator, badge, view.id);
  });

  test('the badge definition document embeds them: JSON in endorsement, JWT in endorsementJwt', async () => {
    const document = (await publicAchievement(t.app, badge, 'fr')) as {
      endorsement?: { issuer: { id: string } }[];
      endorsementJwt?: string[];
    };
    expect(document.endorsement?.map((e) => e.issuer.id)).toEqual([foreign.did]);
    expect(document.endorsementJwt).toHaveLength(1);
  });

  test('the list shows both, each with a link to the verify page', async () => {
    const list = await listImportedEndorsements(t.app, operator, badge);
    expect(list.map((e) => e.id)).toEqual([jsonImportId, jwtImportId]);
    expect(list[0]!.verifyPageUrl).toBe(`/verify?url=${encodeURIComponent(list[0]!.url)}`);
  });

  test('the badge page lines "Reconnu par" include them, linking to the verify page', async () => {
    const lines = await endorsementSummaries(t.app, [t.app.ids.achievement(badge)]);
    expect(lines.map((l) => [l.endorser, l.comment])).toEqual([
      ['France Travail Hauts-de-France', 'Nos conseillers reconnaissent ce badge.'],
      ['France Travail Hauts-de-France', 'Sérieux.'],
    ]);
    expect(lines[0]!.url).toMatch(/^\/verify\?url=/);
  });

  test('the same endorsement twice is refused with 409', async () => {
    const list = await listImportedEndorsements(t.app, operator, badge);
    const jwt = list.find((e) => e.format === 'jwt')!;
    const stored = await t.app.db
      .selectFrom('imported_endorsements')
      .select('content')
      .where('id', '=', jwt.id)
      .executeTakeFirstOrThrow();
    const error = await refusal(importEndorsement(t.app, operator, { achievementId: badge, endorsement: stored.content }));
    expect(error.status).toBe(409);
  });

  test('the import is in the audit log, under the badge owner', async () => {
    const entries = await t.app.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'endorsement.imported')
      .where('target_id', '=', badge)
      .execute();
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.some((e) => (e.details ?? '').includes(jsonImportId))).toBe(true);
  });

  test('a credential awarded afterwards embeds them, conforms to the OB 3.0 schema and verifies', async () => {
    const awarded = await awardCredential(t.app, operator, { achievementId: badge, recipient: { email: 'lea@example.fr' } });
    const achievement = awarded.credential.credentialSubject.achievement;
    expect(achievement.endorsement?.map((e) => e.issuer.id)).toEqual([foreign.did]);
    expect(achievement.endorsementJwt).toHaveLength(1);
    expectValid('achievementcredential', awarded.credential);
    const report = await verifyAny(t.app, { credential: awarded.credential });
    expect(report.verdict).toBe('valid');
    expect(report.endorsements.map((e) => e.verdict)).toEqual(['valid', 'valid']);
    expect(report.checks.map((c) => c.code)).toContain('endorsements.ok');
    const independent = await verifyIndependently(awarded.credential, [await didDocumentForSlug(t.app, operatorSlug)]);
    expect(independent.error).toBeUndefined();
    expect(independent.verified).toBe(true);
  });

  test('once removed, it is no longer embedded, and the removal is audited', async () => {
    await removeImportedEndorsement(t.app, operator, badge, jwtImportId);
    const document = (await publicAchievement(t.app, badge, 'fr')) as { endorsementJwt?: string[] };
    expect(document.endorsementJwt).toBeUndefined();
    const removed = await t.app.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'endorsement.import.removed')
      .where('target_id', '=', badge)
      .execute();
    expect(removed.length).toBeGreaterThanOrEqual(1);
    expect((await refusal(removeImportedEndorsement(t.app, operator, badge, jwtImportId))).status).toBe(404);
  });
});

describe('refusing what does not verify or is not about this badge', () => {
  const reasonsOf = async (endorsement: unknown, achievementId = badge) => {
    const error = await refusal(importEndorsement(t.app, operator, { achievementId, endorsement }));
    expect(error.status).toBe(422);
    return { reasons: (error as ImportRefused).reasons, message: error.message };
  };

  test('a tampered endorsement is refused: it does not verify', async () => {
    const signed = await foreign.signEndorsement({ subjectId: t.app.ids.achievement(badge), comment: 'Bien.' });
    signed.credentialSubject.endorsementComment = 'Excellent, le meilleur badge du monde.';
    const refused = await reasonsOf(signed);
    expect(refused.reasons).toEqual(['not-valid']);
    expect(refused.message).toMatch(/does not verify \(invalid\)/);
  });

  test('an endorsement of another badge is refused: it is about something else', async () => {
    const signed = await foreign.signEndorsement({ subjectId: t.app.ids.achievement(otherBadge), comment: 'Oui.' });
    const refused = await reasonsOf(signed);
    expect(refused.reasons).toEqual(['other-subject']);
    expect(refused.message).toMatch(/about something else than this badge/);
  });

  test('a badge (not an endorsement) is refused: it is not an endorsement', async () => {
    const refused = await reasonsOf(await foreign.sign());
    expect(refused.reasons).toContain('not-endorsement');
    expect(refused.message).toMatch(/not an endorsement/);
  });

  test('a revoked endorsement is refused, and says so', async () => {
    foreign.revoke(7);
    const signed = await foreign.signEndorsement({ subjectId: t.app.ids.achievement(badge), statusIndex: 7 });
    const refused = await reasonsOf(signed);
    expect(refused.reasons).toEqual(['not-valid']);
    expect(refused.message).toMatch(/\(revoked\)/);
  });

  test('an expired endorsement is refused, and says so', async () => {
    const signed = await foreign.signEndorsementJwt({
      subjectId: t.app.ids.achievement(badge),
      validFrom: new Date(Date.now() - 10 * 86_400_000),
      validUntil: new Date(Date.now() - 86_400_000),
    });
    const refused = await reasonsOf(signed);
    expect(refused.reasons).toEqual(['not-valid']);
    expect(refused.message).toMatch(/\(expired\)/);
  });

  test('an endorsement signed on this platform is refused: it is already shown', async () => {
    const created = await endorse(t.app, partner, { subject: { type: 'achievement', id: badge }, comment: 'Ici.' });
    const refused = await reasonsOf(created.credential);
    expect(refused.reasons).toEqual(['ours']);
  });

  test('text that is neither JSON nor a JWT is refused as unreadable', async () => {
    expect((await reasonsOf('bonjour')).reasons).toEqual(['unreadable']);
  });

  test("another organisation's badge cannot be given endorsements: not found", async () => {
    const signed = await foreign.signEndorsement({ subjectId: t.app.ids.achievement(otherBadge) });
    const error = await refusal(importEndorsement(t.app, operator, { achievementId: otherBadge, endorsement: signed }));
    expect(error.status).toBe(404);
  });

  test('more than 64 KB is refused as too large', async () => {
    const signed = await foreign.signEndorsement({ subjectId: t.app.ids.achievement(badge) });
    const error = await refusal(
      importEndorsement(t.app, operator, { achievementId: badge, endorsement: { ...signed, padding: 'x'.repeat(70_000) } }),
    );
    expect(error.status).toBe(413);
  });
});
