/**
 * The public directory over HTTP (issue 14 §1), as an independent check would see it: /annuaire lists an operator
 * and its badge, /directory in English, the JSON feed is public and cacheable with OB 3.0 shapes, the widget may be
 * framed by any site, an organisation leaves the directory through the API, and a wrong filter is a 422 the caller
 * can act on.
 */
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let admin: Api;
let issuer: Awaited<ReturnType<typeof setUpIssuer>>;
let slug: string;

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  issuer = await setUpIssuer(admin, service.url, 'Fabrique à Entreprendre de Tourcoing');
  const updated = await admin.patch<{ slug: string }>(`/api/v1/issuers/${issuer.issuerId}`, {
    territory: 'Tourcoing',
    description: 'Un lieu ressource pour créer son activité.',
  });
  if (updated.status !== 200) throw new Error(JSON.stringify(updated.body));
  slug = updated.body.slug;
}, 60_000);
afterAll(() => service?.stop());

const anonymous = () => apiClient(service.url);

test('/annuaire lists the operator and its badge, in French', async () => {
  const res = await anonymous().get<string>(`/annuaire?organisation=${slug}`);
  expect(res.status).toBe(200);
  expect(res.type).toMatch(/text\/html/);
  expect(res.headers.get('content-language')).toBe('fr');
  expect(res.body).toContain('Fabrique à Entreprendre de Tourcoing');
  expect(res.body).toContain('Territoire : Tourcoing');
  expect(res.body).toContain(`/achievements/${issuer.achievementId}`);
});

test('/directory is the same directory in English', async () => {
  const res = await anonymous().get<string>(`/directory?organisation=${slug}`);
  expect(res.headers.get('content-language')).toBe('en');
  expect(res.body).toContain('Directory of entrepreneurship badges');
  expect(res.body).toContain(`/achievements/${issuer.achievementId}`);
});

test('the page shows a mangled filter’s directory rather than an error', async () => {
  const res = await anonymous().get<string>('/annuaire?level=99&page=abc');
  expect(res.status).toBe(200);
  expect(res.body).toContain('Fabrique à Entreprendre de Tourcoing');
});

test('the JSON feed is public, cacheable and open to other websites', async () => {
  const res = await anonymous().get<{ organisations: unknown[] }>(`/api/v1/directory?organisation=${slug}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
  expect(res.body.organisations).toHaveLength(1);
});

test('the feed gives the organisation as a Profile and its badge as the Achievement its address serves', async () => {
  type Feed = { organisations: { profile: { id: string }; badges: { achievement: { id: string } }[] }[] };
  const feed = (await anonymous().get<Feed>(`/api/v1/directory?organisation=${slug}&lang=fr`)).body;
  const [entry] = feed.organisations;
  expect(entry!.profile.id).toBe(issuer.did);
  const served = await anonymous().get<Record<string, unknown>>(`/achievements/${issuer.achievementId}`, {
    accept: 'application/ld+json',
  });
  const { '@context': _context, creator: _creator, ...achievement } = served.body;
  expect(entry!.badges[0]!.achievement).toEqual(achievement);
});

test('a wrong filter in the feed is a 422 problem saying what the filter should be', async () => {
  const res = await anonymous().get<{ detail: string }>('/api/v1/directory?level=12');
  expect(res.status).toBe(422);
  expect(res.type).toMatch(/application\/problem\+json/);
  expect(res.body.detail).toMatch(/level is a number from 1 to 8/);
});

test('the widget may be framed by any website, and runs no script', async () => {
  const res = await anonymous().get<string>(`/annuaire/widget/${slug}`);
  expect(res.status).toBe(200);
  const policy = res.headers.get('content-security-policy') ?? '';
  expect(policy).toContain('frame-ancestors *');
  expect(policy).toContain("script-src 'none'");
  expect(res.headers.get('x-frame-options')).toBeNull();
  expect(res.body).toContain(`/achievements/${issuer.achievementId}`);
});

test('other pages still refuse to be framed', async () => {
  const res = await anonymous().get<string>('/annuaire');
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
});

test('an organisation that leaves the directory disappears from the page, the feed and the widget', async () => {
  const other = await setUpIssuer(admin, service.url, 'Couveuse qui préfère rester discrète');
  const patched = await admin.patch<{ slug: string; inDirectory: boolean }>(`/api/v1/issuers/${other.issuerId}`, {
    inDirectory: false,
  });
  expect(patched.body.inDirectory).toBe(false);
  expect((await anonymous().get<string>('/annuaire')).body).not.toContain('Couveuse qui préfère rester discrète');
  const feed = await anonymous().get<{ total: { organisations: number } }>(
    `/api/v1/directory?organisation=${patched.body.slug}`,
  );
  expect(feed.body.total.organisations).toBe(0);
  expect((await anonymous().get(`/annuaire/widget/${patched.body.slug}`)).status).toBe(404);
});
