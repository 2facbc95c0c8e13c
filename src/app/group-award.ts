import { bulkAward, type BulkReport, type BulkRowStatus } from './bulk-award.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { checkRow, parseAttendanceList, writeAwardList, type ColumnReading, type CsvRow } from './csv.js';
import { stateOf, type CredentialState } from './credentials.js';
import { suggestEmail } from './email-typos.js';
import { ValidationError } from './errors.js';
import { authorize, type Actor } from './policies.js';
import { awardWorkshop, getWorkshop, type WorkshopAwardResult } from './workshops.js';

/**
 * Awarding a session's badges to a group from the console: the list is read (any header, in French or English),
 * shown row by row with how each column was understood and with likely typos in addresses, corrected in place,
 * confirmed with the number of badges and e-mails it will make, then awarded. After the award, the session lists
 * each recipient with the delivery of their e-mail.
 */

/** One person of the list as the console's form sends it back. */
export interface ListPerson {
  /** The line of the uploaded file the person came from, kept while the list is edited. */
  line?: number;
  email: string;
  name?: string;
  evidence?: string;
}

/** Longer lists go through the API (POST /api/v1/credentials/bulk): the console edits them row by row. */
export const MAX_CONSOLE_LIST = 1000;

export interface GroupPreviewRow {
  line: number;
  email: string;
  name: string;
  evidence: string;
  problems: { code: string; params?: Record<string, string | number> }[];
  /** The address this one was probably meant to be ("gmial.com" → "gmail.com"). */
  suggestion?: string;
  /** Per badge of the session: what awarding would do for this person. */
  outcomes: { achievementId: string; status: BulkRowStatus }[];
  /** Will receive at least one badge. */
  ok: boolean;
}

export interface GroupPreview {
  workshopId: string;
  rows: GroupPreviewRow[];
  /** How each column of the file was understood; null when the list came from the console's own form. */
  columns: ColumnReading[] | null;
  /** People who will receive at least one badge. */
  people: number;
  /** Badges that will be signed, and e-mails sent (one per badge). */
  badges: number;
  emails: number;
  /** Rows that will receive nothing (a problem to fix, a duplicate, every badge already held). */
  flagged: number;
}

function emptyList(): ValidationError {
  return new ValidationError('The list is empty: one person per line, with an email and a name.', [
    { field: 'list', message: 'empty' },
  ]);
}

function rowsOf(source: { text: string } | { people: ListPerson[] }): {
  rows: CsvRow[];
  columns: ColumnReading[] | null;
} {
  if ('text' in source) {
    const list = parseAttendanceList(source.text);
    return { rows: list.rows, columns: list.columns };
  }
  // A row without a line of its own is numbered by its place in the form, blank rows included.
  const rows = source.people
    .map((p, i) => ({ ...p, line: p.line && Number.isInteger(p.line) && p.line > 0 ? p.line : i + 1 }))
    .filter((p) => p.email.trim() || p.name?.trim() || p.evidence?.trim())
    .map((p) => checkRow(p));
  return { rows, columns: null };
}

/** What awarding the session's badges to this list would do, row by row. Nothing is signed or sent. */
export async function previewGroupAward(
  app: AppContext,
  actor: Actor,
  workshopId: string,
  source: { text: string } | { people: ListPerson[] },
): Promise<GroupPreview> {
  authorize(actor, 'credential.award');
  const workshop = await getWorkshop(app, actor, workshopId);
  const { rows, columns } = rowsOf(source);
  if (rows.length === 0) throw emptyList();
  if (rows.length > MAX_CONSOLE_LIST)
    throw new ValidationError(
      `The list has ${rows.length} people; the console takes ${MAX_CONSOLE_LIST} at most. Split it, or send it ` +
        'to POST /api/v1/credentials/bulk.',
      [{ field: 'list', message: 'tooLong' }],
    );
  const reports: BulkReport[] = [];
  for (const badge of workshop.badges) reports.push(await bulkAward(app, actor, badge.id, rows, { dryRun: true }));
  const preview = rows.map((row, i): GroupPreviewRow => {
    const outcomes = reports.map((report, b) => ({
      achievementId: workshop.badges[b]!.id,
      status: report.rows[i]!.status,
    }));
    const seen = new Set<string>();
    const problems = reports
      .flatMap((report) => report.rows[i]!.problemCodes ?? [])
      .filter((p) => !seen.has(p.code) && seen.add(p.code));
    const suggestion = suggestEmail(row.email);
    return {
      line: row.line,
      email: row.email,
      name: row.name ?? '',
      evidence: row.evidence ?? '',
      problems,
      ...(suggestion ? { suggestion } : {}),
      outcomes,
      ok: outcomes.some((o) => o.status === 'would-issue'),
    };
  });
  const badges = preview.reduce((n, row) => n + row.outcomes.filter((o) => o.status === 'would-issue').length, 0);
  return {
    workshopId: workshop.id,
    rows: preview,
    columns,
    people: preview.filter((r) => r.ok).length,
    badges,
    emails: badges,
    flagged: preview.filter((r) => !r.ok).length,
  };
}

/**
 * Awards the session's badges to every valid person of the list (rows with a problem are left out, as the
 * preview said) and queues one e-mail per badge.
 */
export async function awardGroup(
  app: AppContext,
  actor: Actor,
  workshopId: string,
  source: { text: string } | { people: ListPerson[] },
  language: Lang,
): Promise<WorkshopAwardResult> {
  authorize(actor, 'credential.award');
  const text = 'text' in source ? source.text : writeAwardList(rowsOf(source).rows);
  if (!text.trim()) {
    await getWorkshop(app, actor, workshopId);
    throw emptyList();
  }
  return awardWorkshop(app, actor, workshopId, text, { language });
}

/** What became of an award e-mail: waiting in the outbox (or being sent), sent, given up on, or none at all. */
export type Delivery = 'pending' | 'sent' | 'failed' | 'none';

export interface SessionRecipient {
  credentialId: string;
  achievementId: string;
  badge: { fr: string; en: string };
  email: string | null;
  name: string | null;
  erased: boolean;
  state: CredentialState;
  issuedAt: string;
  /** The credential that replaced this one after its address was corrected. */
  replacedBy: string | null;
  delivery: Delivery;
}

const DELIVERY: Record<string, Delivery> = {
  queued: 'pending',
  sending: 'pending',
  sent: 'sent',
  failed: 'failed',
  erased: 'none',
};

/** Everyone who received a badge at this session, with the state of the badge and of its e-mail. */
export async function listSessionRecipients(
  app: AppContext,
  actor: Actor,
  workshopId: string,
): Promise<SessionRecipient[]> {
  authorize(actor, 'credential.read');
  const workshop = await getWorkshop(app, actor, workshopId);
  const rows = await app.db
    .selectFrom('credentials')
    .innerJoin('achievements', 'achievements.id', 'credentials.achievement_id')
    .leftJoin('recipients', 'recipients.credential_id', 'credentials.id')
    .leftJoin('credential_replacements', 'credential_replacements.credential_id', 'credentials.id')
    .select([
      'credentials.id',
      'credentials.achievement_id',
      'credentials.revoked_at',
      'credentials.suspended_at',
      'credentials.valid_until',
      'credentials.erased_at',
      'credentials.issued_at',
      'achievements.name_fr',
      'achievements.name_en',
      'recipients.email',
      'recipients.name',
      'credential_replacements.replaced_by',
    ])
    .where('credentials.workshop_id', '=', workshop.id)
    .where('credentials.organisation_id', '=', workshop.issuerId)
    .orderBy('credentials.issued_at')
    .orderBy('recipients.email')
    .orderBy('achievements.name_fr')
    .limit(5000)
    .execute();
  // The award e-mail of each credential is its first message (later ones would be reminders).
  const deliveries = new Map<string, Delivery>();
  const ids = rows.map((r) => r.id);
  for (let i = 0; i < ids.length; i += 500) {
    const messages = await app.db
      .selectFrom('outbox')
      .select(['credential_id', 'status'])
      .where('credential_id', 'in', ids.slice(i, i + 500))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    for (const m of messages) {
      if (m.credential_id && !deliveries.has(m.credential_id))
        deliveries.set(m.credential_id, DELIVERY[m.status] ?? 'none');
    }
  }
  const now = app.clock.now();
  return rows.map((r) => ({
    credentialId: r.id,
    achievementId: r.achievement_id,
    badge: { fr: r.name_fr, en: r.name_en },
    email: r.email ?? null,
    name: r.name ?? null,
    erased: r.erased_at !== null,
    state: stateOf(r, now),
    issuedAt: r.issued_at,
    replacedBy: r.replaced_by ?? null,
    delivery: deliveries.get(r.id) ?? 'none',
  }));
}
