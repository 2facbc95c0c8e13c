/**
 * The partnership, counted (issue 13 §3), through the use cases without HTTP: sessions that name a co-organiser,
 * then the partnership indicators of the metropolis and of one operator, and their CSV.
 *
 * Period: 2026-03-01 (included) → 2026-05-01 (excluded), months 2026-03 and 2026-04; the application's clock is
 * set to the day each action happens. Organisations: A "Alpha" (the operator followed), B "Bêta", C "Gamma",
 * D "Delta", E "Epsilon" (only co-organises), F "Phi" (only issues a badge), and the platform's own (idle).
 *
 *   endorsements   03-10 B→A's badge · 04-05 C→A itself · 04-06 B→A's credential · 04-07 A→C's badge
 *                  04-08 B→C's badge · 02-20 D→A (before the period)
 *   requests       r1 A→B accepted 03-03 · r2 A→D pending (sent 03-04) · r3 C→A declined 04-02
 *                  r4 A→C withdrawn · r5 B→C accepted 04-20 · r6 A→B accepted 02-25 (before)
 *   workshops      w1 A with B 03-20 · w2 C with A 04-15 · w3 B with E 04-16 · w4 A alone 04-18
 *                  w5 A with D 05-01 (at `to`: outside)
 *   credentials    A 03-10 · F 03-12
 *   recognitions   03-10 h1→p1, h1→p2, h2→p1 · 04-10 h2→p3 · 04-11 h3→p4, revoked
 */
import { randomUUID } from 'node:crypto';
import { createAchievement } from '../../src/app/achievements.js';
import { actorOf } from '../../src/app/auth.js';
import { awardCredential } from '../../src/app/award.js';
import { indicatorsToCsv } from '../../src/app/csv-export.js';
import { endorse } from '../../src/app/endorsements.js';
import { ValidationError } from '../../src/app/errors.js';
import { indicatorsFor, type Cell, type Indicators } from '../../src/app/indicators.js';
import { createIssuer, createUser } from '../../src/app/issuers.js';
import { revokeRecognition, sendRecognition } from '../../src/app/peer-recognition.js';
import type { Actor } from '../../src/app/policies.js';
import { createWorkshop, getWorkshop, listWorkshops, coOrganiserChoices } from '../../src/app/workshops.js';
import type { EndorsementRequestStatus, HolderRow } from '../../src/store/schema.js';
import { translator } from '../../src/views/i18n.js';
import { testApp, type TestApp } from '../support/app-context.js';

const PERIOD = { from: '2026-03-01', to: '2026-05-01' };
const S = { suppressed: true } as const;
const v = (value: number): Cell => ({ value });

let t: TestApp;
let now = new Date('2026-03-01T09:00:00.000Z');
const at = (iso: string) => {
  now = new Date(iso);
};

const org: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', string> = { A: '', B: '', C: '', D: '', E: '', F: '' };
const op = {} as Record<keyof typeof org, Actor>;
const badge = {} as Record<'A' | 'B' | 'C' | 'F', string>;
let workshopW1: string;

async function holder(email: string): Promise<HolderRow> {
  const row = { id: randomUUID(), email, name: email, created_at: new Date(0).toISOString() };
  await t.app.db.insertInto('holders').values(row).execute();
  return t.app.db.selectFrom('holders').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
}

/** Endorsement requests are inserted as rows: their use case is being written elsewhere. */
async function request(
  requester: string,
  partner: string,
  status: EndorsementRequestStatus,
  createdAt: string,
  answeredAt: string | null,
): Promise<void> {
  const achievement = await t.app.db
    .selectFrom('achievements')
    .select('id')
    .where('organisation_id', '=', requester)
    .executeTakeFirst();
  await t.app.db
    .insertInto('endorsement_requests')
    .values({
      id: randomUUID(), requester_id: requester, partner_id: partner, achievement_id: achievement?.id ?? randomUUID(),
      message: null, status, created_at: createdAt, created_by: null, answered_at: answeredAt, answered_by: null,
      answer_message: null, endorsement_id: null,
    })
    .execute();
}

function session(issuer: keyof typeof badge, heldOn: string, coOrganiserId?: string) {
  return createWorkshop(t.app, op[issuer], {
    issuerId: org[issuer], title: `Atelier ${issuer} ${heldOn}`, workshopType: 'INFO', heldOn,
    achievementIds: [badge[issuer]], ...(coOrganiserId !== undefined ? { coOrganiserId } : {}),
  });
}

const recognition = (email: string) => ({
  displayName: 'Une voisine', email, competenceCode: '2.4', observation: 'A su rassembler le quartier autour du projet.',
});

beforeAll(async () => {
  t = await testApp();
  t.app.clock = { now: () => now };
  const names = { A: 'Alpha', B: 'Bêta', C: 'Gamma', D: 'Delta', E: 'Epsilon', F: 'Phi' } as const;
  for (const key of Object.keys(org) as (keyof typeof org)[]) {
    org[key] = (await createIssuer(t.app, t.admin, { name: names[key] })).id;
    const { user } = await createUser(t.app, t.admin, org[key], { email: `admin@${key}.example`, role: 'operator_admin' });
    op[key] = actorOf({ id: user.id, role: 'operator_admin', organisation_id: org[key] });
  }
  for (const key of ['A', 'B', 'C', 'F'] as const)
    badge[key] = (await createAchievement(t.app, op[key], { issuerId: org[key], catalogueKey: 'de-l-idee-a-l-opportunite' })).id;

  at('2026-02-20T10:00:00.000Z');
  await endorse(t.app, op.D, { subject: { type: 'issuer', id: org.A }, comment: 'Avant la période.' });
  at('2026-03-10T10:00:00.000Z');
  const credential = await awardCredential(t.app, op.A, { achievementId: badge.A, recipient: { email: 'x@example.fr' } });
  await endorse(t.app, op.B, { subject: { type: 'achievement', id: badge.A }, comment: 'Un badge utile.' });
  at('2026-03-12T10:00:00.000Z');
  await awardCredential(t.app, op.F, { achievementId: badge.F, recipient: { email: 'y@example.fr' } });
  at('2026-04-05T10:00:00.000Z');
  await endorse(t.app, op.C, { subject: { type: 'issuer', id: org.A }, comment: 'Un partenaire sérieux.' });
  at('2026-04-06T10:00:00.000Z');
  await endorse(t.app, op.B, { subject: { type: 'credential', id: credential.id }, comment: 'Vu en entretien.' });
  at('2026-04-07T10:00:00.000Z');
  await endorse(t.app, op.A, { subject: { type: 'achievement', id: badge.C }, comment: 'Recommandé.' });
  at('2026-04-08T10:00:00.000Z');
  await endorse(t.app, op.B, { subject: { type: 'achievement', id: badge.C }, comment: 'Aussi.' });

  await request(org.A, org.B, 'accepted', '2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z');
  await request(org.A, org.D, 'pending', '2026-03-04T10:00:00.000Z', null);
  await request(org.C, org.A, 'declined', '2026-04-01T10:00:00.000Z', '2026-04-02T10:00:00.000Z');
  await request(org.A, org.C, 'withdrawn', '2026-03-05T10:00:00.000Z', null);
  await request(org.B, org.C, 'accepted', '2026-04-19T10:00:00.000Z', '2026-04-20T10:00:00.000Z');
  await request(org.A, org.B, 'accepted', '2026-02-24T10:00:00.000Z', '2026-02-25T10:00:00.000Z');

  workshopW1 = (await session('A', '2026-03-20', org.B)).id;
  await session('C', '2026-04-15', org.A);
  await session('B', '2026-04-16', org.E);
  await session('A', '2026-04-18');
  await session('A', '2026-05-01', org.D);

  const [h1, h2, h3] = [await holder('h1@example.fr'), await holder('h2@example.fr'), await holder('h3@example.fr')];
  at('2026-03-10T12:00:00.000Z');
  await sendRecognition(t.app, h1!, recognition('p1@example.fr'));
  await sendRecognition(t.app, h1!, recognition('p2@example.fr'));
  await sendRecognition(t.app, h2!, recognition('P1@Example.fr'));
  at('2026-04-10T12:00:00.000Z');
  await sendRecognition(t.app, h2!, recognition('p3@example.fr'));
  at('2026-04-11T12:00:00.000Z');
  const abusive = await sendRecognition(t.app, h3!, recognition('p4@example.fr'));
  await revokeRecognition(t.app, t.admin, abusive.id, 'Message abusif.');
}, 120_000);
afterAll(() => t.close());

describe('a session with a co-organiser', () => {
  test('names another organisation of the platform, stored on the workshop and shown with the session', async () => {
    const shown = await getWorkshop(t.app, op.A, workshopW1);
    expect(shown.coOrganiser).toEqual({ id: org.B, name: 'Bêta' });
    const row = await t.app.db.selectFrom('workshops').select('co_organiser_id').where('id', '=', workshopW1).executeTakeFirst();
    expect(row?.co_organiser_id).toBe(org.B);
  });

  test('is optional: a session run alone names nobody', async () => {
    const alone = (await listWorkshops(t.app, op.A)).find((w) => w.heldOn === '2026-04-18');
    expect(alone?.coOrganiser).toBeNull();
  });

  test('an empty choice means no co-organiser', async () => {
    const created = await session('A', '2026-06-01', '');
    expect(created.coOrganiser).toBeNull();
  });

  test('the co-organiser gains no right on the session: it neither sees nor lists it', async () => {
    await expect(getWorkshop(t.app, op.B, workshopW1)).rejects.toMatchObject({ status: 404 });
    expect((await listWorkshops(t.app, op.B)).map((w) => w.id)).not.toContain(workshopW1);
  });

  test('refuses the organisation itself as its own co-organiser, naming the field', async () => {
    const error = await session('A', '2026-06-02', org.A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([expect.objectContaining({ field: 'coOrganiserId' })]);
  });

  test('refuses an organisation that does not exist on the platform', async () => {
    for (const id of [randomUUID(), 'pas-un-identifiant']) {
      const error = await session('A', '2026-06-03', id).catch((e: unknown) => e);
      expect((error as ValidationError).errors).toEqual([expect.objectContaining({ field: 'coOrganiserId' })]);
    }
    const count = await t.app.db.selectFrom('workshops').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('held_on', 'in', ['2026-06-02', '2026-06-03']).executeTakeFirst();
    expect(Number(count?.n)).toBe(0);
  });

  test('the choices are every other organisation, by name; the audit entry names the co-organiser', async () => {
    const choices = await coOrganiserChoices(t.app, op.A, org.A);
    expect(choices.map((c) => c.id)).not.toContain(org.A);
    expect(choices.map((c) => c.name)).toEqual(expect.arrayContaining(['Bêta', 'Delta', 'Epsilon', 'Gamma', 'Phi']));
    expect(choices.map((c) => c.name)).toEqual([...choices.map((c) => c.name)].sort((a, b) => a.localeCompare(b, 'fr')));
    await expect(coOrganiserChoices(t.app, op.A, org.B)).rejects.toMatchObject({ status: 404 });
    const entry = await t.app.db.selectFrom('audit_log').select('details').where('target_id', '=', workshopW1).executeTakeFirst();
    expect(JSON.parse(entry!.details!)).toMatchObject({ coOrganiserId: org.B });
  });
});

describe('the metropolis view (platform administrator)', () => {
  let m: Indicators;
  beforeAll(async () => {
    m = await indicatorsFor(t.app, t.admin, PERIOD);
  });

  test('partners involved: issued a badge (A, F), signed an endorsement (A, B, C) or ran a joint workshop (E)', () => {
    // Not D: its endorsement is before the period, its joint workshop at `to`, and a request is not an issue.
    expect(m.partnersInvolved).toBe(5);
  });

  test('endorsements signed in the period, by month', () => {
    expect(m.partnershipActions.endorsements).toEqual({ total: 5, byMonth: [1, 4] });
  });

  test('requests answered in the period, by month of the answer (not pending, withdrawn, or answered before)', () => {
    expect(m.partnershipActions.requestsAnswered).toEqual({ total: 3, byMonth: [1, 2] });
  });

  test('workshops run jointly, by month held (not a session run alone, not one at `to`)', () => {
    expect(m.partnershipActions.jointSessions).toEqual({ total: 3, byMonth: [1, 2] });
  });

  test('partnership actions add up month by month', () => {
    expect(m.partnershipActions.total).toEqual({ total: 11, byMonth: [3, 8] });
  });

  test('peer recognitions: sent ones not revoked, and the distinct people who received one', () => {
    // p1 received two (one written P1@Example.fr): one person. p4's was revoked.
    expect(m.peerRecognitions).toEqual({ sent: { total: 4, byMonth: [3, 1] }, received: v(3) });
  });

  test('fewer than 3 people who received a recognition are not published', async () => {
    const april = await indicatorsFor(t.app, t.admin, { from: '2026-04-01', to: '2026-05-01' });
    expect(april.peerRecognitions).toEqual({ sent: { total: 1, byMonth: [1] }, received: S });
  });

  test('the existing figures are unchanged: active operators still count workshops held and badges issued', () => {
    // A, B, C held workshops or issued; F issued. E only co-organised, D only endorsed before the period.
    expect(m.partners).toBe(4);
  });
});

describe("an operator's view", () => {
  test('A: the other organisations it worked with, and the actions it took part in, on either side', async () => {
    const a = await indicatorsFor(t.app, op.A, PERIOD);
    // B: endorsed A, answered A's request, co-organised w1; C: endorsed A, was endorsed by A, had its request
    // answered by A, held w2 with A; D: received A's request (pending). Never A itself.
    expect(a.partnersInvolved).toBe(3);
    expect(a.partnershipActions).toEqual({
      endorsements: { total: 4, byMonth: [1, 3] },
      requestsAnswered: { total: 2, byMonth: [1, 1] },
      jointSessions: { total: 2, byMonth: [1, 1] },
      total: { total: 8, byMonth: [3, 5] },
    });
  });

  test('B: what A and C did without B is not counted', async () => {
    const b = await indicatorsFor(t.app, op.B, PERIOD);
    // A (B endorsed its badge and credential, answered r1, w1), C (B endorsed its badge, r5), E (w3).
    expect(b.partnersInvolved).toBe(3);
    expect(b.partnershipActions).toEqual({
      endorsements: { total: 3, byMonth: [1, 2] },
      requestsAnswered: { total: 2, byMonth: [1, 1] },
      jointSessions: { total: 2, byMonth: [1, 1] },
      total: { total: 7, byMonth: [3, 4] },
    });
  });

  test('D: a request it received but did not answer, and actions outside the period, count for nothing', async () => {
    const d = await indicatorsFor(t.app, op.D, PERIOD);
    expect(d.partnersInvolved).toBe(0);
    expect(d.partnershipActions.total).toEqual({ total: 0, byMonth: [0, 0] });
  });

  test('peer recognitions do not apply to an operator: null, not zero', async () => {
    expect((await indicatorsFor(t.app, op.A, PERIOD)).peerRecognitions).toBeNull();
    expect((await indicatorsFor(t.app, t.admin, { ...PERIOD, organisationId: org.A })).peerRecognitions).toBeNull();
  });

  test('an operator cannot ask for another operator’s partnership', async () => {
    await expect(indicatorsFor(t.app, op.A, { ...PERIOD, organisationId: org.B })).rejects.toMatchObject({ status: 404 });
  });
});

describe('the CSV export', () => {
  const rowsOf = (csv: string) => csv.replace(/^\uFEFF/, '').split('\r\n').map((line) => line.split(';'));
  const fr = translator('fr');

  test('has a Partnership section with each figure, and its months with recognitions sent', async () => {
    const rows = rowsOf(indicatorsToCsv(await indicatorsFor(t.app, t.admin, PERIOD), 'fr', fr));
    expect(rows).toContainEqual([fr('indicators.section.partnership')]);
    expect(rows).toContainEqual([fr('indicators.partnersInvolved'), '5']);
    expect(rows).toContainEqual([fr('indicators.partnership.endorsements'), '5']);
    expect(rows).toContainEqual([fr('indicators.partnership.requestsAnswered'), '3']);
    expect(rows).toContainEqual([fr('indicators.partnership.jointSessions'), '3']);
    expect(rows).toContainEqual([fr('indicators.partnership.total'), '11']);
    expect(rows).toContainEqual([fr('indicators.recognitions.sent'), '4']);
    expect(rows).toContainEqual([fr('indicators.recognitions.received'), '3']);
    expect(rows).toContainEqual([
      fr('indicators.column.month'), fr('indicators.partnership.endorsements'), fr('indicators.partnership.requestsAnswered'),
      fr('indicators.partnership.jointSessions'), fr('indicators.partnership.total'), fr('indicators.recognitions.sent'),
    ]);
    expect(rows).toContainEqual(['2026-03', '1', '1', '1', '3', '3']);
    expect(rows).toContainEqual(['2026-04', '4', '2', '2', '8', '1']);
    expect(rows).toContainEqual([fr('indicators.column.total'), '5', '3', '3', '11', '4']);
  });

  test('writes a small count of people who received a recognition as "< 3"', async () => {
    const rows = rowsOf(indicatorsToCsv(await indicatorsFor(t.app, t.admin, { from: '2026-04-01', to: '2026-05-01' }), 'fr', fr));
    expect(rows).toContainEqual([fr('indicators.recognitions.received'), '< 3']);
  });

  test("an operator's export says recognitions do not apply, and has no recognitions column", async () => {
    const en = translator('en');
    const rows = rowsOf(indicatorsToCsv(await indicatorsFor(t.app, op.A, PERIOD), 'en', en));
    expect(rows).toContainEqual(['Partners involved', '3']);
    expect(rows).toContainEqual([en('indicators.recognitions.sent'), en('indicators.notApplicable')]);
    expect(rows).toContainEqual([en('indicators.recognitions.received'), en('indicators.notApplicable')]);
    expect(rows).toContainEqual(['2026-03', '1', '1', '1', '3']);
    expect(rows).toContainEqual([en('indicators.column.total'), '4', '2', '2', '8']);
  });
});
