import type { Transaction } from 'kysely';
import { findAwardMessage, insertAwardNotices } from '../store/repositories/award-messages.js';
import { enqueue, listOutbox, type NewOutboxMessage, type OutboxEntry } from '../store/repositories/outbox.js';
import type { AwardMessageRow, Database } from '../store/schema.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { badgeEmailLinks, hashOpenToken, withOpenToken } from './email-links.js';
import { assertInScope, authorize, scopeOf, type Actor } from './policies.js';
import type { EmailContent, OrganisationWording } from './presentation.js';

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
type AwardCtx = Ctx & Pick<AppContext, 'ids' | 'recipientSecret'>;

export interface Built {
  to: string;
  organisationId: string | null;
  credentialId: string | null;
  lang: Lang;
  content: EmailContent;
}

/** Renders the messages (skipping unusable addresses): what enqueue() stores. */
export function renderMessages(app: Ctx, messages: Built[]): (NewOutboxMessage & { sourceIndex: number })[] {
  const createdAt = app.clock.now().toISOString();
  const rows: (NewOutboxMessage & { sourceIndex: number })[] = [];
  for (const [sourceIndex, m] of messages.entries()) {
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
      sourceIndex,
    });
  }
  return rows;
}

/** Stores rendered messages, in the caller's transaction when it passes one. */
export async function storeMessages(
  db: Ctx['db'] | Transaction<Database>,
  rows: (NewOutboxMessage & { sourceIndex?: number })[],
): Promise<void> {
  await enqueue(
    db,
    rows.map(({ sourceIndex: _index, ...row }) => row),
  );
}

async function queue(app: Ctx, messages: Built[]): Promise<number> {
  const rows = renderMessages(app, messages);
  await storeMessages(app.db, rows);
  app.metrics?.mail('queued', rows.length);
  return rows.length;
}

export interface AwardEmail {
  credentialId: string;
  /** The public badge page (the e-mail's links are built from credentialId, each with its open token). */
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

/** The organisation's own words in one language, from its settings row (blank fields keep Blason's wording). */
export function wordingOf(row: AwardMessageRow | undefined, lang: Lang): OrganisationWording | undefined {
  if (!row) return undefined;
  const wording = {
    subject: (lang === 'en' ? row.subject_en : row.subject_fr) ?? undefined,
    intro: (lang === 'en' ? row.intro_en : row.intro_fr) ?? undefined,
    signature: (lang === 'en' ? row.signature_en : row.signature_fr) ?? undefined,
  };
  return wording.subject || wording.intro || wording.signature ? wording : undefined;
}

/**
 * One e-mail per awarded badge, in the recipient's language and the organisation's own words, each with its
 * notice (what reminders are counted from) in the same transaction. Returns how many were queued (bad addresses
 * are skipped).
 */
export async function enqueueAwardEmails(app: AwardCtx, awards: AwardEmail[]): Promise<number> {
  if (awards.length === 0) return 0;
  const credentials = new Map(
    (
      await app.db
        .selectFrom('credentials')
        .select(['id', 'achievement_id'])
        .where(
          'id',
          'in',
          awards.map((a) => a.credentialId),
        )
        .execute()
    ).map((c) => [c.id, c.achievement_id]),
  );
  const organisations = new Map<string, { logo_image_id: string | null; message: AwardMessageRow | undefined }>();
  for (const id of new Set(awards.map((a) => a.organisationId))) {
    const org = await app.db
      .selectFrom('organisations')
      .select('logo_image_id')
      .where('id', '=', id)
      .executeTakeFirst();
    organisations.set(id, { logo_image_id: org?.logo_image_id ?? null, message: await findAwardMessage(app.db, id) });
  }
  const tokens: string[] = [];
  const built: Built[] = awards.map((a) => {
    const org = organisations.get(a.organisationId)!;
    const achievementId = credentials.get(a.credentialId);
    if (!achievementId) throw new Error(`No credential ${a.credentialId} to e-mail`);
    const { token, ...links } = badgeEmailLinks(app, a.credentialId, achievementId, a.language, org);
    tokens.push(token);
    return {
      to: a.email,
      organisationId: a.organisationId,
      credentialId: a.credentialId,
      lang: a.language,
      content: {
        kind: 'award',
        name: a.name,
        badgeName: a.badgeName,
        issuerName: a.issuerName,
        holderUrl: withOpenToken(a.holderUrl, token),
        wording: wordingOf(org.message, a.language),
        ...links,
      },
    };
  });
  const rows = renderMessages(app, built);
  const emailedAt = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    await storeMessages(trx, rows);
    await insertAwardNotices(
      trx,
      rows.map(({ sourceIndex }) => ({
        credential_id: awards[sourceIndex]!.credentialId,
        organisation_id: awards[sourceIndex]!.organisationId,
        open_token_hash: hashOpenToken(tokens[sourceIndex]!),
        emailed_at: emailedAt,
      })),
    );
  });
  app.metrics?.mail('queued', rows.length);
  return rows.length;
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
