import { ROLES, type Role } from '../store/schema.js';
import { forbidden, notFound } from './errors.js';

export { ROLES, type Role };

/** Who is asking. A platform admin belongs to no organisation and sees all of them. */
export type Actor =
  | { kind: 'user'; userId: string; role: 'platform_admin'; organisationId: null }
  | { kind: 'user'; userId: string; role: Exclude<Role, 'platform_admin'>; organisationId: string };

export type Action =
  | 'issuer.create'
  | 'issuer.read'
  | 'issuer.update'
  | 'keys.rotate'
  | 'users.manage'
  | 'achievement.read'
  | 'achievement.write'
  | 'credential.read'
  | 'credential.award'
  | 'credential.revoke'
  | 'credential.erase'
  | 'endorsement.write'
  | 'audit.read'
  /** Turning peer recognition off and withdrawing an abusive one: the platform's, not an organisation's. */
  | 'recognition.moderate';

const GRANTS: Record<Role, ReadonlySet<Action>> = {
  platform_admin: new Set<Action>([
    'issuer.create',
    'issuer.read',
    'issuer.update',
    'keys.rotate',
    'users.manage',
    'achievement.read',
    'achievement.write',
    'credential.read',
    'credential.award',
    'credential.revoke',
    'credential.erase',
    'endorsement.write',
    'audit.read',
    'recognition.moderate',
  ]),
  operator_admin: new Set<Action>([
    'issuer.read',
    'issuer.update',
    'keys.rotate',
    'users.manage',
    'achievement.read',
    'achievement.write',
    'credential.read',
    'credential.award',
    'credential.revoke',
    'credential.erase',
    'endorsement.write',
    'audit.read',
  ]),
  issuer: new Set<Action>([
    'issuer.read',
    'achievement.read',
    'achievement.write',
    'credential.read',
    'credential.award',
    'credential.revoke',
    'endorsement.write',
  ]),
  viewer: new Set<Action>(['issuer.read', 'achievement.read', 'credential.read', 'audit.read']),
};

export function can(actor: Actor, action: Action): boolean {
  return GRANTS[actor.role].has(action);
}

/** Deny by default: throws 403 unless the role grants the action. */
export function authorize(actor: Actor, action: Action): void {
  if (!can(actor, action)) throw forbidden(`Your role (${actor.role}) does not allow ${action}.`);
}

/**
 * The organisation every query of this actor is limited to; undefined for a platform admin. Objects of another
 * organisation are reported as not found (404), never as forbidden, so their existence does not leak.
 */
export function scopeOf(actor: Actor): string | undefined {
  return actor.role === 'platform_admin' ? undefined : actor.organisationId;
}

export function assertInScope(actor: Actor, organisationId: string, what: string): void {
  const scope = scopeOf(actor);
  if (scope !== undefined && scope !== organisationId) throw notFound(what);
}
