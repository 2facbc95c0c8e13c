import type { CookieOptions, Express, Request, Response } from 'express';

/**
 * One cookie's value from the request. A value that is not valid percent-encoding (`lang=%zz`, sent by a broken
 * client or by anyone) reads as absent: it once made decodeURIComponent throw, and every HTML page a 500.
 */
export function readCookie(req: Request, name: string): string | undefined {
  const match = (req.get('cookie') ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${name}=`));
  if (!match) return undefined;
  try {
    return decodeURIComponent(match.slice(name.length + 1));
  } catch {
    return undefined;
  }
}

/**
 * Every cookie Blason sets is Secure when its public origin (BLASON_BASE_URL) is https, whatever the connection
 * the request came on (TLS usually ends at a proxy in front of the service): a cookie without it would also be
 * sent over plain HTTP to the same host, where anyone on the path reads it. Called once by createHttpApp.
 */
export function useSecureCookies(http: Express, baseUrl: URL): void {
  http.locals.secureCookies = baseUrl.protocol === 'https:';
}

function secure(res: Response): boolean {
  return (res.app.locals as { secureCookies?: boolean }).secureCookies === true;
}

/** Sets a cookie, Secure as the deployment requires (see useSecureCookies): the only way src/http sets one. */
export function setCookie(res: Response, name: string, value: string, options: Omit<CookieOptions, 'secure'>): void {
  res.cookie(name, value, { ...options, secure: secure(res) });
}

/** Clears a cookie with the attributes it was set with. */
export function clearCookie(
  res: Response,
  name: string,
  options: Omit<CookieOptions, 'secure' | 'maxAge' | 'expires'>,
): void {
  res.clearCookie(name, { ...options, secure: secure(res) });
}
