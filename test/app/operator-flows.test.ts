/**
 * The operator's group award and what follows it, as use cases (no HTTP): previewing a list, awarding it,
 * following each recipient's e-mail, correcting a mistyped address, revoking several badges with one reason,
 * awarding one person from a badge, approving every pending claim, and what a claim code leads to.
 */
import { actorOf } from '../../src/app/auth.js';
import { approveAllClaims, approveAllSummary, claimCodeState, claimRequestsFeed } from '../../src/app/claims.js';
import { awardDirectly, checkDirectAward } from '../../src/app/direct-award.js';
import { ValidationError } from '../../src/app/errors.js';
import { awardGroup, listSessionRecipients, previewGroupAward } from '../../src/app/group-award.js';
import type { Actor } from '../../src/app/policies.js';
import { correctAddressAndReissue, correctionTarget } from '../../src/app/reissue.js';
import { describeRevocation, revokeCredentials } from '../../src/app/revocations.js';
import { createWorkshop, setClaimOpen, submitClaim } from '../../src/app/workshops.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { refusal as caught } from '../support/app-context.js';
import { startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let actor: Actor;
let viewer: Actor;
let issuerId: string;
let badgeA: string;
let badgeB: string;

const app = () => service.running.app;

beforeAll(async () => {
  service = await startInProcess();
  const admin = apiClient(service.url, service.token);
  const issuer = await setUpIssuer(admin, service.url);
  issuerId = issuer.issuerId;
  badgeA = issuer.achievementId;
  badgeB = (await issuer.operator.post<{ id: string }>('/api/v1/achievements', { issuerId, catalogueKey: 'j-ose-entreprendre' })).body.id;
  const users = await admin.get<{ users: { id: string; role: string }[] }>(`/api/v1/issuers/${issuerId}/users`);
  const user = users.body.users.find((u) => u.role === 'operator_admin')!;
  actor = actorOf({ id: user.id, role: 'operator_admin', organisation_id: issuerId });
  viewer = actorOf({ id: user.id, role: 'viewer', organisation_id: issuerId });
}, 30_000);
afterAll(() => service.stop());

let titles = 0;
async function session(badges = [badgeA, badgeB]): Promise<string> {
  const created = await createWorkshop(app(), actor, { issuerId, title: `Atelier ${++titles}`, workshopType: 'PITCH', heldOn: '2026-11-20', achievementIds: badges });
  return created.id;
}

function outboxTo(email: string) {
  return app().db.selectFrom('outbox').select(['subject', 'credential_id', 'status']).where('to_email', '=', email).execute();
}

function auditOf(targetId: string) {
  return app().db.selectFrom('audit_log').select(['action', 'reason', 'details']).where('target_id', '=', targetId).orderBy('at').execute();
}


describe('previewing and awarding a group', () => {
  test('counts the badges and e-mails the award will make, and points out a likely typo, without signing anything', async () => {
    const id = await session();
    const preview = await previewGroupAward(app(), actor, id, {
      text: 'Prénom;Nom;Courriel\nAna;Martin;ana.p1@gmial.com\nBob;Durand;bob.p1@example.fr\nZoé;Roux;pas-une-adresse',
    });
    expect(preview.columns?.map((c) => c.role)).toEqual(['firstName', 'lastName', 'email']);
    expect(preview.rows.map((r) => [r.name, r.suggestion, r.ok])).toEqual([
      ['Ana Martin', 'ana.p1@gmail.com', true],
      ['Bob Durand', undefined, true],
      ['Zoé Roux', undefined, false],
    ]);
    expect([preview.people, preview.badges, preview.emails, preview.flagged]).toEqual([2, 4, 4, 1]);
    expect(await listSessionRecipients(app(), actor, id)).toEqual([]);
  });

  test('a list edited in the console previews from its rows, blank rows left out', async () => {
    const id = await session([badgeA]);
    const preview = await previewGroupAward(app(), actor, id, {
      people: [{ line: 2, email: 'ana.p2@example.fr', name: 'Ana' }, { email: '', name: '' }, { email: 'ANA.P2@example.fr', name: 'Ana bis' }],
    });
    expect(preview.rows.map((r) => [r.line, r.ok, r.problems.map((p) => p.code)])).toEqual([[2, true, []], [3, false, ['duplicate']]]);
  });

  test('an empty list is refused with what to do', async () => {
    const id = await session();
    const error = await caught(previewGroupAward(app(), actor, id, { people: [{ email: ' ', name: '' }] }));
    expect(error).toBeInstanceOf(ValidationError);
  });

  test('a viewer cannot preview an award', async () => {
    const id = await session();
    expect((await caught(previewGroupAward(app(), viewer, id, { text: 'a@example.fr' }))).status).toBe(403);
  });

  test('after the award, the session lists each recipient with their badge and the e-mail waiting in the outbox', async () => {
    const id = await session();
    const result = await awardGroup(app(), actor, id, { people: [{ email: 'ana.p3@example.fr', name: 'Ana Martin' }, { email: 'bad', name: 'Nobody' }] }, 'fr');
    expect([result.issued, result.emailsQueued, result.invalid]).toEqual([2, 2, 2]);
    const recipients = await listSessionRecipients(app(), actor, id);
    expect(recipients.map((r) => [r.email, r.name, r.state, r.delivery, r.replacedBy]).sort()).toEqual([
      ['ana.p3@example.fr', 'Ana Martin', 'active', 'pending', null],
      ['ana.p3@example.fr', 'Ana Martin', 'active', 'pending', null],
    ]);
    expect(new Set(recipients.map((r) => r.achievementId))).toEqual(new Set([badgeA, badgeB]));
  });

  test('the delivery status follows the outbox: sent, or failed once given up on', async () => {
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'sent.p4@example.fr' }, { email: 'failed.p4@example.fr' }] }, 'fr');
    await app().db.updateTable('outbox').set({ status: 'sent' }).where('to_email', '=', 'sent.p4@example.fr').execute();
    await app().db.updateTable('outbox').set({ status: 'failed' }).where('to_email', '=', 'failed.p4@example.fr').execute();
    const recipients = await listSessionRecipients(app(), actor, id);
    expect(Object.fromEntries(recipients.map((r) => [r.email, r.delivery]))).toEqual({ 'sent.p4@example.fr': 'sent', 'failed.p4@example.fr': 'failed' });
  });
});

describe('correcting an address and sending again', () => {
  test('revokes every badge the person received at the session and issues them to the corrected address, with new e-mails', async () => {
    const id = await session();
    await awardGroup(app(), actor, id, { people: [{ email: 'claire.p5@gmial.com', name: 'Claire' }] }, 'fr');
    const [first] = await listSessionRecipients(app(), actor, id);
    const target = await correctionTarget(app(), actor, id, first!.credentialId);
    expect([target.email, target.suggestion, target.badges.length]).toEqual(['claire.p5@gmial.com', 'claire.p5@gmail.com', 2]);

    const result = await correctAddressAndReissue(app(), actor, id, first!.credentialId, { email: 'claire.p5@gmail.com', name: 'Claire Dubois' });
    expect([result.reissued, result.emailsQueued]).toEqual([2, 2]);
    const recipients = await listSessionRecipients(app(), actor, id);
    const old = recipients.filter((r) => r.email === 'claire.p5@gmial.com');
    const fresh = recipients.filter((r) => r.email === 'claire.p5@gmail.com');
    expect(old.map((r) => r.state)).toEqual(['revoked', 'revoked']);
    expect(old.map((r) => r.replacedBy).sort()).toEqual([...result.credentialIds].sort());
    expect(fresh.map((r) => [r.state, r.name, r.delivery])).toEqual([['active', 'Claire Dubois', 'pending'], ['active', 'Claire Dubois', 'pending']]);
    expect((await outboxTo('claire.p5@gmail.com')).map((m) => m.credential_id).sort()).toEqual([...result.credentialIds].sort());
  });

  test('audits the revocation of the old badge and the issue of its replacement', async () => {
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'dan.p6@hotmial.fr' }] }, 'fr');
    const [old] = await listSessionRecipients(app(), actor, id);
    const { credentialIds: [fresh] } = await correctAddressAndReissue(app(), actor, id, old!.credentialId, { email: 'dan.p6@hotmail.fr' });
    expect((await auditOf(old!.credentialId)).map((e) => e.action)).toContain('credential.revoked');
    const reissued = (await auditOf(fresh!)).find((e) => e.action === 'credential.reissued');
    expect(JSON.parse(reissued!.details!)).toMatchObject({ replaces: old!.credentialId });
  });

  test('refuses the same address, and changes nothing', async () => {
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'eve.p7@example.fr' }] }, 'fr');
    const [row] = await listSessionRecipients(app(), actor, id);
    const error = await caught(correctAddressAndReissue(app(), actor, id, row!.credentialId, { email: ' EVE.p7@example.fr ' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((await listSessionRecipients(app(), actor, id)).map((r) => r.state)).toEqual(['active']);
  });

  test('refuses an address that already holds the badge, and changes nothing', async () => {
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'fay.p8@example.fr' }, { email: 'gus.p8@example.fr' }] }, 'fr');
    const rows = await listSessionRecipients(app(), actor, id);
    const fay = rows.find((r) => r.email === 'fay.p8@example.fr')!;
    expect((await caught(correctAddressAndReissue(app(), actor, id, fay.credentialId, { email: 'gus.p8@example.fr' }))).status).toBe(409);
    expect((await listSessionRecipients(app(), actor, id)).map((r) => r.state)).toEqual(['active', 'active']);
  });

  test('a badge already replaced cannot be corrected a second time', async () => {
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'hal.p9@yaho.fr' }] }, 'fr');
    const [old] = await listSessionRecipients(app(), actor, id);
    await correctAddressAndReissue(app(), actor, id, old!.credentialId, { email: 'hal.p9@yahoo.fr' });
    expect((await caught(correctAddressAndReissue(app(), actor, id, old!.credentialId, { email: 'hal.p9@yahoo.com' }))).status).toBe(409);
  });
});

describe('revoking several badges with one reason', () => {
  test('names each badge and its holder for the confirmation, then revokes them all, each audited with the reason', async () => {
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'ivy.p10@example.fr', name: 'Ivy' }, { email: 'jon.p10@example.fr', name: 'Jon' }] }, 'fr');
    const ids = (await listSessionRecipients(app(), actor, id)).map((r) => r.credentialId);
    const confirmation = await describeRevocation(app(), actor, ids, '  Inscrits par erreur ');
    expect([confirmation.reason, confirmation.items.map((i) => i.name).sort()]).toEqual(['Inscrits par erreur', ['Ivy', 'Jon']]);

    expect(await revokeCredentials(app(), actor, ids, 'Inscrits par erreur')).toEqual({ revoked: 2 });
    expect((await listSessionRecipients(app(), actor, id)).map((r) => r.state)).toEqual(['revoked', 'revoked']);
    for (const credentialId of ids) expect(await auditOf(credentialId)).toContainEqual(expect.objectContaining({ action: 'credential.revoked', reason: 'Inscrits par erreur' }));
  });

  test('requires a reason', async () => {
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'kim.p11@example.fr' }] }, 'fr');
    const ids = (await listSessionRecipients(app(), actor, id)).map((r) => r.credentialId);
    expect(await caught(revokeCredentials(app(), actor, ids, '   '))).toBeInstanceOf(ValidationError);
    expect((await listSessionRecipients(app(), actor, id)).map((r) => r.state)).toEqual(['active']);
  });

  test('revokes nothing when one of them is already revoked', async () => {
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'lea.p12@example.fr' }, { email: 'max.p12@example.fr' }] }, 'fr');
    const ids = (await listSessionRecipients(app(), actor, id)).map((r) => r.credentialId);
    await revokeCredentials(app(), actor, [ids[0]!], 'Premier');
    expect((await caught(revokeCredentials(app(), actor, ids, 'Les deux'))).status).toBe(409);
    expect((await listSessionRecipients(app(), actor, id)).map((r) => r.state).sort()).toEqual(['active', 'revoked']);
  });

  test("another organisation's badge is not found, and nothing is revoked", async () => {
    const admin = apiClient(service.url, service.token);
    const other = await setUpIssuer(admin, service.url, 'Autre structure');
    const foreign = await other.operator.post<{ id: string }>('/api/v1/credentials', { achievementId: other.achievementId, recipient: { email: 'nina.p13@example.fr' } });
    const id = await session([badgeA]);
    await awardGroup(app(), actor, id, { people: [{ email: 'otto.p13@example.fr' }] }, 'fr');
    const ids = (await listSessionRecipients(app(), actor, id)).map((r) => r.credentialId);
    expect((await caught(revokeCredentials(app(), actor, [...ids, foreign.body.id], 'Intrusion'))).status).toBe(404);
    expect((await listSessionRecipients(app(), actor, id)).map((r) => r.state)).toEqual(['active']);
  });
});

describe('awarding one person from a badge', () => {
  test('checks the address first, pointing out a likely typo', async () => {
    const check = await checkDirectAward(app(), actor, badgeA, { email: 'pia.p14@outlok.fr', name: 'Pia' });
    expect([check.suggestion, check.problems, check.alreadyHeld]).toEqual(['pia.p14@outlook.fr', [], false]);
  });

  test('issues the badge and queues its e-mail in the language asked', async () => {
    const result = await awardDirectly(app(), actor, badgeA, { email: 'quentin.p15@example.fr', name: 'Quentin', language: 'en' });
    expect(result.emailsQueued).toBe(1);
    const [mail] = await outboxTo('quentin.p15@example.fr');
    expect([mail!.credential_id, mail!.subject]).toEqual([result.credentialId, expect.stringMatching(/^Your badge/)]);
    expect(await auditOf(result.credentialId)).toContainEqual(expect.objectContaining({ action: 'credential.awarded' }));
    expect((await checkDirectAward(app(), actor, badgeA, { email: 'quentin.p15@example.fr' })).alreadyHeld).toBe(true);
  });

  test('refuses someone who already holds the badge, and sends nothing more', async () => {
    await awardDirectly(app(), actor, badgeA, { email: 'rose.p16@example.fr', language: 'fr' });
    expect((await caught(awardDirectly(app(), actor, badgeA, { email: 'rose.p16@example.fr', language: 'fr' }))).status).toBe(409);
    expect(await outboxTo('rose.p16@example.fr')).toHaveLength(1);
  });

  test('refuses an invalid address', async () => {
    expect(await caught(awardDirectly(app(), actor, badgeA, { email: 'sam.p17', language: 'fr' }))).toBeInstanceOf(ValidationError);
  });
});

describe('self-service claims', () => {
  test('a code of a session whose requests are not open is told apart from an unknown code', async () => {
    const created = await createWorkshop(app(), actor, { issuerId, title: 'Atelier fermé', workshopType: 'PITCH', heldOn: '2026-11-20', achievementIds: [badgeA] });
    expect(await claimCodeState(app(), created.claimCode)).toMatchObject({ state: 'closed', title: 'Atelier fermé' });
    expect(await claimCodeState(app(), 'ZZZZ99')).toEqual({ state: 'unknown' });
    await setClaimOpen(app(), actor, created.id, true);
    expect((await claimCodeState(app(), created.claimCode.toLowerCase())).state).toBe('open');
  });

  test('approving all pending requests awards each person in their language and leaves none pending', async () => {
    const created = await createWorkshop(app(), actor, { issuerId, title: 'Atelier demandes', workshopType: 'PITCH', heldOn: '2026-11-20', achievementIds: [badgeA, badgeB] });
    await setClaimOpen(app(), actor, created.id, true);
    await submitClaim(app(), created.claimCode, { name: 'Tom', email: 'tom.p18@example.fr', language: 'fr' });
    await submitClaim(app(), created.claimCode, { name: 'Uma', email: 'uma.p18@example.org', language: 'en' });
    expect((await claimRequestsFeed(app(), actor, created.id)).pending).toBe(2);
    expect(await approveAllSummary(app(), actor, created.id)).toEqual({ requests: 2, badges: 4, emails: 4 });

    const result = await approveAllClaims(app(), actor, created.id);
    expect([result.approved, result.issued, result.emailsQueued]).toEqual([2, 4, 4]);
    const feed = await claimRequestsFeed(app(), actor, created.id);
    expect([feed.pending, feed.requests.map((r) => r.status)]).toEqual([0, ['approved', 'approved']]);
    expect((await outboxTo('uma.p18@example.org')).map((m) => m.subject)).toEqual([expect.stringMatching(/^Your badge/), expect.stringMatching(/^Your badge/)]);
    expect((await outboxTo('tom.p18@example.fr')).map((m) => m.subject)).toEqual([expect.stringMatching(/^Votre badge/), expect.stringMatching(/^Votre badge/)]);
  });

  test('approving all with nothing pending is refused', async () => {
    const id = await session([badgeA]);
    expect((await caught(approveAllClaims(app(), actor, id))).status).toBe(409);
  });
});
