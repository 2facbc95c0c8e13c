/**
 * Pathways as use cases (no HTTP): the completion rules (all, N of them, within a period), revoked badges not
 * counting, the pathway badge awarded automatically when the last badge is awarded (a credential that verifies,
 * with Blason's verifier and an independent one, valid against the OB 3.0 schema, with the badges that completed
 * it as evidence), the catch-up run for earlier badges, and never a second pathway badge.
 */
import { sql } from 'kysely';
import { createAchievement } from '../../src/app/achievements.js';
import { actorOf } from '../../src/app/auth.js';
import { awardCredential, recipientKey } from '../../src/app/award.js';
import { revokeCredential } from '../../src/app/credentials.js';
import { createIssuer, createUser } from '../../src/app/issuers.js';
import {
  archivePathway,
  catchUpPathway,
  checkPathwayCompletion,
  createPathway,
  listPathways,
  pathwayIndicators,
  pathwayProgress,
  publicPathways,
} from '../../src/app/pathways.js';
import type { Actor } from '../../src/app/policies.js';
import { didDocumentForSlug } from '../../src/app/public-documents.js';
import { verifyAny } from '../../src/app/verify.js';
import type { OpenBadgeCredential } from '../../src/engine/model/types.js';
import type { PathwayCreateInput } from '../../src/app/input-types.js';
import { refusal, testApp, type TestApp } from '../support/app-context.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { expectValid } from '../support/ob3-schemas.js';

let t: TestApp;
let bge: { id: string; slug: string };
let region: { id: string; slug: string };
let operator: Actor;
let partner: Actor;
let people = 0;

async function member(organisationId: string, email: string): Promise<Actor> {
  const { user } = await createUser(t.app, t.admin, organisationId, { email, role: 'operator_admin' });
  return actorOf({ id: user.id, role: 'operator_admin', organisation_id: organisationId });
}

async function badge(actor: Actor, issuerId: string, name: string): Promise<string> {
  const created = await createAchievement(t.app, actor, {
    issuerId,
    name: { fr: name, en: `${name} (en)` },
    description: { fr: `Description de ${name}` },
    criteria: { fr: `Critères de ${name}` },
  });
  return created.id;
}

/** Three fresh badges: two of BGE, one of the Région (a pathway across organisations). */
async function threeBadges(): Promise<[string, string, string]> {
  return [
    await badge(operator, bge.id, 'Trouver une idée'),
    await badge(operator, bge.id, 'Étudier son marché'),
    await badge(partner, region.id, 'Présenter son projet'),
  ];
}

function person(): string {
  people += 1;
  return `personne${people}@exemple.fr`;
}

function award(actor: Actor, achievementId: string, email: string) {
  return awardCredential(t.app, actor, { achievementId, recipient: { email, name: 'Camille Martin' } });
}

/** A pathway of BGE over these badges, owned by its operator: all of them, unless `extra` says otherwise. */
function bgePathway(name: string, badges: string[], extra: Partial<PathwayCreateInput> = {}) {
  return createPathway(t.app, operator, { issuerId: bge.id, name: { fr: name }, badges, rule: 'all', ...extra });
}

/** The pathway badges a person holds (live), as stored. */
async function pathwayBadgesOf(pathwayAchievementId: string, email: string) {
  return t.app.db
    .selectFrom('credentials')
    .selectAll()
    .where('achievement_id', '=', pathwayAchievementId)
    .where('recipient_key', '=', recipientKey(t.app, email))
    .execute();
}

beforeAll(async () => {
  t = await testApp();
  const a = await createIssuer(t.app, t.admin, { name: 'BGE Littoral' });
  const b = await createIssuer(t.app, t.admin, { name: 'Région Hauts-de-France' });
  bge = { id: a.id, slug: a.slug };
  region = { id: b.id, slug: b.slug };
  operator = await member(bge.id, 'chloe@bge.example');
  partner = await member(region.id, 'paul@region.example');
}, 30_000);
afterAll(() => t.close());

describe('creating a pathway', () => {
  test('creates the pathway and its pathway badge, an achievement of the owner organisation', async () => {
    const badges = await threeBadges();
    const pathway = await createPathway(t.app, operator, {
      issuerId: bge.id,
      name: { fr: "De l'idée au projet", en: 'From idea to project' },
      badges,
      rule: 'all',
    });
    expect(pathway.requiredCount).toBe(3);
    expect(pathway.badges.map((b) => b.id)).toEqual(badges);
    expect(pathway.badges[2]!.issuerName).toBe('Région Hauts-de-France');
    const achievement = await t.app.db
      .selectFrom('achievements')
      .selectAll()
      .where('id', '=', pathway.achievementId)
      .executeTakeFirstOrThrow();
    expect(achievement.organisation_id).toBe(bge.id);
    expect(achievement.name_fr).toBe("De l'idée au projet");
    expect(achievement.criteria_fr).toContain('Obtenir les 3 badges du parcours');
    const audit = await t.app.db.selectFrom('audit_log').select('action').where('target_id', '=', pathway.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['pathway.created']);
  });

  test('an archived badge cannot be part of a pathway', async () => {
    const [first, second] = await threeBadges();
    await t.app.db
      .updateTable('achievements')
      .set({ archived_at: '2026-01-01T00:00:00.000Z' })
      .where('id', '=', second)
      .execute();
    const error = await refusal(bgePathway('P', [first, second]));
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/not archived/);
  });

  test('a badge that does not exist is refused', async () => {
    const [first] = await threeBadges();
    const error = await refusal(bgePathway('P', [first, '6f1c8d1e-0000-4000-8000-000000000000']));
    expect(error.status).toBe(422);
  });

  test('"N of them" needs N, and no more than the badges', async () => {
    const badges = await threeBadges();
    const missing = await refusal(bgePathway('P', badges, { rule: 'count' }));
    expect(missing.status).toBe(422);
    const tooMany = await refusal(bgePathway('P', badges, { rule: 'count', requiredCount: 4 }));
    expect(tooMany.status).toBe(422);
  });

  test('an operator cannot create a pathway for another organisation', async () => {
    const badges = await threeBadges();
    const error = await refusal(
      createPathway(t.app, partner, { issuerId: bge.id, name: { fr: 'P' }, badges, rule: 'all' }),
    );
    expect(error.status).toBe(404);
  });
});

describe('completing a pathway', () => {
  test('the pathway badge is awarded when the last badge is awarded, and verifies with its evidence', async () => {
    const badges = await threeBadges();
    const pathway = await createPathway(t.app, operator, {
      issuerId: bge.id,
      name: { fr: "De l'idée au projet", en: 'From idea to project' },
      badges,
      rule: 'all',
    });
    const email = person();
    const first = await award(operator, badges[0], email);
    const second = await award(operator, badges[1], email);
    expect(await pathwayBadgesOf(pathway.achievementId, email)).toHaveLength(0);
    const last = await award(partner, badges[2], email);
    const [row] = await pathwayBadgesOf(pathway.achievementId, email);
    expect(row).toBeDefined();
    expect(row!.organisation_id).toBe(bge.id);
    const credential = JSON.parse(row!.credential_json) as OpenBadgeCredential;
    expect(credential.credentialSubject.achievement.name).toBe("De l'idée au projet");
    expect(credential.evidence?.map((e) => e.id)).toEqual([first.url, second.url, last.url]);
    expect(credential.evidence?.map((e) => e.name)).toEqual([
      'Trouver une idée — BGE Littoral',
      'Étudier son marché — BGE Littoral',
      'Présenter son projet — Région Hauts-de-France',
    ]);
    expectValid('achievementcredential', credential);
    const report = await verifyAny(t.app, { credential });
    expect(report.verdict).toBe('valid');
    const independent = await verifyIndependently(credential, [await didDocumentForSlug(t.app, bge.slug)]);
    expect(independent.error).toBeUndefined();
    expect(independent.verified).toBe(true);
  });

  test('the holder is e-mailed her pathway badge like any other badge', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Parcours courriel', badges.slice(0, 2));
    const email = person();
    await award(operator, badges[0], email);
    await award(operator, badges[1], email);
    const [row] = await pathwayBadgesOf(pathway.achievementId, email);
    const mail = await t.app.db
      .selectFrom('outbox')
      .select(['to_email', 'subject'])
      .where('credential_id', '=', row!.id)
      .executeTakeFirst();
    expect(mail?.to_email).toBe(email);
  });

  test('"N of them": two badges of three complete it', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Deux sur trois', badges, { rule: 'count', requiredCount: 2 });
    const email = person();
    await award(operator, badges[0], email);
    expect(await pathwayBadgesOf(pathway.achievementId, email)).toHaveLength(0);
    await award(partner, badges[2], email);
    const [row] = await pathwayBadgesOf(pathway.achievementId, email);
    const credential = JSON.parse(row!.credential_json) as OpenBadgeCredential;
    expect(credential.evidence).toHaveLength(2);
  });

  test('within a period: badges further apart than the period do not complete it', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('En un mois', badges.slice(0, 2), { withinDays: 30 });
    const realClock = t.app.clock;
    const start = realClock.now().getTime();
    const email = person();
    try {
      const first = await award(operator, badges[0], email);
      t.app.clock = { now: () => new Date(start + 40 * 86_400_000) };
      await award(operator, badges[1], email);
      expect(await pathwayBadgesOf(pathway.achievementId, email)).toHaveLength(0);
      // Earned again within the month: now both count.
      await revokeCredential(t.app, operator, first.id, 'à refaire');
      await award(operator, badges[0], email);
      expect(await pathwayBadgesOf(pathway.achievementId, email)).toHaveLength(1);
    } finally {
      t.app.clock = realClock;
    }
  });

  test('a revoked badge does not count', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Sans retrait', badges.slice(0, 2));
    const email = person();
    const first = await award(operator, badges[0], email);
    await revokeCredential(t.app, operator, first.id, 'erreur');
    await award(operator, badges[1], email);
    expect(await pathwayBadgesOf(pathway.achievementId, email)).toHaveLength(0);
    expect(await checkPathwayCompletion(t.app, recipientKey(t.app, email))).toBe(0);
  });

  test('never a second pathway badge: checking again, or a badge revoked and awarded again', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Une seule fois', badges.slice(0, 2));
    const email = person();
    const first = await award(operator, badges[0], email);
    await award(operator, badges[1], email);
    expect(await checkPathwayCompletion(t.app, recipientKey(t.app, email))).toBe(0);
    await revokeCredential(t.app, operator, first.id, 'à refaire');
    await award(operator, badges[0], email);
    const all = await t.app.db
      .selectFrom('credentials')
      .select('id')
      .where('achievement_id', '=', pathway.achievementId)
      .execute();
    expect(all).toHaveLength(1);
    const completions = await t.app.db
      .selectFrom('pathway_completions')
      .selectAll()
      .where('pathway_id', '=', pathway.id)
      .execute();
    expect(completions).toHaveLength(1);
    expect(completions[0]!.credential_id).toBe(all[0]!.id);
  });
});

describe('when something fails', () => {
  test('a pathway badge that cannot be awarded does not undo the badge just awarded; the catch-up completes it', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Badge de parcours archivé', badges.slice(0, 2));
    const archive = (at: string | null) =>
      t.app.db.updateTable('achievements').set({ archived_at: at }).where('id', '=', pathway.achievementId).execute();
    const email = person();
    await award(operator, badges[0], email);
    await archive('2026-01-01T00:00:00.000Z');
    const last = await award(operator, badges[1], email);
    expect(last.id).toBeDefined();
    expect(await pathwayBadgesOf(pathway.achievementId, email)).toHaveLength(0);
    await archive(null);
    expect(await catchUpPathway(t.app, operator, pathway.id)).toEqual({ awarded: 1 });
  });

  test('when the audit entry cannot be written, no pathway and no pathway badge are created', async () => {
    const badges = await threeBadges();
    await sql`CREATE TRIGGER audit_down_pathways BEFORE INSERT ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END`.execute(t.app.db);
    try {
      const error = await bgePathway('Sans trace', badges).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as { message?: string }).message).toMatch(/audit log is unavailable/);
    } finally {
      await sql`DROP TRIGGER audit_down_pathways`.execute(t.app.db);
    }
    expect(await t.app.db.selectFrom('pathways').select('id').where('name_fr', '=', 'Sans trace').execute()).toEqual(
      [],
    );
    expect(
      await t.app.db.selectFrom('achievements').select('id').where('name_fr', '=', 'Sans trace').execute(),
    ).toEqual([]);
  });
});

describe('catching up', () => {
  test('badges awarded before the pathway existed complete it at the catch-up run, once', async () => {
    const badges = await threeBadges();
    const early = person();
    const partial = person();
    await award(operator, badges[0], early);
    await award(partner, badges[2], early);
    await award(operator, badges[0], partial);
    const pathway = await bgePathway('Rattrapage', [badges[0], badges[2]]);
    expect(await pathwayBadgesOf(pathway.achievementId, early)).toHaveLength(0);
    expect(await catchUpPathway(t.app, operator, pathway.id)).toEqual({ awarded: 1 });
    expect(await pathwayBadgesOf(pathway.achievementId, early)).toHaveLength(1);
    expect(await pathwayBadgesOf(pathway.achievementId, partial)).toHaveLength(0);
    expect(await catchUpPathway(t.app, operator, pathway.id)).toEqual({ awarded: 0 });
    expect(await pathwayBadgesOf(pathway.achievementId, early)).toHaveLength(1);
  });

  test('only the owner organisation runs the catch-up', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Propriétaire', badges);
    expect((await refusal(catchUpPathway(t.app, partner, pathway.id))).status).toBe(404);
  });
});

describe('progress, listings and indicators', () => {
  test("a holder's progress: badges counted of those required", async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Progression', badges);
    const email = person();
    await award(operator, badges[0], email);
    await award(partner, badges[2], email);
    const progress = (await pathwayProgress(t.app, recipientKey(t.app, email))).find(
      (p) => p.pathway.id === pathway.id,
    );
    expect(progress).toMatchObject({ counted: 2, required: 3, completed: false });
    const stranger = await pathwayProgress(t.app, recipientKey(t.app, person()));
    expect(stranger.find((p) => p.pathway.id === pathway.id)).toBeUndefined();
  });

  test('an organisation sees the pathways it owns or that hold one of its badges', async () => {
    const [own] = await threeBadges();
    const third = await createIssuer(t.app, t.admin, { name: 'Troisième structure' });
    const outsider = await member(third.id, 'olga@troisieme.example');
    const theirs = await badge(outsider, third.id, 'Leur badge');
    const theirsOnly = await badge(outsider, third.id, 'Autre badge');
    const mixed = await createPathway(t.app, outsider, {
      issuerId: third.id,
      name: { fr: 'Mixte' },
      badges: [theirs, own],
      rule: 'all',
    });
    const closed = await createPathway(t.app, outsider, {
      issuerId: third.id,
      name: { fr: 'Fermé' },
      badges: [theirs, theirsOnly],
      rule: 'all',
    });
    const seen = (await listPathways(t.app, operator)).map((p) => p.id);
    expect(seen).toContain(mixed.id);
    expect(seen).not.toContain(closed.id);
    expect((await publicPathways(t.app, [own])).map((p) => p.id)).toContain(mixed.id);
  });

  test('indicators: holders and completions per pathway, hidden below three people', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Indicateurs', badges.slice(0, 2));
    for (let i = 0; i < 4; i++) await award(operator, badges[0], person());
    const finisher = person();
    await award(operator, badges[0], finisher);
    await award(operator, badges[1], finisher);
    const line = (await pathwayIndicators(t.app, operator)).find((p) => p.id === pathway.id);
    expect(line?.holders).toEqual({ value: 5 });
    expect(line?.completions).toEqual({ suppressed: true });
  });
});

describe('archiving a pathway', () => {
  test('an archived pathway awards nothing more, leaves the lists, and its pathway badge is archived too', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Parcours clos', badges);
    await archivePathway(t.app, operator, pathway.id);
    const email = person();
    for (const id of badges) await award(id === badges[2] ? partner : operator, id, email);
    expect(await pathwayBadgesOf(pathway.achievementId, email)).toHaveLength(0);
    expect((await listPathways(t.app, operator)).map((p) => p.id)).not.toContain(pathway.id);
    const achievement = await t.app.db
      .selectFrom('achievements')
      .select('archived_at')
      .where('id', '=', pathway.achievementId)
      .executeTakeFirstOrThrow();
    expect(achievement.archived_at).not.toBeNull();
    expect((await refusal(catchUpPathway(t.app, operator, pathway.id))).status).toBe(409);
  });

  test('only the owner organisation archives its pathway, and the archiving is audited', async () => {
    const badges = await threeBadges();
    const pathway = await bgePathway('Parcours à garder', badges);
    expect((await refusal(archivePathway(t.app, partner, pathway.id))).status).toBe(404);
    await archivePathway(t.app, operator, pathway.id);
    const audit = await t.app.db.selectFrom('audit_log').select('action').where('target_id', '=', pathway.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['pathway.created', 'pathway.archived']);
  });
});
