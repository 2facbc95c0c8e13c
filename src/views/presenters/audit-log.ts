/**
 * The audit log as sentences: "Marie Dupont a révoqué le badge « Pitch » de Léa Martin — motif : …", one sentence
 * template per action in each language (audit.sentence.<action> in the locales), the names linked to their pages.
 *
 * The sentence is HTML built here: the template is ours (trusted), and every name placed in it is escaped first,
 * so the result is placed unescaped (`sentenceHtml`, as render.ts names trusted HTML).
 */
import Handlebars from 'handlebars';
import type { JournalEntry } from '../../app/audit-journal.js';
import { formatDateTime } from '../dates.js';
import { hasKey, translator, type Lang, type Translate } from '../i18n.js';

export interface AuditLine {
  at: string;
  action: string;
  sentenceHtml: string;
}

const escape = (text: string): string => Handlebars.escapeExpression(text);

function link(href: string, text: string): string {
  return `<a href="${escape(href)}">${escape(text)}</a>`;
}

function actorHtml(entry: JournalEntry, t: Translate): string {
  switch (entry.actor.kind) {
    case 'person':
      return `<strong>${escape(entry.actor.name)}</strong>`;
    case 'platform':
      return escape(t('audit.actor.platform'));
    case 'service':
      return escape(t('audit.actor.service'));
    case 'someone':
      return escape(t('audit.actor.someone'));
  }
}

/** The sentence's pieces, each escaped, the named things linked to where the operator can act on them. */
function pieces(entry: JournalEntry, lang: Lang, t: Translate): Record<string, string> {
  const badge = entry.badge
    ? link(`/console/badges/${entry.badge.id}`, entry.badge.name[lang])
    : escape(t('audit.unknown.badge'));
  const holder = entry.credential
    ? entry.credential.holder
      ? link(`/console/credentials/${entry.credential.id}`, entry.credential.holder)
      : link(`/console/credentials/${entry.credential.id}`, t('audit.unknown.erased'))
    : escape(t('audit.unknown.person'));
  return {
    actor: actorHtml(entry, t),
    badge,
    recipient: holder,
    session: entry.session
      ? link(`/console/sessions/${entry.session.id}`, entry.session.title)
      : escape(t('audit.unknown.session')),
    person: escape(entry.person ?? t('audit.unknown.person')),
    organisation: escape(entry.organisation ?? t('audit.unknown.organisation')),
    count: escape(String(entry.count ?? 0)),
  };
}

/** The sentence template of an entry: a group award says how many; an action without its own says so plainly. */
function sentenceKey(entry: JournalEntry): string {
  if (entry.action === 'credential.awarded' && !entry.credential) return 'audit.sentence.credential.awarded.group';
  const key = `audit.sentence.${entry.action}`;
  return hasKey(key) ? key : 'audit.sentence.other';
}

/** One entry as a sentence, with its reason when it has one. */
export function auditSentenceHtml(entry: JournalEntry, lang: Lang): string {
  const t = translator(lang);
  const values = pieces(entry, lang, t);
  // The template is filled here rather than by t(): its placeholders take HTML, which t() would not escape.
  const template = t(sentenceKey(entry), {}).replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'action' ? escape(t(`audit.actionName.${entry.action}`)) : (values[name] ?? `{${name}}`),
  );
  const sentence = template.charAt(0) === '<' ? template : template.charAt(0).toUpperCase() + template.slice(1);
  return entry.reason
    ? `${sentence}${escape(t('audit.reasonSuffix', { reason: '\u0000' })).replace('\u0000', escape(entry.reason))}`
    : sentence;
}

export function auditLines(entries: JournalEntry[], lang: Lang): AuditLine[] {
  return entries.map((entry) => ({
    at: formatDateTime(entry.at, lang),
    action: entry.action,
    sentenceHtml: auditSentenceHtml(entry, lang),
  }));
}
