import type { Request, RequestHandler, Response } from 'express';
import { authenticateToken } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import type { Actor } from '../app/policies.js';

/** Requires `Authorization: Bearer <API token>` and makes the actor available to the route. */
export function requireToken(app: AppContext): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    res.locals.actor = await authenticateToken(app, match?.[1]);
    next();
  };
}

export function actorOf(res: Response): Actor {
  return res.locals.actor as Actor;
}

export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}
