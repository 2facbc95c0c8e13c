/**
 * Pathways over a real server (issue 14 §3): an operator defines a pathway of badges of two organisations with
 * its token; when a person's last badge of it is awarded, the pathway badge is awarded automatically, and an
 * independent check (the public JSON of the credential, the issuer's DID document, @digitalbazaar/vc, and
 * /api/v1/verify) finds it valid. The catch-up run answers how many it awarded; errors are problem documents.
 */
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { expectValid } from '../support/ob3-schemas.js';
import { startInProcess, type InProcessService } from '../support/service.js';

interface PathwayBody {
  id: string;
  achievementId: string;
  requiredCount: number;
  badges: { id: string; issuerName: string }[];
}
interface CredentialList {
  credentials: { id: string; url: string; recipient: { email: string | null } }[];
}

let service: InProcessService;
let admin: Api;
let bge: Awaited<ReturnType<typeof setUpIssuer>>;
let region: Awaited<ReturnType<typeof setUpIssuer>>;

async function badge(issuer: typeof bge, name: string): Promise<string> {
  const res = await issuer.operator.post<{ id: string }>('/api/v1/achievements', {
    issuerId: issuer.issuerId,
    name: { fr: name },
    description: { fr: `À propos de ${name}` },
    criteria: { fr: `Pour obtenir ${name}` },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function award(issuer: typeof bge, achievementId: string, email: string): Promise<void> {
  const res = await issuer.operator.post('/api/v1/credentials', { achievementId, recipient: { email } });
  expect(res.status).toBe(201);
}

async function pathwayCredentials(achievementId: string): Promise<CredentialList['credentials']> {
  const res = await bge.operator.get<CredentialList>(`/api/v1/credentials?achievementId=${achievementId}`);
  expect(res.status).toBe(200);
  return res.body.credentials;
}

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  bge = await setUpIssuer(admin, service.url, 'BGE Littoral');
  region = await setUpIssuer(admin, service.url, 'Région Hauts-de-France');
}, 30_000);
afterAll(() => service.stop());

describe('a pathway over the API', () => {
  test('the pathway badge is awarded automatically with the last badge, and verifies independently', async () => {
    const idea = await badge(bge, 'Trouver une idée');
    const market = await badge(bge, 'Étudier son marché');
    const pitch = await badge(region, 'Présenter son projet');
    const created = await bge.operator.post<PathwayBody>('/api/v1/pathways', {
      issuerId: bge.issuerId,
      name: { fr: "De l'idée au projet", en: 'From idea to project' },
      badges: [idea, market, pitch],
      rule: 'all',
    });
    expect(created.status).toBe(201);
    expect(created.body.requiredCount).toBe(3);
    expect(created.body.badges.map((b) => b.issuerName)).toEqual([
      'BGE Littoral',
      'BGE Littoral',
      'Région Hauts-de-France',
    ]);

    await award(bge, idea, 'camille@exemple.fr');
    await award(bge, market, 'camille@exemple.fr');
    expect(await pathwayCredentials(created.body.achievementId)).toHaveLength(0);
    await award(region, pitch, 'camille@exemple.fr');
    const [awarded] = await pathwayCredentials(created.body.achievementId);
    expect(awarded?.recipient.email).toBe('camille@exemple.fr');

    const credential = (await (await fetch(awarded!.url, { headers: { accept: 'application/json' } })).json()) as {
      evidence: { id: string; name: string }[];
    };
    expectValid('achievementcredential', credential);
    expect(credential.evidence.map((e) => e.name)).toEqual([
      'Trouver une idée — BGE Littoral',
      'Étudier son marché — BGE Littoral',
      'Présenter son projet — Région Hauts-de-France',
    ]);
    const did = (await apiClient(service.url).get<Record<string, unknown>>('/issuers/bge-littoral/did.json')).body;
    const independent = await verifyIndependently(credential, [did]);
    expect(independent.error).toBeUndefined();
    expect(independent.verified).toBe(true);
    const verified = await apiClient(service.url).post<{ verdict: string }>('/api/v1/verify', credential);
    expect(verified.body.verdict).toBe('valid');
  });

  test('lists and reads pathways; the catch-up run says how many it awarded, and then none', async () => {
    const first = await badge(bge, 'Premier pas');
    const second = await badge(region, 'Second pas');
    await award(bge, first, 'dominique@exemple.fr');
    await award(region, second, 'dominique@exemple.fr');
    const created = await bge.operator.post<PathwayBody>('/api/v1/pathways', {
      issuerId: bge.issuerId,
      name: { fr: 'Deux pas' },
      badges: [first, second],
      rule: 'count',
      requiredCount: 2,
      withinDays: 365,
    });
    expect(created.status).toBe(201);
    const list = await bge.operator.get<{ pathways: { id: string }[] }>('/api/v1/pathways');
    expect(list.body.pathways.map((p) => p.id)).toContain(created.body.id);
    const read = await region.operator.get<PathwayBody>(`/api/v1/pathways/${created.body.id}`);
    expect(read.status).toBe(200);
    const caughtUp = await bge.operator.post<{ awarded: number }>(`/api/v1/pathways/${created.body.id}/catch-up`);
    expect(caughtUp.status).toBe(200);
    expect(caughtUp.body).toEqual({ awarded: 1 });
    const again = await bge.operator.post<{ awarded: number }>(`/api/v1/pathways/${created.body.id}/catch-up`);
    expect(again.body).toEqual({ awarded: 0 });
    expect(await pathwayCredentials(created.body.achievementId)).toHaveLength(1);
  });

  test('a pathway with a single badge is refused: a problem document naming the field', async () => {
    const only = await badge(bge, 'Seul');
    const res = await bge.operator.post<{ errors: { field: string }[] }>('/api/v1/pathways', {
      issuerId: bge.issuerId,
      name: { fr: 'Trop court' },
      badges: [only],
      rule: 'all',
    });
    expect(res.status).toBe(422);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e) => e.field)).toContain('badges');
  });

  test('the badge page and the directory say which pathway a badge is part of', async () => {
    const first = await badge(bge, 'Construire son offre');
    const second = await badge(region, 'Chiffrer son projet');
    const created = await bge.operator.post<PathwayBody>('/api/v1/pathways', {
      issuerId: bge.issuerId,
      name: { fr: 'Parcours Création', en: 'Starting up' },
      badges: [first, second],
      rule: 'all',
    });
    expect(created.status).toBe(201);
    const line = 'Fait partie du parcours «\u00a0Parcours Création\u00a0»';
    const page = await (await fetch(`${service.url}/achievements/${second}`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain(line);
    expect(page).toContain(`href="${service.url}/achievements/${created.body.achievementId}"`);
    const english = await (
      await fetch(`${service.url}/achievements/${second}?lang=en`, { headers: { accept: 'text/html' } })
    ).text();
    expect(english).toContain('Part of the pathway “Starting up”');
    const directory = await (await fetch(`${service.url}/annuaire`, { headers: { accept: 'text/html' } })).text();
    expect(directory).toContain(line);
  });

  test('an unknown pathway is a 404 problem', async () => {
    const res = await bge.operator.get('/api/v1/pathways/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.type).toMatch(/^application\/problem\+json/);
  });
});
