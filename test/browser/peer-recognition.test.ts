/**
 * Peer recognition in headless Chromium, in French, on a 360 px phone (issue 13 §2): Léa, who holds a badge, opens
 * her space, recognises Nadia (an EntreComp competence and a sentence about what she saw); Nadia receives the
 * e-mail, opens the recognition's page ("Reconnaissance entre pairs"), signs in to her own space and finds it
 * there; anyone verifying it through the API finds it valid. Each page is screenshotted and checked with axe; the
 * form is also shown at 1280 px. The tests follow one another (Léa sends before Nadia receives): run the whole file.
 */
import type { Browser, Page } from 'playwright-core';
import { requestHolderCode } from '../../src/app/holders.js';
import { sendRecognition } from '../../src/app/peer-recognition.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { signIn as consoleSignIn } from './console-support.js';
import { closeWatched, DESKTOP, launchBrowser, PHONE, screenshot, seriousAccessibilityViolations, watchedPage, type WatchedPage } from './support.js';

const LEA = 'lea.martin@exemple.fr';
const NADIA = 'nadia.benali@exemple.fr';
const ADMIN_PASSWORD = 'mot-de-passe-administrateur';

let service: InProcessService;
let browser: Browser;
const open: WatchedPage[] = [];

beforeAll(async () => {
  service = await startInProcess({ extra: { BLASON_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  const awarded = await issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: LEA } });
  if (awarded.status !== 201) throw new Error(JSON.stringify(awarded.body));
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await closeWatched(open);
  await browser?.close();
  await service?.stop();
});

/** The newest message of the outbox to this address (the service runs without SMTP here). */
async function lastMessage(email: string): Promise<{ subject: string; text_body: string }> {
  return service.running.app.db.selectFrom('outbox').select(['subject', 'text_body']).where('to_email', '=', email)
    .orderBy('created_at', 'desc').executeTakeFirstOrThrow();
}

/** Signs in with the one-time link of the sign-in e-mail, as she would from her phone's mail app. */
async function signIn(page: Page, email: string): Promise<void> {
  await requestHolderCode(service.running.app, email, 'fr');
  const link = /\/holder\/verify\?link=[\w-]+/.exec((await lastMessage(email)).text_body)![0];
  await page.goto(`${service.url}${link}`);
  await page.waitForURL(`${service.url}/holder`);
}

async function phone(): Promise<Page> {
  const watched = await watchedPage(browser, PHONE);
  watched.context.setDefaultTimeout(10_000);
  open.push(watched);
  return watched.page;
}

test('Léa recognises Nadia from her space on her phone', async () => {
  const page = await phone();
  await signIn(page, LEA);
  await page.getByRole('link', { name: 'Reconnaître une personne' }).click();
  await page.waitForURL(`${service.url}/holder/recognise`);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  await page.getByLabel("Votre nom, tel qu'il sera affiché").fill('Léa M.');
  await page.getByLabel('Compétence (référentiel EntreComp)').selectOption('2.4');
  await page.getByLabel('Ce que vous avez vu (une phrase)').fill('Elle a convaincu trois partenaires de financer le jardin partagé.');
  await page.getByLabel('Adresse e-mail de la personne').fill(NADIA);
  await screenshot(page, 'peer-recognition-form-phone');
  await page.getByRole('button', { name: 'Envoyer la reconnaissance' }).click();
  await expect(page.locator('[data-sent]').textContent()).resolves.toContain(NADIA);
  await screenshot(page, 'peer-recognition-sent-phone');
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
});

test('the form also reads well on a computer', async () => {
  const watched = await watchedPage(browser, DESKTOP);
  open.push(watched);
  await signIn(watched.page, LEA);
  await watched.page.goto(`${service.url}/holder/recognise`);
  await screenshot(watched.page, 'peer-recognition-form-desktop');
  expect(await seriousAccessibilityViolations(watched.page)).toEqual([]);
});

test('Nadia receives the e-mail, opens the recognition, and finds it in her space', async () => {
  const mail = await lastMessage(NADIA);
  expect(mail.subject).toBe('Léa M. vous adresse une reconnaissance entre pairs');
  const url = /https?:\/\/\S+\/recognitions\/[0-9a-f-]{36}/.exec(mail.text_body)![0];
  const page = await phone();
  await page.goto(url);
  await expect(page.locator('[data-kind]').textContent()).resolves.toBe('Reconnaissance entre pairs');
  await expect(page.locator('[data-sender]').textContent()).resolves.toBe('Léa M.');
  await screenshot(page, 'peer-recognition-page-phone');
  expect(await seriousAccessibilityViolations(page)).toEqual([]);

  await signIn(page, NADIA);
  const received = page.locator('[data-recognition]');
  await expect(received.count()).resolves.toBe(1);
  await expect(received.textContent()).resolves.toContain('De Léa M.');
  await received.scrollIntoViewIfNeeded();
  await screenshot(page, 'peer-recognition-in-space-phone');
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
});

test('anyone checking it with POST /api/v1/verify finds it valid', async () => {
  const mails = await service.running.app.db.selectFrom('outbox').select('text_body').where('to_email', '=', NADIA)
    .where('subject', 'like', '%reconnaissance entre pairs%').execute();
  const url = /https?:\/\/\S+\/recognitions\/[0-9a-f-]{36}/.exec(mails[0]!.text_body)![0];
  const res = await fetch(`${service.url}/api/v1/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { verdict: string }).verdict).toBe('valid');
});

test('Nadia refuses it after a confirmation page, and it leaves her space', async () => {
  const page = await phone();
  await signIn(page, NADIA);
  await page.locator('[data-recognition]').getByRole('button', { name: /Refuser/ }).click();
  await expect(page.locator('h1').textContent()).resolves.toBe('Refuser cette reconnaissance ?');
  await screenshot(page, 'peer-recognition-refuse-phone');
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Oui, la refuser' }).click();
  await page.waitForURL(/\/holder\?done=1/);
  await expect(page.locator('[data-recognition]').count()).resolves.toBe(0);
});

test('when the platform administrator turns it off through the API, the form says it is paused', async () => {
  const turn = (enabled: boolean) => fetch(`${service.url}/api/v1/settings/peer-recognition`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${service.token}` },
    body: JSON.stringify({ enabled }),
  });
  expect((await turn(false)).status).toBe(200);
  const page = await phone();
  await signIn(page, LEA);
  await page.goto(`${service.url}/holder/recognise`);
  await expect(page.locator('main').textContent()).resolves.toContain('La reconnaissance entre pairs est suspendue');
  await expect(page.locator('form[action="/holder/recognise"]').count()).resolves.toBe(0);
  expect((await turn(true)).status).toBe(200);
});

test('the platform administrator withdraws an abusive recognition from the console, after a confirmation', async () => {
  const app = service.running.app;
  const lea = await app.db.selectFrom('holders').selectAll().where('email', '=', LEA).executeTakeFirstOrThrow();
  await sendRecognition(app, lea, {
    displayName: 'Léa M.',
    email: 'karim.haddad@exemple.fr',
    ownCompetence: 'Moquerie',
    observation: 'Un message blessant qui n’a rien à faire ici.',
  });
  const page = await phone();
  await consoleSignIn(page, service.url, service.env.BLASON_ADMIN_EMAIL ?? 'admin@blason.local', ADMIN_PASSWORD);
  await page.getByRole('link', { name: 'Reconnaissances entre pairs' }).click();
  await page.waitForURL(`${service.url}/console/recognitions`);
  const line = page.locator('[data-recognition]').filter({ hasText: 'Moquerie' });
  await expect(line.textContent()).resolves.toContain('k•••@exemple.fr');
  await expect(page.locator('main').textContent()).resolves.not.toContain('karim.haddad');
  await line.getByLabel('Pourquoi la retirer ? (gardé dans le journal)').fill('Propos blessants');
  await line.getByRole('button', { name: 'Retirer cette reconnaissance' }).click();
  await expect(page.locator('h1').textContent()).resolves.toContain('Retirer la reconnaissance « Moquerie »');
  await screenshot(page, 'peer-recognition-moderation-confirm-phone');
  await page.getByRole('button', { name: 'Retirer cette reconnaissance' }).click();
  await page.waitForURL(/\/console\/recognitions\?done=moderation.revoked/);
  await expect(page.locator('[role="status"]').textContent()).resolves.toContain('Reconnaissance retirée.');
  await expect(line.locator('[data-state]').textContent()).resolves.toContain('Retirée : Propos blessants');
  await screenshot(page, 'peer-recognition-moderation-phone');
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
});

test('the administrator suspends peer recognition from the console and opens it again', async () => {
  const page = await phone();
  await consoleSignIn(page, service.url, service.env.BLASON_ADMIN_EMAIL ?? 'admin@blason.local', ADMIN_PASSWORD);
  await page.goto(`${service.url}/console/recognitions`);
  await page.getByRole('button', { name: 'Suspendre pour toute la plateforme' }).click();
  await page.waitForURL(/done=moderation.turnedOff/);
  await expect(page.locator('main').textContent()).resolves.toContain('personne ne peut en envoyer');
  await page.getByRole('button', { name: 'Rouvrir' }).click();
  await page.waitForURL(/done=moderation.turnedOn/);
  await expect(page.locator('main').textContent()).resolves.toContain('La reconnaissance entre pairs est ouverte.');
});
