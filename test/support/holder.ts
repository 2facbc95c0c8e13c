/**
 * A holder in front of a test service, without a browser: a cookie jar, the sign-in by code (read from the
 * message that reached the capturing SMTP server), and plain form posts.
 */
import { request } from 'node:http';
import type { SmtpCapture } from './smtp.js';

type Send = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Requests that leave from another loopback address (127.0.0.2, 127.0.0.3…) to a service listening on 127.0.0.1:
 * the service sees another client, with its own IP address, as it would another person's phone. Plain HTTP only,
 * string bodies, no redirects followed.
 */
export function fromAddress(localAddress: string): Send {
  return (url, init) => new Promise((resolve, reject) => {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => { headers[name] = value; });
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const options = {
      host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: init.method ?? 'GET',
      headers, localAddress, agent: false,
    };
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const out = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 0;
        const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
        resolve(new Response(body, { status, headers: out }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Cookies by name, as a browser would keep them for one site (paths are ignored: every test path is ours). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** `send`: how the requests leave; by default fetch, from 127.0.0.1 (see fromAddress for another client). */
  constructor(private readonly send: Send = fetch) {}

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  /** A request with this jar's cookies, without following redirects; Set-Cookie goes back into the jar. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header();
    if (cookie) headers.set('cookie', cookie);
    const res = await this.send(url, { ...init, headers, redirect: 'manual' });
    this.store(res);
    return res;
  }

  /** A form post, urlencoded. */
  post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
}

/** The value of a hidden form field in an HTML page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`No field ${name} in the page:\n${html.slice(0, 2000)}`);
  return match[1]!;
}

/** The six-digit code and the one-time link of the latest sign-in message to this address. */
export async function signInMessage(smtp: SmtpCapture, email: string, after: number): Promise<{ code: string; link: string }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    // Other messages (award notifications) may reach the same address meanwhile: take the sign-in one.
    for (const message of smtp.messages.slice(after).reverse().filter((m) => m.to.includes(email))) {
      const code = /\b(\d{6})\b/.exec(message.text)?.[1];
      const link = /(https?:\/\/\S+\/holder\/verify\?link=[A-Za-z0-9_-]+)/.exec(message.text)?.[1];
      if (code && link) return { code, link };
    }
    if (Date.now() > deadline) throw new Error(`No sign-in message reached ${email}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asks for a code on the sign-in page; answers the page the service showed next. */
export async function requestCode(jar: CookieJar, baseUrl: string, email: string, next?: string): Promise<Response> {
  const page = await jar.fetch(`${baseUrl}/holder/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  const csrf = hiddenField(await page.text(), '_csrf');
  return jar.post(`${baseUrl}/holder/login`, { _csrf: csrf, email, next: next ?? '/holder' });
}

/** Signs a holder in with the code from their mailbox; the jar then carries their session. */
export async function signInHolder(jar: CookieJar, baseUrl: string, smtp: SmtpCapture, email: string, next?: string): Promise<Response> {
  const before = smtp.messages.length;
  const asked = await requestCode(jar, baseUrl, email, next);
  if (asked.status !== 200) throw new Error(`Asking for a code answered ${asked.status}`);
  const csrf = hiddenField(await asked.text(), '_csrf');
  const { code } = await signInMessage(smtp, email, before);
  const res = await jar.post(`${baseUrl}/holder/verify`, { _csrf: csrf, email, code, next: next ?? '/holder' });
  if (res.status !== 303 || !jar.get('blason_holder')) throw new Error(`Signing in answered ${res.status}: ${await res.text()}`);
  return res;
}
