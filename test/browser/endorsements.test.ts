/**
 * Endorsements in headless Chromium, in French: the badge page says "Reconnu par …" with the partner's words and
 * a link to the endorsement, whose own page gives its verdict; at 1280 px and on a 360 px phone, with nothing
 * serious or critical for axe.
 */
import type { Browser } from 'playwright-core';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import {
  closeWatched,
  DESKTOP,
  launchBrowser,
  PHONE,
  screenshot,
  seriousAccessibilityViolations,
  watchedPage,
  type WatchedPage,
} from './support.js';

let service: InProcessService;
let browser: Browser;
let badgeUrl: string;
let endorsementUrl: string;
const open: WatchedPage[] = [];

beforeAll(async () => {
  service = await startInProcess();
  const admin = apiClient(service.url, service.token);
  const operator = await setUpIssuer(admin, service.url);
  const partner = await admin.post<{ id: string }>('/api/v1/issuers', { name: 'France Travail Hauts-de-France' });
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${partner.body.id}/users`, {
    email: 'partenariats@example.org',
    role: 'operator_admin',
  });
  const endorsed = await apiClient(service.url, user.body.token).post<{ url: string }>('/api/v1/endorsements', {
    subject: { type: 'achievement', id: operator.achievementId },
    comment: 'Un badge que nos conseillers reconnaissent pour l’accompagnement à la création.',
  });
  endorsementUrl = endorsed.body.url;
  const awarded = await operator.operator.post<{ url: string }>('/api/v1/credentials', {
    achievementId: operator.achievementId,
    recipient: { email: 'lea@example.fr' },
  });
  badgeUrl = awarded.body.url;
  browser = await launchBrowser();
}, 60_000);

afterEach(() => closeWatched(open));
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('on a %s, in French', (name, options) => {
  test('the badge page says who recognises the badge, in their words, and links to the endorsement', async () => {
    const watched = await watchedPage(browser, options);
    open.push(watched);
    const { page } = watched;
    await page.goto(badgeUrl);
    const item = page.locator('[data-endorsement]');
    await expect(item.textContent()).resolves.toContain('Reconnu par France Travail Hauts-de-France');
    await expect(item.textContent()).resolves.toContain('« Un badge que nos conseillers reconnaissent');
    await item.scrollIntoViewIfNeeded();
    await screenshot(page, `endorsement-on-badge-page-${name}`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Voir la recommandation de France Travail Hauts-de-France' }).click();
    await page.waitForURL(endorsementUrl);
    await expect(page.locator('h1').textContent()).resolves.toContain(
      'France Travail Hauts-de-France reconnaît le badge',
    );
    await expect(page.locator('[data-verdict]').getAttribute('data-verdict')).resolves.toBe('valid');
    await screenshot(page, `endorsement-page-${name}`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});
