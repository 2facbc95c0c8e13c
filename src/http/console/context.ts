import type { Request, Response } from 'express';
import type { Session } from '../../app/accounts.js';
import type { AppContext } from '../../app/context.js';
import { chosenOrganisationId } from '../../app/issuers.js';
import { DEFAULT_ISSUER_SLUG } from '../../app/seed.js';
import { readCookie } from '../cookies.js';
import { sessionOf } from './session.js';

export const ORG_COOKIE = 'console_org';

/**
 * The organisation a console page works on: the user's own, or for the platform administrator the one chosen in
 * the organisation picker (remembered in a cookie), by default the platform's own issuer.
 */
export async function currentOrganisationId(app: AppContext, req: Request, res: Response): Promise<string> {
  const session: Session = sessionOf(res);
  if (session.actor.role !== 'platform_admin') return session.actor.organisationId;
  return chosenOrganisationId(app, readCookie(req, ORG_COOKIE), DEFAULT_ISSUER_SLUG);
}

export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

export function fields(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}
