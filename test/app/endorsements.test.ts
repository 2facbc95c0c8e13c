/**
 * Endorsements as use cases (no HTTP): who may endorse, what may be endorsed, the signed credential and its
 * audit entry, listing by subject, and withdrawing one (its bit set in the endorser's revocation list).
 */
import { sql } from 'kysely';
import { createAchievement } from '../../src/app/achievements.js';
import { actorOf } from '../../src/app/auth.js';
import { awardCredential } from '../../src/app/award.js';
import { revokeCredential } from '../../src/app/credentials.js';
import { endorse, listEndorsements, revokeEndorsement } from '../../src/app/endorsements.js';
import type { ValidationError } from '../../src/app/errors.js';
import { createIssuer, createUser } from '../../src/app/issuers.js';
import type { Actor, Role } from '../../src/app/policies.js';
import { profileForSlug, publicAchievement } from '../../src/app/public-documents.js';
import { statusListCredential } from '../../src/app/status-lists.js';
import { Bitstring } from '../../src/engine/status/bitstring.js';
import { endorsementCredentialValidator } from '../../src/engine/verify/schema.js';
import { refusal, testApp, type TestApp } from '../support/app-context.js';

let t: TestApp;
let operatorOrg: string;
let partnerOrg: string;
let badge: string;
let partner: Actor;
let operator: Actor;

async function member(organisationId: string, role: Exclude<Role, 'platform_admin'>): Promise<Actor> {
  const email = `${role}-${organisationId.slice(0, 8)}@example.org`;
  const { user } = await createUser(t.app, t.admin, organisationId, { email, role });
  return actorOf({ id: user.id, role, organisation_id: organisationId });
}


beforeAll(async () => {
  t = await testApp();
  operatorOrg = (await createIssuer(t.app, t.admin, { name: 'BGE Littoral' })).id;
  // A partner only: it awards nothing, it endorses.
  partnerOrg = (await createIssuer(t.app, t.admin, { name: 'France Travail Hauts-de-France' })).id;
  operator = await member(operatorOrg, 'operator_admin');
  partner = await member(partnerOrg, 'operator_admin');
  badge = (
    await createAchievement(t.app, operator, { issuerId: operatorOrg, catalogueKey: 'de-l-idee-a-l-opportunite' })
  ).id;
}, 30_000);
afterAll(() => t.close());

describe('endorsing', () => {
  test('a partner endorses a badge definition: a signed EndorsementCredential about the achievement', async () => {
    const created = await endorse(t.app, partner, {
      subject: { type: 'achievement', id: badge },
      comment: 'Nos conseillers reconnaissent ce badge.',
    });
    expect(created.credential.credentialSubject).toEqual({
      id: t.app.ids.achievement(badge),
      type: ['EndorsementSubject'],
      endorsementComment: 'Nos conseillers reconnaissent ce badge.',
    });
    expect(created.credential.issuer.name).toBe('France Travail Hauts-de-France');
    expect(created.credential.proof).toHaveLength(1);
    expect(created.credential.credentialStatus?.statusPurpose).toBe('revocation');
    expect(endorsementCredentialValidator()(created.credential)).toBe(true);
    expect(created.jwt.split('.')).toHaveLength(3);
  });

  test('an issuer profile can be endorsed: the subject is its DID', async () => {
    const created = await endorse(t.app, partner, {
      subject: { type: 'issuer', id: operatorOrg },
      comment: 'Partenaire.',
    });
    expect(created.credential.credentialSubject.id).toMatch(/^did:web:.*:issuers:bge-littoral$/);
  });

  test('an awarded badge can be endorsed, but not once it is revoked', async () => {
    const awarded = await awardCredential(t.app, operator, {
      achievementId: badge,
      recipient: { email: 'lea@example.fr' },
    });
    const created = await endorse(t.app, partner, {
      subject: { type: 'credential', id: awarded.id },
      comment: 'Vu en entretien.',
    });
    expect(created.credential.credentialSubject.id).toBe(awarded.url);
    await revokeCredential(t.app, operator, awarded.id, 'erreur');
    const error = await refusal(
      endorse(t.app, partner, { subject: { type: 'credential', id: awarded.id }, comment: 'Encore.' }),
    );
    expect(error.status).toBe(409);
  });

  test('the creation is in the audit log, under the endorsing organisation', async () => {
    const created = await endorse(t.app, partner, { subject: { type: 'achievement', id: badge }, comment: 'Bis.' });
    const entries = await t.app.db.selectFrom('audit_log').selectAll().where('target_id', '=', created.id).execute();
    expect(entries.map((e) => [e.action, e.organisation_id])).toEqual([['endorsement.created', partnerOrg]]);
  });

  test('an organisation cannot endorse itself nor its own badges', async () => {
    for (const subject of [
      { type: 'issuer', id: operatorOrg },
      { type: 'achievement', id: badge },
    ] as const) {
      const error = await refusal(endorse(t.app, operator, { subject, comment: 'Nous-mêmes.' }));
      expect(error.status).toBe(409);
    }
  });

  test('a viewer may not endorse', async () => {
    const viewer = await member(partnerOrg, 'viewer');
    const error = await refusal(
      endorse(t.app, viewer, { subject: { type: 'achievement', id: badge }, comment: 'Non.' }),
    );
    expect(error.status).toBe(403);
  });

  test('an issuer (role) may endorse', async () => {
    const issuerRole = await member(partnerOrg, 'issuer');
    await expect(
      endorse(t.app, issuerRole, { subject: { type: 'issuer', id: operatorOrg }, comment: 'Oui.' }),
    ).resolves.toBeDefined();
  });

  test('a subject that does not exist is not found', async () => {
    const error = await refusal(
      endorse(t.app, partner, {
        subject: { type: 'achievement', id: '00000000-0000-4000-8000-000000000000' },
        comment: 'x',
      }),
    );
    expect(error.status).toBe(404);
  });

  test('an empty comment is refused with the field named', async () => {
    const error = await refusal(endorse(t.app, partner, { subject: { type: 'achievement', id: badge }, comment: '' }));
    expect([error.status, error.type]).toEqual([422, 'validation']);
    expect((error as ValidationError).errors.map((e) => e.field)).toContain('comment');
  });

  test('the platform administrator must say which organisation endorses, and then signs as that one', async () => {
    const missing = await refusal(
      endorse(t.app, t.admin, { subject: { type: 'achievement', id: badge }, comment: 'x' }),
    );
    expect(missing.status).toBe(400);
    const created = await endorse(t.app, t.admin, {
      subject: { type: 'achievement', id: badge },
      comment: 'Au nom du partenaire.',
      endorserId: partnerOrg,
    });
    expect(created.credential.issuer.name).toBe('France Travail Hauts-de-France');
  });

  test("a member of one organisation cannot sign in another's name", async () => {
    const error = await refusal(
      endorse(t.app, partner, { subject: { type: 'achievement', id: badge }, comment: 'x', endorserId: operatorOrg }),
    );
    expect(error.status).toBe(404);
  });
});

describe('listing and withdrawing', () => {
  test('the endorsements of a subject are listed by its id and by its public address', async () => {
    const created = await endorse(t.app, partner, { subject: { type: 'achievement', id: badge }, comment: 'Liste.' });
    const byId = await listEndorsements(t.app, badge);
    const byIri = await listEndorsements(t.app, t.app.ids.achievement(badge));
    expect(byId.map((e) => e.id)).toContain(created.id);
    expect(byIri.map((e) => e.id)).toEqual(byId.map((e) => e.id));
    expect(byId.find((e) => e.id === created.id)).toMatchObject({
      endorser: { id: partnerOrg, name: 'France Travail Hauts-de-France' },
      comment: 'Liste.',
      revoked: false,
    });
  });

  test('withdrawing sets its bit in the signed revocation list and is audited', async () => {
    const created = await endorse(t.app, partner, { subject: { type: 'achievement', id: badge }, comment: 'Retirée.' });
    const status = created.credential.credentialStatus!;
    const listId = status.statusListCredential.split('/').at(-1)!;
    const bit = async () => {
      const list = JSON.parse((await statusListCredential(t.app, listId)).json) as {
        credentialSubject: { encodedList: string };
      };
      return Bitstring.decode(list.credentialSubject.encodedList).get(Number(status.statusListIndex));
    };
    expect(await bit()).toBe(false);
    const revoked = await revokeEndorsement(t.app, partner, created.id, 'Partenariat terminé');
    expect(revoked.revoked).toBe(true);
    expect(await bit()).toBe(true);
    const entries = await t.app.db
      .selectFrom('audit_log')
      .select(['action', 'reason'])
      .where('target_id', '=', created.id)
      .orderBy('at')
      .execute();
    expect(entries.map((e) => e.action)).toEqual(['endorsement.created', 'endorsement.revoked']);
  });

  test('only the endorsing organisation can withdraw its endorsement, and only once', async () => {
    const created = await endorse(t.app, partner, {
      subject: { type: 'achievement', id: badge },
      comment: 'Une fois.',
    });
    expect((await refusal(revokeEndorsement(t.app, operator, created.id))).status).toBe(404);
    await revokeEndorsement(t.app, partner, created.id);
    expect((await refusal(revokeEndorsement(t.app, partner, created.id))).status).toBe(409);
  });
});

describe('embedding', () => {
  test("an issuer's public profile and the badges it awards afterwards carry its current endorsements", async () => {
    const other = (await createIssuer(t.app, t.admin, { name: 'Initiative Flandre' })).id;
    const otherAdmin = await member(other, 'operator_admin');
    const otherBadge = (
      await createAchievement(t.app, otherAdmin, { issuerId: other, catalogueKey: 'de-l-idee-a-l-opportunite' })
    ).id;
    const created = await endorse(t.app, partner, {
      subject: { type: 'issuer', id: other },
      comment: 'Partenaire fiable.',
    });
    const profile = await profileForSlug(t.app, 'initiative-flandre');
    expect(profile.endorsement).toEqual([created.credential]);
    const awarded = await awardCredential(t.app, otherAdmin, {
      achievementId: otherBadge,
      recipient: { email: 'zoe@example.fr' },
    });
    expect(awarded.credential.issuer.endorsement).toEqual([created.credential]);
    expect(awarded.credential.credentialSubject.achievement.endorsement).toBeUndefined();
  });

  test('a withdrawn endorsement is no longer embedded', async () => {
    const created = await endorse(t.app, partner, {
      subject: { type: 'achievement', id: badge },
      comment: 'Temporaire.',
    });
    expect(((await publicAchievement(t.app, badge, 'fr')).endorsement as { id: string }[]).map((e) => e.id)).toContain(
      created.url,
    );
    await revokeEndorsement(t.app, partner, created.id);
    const after = ((await publicAchievement(t.app, badge, 'fr')).endorsement ?? []) as { id: string }[];
    expect(after.map((e) => e.id)).not.toContain(created.url);
  });
});

describe('when the audit entry cannot be written, the change is not made either', () => {
  const auditDown = () =>
    sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END`.execute(t.app.db);
  afterEach(() => sql`DROP TRIGGER IF EXISTS audit_down`.execute(t.app.db));

  async function refusedByAudit(attempt: Promise<unknown>): Promise<void> {
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { message?: string } | undefined)?.message).toMatch(/audit log is unavailable/);
  }

  test('endorsing', async () => {
    const before = await t.app.db.selectFrom('endorsements').select('id').execute();
    await auditDown();
    await refusedByAudit(
      endorse(t.app, partner, { subject: { type: 'achievement', id: badge }, comment: 'Sans trace.' }),
    );
    expect(await t.app.db.selectFrom('endorsements').select('id').execute()).toEqual(before);
  });

  test('withdrawing an endorsement', async () => {
    const created = await endorse(t.app, partner, { subject: { type: 'achievement', id: badge }, comment: 'Reste.' });
    await auditDown();
    await refusedByAudit(revokeEndorsement(t.app, partner, created.id));
    const row = await t.app.db
      .selectFrom('endorsements')
      .select('revoked_at')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
  });
});
