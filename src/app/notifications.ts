import { enqueue, listOutbox, type NewOutboxMessage, type OutboxEntry } from '../store/repositories/outbox.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { assertInScope, authorize, scopeOf, type Actor } from './policies.js';
import type { EmailContent } from './presentation.js';

/**
 * The e-mails Blason sends, queued in the outbox: who gets which, in which language. Their words and markup come
 * from the EmailRenderer port (src/views/emails.ts, passed in by createApp). The outbox sender delivers them when
 * SMTP is configured; otherwise they wait there and the console shows them.
 */

/** One line, whatever the input: a subject must never carry a line break into the message headers. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').trim();
}

/** A single plain address: no display name, list, comment or whitespace that could add recipients. */
const PLAIN_ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+\.[^\s@,;:<>()[\]"\\]+$/;

export function isSendableAddress(email: string): boolean {
  return email.length <= 254 && PLAIN_ADDRESS.test(email);
}

type Ctx = Pick<AppContext, 'db' | 'clock' | 'log' | 'metrics' | 'emails'>;

interface Built {
  to: string;
  organisationId: string | null;
  credentialId: string | null;
  lang: Lang;
  content: EmailContent;
}

async function queue(app: Ctx, messages: Built[]): Promise<number> {
  const createdAt = app.clock.now().toISOString();
  const rows: NewOutboxMessage[] = [];
  for (const m of messages) {
    if (!isSendableAddress(m.to)) {
      app.log.warn(
        { kind: m.content.kind, credentialId: m.credentialId },
        'e-mail not queued: the address is not a plain e-mail address',
      );
      continue;
    }
    const email = app.emails.render(m.content, m.lang);
    rows.push({
      organisation_id: m.organisationId,
      to_email: m.to,
      // Whatever the renderer wrote, a subject never carries a line break into the message headers.
      subject: oneLine(email.subject),
      text_body: email.text,
      html_body: email.html,
      credential_id: m.credentialId,
      created_at: createdAt,
    });
  }
  await enqueue(app.db, rows);
  app.metrics?.mail('queued', rows.length);
  return rows.length;
}

export interface AwardEmail {
  credentialId: string;
  /** The public badge page. */
  url: string;
  /** The holder's private management link (shown only in this e-mail). */
  holderUrl: string;
  email: string;
  name?: string;
  badgeName: string;
  issuerName: string;
  language: Lang;
  organisationId: string;
}

/**
 * One e-mail per awarded badge, in the recipient's language. Returns how many were queued (bad addresses are
 * skipped).
 */
export function enqueueAwardEmails(app: Ctx, awards: AwardEmail[]): Promise<number> {
  return queue(
    app,
    awards.map((a) => ({
      to: a.email,
      organisationId: a.organisationId,
      credentialId: a.credentialId,
      lang: a.language,
      content: {
        kind: 'award',
        name: a.name,
        badgeName: a.badgeName,
        issuerName: a.issuerName,
        url: a.url,
        holderUrl: a.holderUrl,
      },
    })),
  );
}

export interface AccountLinkEmail {
  email: string;
  name?: string;
  organisationName: string;
  /** The one-time link that sets the password. */
  link: string;
  language: Lang;
  /** Lets the console list the message with the organisation's outbox (null for a platform account). */
  organisationId?: string | null;
  /** How long the link works: 7 days for an invitation, 2 hours for a reset unless said otherwise. */
  validHours?: number;
}

function accountEmail(
  app: Ctx,
  kind: 'invitation' | 'reset',
  input: AccountLinkEmail,
  defaultHours: number,
): Promise<number> {
  return queue(app, [
    {
      to: input.email,
      organisationId: input.organisationId ?? null,
      credentialId: null,
      lang: input.language,
      content: {
        kind,
        name: input.name,
        organisationName: input.organisationName,
        link: input.link,
        validHours: input.validHours ?? defaultHours,
      },
    },
  ]);
}

/** The console invitation: a link to choose a password, valid 7 days. Returns 1, or 0 for an unusable address. */
export function enqueueInvitationEmail(app: Ctx, input: AccountLinkEmail): Promise<number> {
  return accountEmail(app, 'invitation', input, 7 * 24);
}

/** A password reset link, valid 2 hours (pass validHours if the link says otherwise). Returns 1, or 0. */
export function enqueuePasswordResetEmail(app: Ctx, input: AccountLinkEmail): Promise<number> {
  return accountEmail(app, 'reset', input, 2);
}

/**
 * A holder's sign-in: a 6-digit code and the same as a link, valid 15 minutes. Returns 1, or 0 for an unusable
 * address.
 */
export function enqueueHolderCodeEmail(
  app: Ctx,
  input: { email: string; code: string; link: string; language: Lang; minutes: number },
): Promise<number> {
  return queue(app, [
    {
      to: input.email,
      organisationId: null,
      credentialId: null,
      lang: input.language,
      content: { kind: 'holder-code', code: input.code, link: input.link, minutes: input.minutes },
    },
  ]);
}

/**
 * The newest messages of the outbox for the console. They carry recipients' addresses, so they are read like
 * credentials: an operator sees only her organisation's (another's is "not found"); a platform admin sees the one
 * asked for, or all of them.
 */
export async function outboxMessages(
  app: Pick<AppContext, 'db'>,
  actor: Actor,
  issuerId?: string,
  limit = 200,
): Promise<OutboxEntry[]> {
  authorize(actor, 'credential.read');
  if (issuerId) assertInScope(actor, issuerId, 'Issuer');
  const organisationId = issuerId ?? scopeOf(actor);
  return listOutbox(app.db, { ...(organisationId ? { organisationId } : {}), limit, offset: 0 });
}
