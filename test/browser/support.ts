import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { projectRoot } from '../../src/shared/paths.js';

/** Where browser tests write screenshots for reviewers (named in the README). */
export const SCREENSHOTS = path.join(projectRoot, 'test-output', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A French visitor (Blason's users are French first); pass `locale: 'en-GB'` for an English one. */
export const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'fr-FR' };
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 }, locale: 'fr-FR' };

/**
 * A page that records what must never happen: a dialog (alert, confirm, prompt: what XSS payloads call), an
 * uncaught script error, a request leaving loopback.
 */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  dialogs: string[];
  errors: string[];
  external: string[];
}

export async function watchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const page = await context.newPage();
  const watched: WatchedPage = { page, context, dialogs: [], errors: [], external: [] };
  page.on('dialog', (dialog) => {
    watched.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watched.errors.push(error.message));
  // Nothing may leave loopback: external links are checked by URL, never followed.
  await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => {
    watched.external.push(route.request().url());
    return route.fulfill({ status: 204, body: '' });
  });
  return watched;
}

/**
 * Nothing that must never happen happened: no dialog, no script error and, unless the test looks at external
 * requests on purpose (share links), no request leaving loopback.
 */
export function expectNothingUntoward(watched: WatchedPage, options: { externalAllowed?: boolean } = {}): void {
  expect(watched.dialogs).toEqual([]);
  expect(watched.errors).toEqual([]);
  if (!options.externalAllowed) expect(watched.external).toEqual([]);
}

/** After each test: checks every page it opened (see expectNothingUntoward), then closes them. */
export async function closeWatched(pages: WatchedPage[], options: { externalAllowed?: boolean } = {}): Promise<void> {
  for (const watched of pages.splice(0)) {
    expectNothingUntoward(watched, options);
    await watched.context.close();
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the page's CSP, which forbids inline
 * scripts, does not apply) and returns the serious and critical violations (WCAG 2.1 A/AA rules, as RGAA).
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

/** Script elements and inline handlers present in the DOM, other than our own script and JSON-LD block. */
export async function foreignScripts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const script of Array.from(document.querySelectorAll('script'))) {
      const ours = script.getAttribute('src') === '/assets/app.js' || script.getAttribute('type') === 'application/ld+json';
      if (!ours) found.push(script.outerHTML.slice(0, 120));
    }
    for (const element of Array.from(document.querySelectorAll('*'))) {
      for (const attribute of Array.from(element.attributes)) {
        if (/^on/i.test(attribute.name)) found.push(`${element.tagName} ${attribute.name}`);
        if (/^\s*javascript:/i.test(attribute.value)) found.push(`${element.tagName} ${attribute.name}=${attribute.value.slice(0, 40)}`);
      }
    }
    return found;
  });
}
