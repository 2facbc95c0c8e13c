import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppError } from '../app/errors.js';
import { readCookie, setCookie } from './cookies.js';

/**
 * CSRF tokens for HTML forms (the console, the holder's space). Signed in: the session's own token
 * (synchronizer token). Signed out (sign-in forms): a random token both in a cookie and in the form (double
 * submit). The cookies are SameSite=Lax too.
 */

/** Where the signed-out token lives: its cookie's name and path. */
export interface AnonymousTokenCookie {
  name: string;
  path: string;
}

/** The token to put in a form: the session's, or the signed-out cookie's (set now if missing or malformed). */
export function formToken(
  req: Request,
  res: Response,
  sessionToken: string | undefined,
  cookie: AnonymousTokenCookie,
): string {
  if (sessionToken) return sessionToken;
  let token = readCookie(req, cookie.name);
  if (!token || !/^[A-Za-z0-9_-]{20,64}$/.test(token)) {
    token = randomBytes(24).toString('base64url');
    setCookie(res, cookie.name, token, { httpOnly: true, sameSite: 'lax', path: cookie.path });
  }
  return token;
}

/** Refuses (403) a posted form whose `_csrf` field is not the expected token, compared in constant time. */
export function checkFormToken(req: Request, sessionToken: string | undefined, cookie: AnonymousTokenCookie): void {
  const given = Buffer.from(typeof req.body?._csrf === 'string' ? req.body._csrf : '');
  const expected = Buffer.from(sessionToken ?? readCookie(req, cookie.name) ?? '');
  if (given.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError(
      403,
      'csrf',
      'This form has expired or did not come from this site. Reload the page and try again.',
    );
  }
}
