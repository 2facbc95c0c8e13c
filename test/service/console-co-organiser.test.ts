/**
 * The console's new-session form names a co-organiser (issue 13 §3), and the indicators page and its CSV show
 * the partnership: through HTTP, as the platform administrator, on the platform's own organisation.
 */
import { DEFAULT_ISSUER_SLUG } from '../../src/app/seed.js';
import { translator } from '../../src/views/i18n.js';
import { fieldErrorText } from '../../src/views/presenters/field-errors.js';
import { apiClient, type Api } from '../support/api.js';
import { CookieJar, hiddenField } from '../support/holder.js';
import { startInProcess, type InProcessService } from '../support/service.js';

const ADMIN_EMAIL = 'admin@blason.local';
const ADMIN_PASSWORD = 'mot-de-passe-administrateur';
const PARTNER = 'Maison de l’Emploi Roubaix';
const fr = translator('fr');

let service: InProcessService;
let admin: Api;
let jar: CookieJar;
let csrf: string;
let ownId: string;
let partnerId: string;
let badgeId: string;

beforeAll(async () => {
  service = await startInProcess({ extra: { BLASON_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  admin = apiClient(service.url, service.token);
  jar = new CookieJar();
  const login = hiddenField(await (await jar.fetch(`${service.url}/console/login`)).text(), '_csrf');
  const signedIn = await jar.post(`${service.url}/console/login`, {
    _csrf: login, email: ADMIN_EMAIL, password: ADMIN_PASSWORD, next: '',
  });
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  const issuers = await admin.get<{ issuers: { id: string; slug: string }[] }>('/api/v1/issuers');
  ownId = issuers.body.issuers.find((i) => i.slug === DEFAULT_ISSUER_SLUG)!.id;
  partnerId = (await admin.post<{ id: string }>('/api/v1/issuers', { name: PARTNER })).body.id;
  const badge = await admin.post<{ id: string }>('/api/v1/achievements', {
    issuerId: ownId, catalogueKey: 'de-l-idee-a-l-opportunite',
  });
  if (badge.status !== 201) throw new Error(`badge: ${badge.status} ${JSON.stringify(badge.body)}`);
  badgeId = badge.body.id;
  csrf = hiddenField(await (await jar.fetch(`${service.url}/console/sessions/new`)).text(), '_csrf');
}, 60_000);

afterAll(async () => {
  await service?.stop();
});

const today = () => new Date().toISOString().slice(0, 10);

function newSession(coOrganiserId: string): Promise<Response> {
  return jar.post(`${service.url}/console/sessions`, {
    _csrf: csrf, title: 'Atelier à deux voix', workshopType: 'INFO', heldOn: today(), place: '',
    achievementIds: badgeId, coOrganiserId,
  });
}

test('the new-session form offers the other organisations as co-organiser, and nobody by default', async () => {
  const page = await (await jar.fetch(`${service.url}/console/sessions/new`)).text();
  expect(page).toContain(`<label for="coOrganiserId">${fr('sessions.coOrganiser')}</label>`);
  const select = /<select id="coOrganiserId"[^>]*>(.*?)<\/select>/s.exec(page)?.[1] ?? '';
  expect(select).toMatch(new RegExp(`^<option value="">[^<]+</option><option value="${partnerId}">`));
  expect(select).not.toContain(`<option value="${ownId}"`);
});

test('refuses the organisation itself as co-organiser with 422, naming the field, and creates nothing', async () => {
  const before = await (await jar.fetch(`${service.url}/console/sessions`)).text();
  const res = await newSession(ownId);
  expect(res.status).toBe(422);
  const error = fieldErrorText({ field: 'coOrganiserId', message: '', keyword: 'enum' }, 'fr');
  expect(await res.text()).toContain(`<li>${error.replace(/'/g, '&#x27;')}</li>`);
  expect(await (await jar.fetch(`${service.url}/console/sessions`)).text()).toBe(before);
});

test('a session created with a co-organiser says so on its page, and counts as a joint workshop', async () => {
  const res = await newSession(partnerId);
  expect(res.status).toBe(303);
  const page = await (await jar.fetch(`${service.url}${res.headers.get('location')}`)).text();
  expect(page).toContain(`<p data-co-organiser>${fr('sessions.coOrganisedWith', { name: PARTNER })}</p>`);

  const indicators = await (await jar.fetch(`${service.url}/console/indicators`)).text();
  expect(indicators).toContain(`<h2 id="partnership-title">${fr('console.indicators.partnership')}</h2>`);
  const joint = new RegExp(`<span class="stat-value">(\\d+)</span><span class="stat-label">${fr('console.indicators.jointSessions')}`);
  expect(joint.exec(indicators)?.[1]).toBe('1');

  const csv = await (await jar.fetch(`${service.url}/console/indicators?format=csv`)).text();
  expect(csv).toContain(`\r\n${fr('indicators.partnership.jointSessions')};1\r\n`);
});
