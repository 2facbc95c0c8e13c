/**
 * The public directory (issue 14 §1), through the use cases without HTTP: which organisation awards which badge,
 * filtered by EntreComp area, competence and level, organisation, workshop type and words; organisations that
 * stay out of it, partners and archived badges are not listed; the JSON feed carries OB 3.0 Profiles and
 * Achievements with their endorsements.
 */
import { createAchievement, updateAchievement } from '../../src/app/achievements.js';
import { directoryFacts, directoryFeed, readDirectoryFilter, widgetFacts } from '../../src/app/directory.js';
import { endorse } from '../../src/app/endorsements.js';
import { ValidationError } from '../../src/app/errors.js';
import { createIssuer, updateIssuer } from '../../src/app/issuers.js';
import { createWorkshop } from '../../src/app/workshops.js';
import { testApp, type TestApp } from '../support/app-context.js';

let t: TestApp;
let ruche: { id: string; slug: string };
let pitchId: string;

const filter = (query: Record<string, string>) => readDirectoryFilter(t.app, query);

async function badge(issuerId: string, name: string, competences: { code: string; level: number }[]) {
  return (
    await createAchievement(t.app, t.admin, {
      issuerId,
      name: { fr: name },
      description: { fr: `${name} : ce que le badge reconnaît.` },
      criteria: { fr: 'Avoir participé à l’atelier.' },
      competences,
    })
  ).id;
}

beforeAll(async () => {
  t = await testApp();
  const created = await createIssuer(t.app, t.admin, {
    name: 'Ruche d’entreprises de Roubaix',
    description: 'Hébergement et accompagnement des jeunes entreprises.',
    territory: 'Roubaix, Tourcoing',
  });
  ruche = { id: created.id, slug: created.slug };
  pitchId = await badge(ruche.id, 'Pitcher son projet', [{ code: '2.2', level: 3 }]);
  await badge(ruche.id, 'Trouver un financement', [{ code: '2.3', level: 5 }]);
  await createWorkshop(t.app, t.admin, {
    issuerId: ruche.id, title: 'Atelier pitch', workshopType: 'PITCH', heldOn: '2026-11-20', achievementIds: [pitchId],
  });
}, 60_000);
afterAll(() => t.close());

const slugs = (facts: { entries: { issuer: { slug: string } }[] }) => facts.entries.map((e) => e.issuer.slug);
const badgeNames = (facts: { entries: { badges: { name: { fr: string } }[] }[] }) =>
  facts.entries.flatMap((e) => e.badges.map((b) => b.name.fr));

test('an organisation is listed with its territory, its description and the badges it awards', async () => {
  const facts = await directoryFacts(t.app, filter({ organisation: ruche.slug }));
  expect(facts.entries).toHaveLength(1);
  expect(facts.entries[0]!.issuer).toMatchObject({ name: 'Ruche d’entreprises de Roubaix', territory: 'Roubaix, Tourcoing' });
  expect(badgeNames(facts).sort()).toEqual(['Pitcher son projet', 'Trouver un financement']);
});

test('a competence filter keeps only the badges aligned to it', async () => {
  const facts = await directoryFacts(t.app, filter({ organisation: ruche.slug, competence: '2.3' }));
  expect(badgeNames(facts)).toEqual(['Trouver un financement']);
});

test('a level filter keeps the badges aligned at that level', async () => {
  const facts = await directoryFacts(t.app, filter({ organisation: ruche.slug, level: '3' }));
  expect(badgeNames(facts)).toEqual(['Pitcher son projet']);
  expect(facts.entries[0]!.badges[0]!.level).toBe(3);
});

test('an area filter keeps the badges with a competence of that area', async () => {
  expect(badgeNames(await directoryFacts(t.app, filter({ organisation: ruche.slug, area: '1' })))).toEqual([]);
  expect(badgeNames(await directoryFacts(t.app, filter({ organisation: ruche.slug, area: '2' }))).length).toBe(2);
});

test('a workshop type filter keeps the badges awarded in such workshops', async () => {
  const facts = await directoryFacts(t.app, filter({ organisation: ruche.slug, workshopType: 'PITCH' }));
  expect(badgeNames(facts)).toEqual(['Pitcher son projet']);
  expect(facts.entries[0]!.badges[0]!.workshopTypes).toContain('PITCH');
  expect(facts.options.workshopTypes).toContain('PITCH');
});

test('words are matched without regard to case or accents, in badges and in organisations', async () => {
  const words = { q: 'FINANCEMENT', organisation: ruche.slug };
  expect(badgeNames(await directoryFacts(t.app, filter(words)))).toEqual(['Trouver un financement']);
  expect(slugs(await directoryFacts(t.app, filter({ q: 'tourcoing' })))).toEqual([ruche.slug]);
  expect(slugs(await directoryFacts(t.app, filter({ q: 'hebergement jeunes' })))).toEqual([ruche.slug]);
});

test('a search that matches nothing lists nothing', async () => {
  const facts = await directoryFacts(t.app, filter({ q: 'aucun-mot-pareil' }));
  expect(facts.entries).toEqual([]);
  expect(facts.total).toEqual({ organisations: 0, badges: 0 });
});

test('an organisation that chose to stay out of the directory is not listed', async () => {
  const hidden = await createIssuer(t.app, t.admin, { name: 'Cabinet discret', inDirectory: false });
  await badge(hidden.id, 'Badge discret', [{ code: '1.1', level: 2 }]);
  expect(slugs(await directoryFacts(t.app, filter({ q: 'discret' })))).toEqual([]);
  await updateIssuer(t.app, t.admin, hidden.id, { inDirectory: true });
  expect(slugs(await directoryFacts(t.app, filter({ q: 'discret' })))).toEqual([hidden.slug]);
});

test('a partner that only endorses is not listed as an organisation that awards badges', async () => {
  const partner = await createIssuer(t.app, t.admin, { name: 'Banque partenaire unique', kind: 'partner' });
  expect(slugs(await directoryFacts(t.app, filter({ q: 'partenaire unique' })))).not.toContain(partner.slug);
});

test('an archived badge is no longer offered', async () => {
  const id = await badge(ruche.id, 'Badge retiré du catalogue', []);
  await updateAchievement(t.app, t.admin, id, { archived: true });
  expect(badgeNames(await directoryFacts(t.app, filter({ q: 'retiré' })))).toEqual([]);
});

test('results come in pages, and the total counts every page', async () => {
  for (const n of [1, 2, 3]) await createIssuer(t.app, t.admin, { name: `Couveuse paginée ${n}` });
  const first = await directoryFacts(t.app, filter({ q: 'couveuse paginee', pageSize: '2' }));
  const second = await directoryFacts(t.app, filter({ q: 'couveuse paginee', pageSize: '2', page: '2' }));
  expect(first.total.organisations).toBe(3);
  expect(first.pages).toBe(2);
  expect([...slugs(first), ...slugs(second)]).toHaveLength(3);
});

test('a wrong filter value is refused with what it should be', () => {
  expect(() => filter({ level: '9' })).toThrow(ValidationError);
  expect(() => filter({ competence: '4.1' })).toThrow(/EntreComp competence/);
  expect(() => filter({ pageSize: '500' })).toThrow(/from 1 to 50/);
});

test('the pages read a wrong filter value leniently: it is left out', () => {
  expect(readDirectoryFilter(t.app, { level: '9', competence: '2.3' }, true)).toMatchObject({ competence: '2.3' });
  expect(readDirectoryFilter(t.app, { level: '9' }, true).level).toBeUndefined();
});

test('the feed carries each organisation as an OB 3.0 Profile and each badge as an Achievement', async () => {
  const feed = await directoryFeed(t.app, filter({ organisation: ruche.slug }), 'fr');
  const [entry] = feed.organisations;
  expect(entry!.profile).toMatchObject({ type: ['Profile'], name: 'Ruche d’entreprises de Roubaix' });
  expect(entry!.profile.id).toMatch(/^did:web:/);
  const achievements = entry!.badges.map((b) => b.achievement);
  expect(achievements.map((a) => a.type)).toEqual([['Achievement'], ['Achievement']]);
  expect(achievements.flatMap((a) => a.alignment ?? []).map((a) => a.targetCode).sort()).toEqual(['2.2-N3', '2.3-N5']);
});

test('an endorsement of a badge shows in the directory and in the feed', async () => {
  const partner = await createIssuer(t.app, t.admin, { name: 'France Travail Hauts-de-France', kind: 'partner' });
  await endorse(t.app, t.admin, {
    subject: { type: 'achievement', id: pitchId },
    comment: 'Un atelier que nous recommandons.',
    endorserId: partner.id,
  });
  const facts = await directoryFacts(t.app, filter({ organisation: ruche.slug, competence: '2.2' }));
  expect(facts.entries[0]!.badges[0]!.endorsements).toEqual([
    expect.objectContaining({ endorser: 'France Travail Hauts-de-France', comment: 'Un atelier que nous recommandons.' }),
  ]);
  const feed = await directoryFeed(t.app, filter({ organisation: ruche.slug, competence: '2.2' }), 'fr');
  expect(feed.organisations[0]!.badges[0]!.achievement.endorsement).toHaveLength(1);
});

test('the widget shows one organisation’s badges, and an unknown one is not found', async () => {
  expect((await widgetFacts(t.app, ruche.slug)).badges.length).toBeGreaterThanOrEqual(2);
  await expect(widgetFacts(t.app, 'personne-de-ce-nom')).rejects.toMatchObject({ status: 404 });
});
