import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sessionFor, type Session } from '../../app/accounts.js';
import type { AppContext } from '../../app/context.js';
import { clearCookie, readCookie, setCookie } from '../cookies.js';
import { checkFormToken, formToken } from '../form-tokens.js';

export const SESSION_COOKIE = 'blason_session';
const ANONYMOUS_CSRF_COOKIE = { name: 'blason_csrf', path: '/console' };

export function setSessionCookie(_app: AppContext, res: Response, session: Session): void {
  setCookie(res, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: 12 * 3_600_000,
  });
}

export function clearSessionCookie(_app: AppContext, res: Response): void {
  clearCookie(res, SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });
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

/** The console's forms: see form-tokens.ts. */
export function csrfToken(req: Request, res: Response): string {
  return formToken(req, res, (res.locals.session as Session | undefined)?.csrf, ANONYMOUS_CSRF_COOKIE);
}

export function checkCsrf(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  checkFormToken(req, (res.locals.session as Session | undefined)?.csrf, ANONYMOUS_CSRF_COOKIE);
  next();
}
