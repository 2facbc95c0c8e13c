/**
 * The console's organisation forms hold to the API's rule (issue 11 §7.2): a profile is checked by the use case
 * against the API's schema, whichever door it comes through. A `javascript:` website and markup in the contact
 * address once went from the console into public pages (as a link) and into every badge signed afterwards.
 */
import { DEFAULT_ISSUER_SLUG } from '../../src/app/seed.js';
import { apiClient, type Api } from '../support/api.js';
import { CookieJar, hiddenField } from '../support/holder.js';
import { startInProcess, type InProcessService } from '../support/service.js';

const ADMIN_EMAIL = 'admin@blason.local';
const ADMIN_PASSWORD = 'mot-de-passe-administrateur';
const HOSTILE = { url: 'javascript:alert(1)', email: '<img src=x onerror=alert(1)>@example.org' };

interface Profile {
  id: string;
  slug: string;
  name: string;
  url: string | null;
  email: string | null;
}

let service: InProcessService;
let admin: Api;
let console_: { jar: CookieJar; csrf: string };

beforeAll(async () => {
  service = await startInProcess({ extra: { BLASON_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  admin = apiClient(service.url, service.token);
  const jar = new CookieJar();
  const login = hiddenField(await (await jar.fetch(`${service.url}/console/login`)).text(), '_csrf');
  const signedIn = await jar.post(`${service.url}/console/login`, {
    _csrf: login, email: ADMIN_EMAIL, password: ADMIN_PASSWORD, next: '',
  });
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  console_ = { jar, csrf: hiddenField(await (await jar.fetch(`${service.url}/console/issuer`)).text(), '_csrf') };
}, 30_000);

afterAll(async () => {
  await service?.stop();
});

/** The organisation the administrator's console works on (the platform's own), as the API shows it. */
async function platformIssuer(): Promise<Profile> {
  const list = await admin.get<{ issuers: Profile[] }>('/api/v1/issuers');
  return list.body.issuers.find((i) => i.slug === DEFAULT_ISSUER_SLUG)!;
}

async function saveProfile(fields: Partial<Record<'url' | 'email', string>>): Promise<Response> {
  const before = await platformIssuer();
  return console_.jar.post(`${service.url}/console/issuer`, { _csrf: console_.csrf, name: before.name, ...fields });
}

describe('the organisation profile form', () => {
  test('refuses a javascript: website with 422, naming the field, and stores nothing', async () => {
    const before = await platformIssuer();
    const res = await saveProfile({ url: HOSTILE.url, email: 'contact@example.org' });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('Rien n&#x27;a été enregistré');
    expect(page).toContain('une adresse web commençant par https://');
    expect(await platformIssuer()).toEqual(before);
  });

  test('refuses markup in the contact address with 422, naming the field, and stores nothing', async () => {
    const before = await platformIssuer();
    const res = await saveProfile({ url: 'https://www.example.org', email: HOSTILE.email });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('une seule adresse électronique');
    expect(await platformIssuer()).toEqual(before);
  });

  test('saves a valid profile, as the API would', async () => {
    const res = await saveProfile({ url: 'https://www.mel.example', email: 'badges@mel.example' });
    expect(res.status).toBe(303);
    expect(await platformIssuer()).toMatchObject({ url: 'https://www.mel.example', email: 'badges@mel.example' });
  });
});

describe('the new organisation form (platform administrator)', () => {
  test('refuses a javascript: website and markup in the address with 422, and creates nothing', async () => {
    const before = (await admin.get<{ issuers: Profile[] }>('/api/v1/issuers')).body.issuers.length;
    const res = await console_.jar.post(`${service.url}/console/admin/organisations`, {
      _csrf: console_.csrf, name: 'Organisation piégée', ...HOSTILE, adminEmail: 'premier@piege.example',
    });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('une adresse web commençant par https://');
    expect(page).toContain('une seule adresse électronique');
    expect((await admin.get<{ issuers: Profile[] }>('/api/v1/issuers')).body.issuers).toHaveLength(before);
  });
});
