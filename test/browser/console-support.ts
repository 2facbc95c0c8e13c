/**
 * Helpers for the console's browser tests: French strings from the locales, signing in, the links of captured
 * e-mails, forms posted from the page (to test what the server accepts, not what the page offers).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { allStrings } from '../../src/views/i18n.js';
import type { Captured, SmtpCapture } from '../support/smtp.js';

/** A French string of the locales, with its {placeholders} filled (as the server does). */
export function fr(key: string, params: Record<string, string | number> = {}): string {
  const template = allStrings('fr')[key];
  if (template === undefined) throw new Error(`No French string ${key}`);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A password that the console accepts (12 characters at least). */
export const PASSWORD = 'cheval-agrafe-batterie-42';

/** Signs in through /console/login and waits for the page that follows. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  // The click waits for the navigation it starts (a redirect on success, the same page with a problem otherwise).
  await page.click('main form button[type="submit"]');
  await page.waitForLoadState();
}

/** Waits until the capturing SMTP server holds a message that matches, and returns every match. */
export async function waitForMail(smtp: SmtpCapture, match: (message: Captured) => boolean, count = 1, timeoutMs = 15_000): Promise<Captured[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = smtp.messages.filter(match);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`Expected ${count} matching message(s) within ${timeoutMs} ms, got ${found.length} (of ${smtp.messages.length})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function sentTo(email: string): (message: Captured) => boolean {
  return (message) => message.to.includes(email);
}

/** Every link of a message's text that starts with `prefix` (an origin and a path). */
export function linksIn(message: Captured, prefix: string): string[] {
  const links = message.text.match(/https?:\/\/[^\s<>"]+/g) ?? [];
  return links.filter((link) => link.startsWith(prefix));
}

export function linkIn(message: Captured, prefix: string): string {
  const [link] = linksIn(message, prefix);
  if (!link) throw new Error(`No link starting with ${prefix} in:\n${message.text}`);
  return link;
}

/** The `Cookie` header a browser context would send to `url` (to call the service from Node as that browser). */
export async function cookieHeader(context: BrowserContext, url: string): Promise<string> {
  return (await context.cookies(url)).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** Posts a urlencoded form from the page itself (same origin, its cookies), as a forged or hand-made form would. */
export async function postFromPage(page: Page, path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  return page.evaluate(async ({ path, fields }) => {
    const res = await fetch(path, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual', credentials: 'same-origin' });
    return { status: res.status, text: await res.text() };
  }, { path, fields });
}

/** The CSRF token a console page carries in its forms. */
export async function csrfOf(page: Page): Promise<string> {
  const token = await page.locator('input[name="_csrf"]').first().getAttribute('value');
  if (!token) throw new Error('No CSRF token on the page');
  return token;
}

/** The value of one statistic of /console or /console/indicators, found by its (French) label. */
export async function statValue(page: Page, label: string): Promise<string> {
  const item = page.locator('ul.stats li').filter({ has: page.locator('.stat-label', { hasText: label }) });
  return (await item.locator('.stat-value').textContent())?.trim() ?? '';
}

/** The text of every cell of a table's body, row by row. */
export async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) => rows.map((row) => Array.from(row.children).map((cell) => (cell.textContent ?? '').trim())));
}
