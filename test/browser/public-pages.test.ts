/**
 * The pages behind an issuer's and a badge's identifiers and the EntreComp referential, in headless Chromium, in
 * French: at 1280 px and on a 360 px phone, nothing serious or critical for axe, no sideways scrolling on the
 * phone; following a badge's competence leads to its level's section.
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
let issuerUrl: string;
let achievementUrl: string;
const open: WatchedPage[] = [];

beforeAll(async () => {
  service = await startInProcess();
  const admin = apiClient(service.url, service.token);
  const operator = await setUpIssuer(admin, service.url);
  await admin.patch(`/api/v1/issuers/${operator.issuerId}`, {
    description: 'Accompagne les personnes qui créent ou reprennent une entreprise dans la métropole lilloise.',
  });
  for (const catalogueKey of ['pitch', 'previsionnel-financier', 'perte-acceptable-premier-test']) {
    await operator.operator.post('/api/v1/achievements', { issuerId: operator.issuerId, catalogueKey });
  }
  const partner = await admin.post<{ id: string }>('/api/v1/issuers', { name: 'France Travail Hauts-de-France' });
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${partner.body.id}/users`, {
    email: 'partenariats@example.org',
    role: 'operator_admin',
  });
  await apiClient(service.url, user.body.token).post('/api/v1/endorsements', {
    subject: { type: 'achievement', id: operator.achievementId },
    comment: 'Nos conseillers reconnaissent ce badge pour l’accompagnement à la création.',
  });
  issuerUrl = `${service.url}/issuers/${operator.did.split(':').at(-1)}`;
  achievementUrl = `${service.url}/achievements/${operator.achievementId}`;
  browser = await launchBrowser();
}, 60_000);

afterEach(() => closeWatched(open));
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function visit(options: typeof DESKTOP, url: string) {
  const watched = await watchedPage(browser, options);
  open.push(watched);
  await watched.page.goto(url);
  return watched.page;
}

async function expectReadable(page: Awaited<ReturnType<typeof visit>>, name: string, width: number): Promise<void> {
  await screenshot(page, name);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('on a %s, in French', (name, options) => {
  const width = options.viewport!.width;

  test("the issuer's address shows who it is and the badges it awards", async () => {
    const page = await visit(options, issuerUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe('BGE Hauts-de-France');
    await expect(page.locator('[data-badge]').count()).resolves.toBe(4);
    await expect(page.getByRole('link', { name: 'contact@example.org' }).count()).resolves.toBe(1);
    await expectReadable(page, `public-issuer-${name}`, width);
    await page.getByRole('link', { name: 'Pitch', exact: true }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Pitch');
  });

  test("the badge's address shows its criteria, competences, endorsement and how to earn it", async () => {
    const page = await visit(options, achievementUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe("De l'idée à l'opportunité");
    await expect(page.locator('[data-criteria]').textContent()).resolves.toContain('cinq entretiens');
    await expect(page.locator('[data-endorsement]').textContent()).resolves.toContain(
      'Reconnu par France Travail Hauts-de-France',
    );
    await expect(page.locator('[data-how]').textContent()).resolves.toContain('contact@example.org');
    await expectReadable(page, `public-achievement-${name}`, width);
    await page.getByRole('link', { name: /Repérer les opportunités — niveau 3/ }).click();
    await page.waitForURL(`${service.url}/referentiels/entrecomp/1.1#niveau-3`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Repérer les opportunités');
    const level = page.locator('#niveau-3');
    // The seeded catalogue of the Métropole is in the directory too: ours is the one BGE awards.
    const ours = level.locator('[data-badge]', { hasText: 'Délivré par BGE Hauts-de-France' });
    await expect(ours.textContent()).resolves.toContain("De l'idée à l'opportunité");
    await expect(level.evaluate((el) => el.matches(':target'))).resolves.toBe(true);
    await expectReadable(page, `public-competence-${name}`, width);
  });

  test('the referential lists the 3 areas, 15 competences and 8 levels', async () => {
    const page = await visit(options, `${service.url}/referentiels/entrecomp`);
    await expect(page.locator('[data-area]').count()).resolves.toBe(3);
    await expect(page.locator('[data-competence]').count()).resolves.toBe(15);
    await expect(page.locator('[data-level]').count()).resolves.toBe(8);
    await expectReadable(page, `public-referential-${name}`, width);
    await page.getByRole('link', { name: 'Culture financière et économique' }).click();
    await expect(page.locator('h1').textContent()).resolves.toContain('Culture financière et économique');
    const ours = page.locator('#niveau-3 [data-badge]', { hasText: 'Délivré par BGE Hauts-de-France' });
    await expect(ours.textContent()).resolves.toContain('Prévisionnel financier');
  });
});
