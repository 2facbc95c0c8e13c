/**
 * The public directory in headless Chromium, in French (issue 14 §1): a project holder looks for a financing badge
 * on her phone, filters by competence with the form, finds which organisation awards it and opens the badge's
 * page; the same page at 1280 px; axe finds nothing serious or critical and nothing scrolls sideways at 360 px.
 * The widget an organisation embeds is shown inside another page's frame.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
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
let slug: string;
let embedding: Server;
const open: WatchedPage[] = [];

beforeAll(async () => {
  service = await startInProcess();
  const admin = apiClient(service.url, service.token);
  const operator = await setUpIssuer(admin, service.url, 'Ruche d’entreprises de Roubaix');
  const patched = await admin.patch<{ slug: string }>(`/api/v1/issuers/${operator.issuerId}`, {
    territory: 'Roubaix',
    description: 'Hébergement et accompagnement des jeunes entreprises roubaisiennes.',
  });
  slug = patched.body.slug;
  for (const catalogueKey of ['pitch', 'previsionnel-financier']) {
    await operator.operator.post('/api/v1/achievements', { issuerId: operator.issuerId, catalogueKey });
  }
  // Another website that embeds the widget in a frame, on a different origin.
  embedding = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="fr"><title>Site de la ruche</title><h1>Nos badges</h1>
      <iframe title="Badges" src="${service.url}/annuaire/widget/${slug}" width="340" height="600"></iframe>`);
  });
  await new Promise<void>((resolve) => embedding.listen(0, '127.0.0.1', resolve));
  browser = await launchBrowser();
}, 60_000);

afterEach(() => closeWatched(open));
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => embedding?.close(resolve));
  await service?.stop();
});

async function visit(options: typeof DESKTOP, url: string): Promise<Page> {
  const watched = await watchedPage(browser, options);
  open.push(watched);
  await watched.page.goto(url);
  return watched.page;
}

async function expectReadable(page: Page, name: string, width: number): Promise<void> {
  await screenshot(page, name);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('on a %s, in French', (name, options) => {
  const width = options.viewport!.width;

  test('she filters by competence and finds who awards the financing badge', async () => {
    const page = await visit(options, `${service.url}/annuaire`);
    await expect(page.locator('h1').textContent()).resolves.toBe("Annuaire des badges de l'entrepreneuriat");
    await page.getByLabel('Compétence', { exact: true }).selectOption('2.4');
    await page.getByLabel('Organisme', { exact: true }).selectOption(slug);
    await page.getByRole('button', { name: 'Chercher' }).click();
    await page.waitForURL(/competence=2.4/);
    const entry = page.locator('[data-organisation]');
    await expect(entry.count()).resolves.toBe(1);
    await expect(entry.locator('h2').textContent()).resolves.toBe('Ruche d’entreprises de Roubaix');
    await expect(entry.textContent()).resolves.toContain('Territoire : Roubaix');
    await expect(entry.locator('[data-badge]').allTextContents()).resolves.toEqual([
      expect.stringContaining('Prévisionnel financier'),
    ]);
    await expectReadable(page, `directory-filtered-${name}`, width);
    await entry.getByRole('link', { name: 'Prévisionnel financier' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Prévisionnel financier');
  });

  test('words find an organisation by its territory, without accents', async () => {
    const page = await visit(options, `${service.url}/annuaire`);
    await page.getByLabel('Mots-clés').fill('roubaisiennes hebergement');
    await page.getByRole('button', { name: 'Chercher' }).click();
    await expect(page.locator('[data-organisation] h2').allTextContents()).resolves.toEqual([
      'Ruche d’entreprises de Roubaix',
    ]);
    await expect(page.locator('[data-summary]').textContent()).resolves.toContain('1 organisme(s)');
    await expectReadable(page, `directory-search-${name}`, width);
  });
});

test('the widget shows the organisation’s badges inside another website’s frame', async () => {
  const { port } = embedding.address() as AddressInfo;
  const page = await visit(PHONE, `http://127.0.0.1:${port}/`);
  const frame = page.frameLocator('iframe');
  await expect(frame.locator('[data-badge]').count()).resolves.toBe(3);
  await expect(frame.locator('.widget-title').textContent()).resolves.toBe('Ruche d’entreprises de Roubaix');
  await screenshot(page, 'directory-widget-phone');
});
