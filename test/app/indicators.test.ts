/**
 * The follow-up indicators, on SQLite and on PostgreSQL, against a small hand-built dataset whose answers are
 * worked out below; then the bar chart.
 *
 * Period: 2026-03-01 (included) → 2026-05-01 (excluded), months 2026-03 and 2026-04.
 * Operators: A "Alpha Entreprendre", B "Bêta Conseil", C "Gamma Incubateur" (only a verification counter in the
 * period), D "Delta" (nothing at all).
 *
 * People (pN), their credentials and what they count for:
 *   p1  A wA1 03-05, A wA2 03-20, B wB1 03-01  → first badge B/March; accompanied by A (2 workshops) and overall
 *   p2  A wA1 03-05, A wA3 04-10               → first badge A/March; accompanied by A
 *   p3  A Competency 03-21, B wB1 03-25        → first badge A/March; accompanied by A (Competency)
 *   p4  B 02-10 (before), A wA1 03-05          → NOT a first badge in the period
 *   p5  A wA3 04-10, B wB2 04-30               → first badge A/April; accompanied overall only (one workshop each)
 *   p6  A wA3 04-12 (claimed)                  → first badge A/April
 *   p7  A 03-07, revoked 03-08                 → a badge issued and revoked, never a person
 *   p8  A 02-15, revoked 04-02                 → a revocation in the period
 *   p9  A 2026-05-01T00:00Z (at `to`)          → outside
 *   p10 A 2026-03-01T00:00Z (at `from`)        → first badge A/March
 *   p11 A 2026-04-30T23:59:59.999Z             → first badge A/April
 *   p12 B Assessment wB2 04-30                 → first badge B/April; accompanied by B
 *   p13 B wB2 04-30 (claimed)                  → first badge B/April
 *   p14 B 03-15                                → first badge B/March
 *   p15 C 01-20                                → outside
 *   p16 B 01-10, revoked 2026-03-01T00:00Z     → a revocation at `from`
 *   two erased credentials (recipient_key NULL) from A on 03-06 → badges, not people
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { indicatorsToCsv } from '../../src/app/csv-export.js';
import { translator } from '../../src/views/i18n.js';
import { AXIS_COLOUR, BAR_COLOUR, barChartSvg, TEXT_COLOUR } from '../../src/app/indicators-chart.js';
import { computeIndicators, type Cell, type Indicators } from '../../src/app/indicators.js';
import { migrate, openStore, type Store } from '../../src/store/database.js';
import { freshPostgresSchema } from '../support/service.js';

const AT = '2026-01-01T00:00:00.000Z';
const PERIOD = { from: '2026-03-01', to: '2026-05-01' };
const S = { suppressed: true } as const;
const v = (value: number): Cell => ({ value });

const ORG = { A: 'org-a', B: 'org-b', C: 'org-c', D: 'org-d' } as const;
const NAMES = { A: 'Alpha Entreprendre', B: 'Bêta Conseil', C: 'Gamma Incubateur', D: 'Delta' } as const;
const CATALOGUE_TYPES = ['INFO', 'BP', 'FIN', 'PITCH', 'RSE', 'ESS', 'REPRISE', 'FEM', 'ETU', 'FORMEL', 'EFFEC'];

async function seed(store: Store): Promise<void> {
  const db = store.db;
  for (const key of ['A', 'B', 'C', 'D'] as const) {
    await db.insertInto('organisations').values({
      id: ORG[key], slug: `org-${key.toLowerCase()}`, name: NAMES[key], url: null, email: null, description: null, logo_image_id: null,
      linkedin_org_id: null, created_at: AT, updated_at: AT,
    }).execute();
  }
  const achievement = (id: string, org: string, type: string, competences: { code: string; level: number }[]) => ({
    id, organisation_id: org, catalogue_key: null, name_fr: id, name_en: id, description_fr: 'd', description_en: 'd', criteria_fr: 'c',
    criteria_en: 'c', achievement_type: type, competences: JSON.stringify(competences), tags: '[]', template: 'blason', colour: '#0069B4',
    validity_days: null, archived_at: null, created_at: AT, updated_at: AT,
  });
  await db.insertInto('achievements').values([
    achievement('A1', ORG.A, 'Badge', [{ code: '3.1', level: 1 }, { code: '2.1', level: 1 }]),
    achievement('A2', ORG.A, 'Badge', [{ code: '3.1', level: 2 }]),
    achievement('A3', ORG.A, 'Competency', [{ code: '2.3', level: 2 }, { code: '3.1', level: 3 }]),
    achievement('B1', ORG.B, 'Badge', [{ code: '1.1', level: 1 }]),
    // 1.1 twice: the credential counts once for it.
    achievement('B2', ORG.B, 'Assessment', [{ code: '2.4', level: 4 }, { code: '1.1', level: 2 }, { code: '1.1', level: 1 }]),
    achievement('C1', ORG.C, 'Badge', [{ code: '1.2', level: 1 }]),
  ]).execute();

  const workshop = (id: string, org: string, type: string, heldOn: string) => ({
    id, organisation_id: org, title: `Atelier ${id}`, workshop_type: type, held_on: heldOn, place: null, claim_code: `CODE-${id}`,
    claim_open: 0, created_by: null, created_at: AT,
  });
  await db.insertInto('workshops').values([
    workshop('wA0', ORG.A, 'INFO', '2026-02-28'), // the day before: outside
    workshop('wA1', ORG.A, 'INFO', '2026-03-05'),
    workshop('wA2', ORG.A, 'BP', '2026-03-20'),
    workshop('wA3', ORG.A, 'INFO', '2026-04-10'),
    workshop('wA4', ORG.A, 'HACK', '2026-04-15'), // a type outside the catalogue
    workshop('wA5', ORG.A, 'FIN', '2026-05-01'), // at `to`: outside
    workshop('wB1', ORG.B, 'PITCH', '2026-03-01'), // at `from`: inside
    workshop('wB2', ORG.B, 'INFO', '2026-04-30'), // last day: inside
    workshop('wC0', ORG.C, 'INFO', '2026-01-15'),
  ]).execute();

  const claim = (id: string, workshopId: string, status: 'pending' | 'approved' | 'rejected') => ({
    id, workshop_id: workshopId, name: `Person ${id}`, email: `${id}@example.fr`, status, created_at: AT, decided_at: status === 'pending' ? null : AT, decided_by: null,
  });
  await db.insertInto('claim_requests').values([
    claim('cr1', 'wA3', 'approved'), claim('cr2', 'wB1', 'approved'), claim('cr3', 'wB2', 'approved'),
    claim('cr4', 'wA3', 'pending'), claim('cr5', 'wB2', 'rejected'),
  ]).execute();

  let index = 0;
  const credential = (
    id: string, org: string, achievementId: string, issuedAt: string, recipientKey: string | null,
    extra: { workshop?: string; claim?: string; revokedAt?: string } = {},
  ) => ({
    id, organisation_id: org, achievement_id: achievementId, credential_json: '{}', jwt: 'a.b.c',
    language: 'fr' as const, issued_at: issuedAt, valid_from: issuedAt, valid_until: null,
    recipient_key: recipientKey, show_name: 0, status_list_id: 'list-1', status_index: index++,
    revoked_at: extra.revokedAt ?? null, revocation_reason: extra.revokedAt ? 'error' : null, suspended_at: null, suspension_reason: null,
    erased_at: recipientKey === null ? AT : null, batch_id: null, created_by: null, workshop_id: extra.workshop ?? null,
    claim_request_id: extra.claim ?? null,
  });
  await db.insertInto('credentials').values([
    credential('c01', ORG.A, 'A1', '2026-03-05T09:00:00.000Z', 'p1', { workshop: 'wA1' }),
    credential('c02', ORG.A, 'A2', '2026-03-20T09:00:00.000Z', 'p1', { workshop: 'wA2' }),
    credential('c03', ORG.A, 'A1', '2026-03-05T09:00:00.000Z', 'p2', { workshop: 'wA1' }),
    credential('c04', ORG.A, 'A2', '2026-04-10T09:00:00.000Z', 'p2', { workshop: 'wA3' }),
    credential('c05', ORG.A, 'A3', '2026-03-21T09:00:00.000Z', 'p3'),
    credential('c06', ORG.A, 'A1', '2026-03-05T09:00:00.000Z', 'p4', { workshop: 'wA1' }),
    credential('c07', ORG.A, 'A1', '2026-04-10T09:00:00.000Z', 'p5', { workshop: 'wA3' }),
    credential('c08', ORG.A, 'A1', '2026-04-12T09:00:00.000Z', 'p6', { workshop: 'wA3', claim: 'cr1' }),
    credential('c09', ORG.A, 'A1', '2026-03-06T09:00:00.000Z', null, { workshop: 'wA1' }),
    credential('c10', ORG.A, 'A1', '2026-03-06T09:00:00.000Z', null, { workshop: 'wA1' }),
    credential('c11', ORG.A, 'A1', '2026-03-07T09:00:00.000Z', 'p7', { revokedAt: '2026-03-08T09:00:00.000Z' }),
    credential('c12', ORG.A, 'A2', '2026-02-15T09:00:00.000Z', 'p8', { revokedAt: '2026-04-02T09:00:00.000Z' }),
    credential('c13', ORG.A, 'A2', '2026-05-01T00:00:00.000Z', 'p9', { revokedAt: '2026-05-02T00:00:00.000Z' }),
    credential('c14', ORG.A, 'A2', '2026-03-01T00:00:00.000Z', 'p10'),
    credential('c15', ORG.A, 'A1', '2026-04-30T23:59:59.999Z', 'p11'),
    credential('c21', ORG.B, 'B1', '2026-03-01T10:00:00.000Z', 'p1', { workshop: 'wB1', claim: 'cr2' }),
    credential('c22', ORG.B, 'B2', '2026-04-30T10:00:00.000Z', 'p12', { workshop: 'wB2' }),
    credential('c23', ORG.B, 'B1', '2026-02-10T10:00:00.000Z', 'p4'),
    credential('c24', ORG.B, 'B1', '2026-04-30T10:00:00.000Z', 'p13', { workshop: 'wB2', claim: 'cr3' }),
    credential('c25', ORG.B, 'B1', '2026-03-15T10:00:00.000Z', 'p14'),
    credential('c26', ORG.B, 'B1', '2026-03-25T10:00:00.000Z', 'p3', { workshop: 'wB1' }),
    credential('c27', ORG.B, 'B1', '2026-04-30T11:00:00.000Z', 'p5', { workshop: 'wB2' }),
    credential('c28', ORG.B, 'B2', '2026-01-10T10:00:00.000Z', 'p16', { revokedAt: '2026-03-01T00:00:00.000Z' }),
    credential('c31', ORG.C, 'C1', '2026-01-20T10:00:00.000Z', 'p15', { workshop: 'wC0' }),
  ]).execute();

  await db.insertInto('verification_counts').values([
    { credential_id: 'c01', organisation_id: ORG.A, month: '2026-02', count: 5 },
    { credential_id: 'c01', organisation_id: ORG.A, month: '2026-03', count: 2 },
    { credential_id: 'c03', organisation_id: ORG.A, month: '2026-04', count: 3 },
    { credential_id: 'c21', organisation_id: ORG.B, month: '2026-04', count: 4 },
    { credential_id: 'c21', organisation_id: ORG.B, month: '2026-05', count: 7 },
    { credential_id: 'c31', organisation_id: ORG.C, month: '2026-03', count: 4 },
  ]).execute();
}

/** The sessions table as { type: [by month] } for the types with sessions. */
function sessionsOf(indicators: Indicators): Record<string, number[]> {
  const { types, counts } = indicators.sessionsByTypeAndMonth;
  return Object.fromEntries(types.map((t, i) => [t, counts[i]!] as const).filter(([, row]) => row.some((n) => n > 0)));
}

describe.each(['sqlite', 'postgres'] as const)('indicators on %s', (kind) => {
  let store: Store;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (kind === 'sqlite') {
      store = openStore({ kind: 'sqlite', file: path.join(mkdtempSync(path.join(os.tmpdir(), 'blason-indicators-')), 'test.db') });
    } else {
      const schema = await freshPostgresSchema();
      dropSchema = schema.drop;
      store = openStore({ kind: 'postgres', url: schema.url });
    }
    await migrate(store.db);
    await seed(store);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await dropSchema?.();
  });

  describe('the metropolis view (all operators)', () => {
    let m: Indicators;
    beforeAll(async () => {
      m = await computeIndicators(store.db, PERIOD);
    });

    test('period: its months, and the operators with any activity in it, by name', () => {
      expect(m.organisationId).toBeNull();
      expect(m.months).toEqual(['2026-03', '2026-04']);
      expect(m.operators).toEqual([{ id: ORG.A, name: NAMES.A }, { id: ORG.B, name: NAMES.B }, { id: ORG.C, name: NAMES.C }]);
    });

    test('partners: operators with a workshop or a credential in the period (C only has verifications)', () => {
      expect(m.partners).toBe(2);
    });

    test('sessions by type and month: catalogue types first, then others; boundaries respected', () => {
      expect(m.sessionsByTypeAndMonth.types).toEqual([...CATALOGUE_TYPES, 'HACK']);
      expect(sessionsOf(m)).toEqual({ INFO: [1, 2], BP: [1, 0], PITCH: [1, 0], HACK: [0, 1] });
      expect(m.sessionsByTypeAndMonth.byMonth).toEqual([3, 3]);
      expect(m.sessionsByTypeAndMonth.total).toBe(6);
      expect(m.sessionsByTypeAndMonth.byType[0]).toBe(3);
    });

    test('badges issued, claimed and revoked, and verifications, by month', () => {
      // Issued: A 9 + 4 (erased and revoked ones included), B 3 + 3.
      expect(m.badgesIssued).toEqual({ total: 19, byMonth: [12, 7] });
      expect(m.badgesClaimed).toEqual({ total: 3, byMonth: [1, 2] });
      // Revoked: c11 (March), c28 (at `from`), c12 (April, issued before the period); not c13 (May).
      expect(m.badgesRevoked).toEqual({ total: 3, byMonth: [2, 1] });
      // Verifications: March 2 (A) + 4 (C), April 3 (A) + 4 (B); February and May left out.
      expect(m.verifications).toEqual({ total: 13, byMonth: [6, 7] });
    });

    test('first badges: only people whose first badge ever falls in the period, by operator and month, suppressed', () => {
      // Raw table: A [3, 3] (p2 p3 p10 | p5 p6 p11), B [2, 2] (p1 p14 | p12 p13), C [0, 0]; total 10.
      // B and C are small; B's total (4) goes with them, so that 10 − 6 − C cannot give it back.
      expect(m.firstBadgePeople.byOperatorAndMonth).toEqual([[v(3), v(3)], [S, S], [S, S]]);
      expect(m.firstBadgePeople.byOperator).toEqual([v(6), S, S]);
      expect(m.firstBadgePeople.byMonth).toEqual([v(5), v(5)]);
      expect(m.firstBadgePeople.total).toEqual(v(10));
    });

    test('people badged: erased holders and revoked credentials are not people', () => {
      // p1 p2 p3 p4 p5 p6 p10 p11 p12 p13 p14: 11 (not p7, revoked; not the two erased credentials).
      expect(m.peopleBadged).toEqual(v(11));
    });

    test('accompanied people: Competency/Assessment, or two workshops, counted across operators in the total', () => {
      // Overall p1 p2 p3 p5 p12 = 5 (p5: one workshop with A and one with B). A alone: p1 p2 p3; B alone: p12.
      expect(m.accompaniedPeople).toEqual({ total: v(5), byOperator: [v(3), S, S] });
    });

    test('by operator: event counts as they are, people counts suppressed column by column', () => {
      expect(m.badgesByOperator).toEqual([
        { operator: { id: ORG.A, name: NAMES.A }, sessions: 4, badgesIssued: 13, badgesClaimed: 1, badgesRevoked: 2, verifications: 5, people: v(8), firstBadgePeople: v(6), accompaniedPeople: v(3) },
        // B: 6 people, hidden because C's 0 would otherwise be the only hidden cell of the column.
        { operator: { id: ORG.B, name: NAMES.B }, sessions: 2, badgesIssued: 6, badgesClaimed: 2, badgesRevoked: 1, verifications: 4, people: S, firstBadgePeople: S, accompaniedPeople: S },
        { operator: { id: ORG.C, name: NAMES.C }, sessions: 0, badgesIssued: 0, badgesClaimed: 0, badgesRevoked: 0, verifications: 4, people: S, firstBadgePeople: S, accompaniedPeople: S },
      ]);
    });

    test('competences covered: codes of the achievements of the credentials issued, highest level, credentials', () => {
      expect(m.competencesCovered).toEqual([
        { code: '1.1', highestLevel: 2, credentials: 6 },
        { code: '2.1', highestLevel: 1, credentials: 9 },
        { code: '2.3', highestLevel: 2, credentials: 1 },
        { code: '2.4', highestLevel: 4, credentials: 1 },
        { code: '3.1', highestLevel: 3, credentials: 13 },
      ]);
    });

    test('exports as CSV with every by-operator table', () => {
      const csv = indicatorsToCsv(m, 'fr', translator('fr'));
      expect(csv).toContain('\r\nAlpha Entreprendre;4;13;1;2;5;8;6;3\r\n');
      expect(csv).toContain('\r\nBêta Conseil;2;6;2;1;4;< 3;< 3;< 3\r\n');
      expect(csv).toContain('\r\nGamma Incubateur;0;0;0;0;4;< 3;< 3;< 3\r\n');
    });
  });

  describe('an operator view', () => {
    test("operator A's view never counts B's data", async () => {
      const a = await computeIndicators(store.db, { ...PERIOD, organisationId: ORG.A });
      expect(a.organisationId).toBe(ORG.A);
      expect(a.operators).toEqual([{ id: ORG.A, name: NAMES.A }]);
      expect(a.partners).toBe(1);
      expect(sessionsOf(a)).toEqual({ INFO: [1, 1], BP: [1, 0], HACK: [0, 1] });
      expect(a.badgesIssued).toEqual({ total: 13, byMonth: [9, 4] });
      expect(a.badgesClaimed).toEqual({ total: 1, byMonth: [0, 1] });
      expect(a.badgesRevoked).toEqual({ total: 2, byMonth: [1, 1] });
      expect(a.verifications).toEqual({ total: 5, byMonth: [2, 3] });
      expect(a.peopleBadged).toEqual(v(8));
      // p1's first badge came from B: B's data decides that p1 is not A's newcomer, and is never counted.
      expect(a.firstBadgePeople).toEqual({ total: v(6), byMonth: [v(3), v(3)], byOperator: [v(6)], byOperatorAndMonth: [[v(3), v(3)]] });
      // p5's workshop with B does not make p5 accompanied by A.
      expect(a.accompaniedPeople).toEqual({ total: v(3), byOperator: [v(3)] });
      expect(a.competencesCovered).toEqual([
        { code: '2.1', highestLevel: 1, credentials: 9 },
        { code: '2.3', highestLevel: 2, credentials: 1 },
        { code: '3.1', highestLevel: 3, credentials: 13 },
      ]);
      expect(a.badgesByOperator).toHaveLength(1);
      expect(a.badgesByOperator[0]).toMatchObject({ sessions: 4, badgesIssued: 13, verifications: 5, people: v(8) });
    });

    test("operator B's view: small people counts hidden, a total of 4 published without its months", async () => {
      const b = await computeIndicators(store.db, { ...PERIOD, organisationId: ORG.B });
      expect(b.partners).toBe(1);
      expect(sessionsOf(b)).toEqual({ INFO: [0, 1], PITCH: [1, 0] });
      expect(b.badgesIssued).toEqual({ total: 6, byMonth: [3, 3] });
      expect(b.badgesRevoked).toEqual({ total: 1, byMonth: [1, 0] });
      expect(b.verifications).toEqual({ total: 4, byMonth: [0, 4] });
      expect(b.peopleBadged).toEqual(v(6));
      expect(b.firstBadgePeople).toEqual({ total: v(4), byMonth: [S, S], byOperator: [v(4)], byOperatorAndMonth: [[S, S]] });
      expect(b.accompaniedPeople).toEqual({ total: S, byOperator: [S] });
      expect(b.competencesCovered).toEqual([{ code: '1.1', highestLevel: 2, credentials: 6 }, { code: '2.4', highestLevel: 4, credentials: 1 }]);
    });

    test('an operator without activity: not a partner, zero events, people hidden', async () => {
      const d = await computeIndicators(store.db, { ...PERIOD, organisationId: ORG.D });
      expect(d.partners).toBe(0);
      expect(d.sessionsByTypeAndMonth.total).toBe(0);
      expect(d.badgesIssued).toEqual({ total: 0, byMonth: [0, 0] });
      expect(d.verifications.total).toBe(0);
      expect(d.peopleBadged).toEqual(S);
      expect(d.firstBadgePeople.total).toEqual(S);
      expect(d.competencesCovered).toEqual([]);
      const c = await computeIndicators(store.db, { ...PERIOD, organisationId: ORG.C });
      expect(c.partners).toBe(0);
      expect(c.verifications).toEqual({ total: 4, byMonth: [4, 0] });
    });

    test('an unknown operator is not found', async () => {
      await expect(computeIndicators(store.db, { ...PERIOD, organisationId: 'nobody' })).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('period boundaries', () => {
    test('a person whose first badge was before the period is not a first badge in it, but is in a period that covers it', async () => {
      // p4's first badge is B's, 2026-02-10. From January to the end of May, first badges are: p1–p6, p10–p14 and
      // p15 (C, January) = 12; p7, p8, p16 only had revoked badges and p9's only badge is revoked.
      const wide = await computeIndicators(store.db, { from: '2026-01-01', to: '2026-06-01' });
      expect(wide.months).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05']);
      expect(wide.firstBadgePeople.total).toEqual(v(12));
      const period = await computeIndicators(store.db, PERIOD);
      expect(period.firstBadgePeople.total).toEqual(v(10));
    });

    test('a period of one day takes the credentials and workshops of that day, and verification counters of its month', async () => {
      const day = await computeIndicators(store.db, { from: '2026-03-05', to: '2026-03-06' });
      expect(day.months).toEqual(['2026-03']);
      expect(day.badgesIssued.total).toBe(3); // c01 c03 c06
      expect(day.sessionsByTypeAndMonth.total).toBe(1); // wA1
      expect(day.verifications.total).toBe(6); // the whole of March: 2 (A) + 4 (C)
      expect(day.peopleBadged).toEqual(v(3));
      // Of p1, p2 and p4, only p2 has a first badge that day (p1: 03-01, p4: February): 1, hidden.
      expect(day.firstBadgePeople.total).toEqual(S);
    });

    test('`to` is excluded, `from` included, to the millisecond', async () => {
      const april = await computeIndicators(store.db, { from: '2026-04-30', to: '2026-05-01' });
      expect(april.badgesIssued.total).toBe(4); // c15 at 23:59:59.999, c22 c24 c27; not c13 at 05-01T00:00
      const may = await computeIndicators(store.db, { from: '2026-05-01', to: '2026-05-02' });
      expect(may.badgesIssued.total).toBe(1); // c13
      expect(may.sessionsByTypeAndMonth.total).toBe(1); // wA5
      expect(may.badgesRevoked.total).toBe(0); // c13 revoked on 05-02
      const march1 = await computeIndicators(store.db, { from: '2026-03-01', to: '2026-03-02' });
      expect(march1.badgesIssued.total).toBe(2); // c14 at 00:00, c21
      expect(march1.badgesRevoked.total).toBe(1); // c28 at 00:00
      expect(sessionsOf(march1)).toEqual({ PITCH: [1] });
    });

    test('refuses malformed or empty periods', async () => {
      await expect(computeIndicators(store.db, { from: '2026-03-01', to: '2026-03-01' })).rejects.toMatchObject({ status: 422 });
      await expect(computeIndicators(store.db, { from: '2026-02-30', to: '2026-03-01' })).rejects.toMatchObject({ status: 422 });
      await expect(computeIndicators(store.db, { from: "2026-01-01' OR 1=1 --", to: '2026-03-01' })).rejects.toMatchObject({ status: 422 });
      await expect(computeIndicators(store.db, { from: '2026-03-01T00:00:00Z', to: '2026-04-01' })).rejects.toMatchObject({ status: 422 });
    });
  });

  describe('after erasure (runs last: it changes the data)', () => {
    test('an erased credential still counts as a badge, no longer as a person', async () => {
      const before = await computeIndicators(store.db, { ...PERIOD, organisationId: ORG.A });
      await store.db.updateTable('credentials').set({ recipient_key: null, erased_at: '2026-06-01T00:00:00.000Z' }).where('id', '=', 'c14').execute();
      const after = await computeIndicators(store.db, { ...PERIOD, organisationId: ORG.A });
      expect(after.badgesIssued).toEqual(before.badgesIssued);
      expect(after.competencesCovered).toEqual(before.competencesCovered);
      expect(after.peopleBadged).toEqual(v(7));
      // p10 was one of A's three March first badges: March (2) is hidden, April with it; the total (5) is not.
      expect(after.firstBadgePeople).toEqual({ total: v(5), byMonth: [S, S], byOperator: [v(5)], byOperatorAndMonth: [[S, S]] });
    });
  });
});

describe('barChartSvg', () => {
  interface Element { name: string; attributes: Record<string, string>; text: string; children: Element[] }

  /** Parses the SVG as XML (throws if it is not well-formed) into a small tree. */
  function parseSvg(svg: string): Element {
    const parser = new SaxesParser();
    const stack: Element[] = [];
    let root: Element | undefined;
    parser.on('opentag', (tag: SaxesTagPlain) => {
      const element: Element = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: '', children: [] };
      stack[stack.length - 1]?.children.push(element);
      stack.push(element);
      root ??= element;
    });
    parser.on('text', (text) => {
      const top = stack[stack.length - 1];
      if (top) top.text += text;
    });
    parser.on('closetag', () => stack.pop());
    parser.write(svg).close();
    return root!;
  }
  const all = (element: Element): Element[] => [element, ...element.children.flatMap(all)];

  /** WCAG relative luminance contrast against white. */
  function contrastWithWhite(hex: string): number {
    const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    const luminance = 0.2126 * channels[0]! + 0.7152 * channels[1]! + 0.0722 * channels[2]!;
    return 1.05 / (luminance + 0.05);
  }

  const evil = '<script>alert(1)</script>" onload="alert(2)\' & <b>';
  const svg = barChartSvg([
    { label: 'Alpha Entreprendre', value: 12 },
    { label: evil, value: 4 },
    { label: 'Bêta\u0001 Conseil', value: { suppressed: true } },
    { label: 'Gamma', value: { value: 7 } },
  ], { title: 'Badges <délivrés> & "vérifiés"', xLabel: 'Opérateur', yLabel: 'Badges' });
  const root = parseSvg(svg);
  const elements = all(root);

  test('is well-formed, accessible SVG: role="img", a <title> and a <desc> it is labelled by', () => {
    expect(root.name).toBe('svg');
    expect(root.attributes.role).toBe('img');
    expect(root.children[0]!.name).toBe('title');
    expect(root.children[0]!.text).toBe('Badges <délivrés> & "vérifiés"');
    const ids = (root.attributes['aria-labelledby'] ?? '').split(' ');
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(elements.some((e) => e.attributes.id === id)).toBe(true);
    const desc = elements.find((e) => e.name === 'desc')!;
    expect(desc.text).toContain('Alpha Entreprendre: 12');
    expect(desc.text).toContain(`${evil}: 4`);
    expect(desc.text).toContain('Bêta Conseil: < 3');
  });

  test('escapes every label: no element, attribute or script comes from the data', () => {
    expect(new Set(elements.map((e) => e.name))).toEqual(new Set(['svg', 'title', 'desc', 'rect', 'text', 'line']));
    for (const element of elements) {
      for (const name of Object.keys(element.attributes)) {
        expect(name).not.toMatch(/^on/i);
        expect(name).not.toBe('style');
      }
    }
    expect(svg).not.toMatch(/<script|<style|javascript:/i);
    expect(svg).not.toContain('\u0001');
  });

  test('writes the value on each bar, the labels, the axis ticks and captions', () => {
    const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
    for (const value of ['12', '4', '< 3', '7']) expect(texts).toContain(value);
    expect(texts).toContain('Alpha Entreprendre');
    expect(texts).toContain('Gamma');
    expect(texts.some((t) => t.startsWith('<script>alert(1)') && t.endsWith('…'))).toBe(true);
    expect(texts).toContain('0');
    expect(texts).toContain('Opérateur');
    expect(texts).toContain('Badges');
    expect(elements.filter((e) => e.name === 'rect' && e.children.some((c) => c.name === 'title'))).toHaveLength(4);
  });

  test('uses colours with at least 3:1 contrast against white for bars, axes and text', () => {
    for (const colour of [BAR_COLOUR, AXIS_COLOUR, TEXT_COLOUR]) expect(contrastWithWhite(colour)).toBeGreaterThanOrEqual(3);
    expect(contrastWithWhite(TEXT_COLOUR)).toBeGreaterThanOrEqual(4.5);
    const fills = new Set(elements.map((e) => e.attributes.fill).filter((f): f is string => f !== undefined));
    for (const fill of fills) if (fill !== '#FFFFFF') expect(contrastWithWhite(fill)).toBeGreaterThanOrEqual(3);
  });

  test('bars are as tall as their values, on a round scale', () => {
    const bars = elements.filter((e) => e.name === 'rect' && e.children.length > 0).map((e) => Number(e.attributes.height));
    expect(bars[0]! / bars[1]!).toBeCloseTo(12 / 4, 1);
    expect(bars[2]).toBe(0);
  });

  test('an empty series still draws a valid, labelled chart', () => {
    const empty = parseSvg(barChartSvg([], { title: 'Rien' }));
    expect(empty.attributes.role).toBe('img');
    expect(empty.children[0]!.text).toBe('Rien');
  });
});
