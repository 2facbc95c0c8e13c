/**
 * Finding issued credentials in the console: by part of a holder's name or address, by badge, by session and by
 * status. What is searchable, and why erased holders are not found by name, is said in
 * src/store/repositories/credential-search.ts.
 */
import { listAchievements } from '../store/repositories/achievements.js';
import { noticesOf } from '../store/repositories/award-messages.js';
import {
  countCredentials,
  searchCredentials,
  sessionChoices,
  type CredentialStatus,
} from '../store/repositories/credential-search.js';
import type { Localized } from './catalogue.js';
import type { AppContext } from './context.js';
import { stateOf, type CredentialState } from './credentials.js';
import { ValidationError } from './errors.js';
import { loadIssuer } from './issuers.js';
import { authorize, type Actor } from './policies.js';

export const CREDENTIAL_STATES: readonly CredentialState[] = ['active', 'suspended', 'revoked', 'expired'];

export interface CredentialQuery {
  issuerId: string;
  text?: string;
  achievementId?: string;
  workshopId?: string;
  state?: CredentialState;
  limit?: number;
}

export interface FoundCredential {
  id: string;
  badge: { id: string; name: Localized };
  session: { id: string; title: string } | null;
  holder: { name: string | null; email: string | null; erased: boolean };
  issuedAt: string;
  state: CredentialState;
  /** Whether the holder opened the award e-mail (followed one of its links, or signed in); null: never e-mailed. */
  email: { opened: boolean; reminders: number } | null;
}

export interface CredentialSearchResult {
  credentials: FoundCredential[];
  /** How many match in all (the list shows the most recent `limit`). */
  total: number;
  /** The filters' choices: the organisation's badges and sessions. */
  badges: { id: string; name: Localized }[];
  sessions: { id: string; title: string; heldOn: string }[];
}

const MAX_TEXT = 200;

export async function findCredentials(
  app: AppContext,
  actor: Actor,
  query: CredentialQuery,
): Promise<CredentialSearchResult> {
  authorize(actor, 'credential.read');
  const org = await loadIssuer(app, actor, query.issuerId);
  if (query.text && query.text.length > MAX_TEXT) {
    throw new ValidationError(`Search for at most ${MAX_TEXT} characters.`, [
      { field: 'q', message: 'too long', keyword: 'maxLength', params: { limit: MAX_TEXT } },
    ]);
  }
  const now = app.clock.now();
  const search = {
    organisationId: org.id,
    ...(query.text?.trim() ? { text: query.text.trim() } : {}),
    ...(query.achievementId ? { achievementId: query.achievementId } : {}),
    ...(query.workshopId ? { workshopId: query.workshopId } : {}),
    ...(query.state ? { status: query.state satisfies CredentialStatus } : {}),
    now: now.toISOString(),
    limit: Math.min(query.limit ?? 200, 500),
  };
  const rows = await searchCredentials(app.db, search);
  const notices = new Map(
    (
      await noticesOf(
        app.db,
        rows.map((r) => r.id),
      )
    ).map((n) => [n.credential_id, { opened: n.opened_at !== null, reminders: n.reminders_sent }]),
  );
  return {
    credentials: rows.map((r) => ({
      id: r.id,
      badge: { id: r.achievement_id, name: { fr: r.name_fr, en: r.name_en } },
      session: r.workshop_id && r.workshop_title ? { id: r.workshop_id, title: r.workshop_title } : null,
      holder: { name: r.name ?? null, email: r.email ?? null, erased: r.erased_at !== null },
      issuedAt: r.issued_at,
      state: stateOf(r, now),
      email: notices.get(r.id) ?? null,
    })),
    total: rows.length < search.limit ? rows.length : await countCredentials(app.db, search),
    badges: (await listAchievements(app.db, { organisationId: org.id, includeArchived: true })).map((b) => ({
      id: b.id,
      name: { fr: b.name_fr, en: b.name_en },
    })),
    sessions: (await sessionChoices(app.db, org.id)).map((w) => ({ id: w.id, title: w.title, heldOn: w.held_on })),
  };
}
