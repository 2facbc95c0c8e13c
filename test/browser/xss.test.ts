/**
 * security.md §9, the payload matrix: every payload as an issuer's name, a badge's name, description and
 * criteria, a holder's name and an evidence, issued through the API; then each surface that shows them is
 * opened in headless Chromium: the badge page (French and English), the holder's page, the verification page,
 * the baked SVG and the badge image opened directly. A foreign credential (not ours) carrying the payloads is
 * verified on /verify too. No dialog, no foreign script or inline handler, no javascript: link, the payload
 * shown as text, the page not hidden. And the headers: a CSP without 'unsafe-inline' scripts on pages, a
 * locked-down CSP and nosniff on SVG.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { apiClient, type Api } from '../support/api.js';
import { startForeignIssuer, type ForeignIssuer } from '../support/foreign-issuer.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';
import { DESKTOP, expectNothingUntoward, foreignScripts, launchBrowser, watchedPage, type WatchedPage } from './support.js';

const PAYLOADS = [
  '<script>alert(1)</script>',
  '</text><script>alert(1)</script><text>',
  '"><img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '[x](java\tscript:alert(1))',
  '<svg><foreignObject><iframe src="javascript:alert(1)">',
  '<style>body{display:none}</style>',
  '\' onmouseover=\'alert(1)',
  '{{constructor.constructor(\'alert(1)\')()}}',
] as const;

interface Issued {
  payload: string;
  achievementId: string;
  credentialId: string;
  url: string;
  holderUrl: string;
  foreignJson: string;
}

let browser: Browser;
let service: InProcessService;
let foreign: ForeignIssuer;
const issued: Issued[] = [];
let current: WatchedPage | undefined;

const FRENCH: BrowserContextOptions = { ...DESKTOP, locale: 'fr-FR' };

async function award(admin: Api, payload: string, index: number): Promise<Omit<Issued, 'foreignJson'>> {
  const issuer = await admin.post<{ id: string }>('/api/v1/issuers', { name: payload, slug: `xss-${index}`, url: 'https://www.example.org', email: 'contact@example.org' });
  if (issuer.status !== 201) throw new Error(`issuer: ${issuer.status} ${JSON.stringify(issuer.body)}`);
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${issuer.body.id}/users`, { email: `admin-xss-${index}@example.org`, role: 'operator_admin' });
  const operator = apiClient(service.url, user.body.token);
  const texts = { fr: payload, en: payload };
  const achievement = await operator.post<{ id: string }>('/api/v1/achievements', {
    issuerId: issuer.body.id,
    name: texts,
    description: { fr: `Description : ${payload}`, en: `Description: ${payload}` },
    criteria: { fr: `${payload}\n\nCritère : ${payload}`, en: `${payload}\n\nCriterion: ${payload}` },
  });
  if (achievement.status !== 201) throw new Error(`achievement: ${achievement.status} ${JSON.stringify(achievement.body)}`);
  const credential = await operator.post<{ id: string; url: string; holderUrl: string }>('/api/v1/credentials', {
    achievementId: achievement.body.id,
    recipient: { email: `porteur-${index}@example.fr`, name: payload, showName: true },
    evidence: [{ name: payload, narrative: payload }],
  });
  if (credential.status !== 201) throw new Error(`award: ${credential.status} ${JSON.stringify(credential.body)}`);
  return { payload, achievementId: achievement.body.id, credentialId: credential.body.id, url: credential.body.url, holderUrl: credential.body.holderUrl };
}

beforeAll(async () => {
  browser = await launchBrowser();
  foreign = await startForeignIssuer();
  const port = await freePort();
  const hosts = `127.0.0.1:${port},${foreign.hosts}`;
  service = await startInProcess({ port, extra: { BLASON_FETCH_ALLOW_HOSTS: hosts, BLASON_FETCH_INSECURE_HTTP_HOSTS: hosts } });
  const admin = apiClient(service.url, service.token);
  for (const [index, payload] of PAYLOADS.entries()) {
    const ours = await award(admin, payload, index);
    const theirs = await foreign.sign({
      name: payload,
      issuerName: payload,
      achievementName: payload,
      achievementDescription: payload,
      criteria: payload,
      recipient: { email: `porteur-${index}@example.fr`, name: payload },
      evidence: [{ type: ['Evidence'], name: payload, narrative: payload }],
      statusIndex: index,
    });
    issued.push({ ...ours, foreignJson: JSON.stringify(theirs) });
  }
}, 120_000);

afterEach(async () => {
  await current?.context.close();
  current = undefined;
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await foreign?.close();
});

async function open(url: string): Promise<WatchedPage> {
  current = await watchedPage(browser, FRENCH);
  await current.page.goto(url);
  return current;
}

/** Links, sources and actions that lead to javascript:, however spelled (browsers drop tabs and newlines). */
function scriptUrls(page: Page): Promise<string[]> {
  return page.evaluate(() => Array.from(document.querySelectorAll('*')).flatMap((element) => Array.from(element.attributes)
    .filter((a) => ['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(a.name.toLowerCase()))
    .filter((a) => /^javascript:/i.test(a.value.replace(/[\u0000-\u0020]/g, '')))
    .map((a) => `${element.tagName} ${a.name}=${a.value}`)));
}

/** What must hold on every surface, whatever the payload. */
async function assertSafe(watched: WatchedPage, kind: 'html' | 'svg'): Promise<void> {
  const { page } = watched;
  // The load event comes after every image has loaded or failed (an onerror would have run) and after
  // deferred scripts.
  await page.waitForLoadState('load');
  expectNothingUntoward(watched);
  expect(await foreignScripts(page)).toEqual([]);
  expect(await scriptUrls(page)).toEqual([]);
  if (kind === 'html') {
    expect(await page.evaluate(() => document.body.innerText.length > 0)).toBe(true);
    expect(await page.evaluate(() => document.body.getBoundingClientRect().height > 0)).toBe(true);
    // The only elements a payload could have smuggled in.
    expect(await page.locator('main iframe, main foreignObject, main style, main img[src="x"]').count()).toBe(0);
  } else {
    expect(await page.evaluate(() => document.documentElement.localName)).toBe('svg');
    expect(await page.evaluate(() => document.querySelectorAll('script, foreignObject, iframe').length)).toBe(0);
  }
}

/** The visible text of the first element matching, whitespace as the browser renders it. */
async function visibleText(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector).first();
  expect(await element.isVisible()).toBe(true);
  return (await element.textContent()) ?? '';
}

/** An SVG's accessible name: its <title>, where the badge's name goes (control characters become spaces). */
async function svgTitle(page: Page): Promise<string | undefined> {
  return (await page.evaluate(() => document.querySelector('svg > title')?.textContent))?.replace(/\s+/g, ' ');
}

const spaced = (text: string) => text.replace(/\s+/g, ' ');

const label = (payload: string) => JSON.stringify(payload);
const byPayload = PAYLOADS.map((payload, index) => [label(payload), index] as const);

describe.each(byPayload)('payload %s', (_label, index) => {
  const fixture = () => issued[index]!;

  test.each(['fr', 'en'])('the badge page (%s) shows it as text and runs nothing', async (lang) => {
    const watched = await open(`${fixture().url}?lang=${lang}`);
    await assertSafe(watched, 'html');
    const { page } = watched;
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(await visibleText(page, 'h1')).toBe(fixture().payload);
    // The issuer's name, the holder's name and the evidence, as text too.
    expect(await visibleText(page, '.facts .issuer a')).toBe(fixture().payload);
    expect(await page.locator('.facts dd', { hasText: fixture().payload }).count()).toBeGreaterThanOrEqual(2);
    expect(await visibleText(page, '.evidence strong')).toBe(fixture().payload);
    expect(await page.locator('.verdict').getAttribute('data-verdict')).toBe('valid');
  });

  test('the holder\'s page shows it as text and runs nothing', async () => {
    const watched = await open(fixture().holderUrl);
    await assertSafe(watched, 'html');
    expect(await visibleText(watched.page, 'main h2')).toBe(fixture().payload);
    expect(await visibleText(watched.page, 'label[for="show-name"]')).toContain(fixture().payload);
  });

  test('the verification page shows it as text and runs nothing', async () => {
    const watched = await open(`${service.url}/verify?url=${encodeURIComponent(fixture().url)}`);
    await assertSafe(watched, 'html');
    expect(await watched.page.locator('.verdict').getAttribute('data-verdict')).toBe('valid');
    expect(await watched.page.locator('dl.facts dd', { hasText: fixture().payload }).count()).toBeGreaterThanOrEqual(2);
  });

  test('the baked SVG, opened directly, shows it as text and runs nothing', async () => {
    const watched = await open(`${fixture().url}/badge.svg`);
    await assertSafe(watched, 'svg');
    expect(await svgTitle(watched.page)).toBe(spaced(fixture().payload));
  });

  test('the badge image SVG, opened directly, shows it as text and runs nothing', async () => {
    const watched = await open(`${service.url}/achievements/${fixture().achievementId}/image.svg`);
    await assertSafe(watched, 'svg');
    expect(await svgTitle(watched.page)).toBe(spaced(fixture().payload));
  });

  test('a foreign credential carrying it, verified on /verify, shows it as text and runs nothing', async () => {
    const watched = await open(`${service.url}/verify`);
    await watched.page.fill('#credential-text', fixture().foreignJson);
    await Promise.all([watched.page.waitForNavigation(), watched.page.click('.verify-form button[type="submit"]')]);
    await assertSafe(watched, 'html');
    expect(await watched.page.locator('.verdict').getAttribute('data-verdict')).toBe('valid');
    // Badge name, issuer name and holder name.
    expect(await watched.page.locator('dl.facts dd', { hasText: fixture().payload }).count()).toBe(3);
  });
});

test('the verification page reflects a payload given as ?url= as text only (field value and error message)', async () => {
  const watched = await open(`${service.url}/verify`);
  for (const payload of PAYLOADS) {
    await watched.page.goto(`${service.url}/verify?url=${encodeURIComponent(payload)}`);
    await assertSafe(watched, 'html');
    expect(await watched.page.inputValue('#credential-text')).toBe(payload.trim());
    expect(await watched.page.locator('.problem[role="alert"]').count()).toBe(1);
  }
  // A javascript: URL stays a value in a text field (which foreignScripts would flag), never a link.
  await watched.page.goto(`${service.url}/verify?url=${encodeURIComponent('javascript:alert(1)')}`);
  expect(await scriptUrls(watched.page)).toEqual([]);
  expect(await watched.page.inputValue('#credential-text')).toBe('javascript:alert(1)');
  expect(watched.dialogs).toEqual([]);
}, 30_000);

describe('headers', () => {
  const scriptSources = (csp: string): string => {
    const directives = csp.split(';').map((d) => d.trim());
    return directives.find((d) => d.startsWith('script-src ')) ?? directives.find((d) => d.startsWith('default-src ')) ?? '';
  };

  test('every page carries a Content-Security-Policy whose script-src forbids inline scripts', async () => {
    const fixture = issued[0]!;
    const pages = [
      `${service.url}/verify`,
      `${service.url}/verify?url=${encodeURIComponent(fixture.url)}`,
      `${fixture.url}?lang=fr`,
      `${fixture.url}?lang=en`,
      fixture.holderUrl,
      `${service.url}/credentials/00000000-0000-0000-0000-000000000000`,
    ];
    for (const url of pages) {
      const res = await fetch(url, { headers: { accept: 'text/html' } });
      expect(res.headers.get('content-type')).toContain('text/html');
      const csp = res.headers.get('content-security-policy') ?? '';
      const scripts = scriptSources(csp);
      expect({ url, scripts }).toEqual({ url, scripts: expect.stringMatching(/^(script|default)-src /) });
      expect(scripts).not.toContain('unsafe-inline');
      expect(scripts).not.toContain('unsafe-eval');
      expect(csp).toMatch(/object-src 'none'/);
    }
    const posted = await fetch(`${service.url}/verify`, { method: 'POST', body: new URLSearchParams({ text: fixture.foreignJson }) });
    expect(scriptSources(posted.headers.get('content-security-policy') ?? '')).not.toContain('unsafe-inline');
  });

  test.each([
    ['the baked SVG', (f: Issued) => `${f.url}/badge.svg`],
    ['the baked SVG download', (f: Issued) => `${f.url}/badge.svg?download=1`],
    ['the badge image SVG', (f: Issued) => `${service.url}/achievements/${f.achievementId}/image.svg`],
  ])('%s is served with default-src \'none\' and nosniff', async (_name, urlOf) => {
    const res = await fetch(urlOf(issued[1]!));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/svg+xml');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp.split(';').map((d) => d.trim())).toContain('default-src \'none\'');
    expect(csp).not.toMatch(/script-src/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
