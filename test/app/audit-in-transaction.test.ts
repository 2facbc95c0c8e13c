/**
 * A use case writes its rows and its audit entry in one transaction (issue 11 §2): when the audit entry cannot be
 * written, nothing of the change remains. The audit log is made to refuse every insert (a database trigger), each
 * use case is run, and the data is read back unchanged.
 */
import { sql } from 'kysely';
import { setPasswordWithLink, inviteUser } from '../../src/app/accounts.js';
import { createAchievement, updateAchievement } from '../../src/app/achievements.js';
import { awardCredential } from '../../src/app/award.js';
import { revokeCredential } from '../../src/app/credentials.js';
import { createIssuer, rotateIssuerKeys, updateIssuer } from '../../src/app/issuers.js';
import { createWorkshop, decideClaim, setClaimOpen, submitClaim } from '../../src/app/workshops.js';
import { testApp, type TestApp } from '../support/app-context.js';

let t: TestApp;
let issuerId: string;
let achievementId: string;
let workshop: { id: string; claimCode: string };

beforeAll(async () => {
  t = await testApp();
  issuerId = (await createIssuer(t.app, t.admin, { name: 'Maison de la création' })).id;
  achievementId = (
    await createAchievement(t.app, t.admin, {
      issuerId,
      name: { fr: 'Pitcher son projet' },
      description: { fr: 'Présenter son projet en trois minutes.' },
      criteria: { fr: 'Avoir présenté son projet devant un jury.' },
    })
  ).id;
  workshop = await createWorkshop(t.app, t.admin, {
    issuerId, title: 'Atelier pitch', workshopType: 'PITCH', heldOn: '2026-11-20', achievementIds: [achievementId],
  });
}, 30_000);
afterAll(() => t.close());

beforeEach(() => sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END`.execute(t.app.db));
afterEach(() => sql`DROP TRIGGER audit_down`.execute(t.app.db));

const db = () => t.app.db;

/**
 * The use case failed because of the audit log. (Not `rejects.toThrow`: the driver's errors may come from
 * another realm than this test file's, where `instanceof Error` is false and Jest reports "did not throw".)
 */
async function refusedByAudit(attempt: Promise<unknown>): Promise<void> {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  expect((error as { message?: string } | undefined)?.message).toMatch(/audit log is unavailable/);
}

describe('when the audit entry cannot be written, the change is not made either', () => {
  test('creating an organisation', async () => {
    await refusedByAudit(createIssuer(t.app, t.admin, { name: 'Ruche Sans Trace' }));
    expect(await db().selectFrom('organisations').select('id').where('name', '=', 'Ruche Sans Trace').execute())
      .toEqual([]);
    expect(await db().selectFrom('status_lists').select('id').where('organisation_id', 'not in',
      db().selectFrom('organisations').select('id')).execute()).toEqual([]);
  });

  test("updating an organisation's profile", async () => {
    await refusedByAudit(updateIssuer(t.app, t.admin, issuerId, { name: 'Autre nom' }));
    const org = await db().selectFrom('organisations').select('name').where('id', '=', issuerId).executeTakeFirst();
    expect(org?.name).toBe('Maison de la création');
  });

  test('creating a badge', async () => {
    await refusedByAudit(createAchievement(t.app, t.admin, {
      issuerId, name: { fr: 'Badge fantôme' }, description: { fr: 'D' }, criteria: { fr: 'C' },
    }));
    expect(await db().selectFrom('achievements').select('id').where('name_fr', '=', 'Badge fantôme').execute())
      .toEqual([]);
  });

  test('changing or archiving a badge', async () => {
    await refusedByAudit(updateAchievement(t.app, t.admin, achievementId, { name: { fr: 'Nouveau nom' } }));
    await refusedByAudit(updateAchievement(t.app, t.admin, achievementId, { archived: true }));
    const row = await db().selectFrom('achievements').select(['name_fr', 'archived_at'])
      .where('id', '=', achievementId).executeTakeFirstOrThrow();
    expect(row).toEqual({ name_fr: 'Pitcher son projet', archived_at: null });
  });

  test("opening a session's self-service requests", async () => {
    await refusedByAudit(setClaimOpen(t.app, t.admin, workshop.id, true));
    const row = await db().selectFrom('workshops').select('claim_open').where('id', '=', workshop.id)
      .executeTakeFirstOrThrow();
    expect(row.claim_open).toBe(0);
  });

  test('deciding on a request', async () => {
    await sql`DROP TRIGGER audit_down`.execute(db());
    await setClaimOpen(t.app, t.admin, workshop.id, true);
    await submitClaim(t.app, workshop.claimCode, { name: 'Léa Martin', email: 'lea.martin@example.org' });
    await sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END`.execute(db());
    const request = await db().selectFrom('claim_requests').select('id').where('workshop_id', '=', workshop.id)
      .executeTakeFirstOrThrow();
    await refusedByAudit(decideClaim(t.app, t.admin, workshop.id, request.id, false));
    const row = await db().selectFrom('claim_requests').select('status').where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
  });

  test("rotating an organisation's keys", async () => {
    const active = () => db().selectFrom('issuer_keys').select('key_id').where('organisation_id', '=', issuerId)
      .where('status', '=', 'active').orderBy('key_id').execute();
    const before = await active();
    expect(before).toHaveLength(2);
    await refusedByAudit(rotateIssuerKeys(t.app, t.admin, issuerId, 'test'));
    expect(await active()).toEqual(before);
  });

  test('revoking a badge', async () => {
    await sql`DROP TRIGGER audit_down`.execute(db());
    const awarded = await awardCredential(t.app, t.admin, {
      achievementId, recipient: { email: 'sam.taylor@example.org', name: 'Sam Taylor' },
    });
    await sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END`.execute(db());
    await refusedByAudit(revokeCredential(t.app, t.admin, awarded.id, 'erreur'));
    const row = await db().selectFrom('credentials').select('revoked_at').where('id', '=', awarded.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
  });

  test('activating an account from its invitation link', async () => {
    await sql`DROP TRIGGER audit_down`.execute(db());
    const invited = await inviteUser(t.app, t.admin, issuerId, { email: 'nadia@example.org', role: 'issuer' });
    await sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END`.execute(db());
    const token = new URL(invited.link).searchParams.get('token')!;
    await refusedByAudit(setPasswordWithLink(t.app, token, 'un mot de passe assez long'));
    const user = await db().selectFrom('users').select('password_hash').where('email', '=', 'nadia@example.org')
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toBeNull();
    const link = await db().selectFrom('user_tokens').select('used_at').where('purpose', '=', 'invitation')
      .executeTakeFirstOrThrow();
    expect(link.used_at).toBeNull();
  });
});
