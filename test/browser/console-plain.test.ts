/**
 * The console in plain words (issue 12), as an operator uses it in French, on a computer (1280 px) and on a phone
 * (360 px): the first-run checklist, a badge made with the organisation's own artwork (and a file refused in
 * plain words), finding people among the badges issued, and the audit log read as sentences.
 *
 * The tests of this file follow one another (the badge made in one is searched for in the next): run the file
 * as a whole.
 */
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { setPasswordDirectly } from '../../src/app/accounts.js';
import { actorOf } from '../../src/app/auth.js';
import { revokeCredential } from '../../src/app/credentials.js';
import { apiClient, type Api } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { fr, PASSWORD, signIn, tableRows } from './console-support.js';
import { closeWatched, DESKTOP, launchBrowser, PHONE, screenshot, seriousAccessibilityViolations, watchedPage, type WatchedPage } from './support.js';

const OPERATOR = 'marie.dupont@boutique-gestion.fr';
const BADGE = 'Pitcher son projet';
const REASON = 'inscrite par erreur';

let service: InProcessService;
let browser: Browser;
let operatorApi: Api;
let issuerId = '';
const state = { badgeId: '', leaCredential: '' };
/** The operator signed in once on a computer and once on a phone, for the whole file. */
const signedIn = new Map<typeof DESKTOP, WatchedPage>();

async function open(options: typeof DESKTOP): Promise<WatchedPage> {
  const known = signedIn.get(options);
  if (known) return known;
  const w = await watchedPage(browser, options);
  w.context.setDefaultTimeout(15_000);
  await signIn(w.page, service.url, OPERATOR, PASSWORD);
  signedIn.set(options, w);
  return w;
}

async function expectAccessible(w: WatchedPage): Promise<void> {
  expect(await seriousAccessibilityViolations(w.page)).toEqual([]);
}

function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  for (let i = 0; i < image.data.length; i += 4) image.data.set([0xe6, 0x00, 0x7e, 0xff], i);
  return PNG.sync.write(image);
}

beforeAll(async () => {
  service = await startInProcess();
  browser = await launchBrowser();
  const admin = apiClient(service.url, service.token);
  const issuer = await admin.post<{ id: string }>('/api/v1/issuers', { name: 'Boutique de Gestion', url: 'https://bge.example' });
  issuerId = issuer.body.id;
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${issuerId}/users`, {
    email: OPERATOR, name: 'Marie Dupont', role: 'operator_admin',
  });
  operatorApi = apiClient(service.url, user.body.token);
  const row = await service.running.app.db.selectFrom('users').select('id').where('email', '=', OPERATOR).executeTakeFirstOrThrow();
  await setPasswordDirectly(service.running.app, row.id, PASSWORD);
}, 60_000);
afterAll(async () => {
  await closeWatched([...signedIn.values()]);
  await browser?.close();
  await service?.stop();
});

test('the dashboard shows a new organisation its first steps, each linking to where it is done', async () => {
  for (const [options, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    const w = await open(options);
    await w.page.goto(`${service.url}/console`);
    const steps = w.page.locator('[data-checklist] li');
    expect(await steps.evaluateAll((items) => items.map((i) => [i.getAttribute('data-step'), i.getAttribute('data-done')]))).toEqual([
      ['organisation', 'false'], ['badge', 'false'], ['session', 'false'],
    ]);
    const links = await steps.locator('a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links).toEqual([
      [fr('dashboard.checklist.organisation'), '/console/issuer'],
      [fr('dashboard.checklist.badge'), '/console/badges/new'],
      [fr('dashboard.checklist.session'), '/console/sessions/new'],
    ]);
    await screenshot(w.page, `console-plain-checklist-${name}`);
    await expectAccessible(w);
  }
}, 90_000);

test('the organisation page keeps the identifier and the keys folded under "Paramètres avancés"', async () => {
  const w = await open(DESKTOP);
  await w.page.goto(`${service.url}/console/issuer`);
  const advanced = w.page.locator('details[data-advanced]');
  expect(await advanced.locator('summary').textContent()).toBe(fr('issuer.advanced'));
  expect(await advanced.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
  expect(await w.page.locator('#identity-title').isVisible()).toBe(false);
  await advanced.locator('summary').click();
  expect(await w.page.locator('#identity-title + dl code').isVisible()).toBe(true);
  await expectAccessible(w);
}, 60_000);

test('an image file that is not really a PNG is refused in plain French, naming the field', async () => {
  const w = await open(DESKTOP);
  const p = w.page;
  await p.goto(`${service.url}/console/badges/new`);
  await p.fill('#name_fr', BADGE);
  await p.fill('#description_fr', 'Présenter son projet de façon claire devant un jury.');
  await p.fill('#criteria_fr', 'A présenté son projet en trois minutes.');
  await p.check('#image-artwork');
  const fake = png(128, 128);
  fake[1] = 0x51;
  await p.setInputFiles('#artwork', { name: 'logo.png', mimeType: 'image/png', buffer: fake });
  await p.click('form[data-badge-form] button[type="submit"]:not([formaction])');
  const problem = p.locator('.problem');
  expect(await problem.locator('p').textContent()).toBe(fr('console.errors'));
  expect(await problem.locator('li').allTextContents()).toEqual([
    fr('console.fieldError', { label: fr('field.artwork'), message: fr('fieldRule.image.pngSignature') }),
  ]);
  // What was typed is still there.
  expect(await p.inputValue('#name_fr')).toBe(BADGE);
  await screenshot(p, 'console-plain-artwork-refused');
  await expectAccessible(w);
}, 60_000);

test('the operator creates a badge with the organisation’s own artwork, of a kind said in French', async () => {
  const w = await open(DESKTOP);
  const p = w.page;
  await p.goto(`${service.url}/console/badges/new`);
  expect(await p.locator('#achievementType option').first().textContent()).toBe(fr('badgeKind.Course'));
  await p.fill('#name_fr', BADGE);
  await p.fill('#description_fr', 'Présenter son projet de façon claire devant un jury.');
  await p.fill('#criteria_fr', 'A présenté son projet en trois minutes.');
  await p.selectOption('#achievementType', { label: fr('badgeKind.CoCurricular') });
  await p.selectOption('#competence_0', { label: 'Mobiliser les autres' });
  await p.setInputFiles('#artwork', { name: 'pitch.png', mimeType: 'image/png', buffer: png(256, 256) });
  // Choosing a file picks "your own image" and shows it in the preview before anything is saved.
  expect(await p.isChecked('#image-artwork')).toBe(true);
  await p.waitForFunction(() => document.querySelector('[data-preview-image]')?.getAttribute('src')?.startsWith('data:image/png'));
  await screenshot(p, 'console-plain-badge-artwork-form');
  await p.click('form[data-badge-form] button[type="submit"]:not([formaction])');
  expect(await p.locator('p.notice').textContent()).toBe(fr('badges.created'));
  state.badgeId = new URL(p.url()).pathname.split('/').at(-1)!;
  expect(await p.isChecked('#image-artwork')).toBe(true);
  expect(await p.inputValue('#achievementType')).toBe('CoCurricular');

  // The badge's public image is the artwork, at its own size.
  const image = await fetch(`${service.url}/achievements/${state.badgeId}/image.png`);
  expect(image.headers.get('content-type')).toBe('image/png');
  expect(PNG.sync.read(Buffer.from(await image.arrayBuffer())).width).toBe(256);
  await p.goto(`${service.url}/console/badges`);
  const tile = p.locator('.badge-tile').filter({ hasText: BADGE });
  expect(await tile.innerText()).toContain(fr('badgeKind.CoCurricular'));
  expect(await tile.innerText()).toContain(`Mobiliser les autres · ${fr('badges.levelShort', { level: 1 })}`);
  await screenshot(p, 'console-plain-badges');
  await expectAccessible(w);
}, 60_000);

test('the operator finds people by part of their name or address, and by status, on a computer and a phone', async () => {
  for (const [email, name] of [['lea.martin@exemple.fr', 'Léa Martin'], ['bruno.leroy@autre.example', 'Bruno Leroy'], ['zoe@exemple.fr', 'Zoé Arnaud']]) {
    const res = await operatorApi.post<{ id: string }>('/api/v1/credentials', { achievementId: state.badgeId, recipient: { email, name, showName: true } });
    expect(res.status).toBe(201);
    if (name === 'Léa Martin') state.leaCredential = res.body.id;
  }
  const user = await service.running.app.db.selectFrom('users').selectAll().where('email', '=', OPERATOR).executeTakeFirstOrThrow();
  await revokeCredential(service.running.app, actorOf(user), state.leaCredential, REASON);

  for (const [options, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    const w = await open(options);
    const p = w.page;
    await p.goto(`${service.url}/console/credentials`);
    await p.fill('#q', '@exemple.fr');
    await p.click('form[action="/console/credentials"] button[type="submit"]');
    expect(await p.locator('[data-summary]').textContent()).toBe(fr('credentials.found', { count: 2 }));
    const rows = await tableRows(p, 'table[data-credentials]');
    expect(rows.map((r) => r[0]).sort()).toEqual(['Léa Martin lea.martin@exemple.fr', 'Zoé Arnaud zoe@exemple.fr']);
    await p.selectOption('#state', 'revoked');
    await p.click('form[action="/console/credentials"] button[type="submit"]');
    expect((await tableRows(p, 'table[data-credentials]')).map((r) => r[0])).toEqual(['Léa Martin lea.martin@exemple.fr']);
    // On a phone each row is a card, each cell with its column's name: nothing is cut off at 360 px.
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(options.viewport!.width);
    if (options === PHONE) {
      expect(await p.locator('table[data-credentials] tbody tr').first().evaluate((tr) => getComputedStyle(tr).display)).toBe('block');
    }
    await screenshot(p, `console-plain-credentials-${name}`);
    await expectAccessible(w);
  }
}, 90_000);

test('the audit log reads as sentences with names and links, and filters by person, badge and action', async () => {
  for (const [options, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
    const w = await open(options);
    const p = w.page;
    await p.goto(`${service.url}/console/audit`);
    const revoked = p.locator('[data-journal] li[data-action="credential.revoked"]');
    expect(await revoked.locator('.journal-what').textContent()).toBe(
      `Marie Dupont a révoqué le badge « ${BADGE} » de Léa Martin — motif : ${REASON}`,
    );
    expect(await revoked.locator('a', { hasText: 'Léa Martin' }).getAttribute('href')).toBe(`/console/credentials/${state.leaCredential}`);
    expect(await revoked.locator('.journal-when').textContent()).toMatch(/^\d{1,2}(er)? \p{L}+ \d{4} à \d{1,2} h \d{2}$/u);

    await p.selectOption('#who', { label: 'Marie Dupont' });
    await p.selectOption('#badge', { label: BADGE });
    await p.selectOption('#action', { label: fr('audit.actionName.credential.awarded') });
    await p.click('form[action="/console/audit"] button[type="submit"]');
    const awarded = await p.locator('[data-journal] li').evaluateAll((items) => items.map((i) => i.getAttribute('data-action')));
    expect(awarded).toEqual(['credential.awarded', 'credential.awarded', 'credential.awarded']);
    expect(await p.locator('[data-journal] li .journal-what').first().textContent()).toMatch(new RegExp(`^Marie Dupont a délivré le badge « ${BADGE} » à `));
    await screenshot(p, `console-plain-audit-${name}`);
    await expectAccessible(w);
  }
}, 90_000);

test('the checklist ticks the badge now made, and still links to what is left', async () => {
  const w = await open(DESKTOP);
  await w.page.goto(`${service.url}/console`);
  const done = await w.page.locator('[data-checklist] li').evaluateAll((items) => items.map((i) => i.getAttribute('data-done')));
  expect(done).toEqual(['false', 'true', 'false']);
  expect(await w.page.locator('[data-checklist] li[data-step="badge"] a').count()).toBe(0);
  await screenshot(w.page, 'console-plain-checklist-progress');
}, 60_000);
