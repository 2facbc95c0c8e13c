/**
 * Pathways in the browser, in French on a 360 px phone: an operator finds "Parcours" in the console menu, creates
 * a pathway from badges of two organisations, and runs the catch-up; a holder who has two of its three badges
 * reads "2 badges sur 3 du parcours « … »" in her space; the badge's public page says it is part of the pathway.
 * Nothing serious or critical for axe on the pages.
 *
 * THE TESTS OF THIS FILE DEPEND ON EACH OTHER: they run in order, from the state the previous ones left.
 */
import type { Browser } from 'playwright-core';
import { setPasswordDirectly } from '../../src/app/accounts.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { signInMessage } from '../support/holder.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { fr, PASSWORD, signIn } from './console-support.js';
import {
  closeWatched,
  launchBrowser,
  PHONE,
  screenshot,
  seriousAccessibilityViolations,
  watchedPage,
  type WatchedPage,
} from './support.js';

const PATHWAY = "De l'idée au projet";
const HOLDER = 'camille.martin@exemple.fr';

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;
let operator: WatchedPage;
let holder: WatchedPage;
let bge: Awaited<ReturnType<typeof setUpIssuer>>;
const badges: string[] = [];

async function badge(api: Api, issuerId: string, name: string): Promise<string> {
  const res = await api.post<{ id: string }>('/api/v1/achievements', {
    issuerId,
    name: { fr: name },
    description: { fr: `À propos de ${name}` },
    criteria: { fr: `Pour obtenir ${name}` },
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url } });
  const admin = apiClient(service.url, service.token);
  bge = await setUpIssuer(admin, service.url, 'BGE Littoral');
  const region = await setUpIssuer(admin, service.url, 'Région Hauts-de-France');
  badges.push(await badge(bge.operator, bge.issuerId, 'Trouver une idée'));
  badges.push(await badge(bge.operator, bge.issuerId, 'Étudier son marché'));
  badges.push(await badge(region.operator, region.issuerId, 'Présenter son projet'));
  // Two of the three, before the pathway exists.
  await bge.operator.post('/api/v1/credentials', { achievementId: badges[0], recipient: { email: HOLDER } });
  await region.operator.post('/api/v1/credentials', { achievementId: badges[2], recipient: { email: HOLDER } });
  const email = `admin-${bge.issuerId.slice(0, 8)}@example.org`;
  const app = service.running.app;
  const user = await app.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  await setPasswordDirectly(app, user.id, PASSWORD);
  browser = await launchBrowser();
  operator = await watchedPage(browser, PHONE);
  operator.context.setDefaultTimeout(10_000);
  await signIn(operator.page, service.url, email, PASSWORD);
}, 60_000);

afterAll(async () => {
  await closeWatched([operator, holder].filter(Boolean));
  await browser?.close();
  await service?.stop();
  await smtp?.close();
});

describe('an operator, in French on a phone', () => {
  test('finds "Parcours" in the menu and creates a pathway from badges of two organisations', async () => {
    const { page } = operator;
    await page.goto(`${service.url}/console`);
    await page.getByRole('link', { name: fr('console.nav.pathways'), exact: true }).first().click();
    await page.waitForURL(/\/console\/pathways$/);
    await expect(page.locator('h1').textContent()).resolves.toBe(fr('pathways.console.title'));
    await page.fill('#pathway-name-fr', PATHWAY);
    for (const id of badges) await page.check(`#pathway-badge-${id}`);
    await page.check('#pathway-rule-all');
    await page.click('[data-pathway-form] button[type="submit"]');
    await page.waitForURL(/done=pathways\.console\.created/);
    await expect(page.locator('[data-list="pathways"] li[data-pathway]').count()).resolves.toBe(1);
    await expect(page.locator('[data-list="pathways"]').textContent()).resolves.toContain('Présenter son projet');
    await screenshot(page, 'console-pathways-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  test('a pathway of one badge is refused with the reason, the form kept', async () => {
    const { page } = operator;
    await page.goto(`${service.url}/console/pathways`);
    await page.fill('#pathway-name-fr', 'Trop court');
    await page.check(`#pathway-badge-${badges[0]}`);
    await page.click('[data-pathway-form] button[type="submit"]');
    await expect(page.locator('.problem').count()).resolves.toBe(1);
    await expect(page.inputValue('#pathway-name-fr')).resolves.toBe('Trop court');
  });

  test('the catch-up run finds nobody to award yet (two badges of three)', async () => {
    const { page } = operator;
    await page.goto(`${service.url}/console/pathways`);
    await page.click('[data-list="pathways"] form[action$="/catch-up"] button[type="submit"]');
    await page.waitForURL(/done=pathways\.console\.caughtUpNone/);
    await expect(page.locator('.notice').textContent()).resolves.toBe(fr('pathways.console.caughtUpNone'));
  });
});

describe('a holder, in French on a phone', () => {
  test('reads "2 badges sur 3 du parcours « … »" in her space', async () => {
    holder = await watchedPage(browser, PHONE);
    holder.context.setDefaultTimeout(10_000);
    const { page } = holder;
    const before = smtp.messages.length;
    await page.goto(`${service.url}/holder/login`);
    await page.fill('#email', HOLDER);
    await page.click('main form button[type="submit"]');
    await page.waitForLoadState();
    const { code } = await signInMessage(smtp, HOLDER, before);
    await page.fill('#code', code);
    await page.click('main form button[type="submit"]');
    await page.waitForURL(/\/holder$/);
    const line = fr('pathways.holder.progress.other', { counted: 2, required: 3, name: PATHWAY });
    await expect(page.locator('[data-pathways] .pathway-line').textContent()).resolves.toBe(line);
    await expect(page.locator('[data-pathways]').textContent()).resolves.toContain('Étudier son marché');
    await page.locator('[data-pathways]').scrollIntoViewIfNeeded();
    await screenshot(page, 'holder-pathways-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  test('once the last badge is awarded, her space says the pathway is completed', async () => {
    await bge.operator.post('/api/v1/credentials', { achievementId: badges[1], recipient: { email: HOLDER } });
    const { page } = holder;
    await page.goto(`${service.url}/holder`);
    await expect(page.locator('[data-pathways] .pathway-line').textContent()).resolves.toBe(
      fr('pathways.holder.completed', { name: PATHWAY }),
    );
    await expect(page.locator('li[data-held]').count()).resolves.toBe(4);
  });

  test("the badge's public page says it is part of the pathway", async () => {
    const { page } = holder;
    await page.goto(`${service.url}/achievements/${badges[2]}`);
    await expect(page.locator('[data-pathways]').textContent()).resolves.toContain(
      fr('pathways.partOf', { name: PATHWAY }),
    );
    await screenshot(page, 'achievement-pathways-phone');
  });
});

describe('the operator, later', () => {
  test('archives the pathway after a confirmation, and it leaves the list', async () => {
    const { page } = operator;
    await page.goto(`${service.url}/console/pathways`);
    await page.click('[data-list="pathways"] form[action$="/archive"] button[type="submit"]');
    await expect(page.locator('h1').textContent()).resolves.toBe(fr('pathways.console.archiveQuestion'));
    await screenshot(page, 'console-pathway-archive-confirm-phone');
    await page.click('[data-confirm]');
    await page.waitForURL(/done=pathways\.console\.archived/);
    await expect(page.locator('[data-list="pathways"]').count()).resolves.toBe(0);
  });
});
