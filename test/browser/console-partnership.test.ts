/**
 * The partnership in the console (issue 13 §3), in headless Chromium on a 360 px phone, in French: an operator
 * creates a session with a co-organiser through the form, sees it named on the session, then finds it in the
 * "Partenariat" section of its indicators (peer recognitions said not to apply to an organisation); the platform
 * administrator sees the whole metropolis, with the people who received a recognition hidden below 3. Axe finds
 * no serious or critical violation on these pages, and nothing scrolls sideways.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { setPasswordDirectly } from '../../src/app/accounts.js';
import { apiClient } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { fr, PASSWORD, signIn, statValue } from './console-support.js';
import {
  closeWatched, launchBrowser, PHONE, screenshot, SCREENSHOTS, seriousAccessibilityViolations, watchedPage, type WatchedPage,
} from './support.js';

const OPERATOR = 'Couveuse Lilloise';
const PARTNER = 'Maison de l’Emploi Roubaix';
const OPERATOR_EMAIL = 'responsable@couveuse.example';
const ADMIN_PASSWORD = 'mot-de-passe-administrateur';

let service: InProcessService;
let browser: Browser;
const open: WatchedPage[] = [];

async function phone(email: string, password: string): Promise<Page> {
  const watched = await watchedPage(browser, PHONE);
  watched.context.setDefaultTimeout(10_000);
  open.push(watched);
  await signIn(watched.page, service.url, email, password);
  return watched.page;
}

async function fitsThePhone(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

beforeAll(async () => {
  service = await startInProcess({ extra: { BLASON_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const admin = apiClient(service.url, service.token);
  const operator = await admin.post<{ id: string }>('/api/v1/issuers', { name: OPERATOR });
  await admin.post('/api/v1/issuers', { name: PARTNER });
  const user = await admin.post<{ user: { id: string }; token: string }>(`/api/v1/issuers/${operator.body.id}/users`, {
    email: OPERATOR_EMAIL, role: 'operator_admin',
  });
  await setPasswordDirectly(service.running.app, user.body.user.id, PASSWORD);
  const badge = await apiClient(service.url, user.body.token).post('/api/v1/achievements', {
    issuerId: operator.body.id, catalogueKey: 'de-l-idee-a-l-opportunite',
  });
  if (badge.status !== 201) throw new Error(`badge: ${badge.status} ${JSON.stringify(badge.body)}`);
  browser = await launchBrowser();
}, 60_000);

afterEach(() => closeWatched(open));
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

test('an operator names a co-organiser on a new session and finds it in the partnership indicators', async () => {
  const p = await phone(OPERATOR_EMAIL, PASSWORD);
  await p.goto(`${service.url}/console/sessions/new`);
  expect(await seriousAccessibilityViolations(p)).toEqual([]);
  await fitsThePhone(p);
  await p.fill('#title', 'Atelier à deux voix');
  await p.selectOption('#coOrganiserId', { label: PARTNER });
  await p.locator('input[name="achievementIds"]').first().check();
  await screenshot(p, 'console-session-co-organiser');
  await Promise.all([p.waitForURL(/\/console\/sessions\/[0-9a-f-]{36}$/), p.click('main form button[type="submit"]')]);
  expect(await p.locator('[data-co-organiser]').innerText()).toBe(fr('sessions.coOrganisedWith', { name: PARTNER }));

  await p.goto(`${service.url}/console/indicators`);
  const section = p.locator('[data-partnership]');
  expect(await section.locator('h2').innerText()).toBe(fr('console.indicators.partnership'));
  expect(await statValue(p, fr('console.indicators.partnersInvolved'))).toBe('1');
  expect(await statValue(p, fr('console.indicators.jointSessions'))).toBe('1');
  expect(await statValue(p, fr('console.indicators.partnershipActions'))).toBe('1');
  expect(await section.locator('[data-recognitions-na]').innerText()).toBe(fr('console.indicators.recognitionsNotApplicable'));
  expect(await section.locator('.stat-label', { hasText: fr('console.indicators.recognitionsSent') }).count()).toBe(0);
  const totals = await section.locator('table[data-partnership-months] tfoot td').allInnerTexts();
  expect(totals).toEqual(['0', '0', '1', '1']);
  expect(await seriousAccessibilityViolations(p)).toEqual([]);
  await fitsThePhone(p);
  await screenshot(p, 'console-indicators-partnership');
  // The section alone too: the whole page is too tall to read at phone size.
  await section.screenshot({ path: path.join(SCREENSHOTS, 'console-indicators-partnership-section.png') });
}, 60_000);

test('the platform administrator sees the metropolis, with fewer than 3 recognised people hidden', async () => {
  const p = await phone('admin@blason.local', ADMIN_PASSWORD);
  await p.goto(`${service.url}/console/indicators`);
  expect(await statValue(p, fr('console.indicators.recognitionsSent'))).toBe('0');
  expect(await statValue(p, fr('console.indicators.recognitionsReceived'))).toBe('< 3');
  expect(await p.locator('[data-recognitions-na]').count()).toBe(0);
  expect(await p.locator('table[data-partnership-months] thead th').count()).toBe(6);
  expect(await seriousAccessibilityViolations(p)).toEqual([]);
  await fitsThePhone(p);
  await screenshot(p, 'console-indicators-partnership-metropolis');
  await p.locator('[data-partnership]').screenshot({
    path: path.join(SCREENSHOTS, 'console-indicators-partnership-metropolis-section.png'),
  });
}, 60_000);
