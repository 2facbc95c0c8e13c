import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { fromRoot } from '../paths.js';
import { enqueue, type NewOutboxMessage } from '../store/repositories/outbox.js';
import { translator, type Lang } from '../views/i18n.js';
import type { AppContext } from './context.js';

/**
 * The e-mails Blason writes: built from src/views/templates/emails (one text and one HTML template each), every
 * string from src/views/locales/<lang>/emails.json, then queued in the outbox. The outbox sender delivers them
 * when SMTP is configured; otherwise they wait there and the console shows them.
 *
 * Names, badge and organisation names are chosen by others (a self-service claim, an import): the HTML templates
 * escape everything (no triple-stash anywhere). The text templates are not HTML and are compiled without
 * escaping, so that "L'atelier" stays "L'atelier".
 */
const handlebars = Handlebars.create();
const templatesDir = fromRoot('src', 'views', 'templates', 'emails');

handlebars.registerPartial('layout', readFileSync(`${templatesDir}/layout.html.hbs`, 'utf8'));
handlebars.registerHelper('t', function t(this: unknown, key: string, options: Handlebars.HelperOptions) {
  const lang = (options.data.root as { lang: Lang }).lang;
  return translator(lang)(key, options.hash as Record<string, string>);
});

type EmailKind = 'award' | 'invitation' | 'reset' | 'holder-code';

const templates = new Map<string, Handlebars.TemplateDelegate>();
for (const file of readdirSync(templatesDir)) {
  const match = /^(award|invitation|reset|holder-code)\.(text|html)\.hbs$/.exec(file);
  if (!match) continue;
  templates.set(`${match[1]}.${match[2]}`, handlebars.compile(readFileSync(`${templatesDir}/${file}`, 'utf8'), { strict: false, noEscape: match[2] === 'text' }));
}

function render(kind: EmailKind, format: 'text' | 'html', model: Record<string, unknown>): string {
  const template = templates.get(`${kind}.${format}`);
  if (!template) throw new Error(`E-mail template ${kind}.${format}.hbs is missing`);
  return template(model);
}

/** One line, whatever the input: a subject must never carry a line break into the message headers. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').trim();
}

/** A single plain address: no display name, list, comment or whitespace that could add recipients. */
const PLAIN_ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+\.[^\s@,;:<>()[\]"\\]+$/;

export function isSendableAddress(email: string): boolean {
  return email.length <= 254 && PLAIN_ADDRESS.test(email);
}

type Ctx = Pick<AppContext, 'db' | 'clock' | 'log' | 'metrics'>;

interface Built {
  to: string;
  organisationId: string | null;
  credentialId: string | null;
  kind: EmailKind;
  lang: Lang;
  subject: string;
  model: Record<string, unknown>;
}

async function queue(app: Ctx, messages: Built[]): Promise<number> {
  const createdAt = app.clock.now().toISOString();
  const rows: NewOutboxMessage[] = [];
  for (const m of messages) {
    if (!isSendableAddress(m.to)) {
      app.log.warn({ kind: m.kind, credentialId: m.credentialId }, 'e-mail not queued: the address is not a plain e-mail address');
      continue;
    }
    const subject = oneLine(m.subject);
    const model = { ...m.model, lang: m.lang, subject };
    rows.push({
      organisation_id: m.organisationId,
      to_email: m.to,
      subject,
      text_body: render(m.kind, 'text', model),
      html_body: render(m.kind, 'html', model),
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

/** One e-mail per awarded badge, in the recipient's language. Returns how many were queued (bad addresses are skipped). */
export function enqueueAwardEmails(app: Ctx, awards: AwardEmail[]): Promise<number> {
  return queue(app, awards.map((a) => ({
    to: a.email,
    organisationId: a.organisationId,
    credentialId: a.credentialId,
    kind: 'award',
    lang: a.language,
    subject: translator(a.language)('email.award.subject', { badge: a.badgeName, issuer: a.issuerName }),
    model: { name: a.name, badgeName: a.badgeName, issuerName: a.issuerName, url: a.url, holderUrl: a.holderUrl },
  })));
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

function duration(lang: Lang, hours: number): string {
  const t = translator(lang);
  if (hours >= 24 && hours % 24 === 0) {
    const n = hours / 24;
    return t(n === 1 ? 'email.duration.days.one' : 'email.duration.days.other', { n });
  }
  return t(hours === 1 ? 'email.duration.hours.one' : 'email.duration.hours.other', { n: hours });
}

function accountEmail(app: Ctx, kind: 'invitation' | 'reset', input: AccountLinkEmail, defaultHours: number): Promise<number> {
  return queue(app, [{
    to: input.email,
    organisationId: input.organisationId ?? null,
    credentialId: null,
    kind,
    lang: input.language,
    subject: translator(input.language)(`email.${kind}.subject`, { organisation: input.organisationName }),
    model: { name: input.name, organisationName: input.organisationName, link: input.link, duration: duration(input.language, input.validHours ?? defaultHours) },
  }]);
}

/** The console invitation: a link to choose a password, valid 7 days. Returns 1, or 0 for an unusable address. */
export function enqueueInvitationEmail(app: Ctx, input: AccountLinkEmail): Promise<number> {
  return accountEmail(app, 'invitation', input, 7 * 24);
}

/** A password reset link, valid 2 hours (pass validHours if the link says otherwise). Returns 1, or 0. */
export function enqueuePasswordResetEmail(app: Ctx, input: AccountLinkEmail): Promise<number> {
  return accountEmail(app, 'reset', input, 2);
}

/** A holder's sign-in: a 6-digit code and the same as a link, valid 15 minutes. Returns 1, or 0 for an unusable address. */
export function enqueueHolderCodeEmail(app: Ctx, input: { email: string; code: string; link: string; language: Lang; minutes: number }): Promise<number> {
  return queue(app, [{
    to: input.email,
    organisationId: null,
    credentialId: null,
    kind: 'holder-code',
    lang: input.language,
    subject: translator(input.language)('email.holderCode.subject', { code: input.code }),
    model: { code: input.code, link: input.link, duration: translator(input.language)('email.duration.minutes', { n: input.minutes }) },
  }]);
}
