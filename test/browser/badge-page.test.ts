/**
 * The holder's badge page, in headless Chromium: the live verdict, the badge in words, downloads that verify,
 * LinkedIn, the language switch, a revoked and an erased badge, accessibility, no JavaScript, a 360 px phone.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { loopbackFetcher, startInProcess, type InProcessService } from '../support/service.js';
import { closeWatched, DESKTOP, launchBrowser, PHONE, screenshot, seriousAccessibilityViolations, watchedPage, type WatchedPage } from './support.js';

const fr = JSON.parse(readFileSync(new URL('../../src/views/locales/fr/pages.json', import.meta.url), 'utf8')) as Record<string, string>;
const en = JSON.parse(readFileSync(new URL('../../src/views/locales/en/pages.json', import.meta.url), 'utf8')) as Record<string, string>;

let service: InProcessService;
let browser: Browser;
let issuer: Awaited<ReturnType<typeof setUpIssuer>>;
let operator: Api;
let badge: { id: string; url: string; holderUrl: string };
const open: WatchedPage[] = [];

async function award(email: string, extra: Record<string, unknown> = {}): Promise<{ id: string; url: string; holderUrl: string }> {
  const res = await operator.post<{ id: string; url: string; holderUrl: string }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email, name: 'Ana Martin', showName: true }, ...extra });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body;
}

async function page(options = DESKTOP): Promise<WatchedPage> {
  const watched = await watchedPage(browser, options);
  open.push(watched);
  return watched;
}

beforeAll(async () => {
  service = await startInProcess();
  const admin = apiClient(service.url, service.token);
  issuer = await setUpIssuer(admin, service.url);
  await admin.patch(`/api/v1/issuers/${issuer.issuerId}`, { linkedinOrganizationId: '1234567' });
  operator = issuer.operator;
  badge = await award('ana@example.fr', { validUntil: '2030-06-30T00:00:00Z', evidence: [{ name: 'Synthèse des entretiens', narrative: 'A mené **sept** entretiens.' }] });
  browser = await launchBrowser();
}, 60_000);

// Share links are followed to see where they lead (LinkedIn's form): external requests are looked at, not refused.
afterEach(() => closeWatched(open, { externalAllowed: true }));

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe('a valid badge', () => {
  test('is in French when the visitor states no language', async () => {
    const res = await fetch(badge.url, { headers: { accept: 'text/html' } });
    expect(res.headers.get('content-language')).toBe('fr');
    expect(await res.text()).toContain('<html lang="fr">');
  });

  test('shows the verdict first, computed at page load', async () => {
    const { page: p } = await page();
    await p.goto(badge.url);
    expect(await p.getAttribute('html', 'lang')).toBe('fr');
    const verdict = p.locator('.verdict');
    expect(await verdict.getAttribute('data-verdict')).toBe('valid');
    expect(await verdict.locator('h2').textContent()).toBe(fr['verdict.valid']);
    // The verdict comes before the badge in the reading order.
    const order = await p.evaluate(() => {
      const v = document.querySelector('.verdict')!;
      const b = document.querySelector('.badge-card')!;
      return v.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
  });

  test('shows the badge in words: name, issuer, holder, dates, criteria, EntreComp competences and levels, evidence', async () => {
    const { page: p } = await page();
    await p.goto(badge.url);
    expect(await p.locator('h1').textContent()).toBe("De l'idée à l'opportunité");
    const text = await p.locator('main').innerText();
    for (const expected of ['BGE Hauts-de-France', 'Ana Martin', '30 juin 2030', 'Repérer les opportunités — niveau 3 (Expérimenter)', 'Valoriser les idées — niveau 2 (Explorer)', 'Synthèse des entretiens', fr['badge.criteria']!]) {
      expect(text).toContain(expected);
    }
    expect(await p.locator('.evidence strong', { hasText: 'Synthèse' }).count()).toBe(1);
    expect(await p.locator('.prose strong', { hasText: 'sept' }).count()).toBe(1);
    expect(await p.locator('.badge-visual img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  });

  test('keeps the detailed checks one click away', async () => {
    const { page: p } = await page();
    await p.goto(badge.url);
    const details = p.locator('details.checks');
    expect(await details.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    await details.locator('summary').click();
    expect(await details.evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
    expect(await p.locator('.check-passed').count()).toBeGreaterThanOrEqual(8);
    expect(await p.locator('.check-failed').count()).toBe(0);
  });

  test('offers downloads whose PNG and SVG carry the badge and verify', async () => {
    const { page: p } = await page();
    await p.goto(badge.url);
    // The files for badge platforms are one click away, under their own heading.
    await p.locator('details.platforms summary').click();
    for (const format of ['png', 'svg', 'json', 'jwt']) {
      const [download] = await Promise.all([p.waitForEvent('download'), p.click(`[data-download="${format}"]`)]);
      const file = await download.path();
      const bytes = readFileSync(file!);
      const report = await verifyCredential({ bytes }, { fetcher: loopbackFetcher(service.env) });
      expect([format, report.verdict]).toEqual([format, 'valid']);
      if (format === 'png' || format === 'svg') expect(report.format).toBe(format);
    }
  });

  test('"Add to LinkedIn profile" carries the badge name, the issuer\'s LinkedIn id, dates, certUrl and certId', async () => {
    const { page: p, external } = await page();
    await p.goto(badge.url);
    // Followed in the same tab so that the request is seen (and answered locally: LinkedIn is never reached).
    await p.locator('[data-linkedin]').evaluate((a) => a.removeAttribute('target'));
    await Promise.all([p.waitForRequest((r) => r.url().startsWith('https://www.linkedin.com/')), p.click('[data-linkedin]')]);
    const url = new URL(external.find((u) => u.startsWith('https://www.linkedin.com/profile/add'))!);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      startTask: 'CERTIFICATION_NAME',
      name: "De l'idée à l'opportunité",
      organizationId: '1234567',
      issueYear: String(new Date().getUTCFullYear()),
      issueMonth: String(new Date().getUTCMonth() + 1),
      expirationYear: '2030',
      expirationMonth: '6',
      certUrl: badge.url,
      certId: badge.url,
    });
  });

  test('gives the link to copy, a QR code of it, and links to share on other networks', async () => {
    const { page: p } = await page({ ...DESKTOP, permissions: ['clipboard-read', 'clipboard-write'] });
    await p.goto(badge.url);
    expect(await p.inputValue('#share-url')).toBe(badge.url);
    await p.click('[data-copy]');
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(badge.url);
    expect(await p.locator('[data-copy]').textContent()).toBe(fr['actions.copied']);
    expect(await p.locator('.qr-code svg path').count()).toBeGreaterThan(0);
    const shares = await p.locator('.share-links a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    expect(shares.every((href) => href.includes(encodeURIComponent(badge.url)))).toBe(true);
  });

  test('previews well when shared: Open Graph and Twitter card with a PNG, an alternate JSON-LD link, schema.org data', async () => {
    const { page: p } = await page();
    await p.goto(badge.url);
    const meta = async (selector: string) => p.locator(selector).getAttribute('content');
    expect(await meta('meta[property="og:title"]')).toBe("De l'idée à l'opportunité");
    const image = (await meta('meta[property="og:image"]'))!;
    const res = await fetch(image);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(await meta('meta[name="twitter:card"]')).toBe('summary');
    expect(await p.locator('link[rel="alternate"][type="application/vc+ld+json"]').count()).toBe(1);
    const schema = JSON.parse((await p.locator('script[type="application/ld+json"]').textContent())!) as { '@type': string; recognizedBy: { name: string } };
    expect(schema['@type']).toBe('EducationalOccupationalCredential');
    expect(schema.recognizedBy.name).toBe('BGE Hauts-de-France');
  });

  test('switches to English with the visible switch, and stays in English on the next visit', async () => {
    const { page: p } = await page();
    await p.goto(badge.url);
    await p.click('header nav a[hreflang="en"]');
    expect(await p.getAttribute('html', 'lang')).toBe('en');
    expect(await p.locator('.verdict h2').textContent()).toBe(en['verdict.valid']);
    expect(await p.locator('h1').textContent()).toBe('From idea to opportunity');
    await p.goto(badge.url);
    expect(await p.getAttribute('html', 'lang')).toBe('en');
    await p.click('header nav a[hreflang="fr"]');
    expect(await p.getAttribute('html', 'lang')).toBe('fr');
  });

  test('starts in English for a browser that asks for English', async () => {
    const { page: p } = await page({ ...DESKTOP, locale: 'en-GB' });
    await p.goto(badge.url);
    expect(await p.getAttribute('html', 'lang')).toBe('en');
  });

  test('reads and gives its verdict without JavaScript', async () => {
    const { page: p } = await page({ ...DESKTOP, javaScriptEnabled: false });
    await p.goto(badge.url);
    expect(await p.locator('.verdict').getAttribute('data-verdict')).toBe('valid');
    expect(await p.locator('h1').textContent()).toBe("De l'idée à l'opportunité");
    // The copy button needs the Clipboard API: without JavaScript it stays hidden, the link is still there.
    expect(await p.locator('[data-copy]').isHidden()).toBe(true);
    expect(await p.inputValue('#share-url')).toBe(badge.url);
  });

  test('fits a 360 px phone without sideways scrolling', async () => {
    const { page: p } = await page(PHONE);
    await p.goto(badge.url);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  test('has no serious or critical accessibility violation, in French and English, on desktop and phone', async () => {
    for (const options of [DESKTOP, PHONE]) {
      for (const lang of ['fr', 'en']) {
        const { page: p } = await page(options);
        await p.goto(`${badge.url}?lang=${lang}`);
        await p.locator('details.checks summary').click();
        expect([lang, await seriousAccessibilityViolations(p)]).toEqual([lang, []]);
      }
    }
  }, 60_000);

  test('can be used with the keyboard alone: skip link, then the checks open with Enter', async () => {
    const { page: p } = await page();
    await p.goto(badge.url);
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.className)).toBe('skip');
    await p.keyboard.press('Enter');
    expect(await p.evaluate(() => location.hash)).toBe('#main');
    await p.focus('details.checks summary');
    await p.keyboard.press('Enter');
    expect(await p.locator('details.checks').evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
  });

  test('screenshots: desktop and phone, in French', async () => {
    for (const [name, options] of [['badge-page-desktop', DESKTOP], ['badge-page-phone', PHONE]] as const) {
      const { page: p } = await page(options);
      await p.goto(badge.url);
      await screenshot(p, name);
    }
  });
});

describe("the holder's choices", () => {
  test('the holder hides their name from the public page with their private link', async () => {
    const own = await award('hide-me@example.fr');
    const { page: p } = await page();
    await p.goto(own.url);
    expect(await p.locator('main').innerText()).toContain('Ana Martin');
    await p.goto(own.holderUrl);
    expect(await p.isChecked('#show-name')).toBe(true);
    await p.uncheck('#show-name');
    await p.click('form button[type="submit"]');
    expect(await p.locator('.notice').textContent()).toBe(fr['manage.saved']);
    await p.goto(own.url);
    expect(await p.locator('main').innerText()).not.toContain('Ana Martin');
  });

  test('a wrong private link manages nothing', async () => {
    const { page: p } = await page();
    const res = await p.goto(`${badge.url}/manage?key=not-the-key`);
    expect(res!.status()).toBe(404);
    expect(await p.locator('.problem').textContent()).toBe(fr['manage.invalidKey']);
  });
});

describe('a withdrawn badge', () => {
  test('a revoked badge says so, with the date and not the reason, and shows no personal data', async () => {
    const revoked = await award('revoked@example.fr');
    await operator.post(`/api/v1/credentials/${revoked.id}/revoke`, { reason: 'raison confidentielle' });
    const { page: p } = await page();
    await p.goto(revoked.url);
    expect(await p.locator('.verdict').getAttribute('data-verdict')).toBe('revoked');
    const title = await p.locator('.verdict h2').textContent();
    expect(title).toMatch(/^Badge révoqué le \d{1,2} \S+ \d{4}$/);
    const html = await p.content();
    expect(html).not.toContain('raison confidentielle');
    expect(html).not.toContain('Ana Martin');
    expect(await p.locator('.actions').count()).toBe(0);
    await screenshot(p, 'badge-page-revoked');
  });

  test('a suspended badge says it is suspended', async () => {
    const suspended = await award('suspended@example.fr');
    await operator.post(`/api/v1/credentials/${suspended.id}/suspend`, {});
    const { page: p } = await page();
    await p.goto(suspended.url);
    expect(await p.locator('.verdict').getAttribute('data-verdict')).toBe('suspended');
    expect(await p.locator('.verdict h2').textContent()).toBe(fr['verdict.suspended']);
  });

  test('an erased badge says the data was erased and shows no personal data', async () => {
    const erased = await award('erased@example.fr');
    await operator.post(`/api/v1/credentials/${erased.id}/erase`, {});
    const { page: p } = await page();
    await p.goto(erased.url);
    expect(await p.locator('.verdict').getAttribute('data-verdict')).toBe('erased');
    const html = await p.content();
    expect(html).not.toContain('Ana Martin');
    expect(html).not.toContain('erased@example.fr');
  });

  test('an unknown badge is a 404 page, in the page language', async () => {
    const { page: p } = await page();
    const res = await p.goto(`${service.url}/credentials/00000000-0000-4000-8000-000000000000`);
    expect(res!.status()).toBe(404);
    expect(await p.locator('h1').textContent()).toBe(fr['error.title']);
  });
});
