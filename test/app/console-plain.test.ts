/**
 * The operator console in plain words (issue 12), its use cases without HTTP: finding people and badges (on
 * both databases), the audit log with names, badge artwork, the first-run checklist; and the words the console
 * says: refused fields by label, audit sentences, dates.
 */
import { PNG } from 'pngjs';
import { createAchievement, findAchievementRow } from '../../src/app/achievements.js';
import { AUDIT_ACTIONS } from '../../src/app/audit-actions.js';
import { auditJournal, type JournalEntry } from '../../src/app/audit-journal.js';
import { actorOf } from '../../src/app/auth.js';
import { achievementImage, bakedBadge } from '../../src/app/badge-images.js';
import { createBadge, getBadgeDesign, updateBadge } from '../../src/app/badge-design.js';
import type { AppContext } from '../../src/app/context.js';
import { findCredentials } from '../../src/app/credential-search.js';
import { eraseRecipient, revokeCredential } from '../../src/app/credentials.js';
import { ValidationError } from '../../src/app/errors.js';
import { firstSteps } from '../../src/app/first-steps.js';
import { updateIssuer } from '../../src/app/issuers.js';
import type { Actor } from '../../src/app/policies.js';
import { awardWorkshop, createWorkshop } from '../../src/app/workshops.js';
import { unbakePng } from '../../src/engine/bake/png.js';
import { formatDate, formatDateTime } from '../../src/views/dates.js';
import { allStrings } from '../../src/views/i18n.js';
import { auditSentenceHtml } from '../../src/views/presenters/audit-log.js';
import { fieldErrorText, problemText } from '../../src/views/presenters/field-errors.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { freshPostgresSchema, startInProcess, type InProcessService } from '../support/service.js';

const LEA = { email: 'lea.martin@exemple.fr', name: 'Léa Martin' };
const BRUNO = { email: 'bruno.leroy@autre.example', name: 'Bruno Leroy' };
const ZOE = { email: 'zoe@exemple.fr', name: 'Zoé 100%_vraie' };
const CHLOE = { email: 'chloe.petit@exemple.fr', name: 'Chloé Petit' };

interface Organisation {
  issuerId: string;
  achievementId: string;
  api: Api;
  actor: Actor;
}

/** An organisation with a named operator administrator (Marie Dupont) who acts through the API and the use cases. */
async function organisation(service: InProcessService, admin: Api, name: string): Promise<Organisation> {
  const base = await setUpIssuer(admin, service.url, name);
  const email = `marie.dupont@${base.issuerId.slice(0, 8)}.example`;
  const user = await admin.post<{ token: string; user: { id: string } }>(`/api/v1/issuers/${base.issuerId}/users`, {
    email, name: 'Marie Dupont', role: 'operator_admin',
  });
  const row = await service.running.app.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  return { issuerId: base.issuerId, achievementId: base.achievementId, api: apiClient(service.url, user.body.token), actor: actorOf(row) };
}

async function award(org: Organisation, person: { email: string; name: string }, achievementId = org.achievementId): Promise<string> {
  const res = await org.api.post<{ id: string }>('/api/v1/credentials', { achievementId, recipient: { ...person, showName: true } });
  if (res.status !== 201) throw new Error(`award: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(0xc0);
  return PNG.sync.write(image);
}

/** What a person reads of an HTML sentence. */
function plain(html: string): string {
  const entities: Record<string, string> = { '&#x27;': "'", '&quot;': '"', '&lt;': '<', '&gt;': '>', '&#x3D;': '=', '&amp;': '&' };
  return html.replace(/<[^>]+>/g, '').replace(/&#x27;|&quot;|&lt;|&gt;|&#x3D;|&amp;/g, (e) => entities[e]!);
}

const BADGE_INPUT = {
  name: { fr: 'Pitch en trois minutes' },
  description: { fr: 'Présenter son projet devant un jury.' },
  criteria: { fr: 'A présenté son projet en trois minutes.' },
};

describe.each(['sqlite', 'postgres'] as const)('finding people and badges on %s', (kind) => {
  let service: InProcessService;
  let dropSchema: (() => Promise<void>) | undefined;
  let app: AppContext;
  let orgA: Organisation;
  let orgB: Organisation;
  const ids: Record<string, string> = {};
  let sessionId = '';

  beforeAll(async () => {
    if (kind === 'postgres') {
      const schema = await freshPostgresSchema();
      dropSchema = schema.drop;
      service = await startInProcess({ databaseUrl: schema.url });
    } else {
      service = await startInProcess();
    }
    app = service.running.app;
    const admin = apiClient(service.url, service.token);
    orgA = await organisation(service, admin, 'Organisation A');
    orgB = await organisation(service, admin, 'Organisation B');
    ids.lea = await award(orgA, LEA);
    ids.bruno = await award(orgA, BRUNO);
    ids.zoe = await award(orgA, ZOE);
    ids.leaInB = await award(orgB, LEA);
    const session = await createWorkshop(app, orgA.actor, {
      issuerId: orgA.issuerId, title: 'Atelier pitch du jeudi', workshopType: 'PITCH', heldOn: '2026-11-19', place: '',
      achievementIds: [orgA.achievementId],
    });
    sessionId = session.id;
    await awardWorkshop(app, orgA.actor, session.id, `${CHLOE.email};${CHLOE.name}`);
    await revokeCredential(app, orgA.actor, ids.bruno!, 'inscrit par erreur');
  }, 60_000);
  afterAll(async () => {
    await service.stop();
    await dropSchema?.();
  });

  const names = async (query: Omit<Parameters<typeof findCredentials>[2], 'issuerId'>) =>
    (await findCredentials(app, orgA.actor, { issuerId: orgA.issuerId, ...query })).credentials.map((c) => c.holder.name).sort();

  test('finds a holder by part of their name, whatever its case', async () => {
    expect(await names({ text: 'MARTIN' })).toEqual([LEA.name]);
    expect(await names({ text: 'léa' })).toEqual([LEA.name]);
  });

  test('finds holders by part of their address', async () => {
    expect(await names({ text: '@exemple.fr' })).toEqual([CHLOE.name, LEA.name, ZOE.name].sort());
    expect(await names({ text: 'leroy@autre' })).toEqual([BRUNO.name]);
  });

  test('looks for % and _ typed in the search as themselves', async () => {
    expect(await names({ text: '100%_' })).toEqual([ZOE.name]);
    expect(await names({ text: '_' })).toEqual([ZOE.name]);
  });

  test('filters by session', async () => {
    expect(await names({ workshopId: sessionId })).toEqual([CHLOE.name]);
    const found = await findCredentials(app, orgA.actor, { issuerId: orgA.issuerId, workshopId: sessionId });
    expect(found.credentials[0]!.session?.title).toBe('Atelier pitch du jeudi');
    expect(found.sessions.map((s) => s.id)).toEqual([sessionId]);
  });

  test('filters by status', async () => {
    expect(await names({ state: 'revoked' })).toEqual([BRUNO.name]);
    expect(await names({ state: 'active' })).toEqual([CHLOE.name, LEA.name, ZOE.name].sort());
    expect(await names({ state: 'suspended' })).toEqual([]);
  });

  test('filters by badge, and combines filters', async () => {
    const other = await createAchievement(app, orgA.actor, { issuerId: orgA.issuerId, ...BADGE_INPUT });
    await award(orgA, { email: 'lea.martin@exemple.fr', name: LEA.name }, other.id);
    expect(await names({ achievementId: other.id })).toEqual([LEA.name]);
    expect(await names({ text: 'martin', achievementId: orgA.achievementId })).toEqual([LEA.name]);
    expect(await names({ text: 'martin' })).toEqual([LEA.name, LEA.name]);
  });

  test("never finds another organisation's holders, and refuses to search another organisation", async () => {
    const found = await findCredentials(app, orgA.actor, { issuerId: orgA.issuerId, text: 'lea.martin' });
    expect(found.credentials.map((c) => c.id)).not.toContain(ids.leaInB);
    await expect(findCredentials(app, orgA.actor, { issuerId: orgB.issuerId })).rejects.toMatchObject({ status: 404 });
  });

  test('an erased holder is no longer found by name or address, but still by badge', async () => {
    await eraseRecipient(app, orgA.actor, ids.zoe!, {});
    expect(await names({ text: 'zoe' })).toEqual([]);
    const byBadge = await findCredentials(app, orgA.actor, { issuerId: orgA.issuerId, achievementId: orgA.achievementId });
    expect(byBadge.credentials.find((c) => c.id === ids.zoe)?.holder).toEqual({ name: null, email: null, erased: true });
  });
});

describe('the console, its use cases', () => {
  let service: InProcessService;
  let app: AppContext;
  let admin: Api;
  let orgA: Organisation;
  let orgB: Organisation;
  let fresh: Organisation;

  beforeAll(async () => {
    service = await startInProcess();
    app = service.running.app;
    admin = apiClient(service.url, service.token);
    orgA = await organisation(service, admin, 'Organisation A');
    orgB = await organisation(service, admin, 'Organisation B');
    fresh = await organisation(service, admin, 'Organisation Neuve');
  }, 60_000);
  afterAll(() => service.stop());

  describe('the audit log with names', () => {
    test('says who revoked which badge of whom, and why, as a sentence with links', async () => {
      const id = await award(orgA, LEA);
      await revokeCredential(app, orgA.actor, id, 'inscrite par erreur');
      const { entries } = await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId, action: 'credential.revoked' });
      const entry = entries.find((e) => e.credential?.id === id)!;
      expect(entry.actor).toMatchObject({ kind: 'person', name: 'Marie Dupont' });
      const badge = (await findAchievementRow(app, orgA.achievementId))!;
      const html = auditSentenceHtml(entry, 'fr');
      expect(plain(html)).toBe(`Marie Dupont a révoqué le badge « ${badge.name_fr} » de Léa Martin — motif : inscrite par erreur`);
      expect(html).toContain(`<a href="/console/credentials/${id}">Léa Martin</a>`);
      expect(html).toContain(`<a href="/console/badges/${orgA.achievementId}">`);
      expect(plain(auditSentenceHtml(entry, 'en'))).toBe(
        `Marie Dupont revoked Léa Martin's badge “${badge.name_en}” — reason: inscrite par erreur`,
      );
    });

    test('a group award says how many people received the badge', async () => {
      const session = await createWorkshop(app, orgA.actor, {
        issuerId: orgA.issuerId, title: 'Atelier financement', workshopType: 'FIN', heldOn: '2026-11-20', place: '',
        achievementIds: [orgA.achievementId],
      });
      await awardWorkshop(app, orgA.actor, session.id, 'a.un@exemple.fr;Anne Un\nb.deux@exemple.fr;Bob Deux');
      const { entries } = await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId, action: 'credential.awarded' });
      const group = entries.find((e) => e.count === 2 && !e.credential)!;
      expect(plain(auditSentenceHtml(group, 'fr'))).toMatch(/^Marie Dupont a délivré le badge « .+ » à 2 personne\(s\)$/);
    });

    test('filters by the person who acted, by badge and by action', async () => {
      const other = await createAchievement(app, orgA.actor, { issuerId: orgA.issuerId, ...BADGE_INPUT });
      const journal = await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId, achievementId: other.id });
      expect(journal.entries.map((e) => e.action)).toEqual(['achievement.created']);
      const marie = journal.people.find((p) => p.name === 'Marie Dupont')!;
      const byMarie = await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId, actorId: marie.id });
      expect(byMarie.entries.length).toBeGreaterThan(0);
      expect(byMarie.entries.every((e) => e.actor.kind === 'person' && e.actor.name === 'Marie Dupont')).toBe(true);
      const byBadge = await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId, achievementId: orgA.achievementId });
      expect(new Set(byBadge.entries.map((e) => e.badge?.id))).toEqual(new Set([orgA.achievementId]));
      expect(byBadge.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['credential.revoked', 'credential.awarded']));
    });

    test("names no account of another organisation, and refuses another organisation's log", async () => {
      const { entries, people } = await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId, action: 'issuer.created' });
      // The platform administrator created the organisation: named as the platform, not by their address.
      expect(entries.map((e) => e.actor)).toEqual([{ kind: 'platform' }]);
      expect(people.every((p) => !p.name.includes('admin@'))).toBe(true);
      await expect(auditJournal(app, orgA.actor, { issuerId: orgB.issuerId })).rejects.toMatchObject({ status: 404 });
    });

    test('no longer names a holder whose data was erased', async () => {
      const id = await award(orgA, { email: 'effacee@exemple.fr', name: 'Personne Effacée' });
      await eraseRecipient(app, orgA.actor, id, {});
      const { entries } = await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId });
      const about = entries.filter((e) => e.credential?.id === id);
      expect(about.length).toBeGreaterThan(0);
      for (const entry of about) {
        expect(entry.credential?.holder).toBeNull();
        expect(auditSentenceHtml(entry, 'fr')).not.toContain('Effacée');
      }
    });

    test('refuses an action that is not in the list', async () => {
      await expect(auditJournal(app, orgA.actor, { issuerId: orgA.issuerId, action: 'credential.stolen' })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('badge artwork', () => {
    test("a badge created with the organisation's PNG shows it as its image, and bakes credentials into it", async () => {
      const artwork = png(256, 256);
      const badge = await createBadge(app, orgA.actor, { issuerId: orgA.issuerId, ...BADGE_INPUT }, {
        image: 'artwork', upload: { bytes: artwork, truncated: false },
      });
      expect((await getBadgeDesign(app, orgA.actor, badge.id)).image).toBe('artwork');
      const row = (await findAchievementRow(app, badge.id))!;
      const image = await achievementImage(app, row, 'fr');
      expect(image.svg).toContain('href="data:image/png;base64,');
      expect(PNG.sync.read(image.png()).width).toBe(256);
      const baked = await bakedBadge(app, row, 'fr', '{"id":"urn:uuid:x"}', 'png');
      expect(unbakePng(baked)).toEqual({ version: 'ob3', text: '{"id":"urn:uuid:x"}' });
    });

    test('an SVG is stored cleaned: its script and links elsewhere never reach the badge image', async () => {
      const svg = Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script>' +
          '<image href="https://tracker.example/p.png" width="1" height="1"/><circle cx="5" cy="5" r="4"/></svg>',
      );
      const badge = await createBadge(app, orgA.actor, { issuerId: orgA.issuerId, ...BADGE_INPUT }, {
        image: 'artwork', upload: { bytes: svg, truncated: false },
      });
      const image = await achievementImage(app, (await findAchievementRow(app, badge.id))!, 'fr');
      expect(image.svg).toContain('<circle');
      expect(image.svg).not.toMatch(/script|onload|tracker\.example/);
    });

    test('refused artwork creates no badge and says why', async () => {
      const before = (await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId })).badges.length;
      const fake = png(128, 128);
      fake[1] = 0x51;
      const refused = await createBadge(app, orgA.actor, { issuerId: orgA.issuerId, ...BADGE_INPUT }, {
        image: 'artwork', upload: { bytes: fake, truncated: false },
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).errors).toEqual([
        expect.objectContaining({ field: 'artwork', keyword: 'image', params: { problem: 'pngSignature' } }),
      ]);
      expect(fieldErrorText((refused as ValidationError).errors[0]!, 'fr')).toBe(
        "Image du badge : ce fichier n'est pas une vraie image PNG (son contenu ne correspond pas à son nom)",
      );
      expect((await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId })).badges.length).toBe(before);
    });

    test('choosing your own image without a file, when the badge has none, is refused', async () => {
      await expect(
        createBadge(app, orgA.actor, { issuerId: orgA.issuerId, ...BADGE_INPUT }, { image: 'artwork' }),
      ).rejects.toMatchObject({ errors: [expect.objectContaining({ field: 'artwork', keyword: 'required' })] });
    });

    test('choosing a generated shape again removes the artwork, and the audit log says the badge changed', async () => {
      const badge = await createBadge(app, orgA.actor, { issuerId: orgA.issuerId, ...BADGE_INPUT }, {
        image: 'artwork', upload: { bytes: png(128, 128), truncated: false },
      });
      await updateBadge(app, orgA.actor, badge.id, { colour: '#E6007E' }, { image: 'shape' });
      expect((await getBadgeDesign(app, orgA.actor, badge.id)).image).toBe('shape');
      const image = await achievementImage(app, (await findAchievementRow(app, badge.id))!, 'fr');
      expect(image.svg).not.toContain('data:image/png');
      const { entries } = await auditJournal(app, orgA.actor, { issuerId: orgA.issuerId, achievementId: badge.id });
      expect(entries.filter((e) => e.action === 'achievement.updated').length).toBeGreaterThanOrEqual(2);
    });

    test("another organisation's operator cannot change a badge's artwork", async () => {
      await expect(
        updateBadge(app, orgB.actor, orgA.achievementId, {}, { image: 'artwork', upload: { bytes: png(128, 128), truncated: false } }),
      ).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('the first-run checklist', () => {
    test('ticks each step from what the organisation has done', async () => {
      const before = await firstSteps(app, fresh.actor, fresh.issuerId);
      // setUpIssuer gave it a website, a contact address and a badge, but no description and no session.
      expect(before.steps).toEqual([
        { step: 'organisation', done: false },
        { step: 'badge', done: true },
        { step: 'session', done: false },
      ]);
      expect(before.allDone).toBe(false);
      await updateIssuer(app, fresh.actor, fresh.issuerId, { description: "Accompagnement à la création d'entreprise." });
      await createWorkshop(app, fresh.actor, {
        issuerId: fresh.issuerId, title: 'Réunion d’information', workshopType: 'INFO', heldOn: '2026-11-21', place: '',
        achievementIds: [fresh.achievementId],
      });
      expect((await firstSteps(app, fresh.actor, fresh.issuerId)).allDone).toBe(true);
    });

    test("another organisation's checklist cannot be read", async () => {
      await expect(firstSteps(app, orgA.actor, orgB.issuerId)).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('refused forms in plain words', () => {
    test('a session without a badge is refused with the field named by its label, in French and English', async () => {
      const refused = await createWorkshop(app, orgA.actor, {
        issuerId: orgA.issuerId, title: '', workshopType: 'PITCH', heldOn: '2026-11-19', place: '', achievementIds: [],
      }).then(() => { throw new Error('accepted'); }, (e: unknown) => e as ValidationError);
      const texts = (lang: 'fr' | 'en') => refused.errors.map((e) => fieldErrorText(e, lang));
      expect(texts('fr')).toEqual(["Intitulé de l'atelier : à remplir", 'Badge(s) à délivrer : choisissez-en au moins 1']);
      expect(texts('en')).toEqual(['Workshop title: please fill this in', 'Badge(s) to award: choose at least 1']);
      expect(problemText(refused.message, refused.errors, 'fr')).toBe(allStrings('fr')['console.errors']);
    });

    test("a schema's limit is said with its number", async () => {
      const refused = await createAchievement(app, orgA.actor, {
        issuerId: orgA.issuerId, ...BADGE_INPUT, name: { fr: 'x'.repeat(201) },
      }).then(() => { throw new Error('accepted'); }, (e: unknown) => e as ValidationError);
      expect(refused.errors.map((e) => fieldErrorText(e, 'fr'))).toEqual(['Nom en français : 200 caractères au plus']);
    });

    test('a field error without a keyword is shown as it came', () => {
      expect(fieldErrorText({ field: 'Site web', message: 'une adresse web' }, 'fr')).toBe('Site web : une adresse web');
      expect(problemText('Rien n’a été enregistré.', [{ field: 'Site web', message: 'x' }], 'fr')).toBe('Rien n’a été enregistré.');
    });
  });
});

describe('the words of the console', () => {
  test('every audit action has a sentence and a short name, in French and in English', () => {
    for (const lang of ['fr', 'en'] as const) {
      const strings = allStrings(lang);
      const missing = AUDIT_ACTIONS.flatMap((action) =>
        [`audit.sentence.${action}`, `audit.actionName.${action}`].filter((key) => !(key in strings)),
      );
      expect([lang, missing]).toEqual([lang, []]);
    }
  });

  test('names placed in a sentence cannot become markup', () => {
    const entry: JournalEntry = {
      at: '2026-12-03T13:05:00.000Z',
      action: 'claim.approved',
      actor: { kind: 'person', id: 'x', name: '<b>Marie</b>' },
      reason: '<script>alert(1)</script>',
      person: '<img src=x onerror=alert(1)>',
      session: { id: 's', title: '"><svg onload=alert(1)>' },
    };
    const html = auditSentenceHtml(entry, 'fr');
    expect(html).not.toMatch(/<(b|img|svg|script)[\s>]/);
    expect(plain(html)).toBe(
      '<b>Marie</b> a accepté la demande de <img src=x onerror=alert(1)> pour la session « "><svg onload=alert(1)> »' +
        ' — motif : <script>alert(1)</script>',
    );
  });

  test('dates and times are written the French way in French, the English way in English', () => {
    expect(formatDateTime('2026-12-03T13:05:00.000Z', 'fr')).toBe('3 décembre 2026 à 14 h 05');
    expect(formatDateTime('2026-12-03T13:05:00.000Z', 'en')).toBe('3 December 2026 at 14:05');
    expect(formatDate('2026-12-01', 'fr')).toBe('1er décembre 2026');
    expect(formatDate('2026-07-14T22:30:00.000Z', 'fr')).toBe('15 juillet 2026');
    expect(formatDate(undefined, 'fr')).toBeUndefined();
  });
});
