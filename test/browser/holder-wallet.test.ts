/**
 * "Ajouter à mon portefeuille" on a 360 px phone, in French: the holder's badge leads to a page with the QR code
 * of the offer, a button for a wallet on the same phone, and the six-digit code shown apart. Screenshot in
 * test-output/screenshots/holder-wallet-phone.png; no serious accessibility violation.
 */
import type { Browser } from 'playwright-core';
import { apiClient, setUpIssuer } from '../support/api.js';
import { CookieJar, signInHolder } from '../support/holder.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { closeWatched, launchBrowser, PHONE, screenshot, seriousAccessibilityViolations, watchedPage } from './support.js';

const LEA = 'lea.martin@exemple.fr';

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_SIGNIN_RATE_LIMIT: '1000' } });
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  await issuer.operator.post('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: LEA } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await smtp?.close();
});

test('on her phone, her badge leads to the QR code, the wallet button and the code shown apart', async () => {
  const jar = new CookieJar();
  await signInHolder(jar, service.url, smtp, LEA);
  const phone = await watchedPage(browser, PHONE);
  await phone.context.addCookies([{ name: 'blason_holder', value: jar.get('blason_holder')!, url: service.url }]);
  await phone.page.goto(`${service.url}/holder`);
  await phone.page.getByRole('button', { name: /Ajouter à mon portefeuille/ }).click();
  await phone.page.waitForURL(/\/wallet$/);
  expect(await phone.page.getByRole('heading', { level: 1 }).textContent()).toBe('Ajouter le badge à mon portefeuille');
  expect(await phone.page.locator('.wallet-qr svg').isVisible()).toBe(true);
  const code = (await phone.page.locator('[data-tx-code]').textContent())!;
  expect(code).toMatch(/^\d{6}$/);
  const link = (await phone.page.getByRole('link', { name: 'Ouvrir dans mon portefeuille' }).getAttribute('href'))!;
  expect(link).toMatch(/^openid-credential-offer:\/\//);
  expect(decodeURIComponent(link)).not.toContain(code);
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
  await screenshot(phone.page, 'holder-wallet-phone');
  expect(await seriousAccessibilityViolations(phone.page)).toEqual([]);
  await closeWatched([phone]);
}, 60_000);
