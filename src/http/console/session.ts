import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sessionFor, type Session } from '../../app/accounts.js';
import type { AppContext } from '../../app/context.js';
import { AppError } from '../../app/errors.js';

export const SESSION_COOKIE = 'blason_session';
const ANONYMOUS_CSRF_COOKIE = 'blason_csrf';

export function readCookie(req: Request, name: string): string | undefined {
  const match = (req.get('cookie') ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : undefined;
}

function secure(app: AppContext): boolean {
  return app.ids.baseUrl.protocol === 'https:';
}

export function setSessionCookie(app: AppContext, res: Response, session: Session): void {
  res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'lax', secure: secure(app), path: '/', maxAge: 12 * 3_600_000 });
}

export function clearSessionCookie(app: AppContext, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: secure(app), path: '/' });
}

/** Loads the console session, if any, into res.locals.session. */
export function loadSession(app: AppContext): RequestHandler {
  return async (req, res, next) => {
    res.locals.session = await sessionFor(app, readCookie(req, SESSION_COOKIE));
    next();
  };
}

export function sessionOf(res: Response): Session {
  return res.locals.session as Session;
}

/** Signed-out visitors go to the sign-in page, and come back afterwards. */
export function requireSession(req: Request, res: Response, next: NextFunction): void {
  if (res.locals.session) return next();
  res.redirect(303, `/console/login?next=${encodeURIComponent(req.originalUrl)}`);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * CSRF protection for every console form. Signed in: the token of the session (synchronizer token). Signed out
 * (sign-in, password forms): a random token in a cookie and in the form (double submit). Cookies are also
 * SameSite=Lax.
 */
export function csrfToken(req: Request, res: Response): string {
  const session = res.locals.session as Session | undefined;
  if (session) return session.csrf;
  let token = readCookie(req, ANONYMOUS_CSRF_COOKIE);
  if (!token || !/^[A-Za-z0-9_-]{20,64}$/.test(token)) {
    token = randomBytes(24).toString('base64url');
    res.cookie(ANONYMOUS_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/console' });
  }
  return token;
}

export function checkCsrf(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  const given = typeof req.body?._csrf === 'string' ? req.body._csrf : '';
  const session = res.locals.session as Session | undefined;
  const expected = session ? session.csrf : readCookie(req, ANONYMOUS_CSRF_COOKIE) ?? '';
  if (!given || !expected || !same(given, expected)) {
    throw new AppError(403, 'csrf', 'This form has expired or did not come from this site. Reload the page and try again.');
  }
  next();
}
