import { timingSafeEqual } from 'node:crypto';
import { findUserByTokenHash, touchToken } from '../store/repositories/users.js';
import type { AppContext } from './context.js';
import { unauthorized } from './errors.js';
import { hashToken } from './issuers.js';

const MIN_TOKEN_LENGTH = 32;
import type { Actor, Role } from './policies.js';

/** The actor behind an API token, or 401. Tokens are stored as SHA-256 hashes only. */
export async function authenticateToken(app: AppContext, token: string | undefined): Promise<Actor> {
  // Tokens Blason makes start with TOKEN_PREFIX; the administrator's may be any strong secret (config.ts).
  if (!token || token.length < MIN_TOKEN_LENGTH || token.length > 200) throw unauthorized();
  const hash = hashToken(token);
  const user = await findUserByTokenHash(app.db, hash);
  // The lookup is by hash; compare again in constant time for good measure.
  if (!user || !timingSafeEqual(Buffer.from(hash), Buffer.from(hashToken(token))))
    throw unauthorized('This API token is unknown or has been revoked.');
  void touchToken(app.db, user.token_id, app.clock.now().toISOString()).catch(() => undefined);
  return actorOf(user);
}

export function actorOf(user: { id: string; role: Role; organisation_id: string | null }): Actor {
  const role = user.role;
  if (role === 'platform_admin') return { kind: 'user', userId: user.id, role, organisationId: null };
  if (!user.organisation_id) throw unauthorized('This account belongs to no organisation.');
  return { kind: 'user', userId: user.id, role, organisationId: user.organisation_id };
}
