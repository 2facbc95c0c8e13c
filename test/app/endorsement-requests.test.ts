/**
 * Partner organisations and endorsement requests as use cases (no HTTP): a partner is created like any issuer but
 * awards nothing; an operator asks a partner to endorse one of its badges; the partner accepts (which signs an
 * endorsement through the same path as a direct one) or declines with a message; each step is audited and e-mailed
 * to the other side.
 */
import { sql } from 'kysely';
import { createAchievement } from '../../src/app/achievements.js';
import { actorOf } from '../../src/app/auth.js';
import { awardCredential } from '../../src/app/award.js';
import {
  acceptEndorsementRequest,
  declineEndorsementRequest,
  endorsementRequestDetail,
  listEndorsementRequests,
  requestEndorsement,
  withdrawEndorsementRequest,
} from '../../src/app/endorsement-requests.js';
import { ValidationError } from '../../src/app/errors.js';
import { createIssuer, createUser, getIssuer } from '../../src/app/issuers.js';
import type { Actor, Role } from '../../src/app/policies.js';
import { verifyAny } from '../../src/app/verify.js';
import { createWorkshop } from '../../src/app/workshops.js';
import { refusal, testApp, type TestApp } from '../support/app-context.js';

let t: TestApp;
let operatorOrg: string;
let partnerOrg: string;
let otherOrg: string;
let operator: Actor;
let partner: Actor;
let other: Actor;

async function member(organisationId: string, role: Exclude<Role, 'platform_admin'>, email?: string): Promise<Actor> {
  const address = email ?? `${role}-${organisationId.slice(0, 8)}@example.org`;
  const { user } = await createUser(t.app, t.admin, organisationId, { email: address, role });
  return actorOf({ id: user.id, role, organisation_id: organisationId });
}


async function newBadge(): Promise<string> {
  return (
    await createAchievement(t.app, operator, { issuerId: operatorOrg, catalogueKey: 'de-l-idee-a-l-opportunite' })
  ).id;
}

function outboxTo(email: string) {
  return t.app.db.selectFrom('outbox').selectAll().where('to_email', '=', email).orderBy('created_at').execute();
}

/** The audit entries about one target, by action (entries written in the same millisecond have no order). */
async function auditOf(targetId: string) {
  const rows = await t.app.db.selectFrom('audit_log').selectAll().where('target_id', '=', targetId).execute();
  return rows.sort((a, b) => a.action.localeCompare(b.action));
}

beforeAll(async () => {
  t = await testApp();
  operatorOrg = (await createIssuer(t.app, t.admin, { name: 'BGE Littoral', email: 'contact@bge-littoral.example' }))
    .id;
  partnerOrg = (
    await createIssuer(t.app, t.admin, {
      name: 'France Travail Hauts-de-France',
      email: 'partenariats@francetravail.example',
      kind: 'partner',
    })
  ).id;
  otherOrg = (await createIssuer(t.app, t.admin, { name: 'Région Sud' })).id;
  operator = await member(operatorOrg, 'operator_admin', 'marie@bge-littoral.example');
  partner = await member(partnerOrg, 'operator_admin', 'paul@francetravail.example');
  other = await member(otherOrg, 'operator_admin');
}, 30_000);
afterAll(() => t.close());

describe('partner organisations', () => {
  test('a partner is created with its own did:web identity and keys, and says it is a partner', async () => {
    const view = await getIssuer(t.app, t.admin, partnerOrg);
    expect(view.kind).toBe('partner');
    expect(view.did).toMatch(/^did:web:.*:issuers:france-travail-hauts-de-france$/);
    expect(view.keys.length).toBeGreaterThan(0);
    expect((await getIssuer(t.app, t.admin, operatorOrg)).kind).toBe('issuer');
  });

  test('a partner cannot create a badge definition, and is told why', async () => {
    const error = await refusal(
      createAchievement(t.app, partner, { issuerId: partnerOrg, catalogueKey: 'de-l-idee-a-l-opportunite' }),
    );
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/partner organisation.*does not create badges/);
  });

  test('a partner cannot create a session', async () => {
    const error = await refusal(
      createWorkshop(t.app, partner, {
        issuerId: partnerOrg,
        title: 'Atelier',
        workshopType: t.app.catalogue.workshopTypes[0]!.code,
        heldOn: '2026-01-15',
        achievementIds: [],
      }),
    );
    expect(error.status).toBe(409);
  });

  test('a partner cannot award a badge, even one it would hold from before', async () => {
    // A badge row owned by the partner (as if made before it became one): the award still refuses.
    const badge = await newBadge();
    await t.app.db.updateTable('achievements').set({ organisation_id: partnerOrg }).where('id', '=', badge).execute();
    const error = await refusal(
      awardCredential(t.app, partner, { achievementId: badge, recipient: { email: 'lea@example.fr' } }),
    );
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/partner organisation/);
  });
});

describe('asking for an endorsement', () => {
  test('the request waits for the partner, is audited under the requester and e-mailed to the partner', async () => {
    const badge = await newBadge();
    const request = await requestEndorsement(t.app, operator, {
      partnerId: partnerOrg,
      achievementId: badge,
      message: 'Vos conseillers orientent déjà vers cet atelier.',
    });
    expect(request.status).toBe('pending');
    expect(request.requester.name).toBe('BGE Littoral');
    expect(request.partner.name).toBe('France Travail Hauts-de-France');
    const audit = await auditOf(request.id);
    expect(audit.map((e) => [e.action, e.organisation_id])).toEqual([['endorsement.requested', operatorOrg]]);

    // Both the partner's contact address and its administrator hear about it, in French then English.
    for (const address of ['partenariats@francetravail.example', 'paul@francetravail.example']) {
      const mail = (await outboxTo(address)).find((m) => m.text_body.includes(request.id));
      expect(mail).toBeDefined();
      expect(mail!.subject).toContain('BGE Littoral vous demande de recommander le badge');
      expect(mail!.subject).toContain('BGE Littoral asks you to endorse the badge');
      expect(mail!.text_body).toContain('Vos conseillers orientent déjà vers cet atelier.');
      expect(mail!.text_body).toContain(`/console/endorsement-requests/${request.id}`);
      expect(mail!.html_body).toContain('lang="en"');
    }
  });

  test('a second request to the same partner for the same badge is refused while the first waits', async () => {
    const badge = await newBadge();
    await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: badge });
    const error = await refusal(requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: badge }));
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/already been asked/);
  });

  test("an organisation cannot ask about another organisation's badge, nor ask itself", async () => {
    const badge = await newBadge();
    expect(
      (await refusal(requestEndorsement(t.app, other, { partnerId: partnerOrg, achievementId: badge }))).status,
    ).toBe(404);
    expect(
      (await refusal(requestEndorsement(t.app, operator, { partnerId: operatorOrg, achievementId: badge }))).status,
    ).toBe(409);
  });

  test('any other organisation may be asked, not only partners', async () => {
    const request = await requestEndorsement(t.app, operator, { partnerId: otherOrg, achievementId: await newBadge() });
    expect(request.partner.name).toBe('Région Sud');
  });
});

describe('answering', () => {
  test('accepting signs an endorsement of the badge definition that verifies', async () => {
    const badge = await newBadge();
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: badge });
    const accepted = await acceptEndorsementRequest(t.app, partner, request.id, {
      comment: 'Nos conseillers reconnaissent ce badge.',
    });
    expect(accepted.endorsement.credential.credentialSubject.id).toBe(t.app.ids.achievement(badge));
    expect(accepted.endorsement.credential.credentialSubject.endorsementComment).toBe(
      'Nos conseillers reconnaissent ce badge.',
    );
    expect(accepted.endorsement.credential.issuer.name).toBe('France Travail Hauts-de-France');
    const report = await verifyAny(t.app, { credential: accepted.endorsement.credential });
    expect(report.verdict).toBe('valid');
    expect(accepted.request.status).toBe('accepted');
    expect(accepted.request.endorsement).toEqual({ id: accepted.endorsement.id, url: accepted.endorsement.url });
  });

  test('accepting is audited under the partner, with the signed endorsement, and e-mailed to the requester', async () => {
    const badge = await newBadge();
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: badge });
    const accepted = await acceptEndorsementRequest(t.app, partner, request.id, { comment: 'Reconnu.' });
    expect((await auditOf(request.id)).map((e) => [e.action, e.organisation_id])).toEqual([
      ['endorsement.request.accepted', partnerOrg],
      ['endorsement.requested', operatorOrg],
    ]);
    expect((await auditOf(accepted.endorsement.id)).map((e) => e.action)).toEqual(['endorsement.created']);
    const stored = await t.app.db
      .selectFrom('endorsement_requests')
      .selectAll()
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'accepted', endorsement_id: accepted.endorsement.id, answer_message: 'Reconnu.' });
    expect(stored.answered_at).not.toBeNull();
    for (const address of ['contact@bge-littoral.example', 'marie@bge-littoral.example']) {
      const mail = (await outboxTo(address)).find((m) => m.text_body.includes(accepted.endorsement.url));
      expect(mail?.subject).toContain('France Travail Hauts-de-France recommande votre badge');
    }
  });

  test('accepting needs a comment: the endorsement says it publicly', async () => {
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: await newBadge() });
    const error = await refusal(acceptEndorsementRequest(t.app, partner, request.id, {}));
    expect(error).toBeInstanceOf(ValidationError);
    expect((await endorsementRequestDetail(t.app, partner, request.id)).status).toBe('pending');
  });

  test('declining needs a message, which the requester reads by e-mail', async () => {
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: await newBadge() });
    const missing = await refusal(declineEndorsementRequest(t.app, partner, request.id, { comment: 'Non.' }));
    expect(missing).toBeInstanceOf(ValidationError);
    const declined = await declineEndorsementRequest(t.app, partner, request.id, {
      message: "Nous ne recommandons que des badges d'ateliers que nous avons observés.",
    });
    expect(declined.status).toBe('declined');
    expect(declined.endorsement).toBeNull();
    expect((await auditOf(request.id)).map((e) => [e.action, e.organisation_id])).toEqual([
      ['endorsement.request.declined', partnerOrg],
      ['endorsement.requested', operatorOrg],
    ]);
    const mail = (await outboxTo('marie@bge-littoral.example')).find((m) => m.text_body.includes(request.id));
    expect(mail?.subject).toContain('France Travail Hauts-de-France ne recommande pas votre badge');
    expect(mail?.text_body).toContain("Nous ne recommandons que des badges d'ateliers que nous avons observés.");
  });

  test('an answered request cannot be answered again', async () => {
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: await newBadge() });
    await declineEndorsementRequest(t.app, partner, request.id, { message: 'Non merci.' });
    const error = await refusal(acceptEndorsementRequest(t.app, partner, request.id, { comment: 'Finalement oui.' }));
    expect(error.status).toBe(409);
    // Nothing was signed by the refused answer.
    expect(
      await t.app.db.selectFrom('endorsements').select('id').where('comment', '=', 'Finalement oui.').execute(),
    ).toEqual([]);
  });

  test('another organisation cannot see or answer the request; the requester cannot answer its own', async () => {
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: await newBadge() });
    expect((await refusal(acceptEndorsementRequest(t.app, other, request.id, { comment: 'Oui.' }))).status).toBe(404);
    expect((await refusal(declineEndorsementRequest(t.app, other, request.id, { message: 'Non.' }))).status).toBe(404);
    expect((await refusal(endorsementRequestDetail(t.app, other, request.id))).status).toBe(404);
    expect((await refusal(acceptEndorsementRequest(t.app, operator, request.id, { comment: 'Oui.' }))).status).toBe(
      403,
    );
  });

  test('a viewer of the partner may read the request but not answer it', async () => {
    const viewer = await member(partnerOrg, 'viewer');
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: await newBadge() });
    expect((await endorsementRequestDetail(t.app, viewer, request.id)).side).toBe('partner');
    expect((await refusal(acceptEndorsementRequest(t.app, viewer, request.id, { comment: 'Oui.' }))).status).toBe(403);
  });
});

describe('withdrawing', () => {
  test('the requester withdraws a waiting request: audited, and the partner can no longer answer it', async () => {
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: await newBadge() });
    expect((await refusal(withdrawEndorsementRequest(t.app, partner, request.id))).status).toBe(403);
    const withdrawn = await withdrawEndorsementRequest(t.app, operator, request.id);
    expect(withdrawn.status).toBe('withdrawn');
    expect((await auditOf(request.id)).map((e) => [e.action, e.organisation_id])).toEqual([
      ['endorsement.request.withdrawn', operatorOrg],
      ['endorsement.requested', operatorOrg],
    ]);
    expect((await refusal(acceptEndorsementRequest(t.app, partner, request.id, { comment: 'Oui.' }))).status).toBe(409);
  });

  test('once withdrawn, the same badge can be asked of the same partner again', async () => {
    const badge = await newBadge();
    const first = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: badge });
    await withdrawEndorsementRequest(t.app, operator, first.id);
    const again = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: badge });
    expect(again.status).toBe('pending');
  });
});

describe('listing', () => {
  test('each side sees its own requests: received by the partner, sent by the requester, pending first', async () => {
    const badge = await newBadge();
    const answered = await requestEndorsement(t.app, operator, { partnerId: otherOrg, achievementId: badge });
    await declineEndorsementRequest(t.app, other, answered.id, { message: 'Pas pour le moment.' });
    const waiting = await requestEndorsement(t.app, operator, { partnerId: otherOrg, achievementId: badge });

    const received = await listEndorsementRequests(t.app, other, 'received');
    expect(received.every((r) => r.partner.id === otherOrg)).toBe(true);
    const ids = received.map((r) => r.id);
    expect(ids.indexOf(waiting.id)).toBeLessThan(ids.indexOf(answered.id));
    expect(received[0]!.status).toBe('pending');

    const sent = await listEndorsementRequests(t.app, operator, 'sent');
    expect(sent.every((r) => r.requester.id === operatorOrg)).toBe(true);
    expect(sent.map((r) => r.id)).toEqual(expect.arrayContaining([waiting.id, answered.id]));
    expect(await listEndorsementRequests(t.app, other, 'sent')).toEqual([]);
    expect((await refusal(listEndorsementRequests(t.app, other, 'sent', operatorOrg))).status).toBe(404);
  });

  test("the partner's page shows the badge's criteria and its EntreComp competences by name", async () => {
    const request = await requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: await newBadge() });
    const detail = await endorsementRequestDetail(t.app, partner, request.id);
    const catalogued = t.app.catalogue.badge('de-l-idee-a-l-opportunite')!;
    expect(detail.criteria.fr).toBe(catalogued.criteria.fr);
    expect(detail.competences.map((c) => c.code)).toEqual(catalogued.competences.map((c) => c.code));
    expect(detail.competences[0]!.name.fr).toBe(t.app.catalogue.competence(catalogued.competences[0]!.code)!.name.fr);
    expect(detail.side).toBe('partner');
  });
});

describe('one transaction per step', () => {
  // As in audit-in-transaction.test.ts: the audit log refuses every insert while each test runs.
  beforeEach(() => sql`CREATE TRIGGER audit_down BEFORE INSERT ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END`.execute(t.app.db));
  afterEach(() => sql`DROP TRIGGER audit_down`.execute(t.app.db));

  /**
   * The use case failed because of the audit log. (Not Jest's `rejects.toThrow`: the driver's errors may come from
   * another realm than this file's, where `instanceof Error` is false and Jest reports "did not throw".)
   */
  const refusedByAudit = async (attempt: Promise<unknown>) => {
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { message?: string } | undefined)?.message).toMatch(/audit log is unavailable/);
  };
  const count = async (table: 'endorsement_requests' | 'endorsements' | 'outbox') =>
    Number((await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())!.n);
  let badge: string;
  let pending: string;
  beforeAll(async () => {
    badge = await newBadge();
    pending = (await requestEndorsement(t.app, operator, { partnerId: otherOrg, achievementId: badge })).id;
  });

  test('when the audit log refuses, no request and no e-mail remain', async () => {
    const before = [await count('endorsement_requests'), await count('outbox')];
    await refusedByAudit(requestEndorsement(t.app, operator, { partnerId: partnerOrg, achievementId: badge }));
    expect([await count('endorsement_requests'), await count('outbox')]).toEqual(before);
  });

  test('when the audit log refuses, an acceptance leaves no endorsement, no e-mail and the request pending', async () => {
    const before = [await count('endorsements'), await count('outbox')];
    await refusedByAudit(acceptEndorsementRequest(t.app, other, pending, { comment: 'Oui.' }));
    expect([await count('endorsements'), await count('outbox')]).toEqual(before);
    const row = await t.app.db
      .selectFrom('endorsement_requests')
      .select(['status', 'endorsement_id'])
      .where('id', '=', pending)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', endorsement_id: null });
  });
});
