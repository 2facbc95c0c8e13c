import type { Request } from 'express';

/**
 * One cookie's value from the request. A value that is not valid percent-encoding (`lang=%zz`, sent by a broken
 * client or by anyone) reads as absent: it once made decodeURIComponent throw, and every HTML page a 500.
 */
export function readCookie(req: Request, name: string): string | undefined {
  const match = (req.get('cookie') ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${name}=`));
  if (!match) return undefined;
  try {
    return decodeURIComponent(match.slice(name.length + 1));
  } catch {
    return undefined;
  }
}
