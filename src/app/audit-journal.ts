/**
 * The audit log for people: each entry with the names it points to (who acted, which badge, whose credential,
 * which session), so that the console can say it as a sentence with links. Scoped like listAudit: an operator
 * reads their own organisation's log and names only their own organisation's accounts.
 */
import { listAchievements } from '../store/repositories/achievements.js';
import {
  achievementNames,
  claimRequesters,
  credentialHolders,
  journalActorIds,
  organisationNames,
  queryJournal,
  usersByIds,
  workshopTitles,
} from '../store/repositories/audit-journal.js';
import { isAuditAction, type AuditAction } from './audit-actions.js';
import type { Localized } from './catalogue.js';
import type { AppContext } from './context.js';
import { ValidationError } from './errors.js';
import { loadIssuer } from './issuers.js';
import { authorize, scopeOf, type Actor } from './policies.js';

/** Who acted: a person of the organisation, the platform's administration, the service itself, or someone else. */
export type JournalActor =
  | { kind: 'person'; id: string; name: string }
  | { kind: 'platform' }
  | { kind: 'service' }
  | { kind: 'someone' };

export interface JournalEntry {
  at: string;
  action: AuditAction;
  actor: JournalActor;
  reason: string | null;
  badge?: { id: string; name: Localized };
  /** A credential, with its holder's name (or address), or null once their data was erased. */
  credential?: { id: string; holder: string | null };
  session?: { id: string; title: string };
  /** The person an entry is about: an account (invited, locked…) or someone who asked for a badge. */
  person?: string;
  organisation?: string;
  /** How many credentials a group award issued. */
  count?: number;
}

export interface JournalFilter {
  issuerId: string;
  actorId?: string;
  achievementId?: string;
  action?: string;
  since?: string;
  limit?: number;
}

export interface Journal {
  entries: JournalEntry[];
  /** The choices of the filters: who wrote in this log, and the organisation's badges. */
  people: { id: string; name: string }[];
  badges: { id: string; name: Localized }[];
}

type UserRow = Awaited<ReturnType<typeof usersByIds>>[number];

function personName(user: { name: string | null; email: string }): string {
  return user.name?.trim() || user.email;
}

function idsOf(rows: { targetType: string; targetId: string | null }[], type: string): string[] {
  return rows.filter((r) => r.targetType === type && r.targetId).map((r) => r.targetId!);
}

export async function auditJournal(app: AppContext, actor: Actor, filter: JournalFilter): Promise<Journal> {
  authorize(actor, 'audit.read');
  if (filter.action && !isAuditAction(filter.action)) {
    throw new ValidationError('Unknown audit action: choose one of the listed actions.', [
      { field: 'action', message: 'unknown action', keyword: 'enum' },
    ]);
  }
  const org = await loadIssuer(app, actor, filter.issuerId);
  const scope = scopeOf(actor);
  const rows = await queryJournal(app.db, {
    organisationId: org.id,
    ...(filter.actorId ? { actorId: filter.actorId } : {}),
    ...(filter.achievementId ? { achievementId: filter.achievementId } : {}),
    ...(filter.action && isAuditAction(filter.action) ? { action: filter.action } : {}),
    ...(filter.since ? { since: filter.since } : {}),
    limit: Math.min(filter.limit ?? 200, 1000),
  });
  const entries = rows.map((r) => ({
    row: r,
    targetType: r.target_type,
    targetId: r.target_id,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {},
  }));

  // Every name, each kind in one query.
  const userIds = [...rows.map((r) => r.actor_id).filter((id): id is string => id !== null), ...idsOf(entries, 'user')];
  const actorIds = await journalActorIds(app.db, org.id);
  const users = new Map((await usersByIds(app.db, [...userIds, ...actorIds])).map((u) => [u.id, u]));
  const credentials = new Map(
    (await credentialHolders(app.db, idsOf(entries, 'credential'))).map((c) => [c.id, c]),
  );
  const claims = new Map((await claimRequesters(app.db, idsOf(entries, 'claim'))).map((c) => [c.id, c]));
  const badgeIds = [
    ...idsOf(entries, 'achievement'),
    ...[...credentials.values()].map((c) => c.achievement_id),
    ...entries.map((e) => e.details.achievementId).filter((id): id is string => typeof id === 'string'),
  ];
  const badges = new Map(
    (await achievementNames(app.db, badgeIds))
      .filter((b) => b.organisation_id === org.id)
      .map((b) => [b.id, { id: b.id, name: { fr: b.name_fr, en: b.name_en } }]),
  );
  const sessions = new Map(
    (await workshopTitles(app.db, [...idsOf(entries, 'workshop'), ...[...claims.values()].map((c) => c.workshop_id)]))
      .map((w) => [w.id, { id: w.id, title: w.title }]),
  );
  const organisations = new Map(
    (await organisationNames(app.db, idsOf(entries, 'issuer'))).map((o) => [o.id, o.name]),
  );

  // An account is named only to those who may see it: its own organisation, or the platform administrator.
  const visible = (user: UserRow): boolean => scope === undefined || user.organisation_id === scope;
  const actorOf = (id: string | null): JournalActor => {
    if (id === null) return { kind: 'service' };
    const user = users.get(id);
    if (user === undefined) return { kind: 'someone' };
    if (visible(user)) return { kind: 'person', id, name: personName(user) };
    return user.role === 'platform_admin' ? { kind: 'platform' } : { kind: 'someone' };
  };

  return {
    entries: entries.map(({ row, targetType, targetId, details }): JournalEntry => {
      const entry: JournalEntry = {
        at: row.at,
        action: row.action,
        actor: actorOf(row.actor_id),
        reason: row.reason,
      };
      const badgeId =
        targetType === 'achievement'
          ? targetId
          : targetType === 'credential' && targetId
            ? credentials.get(targetId)?.achievement_id
            : typeof details.achievementId === 'string'
              ? details.achievementId
              : undefined;
      const badge = badgeId ? badges.get(badgeId) : undefined;
      if (badge) entry.badge = badge;
      if (targetType === 'credential' && targetId) {
        const credential = credentials.get(targetId);
        const holder = credential?.name?.trim() || credential?.email || null;
        entry.credential = { id: targetId, holder };
      }
      if (typeof details.count === 'number') entry.count = details.count;
      if (targetType === 'workshop' && targetId) {
        const session = sessions.get(targetId);
        if (session) entry.session = session;
      }
      if (targetType === 'claim' && targetId) {
        const claim = claims.get(targetId);
        if (claim) {
          entry.person = claim.name;
          const session = sessions.get(claim.workshop_id);
          if (session) entry.session = session;
        }
      }
      if (targetType === 'user' && targetId) {
        const user = users.get(targetId);
        if (user && visible(user)) entry.person = personName(user);
      }
      if (targetType === 'issuer' && targetId) {
        const name = organisations.get(targetId);
        if (name) entry.organisation = name;
      }
      return entry;
    }),
    people: actorIds
      .map((id) => users.get(id))
      .filter((u): u is UserRow => u !== undefined && visible(u))
      .map((u) => ({ id: u.id, name: personName(u) }))
      .sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    badges: (await listAchievements(app.db, { organisationId: org.id, includeArchived: true })).map((b) => ({
      id: b.id,
      name: { fr: b.name_fr, en: b.name_en },
    })),
  };
}
