/**
 * The employer's journey on /verify, in French, on a desktop (1280 px) and a phone (360 px): one box that takes
 * a badge link, pasted JSON or a dropped file; a revoked badge's reason said first; an e-mail address checked
 * against the badge's hashed recipient, right and wrong, without giving the badge again. Each step is
 * screenshotted (test-output/screenshots/verify-employer-*) and checked with axe. The service runs without
 * leave to fetch from its own address, as in production.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { allStrings } from '../../src/views/i18n.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';
import {
  closeWatched, DESKTOP, launchBrowser, PHONE, screenshot, seriousAccessibilityViolations, watchedPage,
  type WatchedPage,
} from './support.js';

const fr = allStrings('fr');
const HOLDER = 'ana.martin@example.fr';
/** Each step runs axe and takes a full-page screenshot: slow on a machine shared with other test runs. */
const JOURNEY_TIMEOUT = 60_000;

let browser: Browser;
let service: InProcessService;
let valid: { id: string; url: string };
let revoked: { id: string; url: string };
const opened: WatchedPage[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  const port = await freePort();
  service = await startInProcess({ port, extra: { BLASON_FETCH_ALLOW_HOSTS: '', BLASON_FETCH_INSECURE_HTTP_HOSTS: '' } });
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url, 'BGE Hauts-de-France');
  const award = async (email: string) => (await issuer.operator.post<{ id: string; url: string }>(
    '/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email, name: 'Ana Martin' } },
  )).body;
  valid = await award(HOLDER);
  revoked = await award('karim.benali@example.fr');
  await issuer.operator.post(`/api/v1/credentials/${revoked.id}/revoke`, { reason: 'Attribué par erreur' });
}, 60_000);

afterEach(() => closeWatched(opened));

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function open(options: BrowserContextOptions): Promise<Page> {
  const watched = await watchedPage(browser, options);
  opened.push(watched);
  await watched.page.goto(`${service.url}/verify`);
  return watched.page;
}

async function submit(page: Page): Promise<number> {
  const [response] = await Promise.all([page.waitForNavigation(), page.click('.verify-form button[type="submit"]')]);
  return response?.status() ?? 0;
}

async function download(path: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(`${service.url}${path}`)).arrayBuffer());
}

const verdict = (page: Page) => page.locator('.verdict').getAttribute('data-verdict');

/** The step looks right for a reviewer, reads without scrolling sideways, and axe finds nothing serious. */
async function looksRight(page: Page, name: string, width: number): Promise<void> {
  await screenshot(page, name);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
}

describe.each([
  ['desktop', DESKTOP, 1280],
  ['phone', PHONE, 360],
] as const)('an employer on a %s', (size, device, width) => {
  test('the page opens on one box, first, for a link, a pasted badge or a file', async () => {
    const page = await open(device);
    const firstField = await page.locator('.verify-form .field').first();
    expect(await firstField.locator('label').first().innerText()).toBe(fr['verify.box']);
    expect(await firstField.locator('textarea#credential-text, input#credential-file').count()).toBe(2);
    expect(await page.locator('#credential-url').count()).toBe(0);
    await looksRight(page, `verify-employer-empty-${size}`, width);
  }, JOURNEY_TIMEOUT);

  test('pastes a badge link: valid, the badge kept to ask about its holder', async () => {
    const page = await open(device);
    await page.fill('#credential-text', valid.url);
    expect(await submit(page)).toBe(200);
    expect(await verdict(page)).toBe('valid');
    expect(await page.locator('[data-kept]').innerText()).toContain(valid.url);
    expect(await page.locator('a[href="#recipient-email"]').innerText()).toBe(fr['verify.recipient.ask']);
    await looksRight(page, `verify-employer-link-${size}`, width);
  }, JOURNEY_TIMEOUT);

  test('pastes the badge as JSON: valid', async () => {
    const page = await open(device);
    await page.fill('#credential-text', (await download(`/credentials/${valid.id}/credential.json`)).toString('utf8'));
    await submit(page);
    expect(await verdict(page)).toBe('valid');
    await looksRight(page, `verify-employer-json-${size}`, width);
  }, JOURNEY_TIMEOUT);

  test('drops the badge image on the box: valid', async () => {
    const page = await open(device);
    const png = (await download(`/credentials/${valid.id}/badge.png`)).toString('base64');
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.evaluate((base64) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'badge.png', { type: 'image/png' }));
        const box = document.querySelector('.one-box')!;
        for (const type of ['dragenter', 'dragover', 'drop']) {
          box.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }
      }, png),
    ]);
    expect(response?.request().method()).toBe('POST');
    expect(await verdict(page)).toBe('valid');
    await looksRight(page, `verify-employer-drop-${size}`, width);
  }, JOURNEY_TIMEOUT);

  test('a revoked badge: the reason is the first sentence under the verdict, the details stay folded', async () => {
    const page = await open(device);
    await page.fill('#credential-text', revoked.url);
    await submit(page);
    expect(await verdict(page)).toBe('revoked');
    const first = page.locator('.verdict h2 + p');
    expect(await first.innerText()).toBe(fr['checks.status.revoked']);
    expect(await first.isVisible()).toBe(true);
    expect(await page.locator('details.checks').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await looksRight(page, `verify-employer-revoked-${size}`, width);
  }, JOURNEY_TIMEOUT);

  test('checks an address: right, then wrong, without giving the badge again', async () => {
    const page = await open(device);
    await page.fill('#credential-text', valid.url);
    await submit(page);
    await page.fill('#recipient-email', `  ${HOLDER.toUpperCase()} `);
    await submit(page);
    expect(await verdict(page)).toBe('valid');
    expect(await page.locator('[data-recipient]').getAttribute('data-recipient')).toBe('issued-to');
    expect(await page.locator('[data-recipient] p').innerText()).toBe(fr['verify.recipient.issued-to']);
    await looksRight(page, `verify-employer-email-right-${size}`, width);
    await page.fill('#recipient-email', 'ana.martin@example.com');
    await submit(page);
    expect(await page.locator('[data-recipient]').getAttribute('data-recipient')).toBe('not-issued-to');
    expect(await page.locator('[data-recipient] p').innerText()).toBe(fr['verify.recipient.not-issued-to']);
    // Nothing else is said about the holder: no name, no address, no hash.
    const result = await page.locator('.result').innerText();
    expect(result).not.toContain(HOLDER);
    expect(result).not.toContain('sha256$');
    await looksRight(page, `verify-employer-email-wrong-${size}`, width);
  }, JOURNEY_TIMEOUT);
});

test('the technical details of a failed check are in French', async () => {
  const page = await open(DESKTOP);
  const json = JSON.parse((await download(`/credentials/${valid.id}/credential.json`)).toString('utf8'));
  await page.fill('#credential-text', JSON.stringify({ ...json, name: 'Y' }));
  await submit(page);
  expect(await page.locator('.verdict h2 + p').innerText()).toBe(fr['checks.proof.signatureMismatch']);
  // A badge that is not authentic says nothing reliable about its holder: the page does not offer to ask.
  expect(await page.locator('a[href="#recipient-email"]').count()).toBe(0);
  await page.locator('details.checks > summary').click();
  const technical = page.locator('.check-failed details.technical').first();
  await technical.locator('summary').click();
  const details = await technical.innerText();
  expect(details).toContain(`${fr['checks.technical.check']}\n`);
  expect(details).toContain(fr['checks.id.proof']);
  expect(details).not.toMatch(/does not match|was altered|the credential/i);
  expect(await page.locator('.checks [lang="en"]').count()).toBe(0);
  await screenshot(page, 'verify-employer-technical-desktop');
});

test('without JavaScript: a link, then an address, answered', async () => {
  const page = await open({ ...DESKTOP, javaScriptEnabled: false });
  await page.fill('#credential-text', valid.url);
  await submit(page);
  await page.fill('#recipient-email', HOLDER);
  await submit(page);
  expect(await verdict(page)).toBe('valid');
  expect(await page.locator('[data-recipient]').getAttribute('data-recipient')).toBe('issued-to');
});
