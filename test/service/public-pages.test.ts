/**
 * Issue 14 §2 over a real server: an issuer's and a badge's identifiers answer a browser with a readable page and
 * machines with exactly the JSON-LD they had before; every alignment `targetUrl` in an awarded badge resolves to
 * a page about that competence and level; the EntreComp referential lists 3 areas, 15 competences, 8 levels.
 */
import { profileForSlug, publicAchievement } from '../../src/app/public-documents.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

type Alignment = { targetUrl: string; targetCode: string };
type Signed = { credentialSubject: { achievement: { alignment: Alignment[] } } };

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let service: InProcessService;
let admin: Api;
let operator: Awaited<ReturnType<typeof setUpIssuer>>;
let slug: string;
let archivedId: string;
let credential: Signed;

const anyone = () => apiClient(service.url);
const page = (path: string, lang = 'fr') =>
  anyone().get<string>(path, { accept: BROWSER, 'accept-language': lang });
const count = (html: string, pattern: RegExp) => (html.match(pattern) ?? []).length;

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  operator = await setUpIssuer(admin, service.url);
  slug = operator.did.split(':').at(-1)!;
  const archived = await operator.operator.post<{ id: string }>('/api/v1/achievements', {
    issuerId: operator.issuerId,
    catalogueKey: 'pitch',
  });
  archivedId = archived.body.id;
  await operator.operator.patch(`/api/v1/achievements/${archivedId}`, { archived: true });
  const partner = await admin.post<{ id: string }>('/api/v1/issuers', { name: 'France Travail Hauts-de-France' });
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${partner.body.id}/users`, {
    email: 'partenariats@example.org',
    role: 'operator_admin',
  });
  const partnerApi = apiClient(service.url, user.body.token);
  for (const [type, id, comment] of [
    ['achievement', operator.achievementId, 'Nos conseillers reconnaissent ce badge.'],
    ['issuer', operator.issuerId, 'Un opérateur avec qui nous travaillons depuis dix ans.'],
  ]) {
    const endorsed = await partnerApi.post('/api/v1/endorsements', { subject: { type, id }, comment });
    expect(endorsed.status).toBe(201);
  }
  const awarded = await operator.operator.post<{ credential: Signed }>('/api/v1/credentials', {
    achievementId: operator.achievementId,
    recipient: { email: 'lea.martin@example.fr' },
  });
  expect(awarded.status).toBe(201);
  credential = awarded.body.credential;
}, 30_000);
afterAll(() => service.stop());

describe("an issuer's identifier, /issuers/{slug}", () => {
  test('a browser gets a page with its name, contact, website and the badges it awards', async () => {
    const res = await page(`/issuers/${slug}`);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/html');
    expect(res.body).toContain('<h1>BGE Hauts-de-France</h1>');
    expect(res.body).toContain('href="mailto:contact@example.org"');
    expect(res.body).toContain('href="https://www.example.org"');
    expect(res.body).toContain(`href="${service.url}/achievements/${operator.achievementId}"`);
    expect(res.body).toContain('De l&#x27;idée à l&#x27;opportunité');
  });

  test('its page says who recognises the organisation, in their words', async () => {
    const res = await page(`/issuers/${slug}`);
    expect(res.body).toContain('Reconnu par France Travail Hauts-de-France');
    expect(res.body).toContain('Un opérateur avec qui nous travaillons depuis dix ans.');
    expect(res.body).not.toContain('Nos conseillers reconnaissent ce badge.');
  });

  test('its page leaves out the badges the issuer no longer awards', async () => {
    const res = await page(`/issuers/${slug}`);
    expect(res.body).not.toContain(`/achievements/${archivedId}"`);
    expect(count(res.body, /data-badge/g)).toBe(1);
  });

  test('machines get exactly the JSON-LD the application publishes, whatever JSON type or none they ask', async () => {
    const expected = await profileForSlug(service.running.app, slug);
    for (const accept of ['application/ld+json', 'application/json', '*/*', 'image/png', 'text/plain']) {
      const res = await anyone().get(`/issuers/${slug}`, { accept });
      expect(res.type).toContain('application/ld+json');
      expect(res.body).toEqual(expected);
    }
    const forced = await anyone().get(`/issuers/${slug}?format=json`, { accept: BROWSER });
    expect(forced.type).toContain('application/ld+json');
    expect(forced.body).toEqual(expected);
  });

  test('says its answer depends on Accept and Accept-Language', async () => {
    for (const accept of [BROWSER, 'application/ld+json']) {
      const res = await anyone().get(`/issuers/${slug}`, { accept });
      expect(res.headers.get('vary')).toMatch(/Accept(?!-)/);
      expect(res.headers.get('vary')).toContain('Accept-Language');
    }
  });

  test('an unknown issuer is the 404 page for a browser and a problem for a machine', async () => {
    const html = await page('/issuers/nobody-here');
    expect(html.status).toBe(404);
    expect(html.type).toContain('text/html');
    const json = await anyone().get('/issuers/nobody-here', { accept: 'application/ld+json' });
    expect(json.status).toBe(404);
    expect(json.type).toContain('application/problem+json');
  });
});

describe("a badge's identifier, /achievements/{id}", () => {
  test('a browser gets the badge: issuer, description, criteria, competences and how to earn it', async () => {
    const res = await page(`/achievements/${operator.achievementId}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<h1 id="badge-title">De l&#x27;idée à l&#x27;opportunité</h1>');
    expect(res.body).toContain(`href="${service.url}/issuers/${slug}"`);
    expect(res.body).toContain('A formulé le problème');
    expect(res.body).toContain(`href="${service.url}/referentiels/entrecomp/1.1#niveau-3"`);
    expect(res.body).toContain('Repérer les opportunités — niveau 3 (Expérimenter)');
    expect(res.body).toContain('Comment l&#x27;obtenir');
    // Handlebars writes "=" in attributes as &#x3D;.
    expect(res.body).toContain(`href="${service.url}/achievements/${operator.achievementId}?format&#x3D;json"`);
  });

  test("its page says who recognises the badge and its issuer", async () => {
    const res = await page(`/achievements/${operator.achievementId}`);
    expect(count(res.body, /data-endorsement/g)).toBe(2);
    expect(res.body).toContain('Nos conseillers reconnaissent ce badge.');
  });

  test('in English when the browser asks for English', async () => {
    const res = await page(`/achievements/${operator.achievementId}`, 'en');
    expect(res.body).toContain('From idea to opportunity');
    expect(res.body).toContain('How to earn it');
    expect(res.headers.get('content-language')).toBe('en');
  });

  test('machines get exactly the JSON-LD the application publishes, in their language', async () => {
    for (const lang of ['fr', 'en'] as const) {
      const expected = await publicAchievement(service.running.app, operator.achievementId, lang);
      for (const accept of ['application/ld+json', 'application/json', '*/*']) {
        const res = await anyone().get(`/achievements/${operator.achievementId}`, { accept, 'accept-language': lang });
        expect(res.type).toContain('application/ld+json');
        expect(res.body).toEqual(expected);
      }
    }
  });

  test('an archived badge keeps its page, which says it is no longer awarded', async () => {
    const res = await page(`/achievements/${archivedId}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('data-archived');
    expect(res.body).toContain('ne délivre plus ce badge');
  });

  test('an unknown badge is the 404 page', async () => {
    for (const id of ['0b8e7a8e-4b6f-4c1e-9a8d-1f2e3d4c5b6a', 'not-an-id']) {
      const res = await page(`/achievements/${id}`);
      expect(res.status).toBe(404);
      expect(res.type).toContain('text/html');
    }
  });
});

describe('the alignments of an awarded badge', () => {
  test('every targetUrl resolves to a 200 page naming the competence, with a section for the level', async () => {
    const alignments = credential.credentialSubject.achievement.alignment;
    expect(alignments.length).toBeGreaterThan(0);
    const competences = service.running.app.catalogue;
    for (const { targetUrl, targetCode } of alignments) {
      const [code, level] = targetCode.split('-N');
      const url = new URL(targetUrl);
      expect(url.origin).toBe(service.url);
      const res = await fetch(targetUrl, { headers: { accept: BROWSER, 'accept-language': 'fr' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      const name = competences.competence(code!)!.name.fr.replace(/'/g, '&#x27;');
      expect(html).toContain(name);
      expect(url.hash).toBe(`#niveau-${level}`);
      expect(html).toContain(`id="niveau-${level}"`);
      // The badge is listed in its level's section.
      const section = html.split(`id="niveau-${level}"`)[1]!.split('</section>')[0]!;
      expect(section).toContain(`/achievements/${operator.achievementId}"`);
    }
  });

  test('a machine following a targetUrl also gets the page (there is nothing else there)', async () => {
    const { targetUrl } = credential.credentialSubject.achievement.alignment[0]!;
    const res = await fetch(targetUrl);
    expect(res.status).toBe(200);
  });
});

describe('the EntreComp referential', () => {
  test('lists the 3 areas, 15 competences and 8 levels', async () => {
    const res = await page('/referentiels/entrecomp');
    expect(res.status).toBe(200);
    expect(count(res.body, /data-area="/g)).toBe(3);
    expect(count(res.body, /data-competence="/g)).toBe(15);
    expect(count(res.body, /data-level="/g)).toBe(8);
    expect(res.body).toContain('Idées et opportunités');
    expect(res.body).toContain('doi:10.2791/593884');
  });

  test('links each competence to the address alignments use', async () => {
    const res = await page('/referentiels/entrecomp');
    for (const { code } of service.running.app.catalogue.entrecomp.competences) {
      expect(res.body).toContain(`href="${service.running.app.ids.competence(code)}"`);
    }
  });

  test('every competence page has its framework description and the 8 levels', async () => {
    for (const competence of service.running.app.catalogue.entrecomp.competences) {
      const res = await page(`/referentiels/entrecomp/${competence.code}`, 'en');
      expect(res.status).toBe(200);
      expect(res.body).toContain(competence.description.en.replace(/'/g, '&#x27;'));
      expect(count(res.body, /class="level-section" id="niveau-\d"/g)).toBe(8);
    }
  });

  test('a competence no badge recognises says so at each level', async () => {
    const res = await page('/referentiels/entrecomp/1.3');
    expect(count(res.body, /Aucun badge de l&#x27;annuaire ne reconnaît encore ce niveau/g)).toBe(8);
  });

  test('an archived badge is not listed under its competences', async () => {
    // The pitch badge aligns to 2.5 level 3; the only badge there is the archived one.
    const res = await page('/referentiels/entrecomp/2.5');
    expect(res.body).not.toContain(`/achievements/${archivedId}"`);
  });

  test('the English address leads to the same pages in English', async () => {
    const res = await fetch(`${service.url}/referentials/entrecomp/2.4`, { headers: { accept: BROWSER } });
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${service.url}/referentiels/entrecomp/2.4?lang=en`);
    expect(await res.text()).toContain('Financial and economic literacy');
  });

  test('an unknown competence is the 404 page', async () => {
    for (const code of ['9.9', '1.6', 'x']) {
      const res = await page(`/referentiels/entrecomp/${code}`);
      expect(res.status).toBe(404);
      expect(res.type).toContain('text/html');
    }
  });
});
