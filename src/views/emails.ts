import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { EmailContent, EmailRenderer, RenderedEmail } from '../app/presentation.js';
import { fromRoot } from '../shared/paths.js';
import { translator, type Lang } from './i18n.js';

/**
 * The e-mails' words and markup: src/views/templates/emails (one text and one HTML template each), every string
 * from src/views/locales/<lang>/emails.json. The use cases (src/app/notifications.ts) get it as their
 * EmailRenderer port and queue what it writes.
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

type EmailKind = EmailContent['kind'];

const templates = new Map<string, Handlebars.TemplateDelegate>();
for (const file of readdirSync(templatesDir)) {
  const match = /^(award|invitation|reset|holder-code)\.(text|html)\.hbs$/.exec(file);
  if (!match) continue;
  const source = readFileSync(`${templatesDir}/${file}`, 'utf8');
  templates.set(
    `${match[1]}.${match[2]}`,
    handlebars.compile(source, { strict: false, noEscape: match[2] === 'text' }),
  );
}

function render(kind: EmailKind, format: 'text' | 'html', model: Record<string, unknown>): string {
  const template = templates.get(`${kind}.${format}`);
  if (!template) throw new Error(`E-mail template ${kind}.${format}.hbs is missing`);
  return template(model);
}

/** One line, whatever the input: the subject also shows in the HTML title. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').trim();
}

function duration(lang: Lang, hours: number): string {
  const t = translator(lang);
  if (hours >= 24 && hours % 24 === 0) {
    const n = hours / 24;
    return t(n === 1 ? 'email.duration.days.one' : 'email.duration.days.other', { n });
  }
  return t(hours === 1 ? 'email.duration.hours.one' : 'email.duration.hours.other', { n: hours });
}

/** The subject line and the template model of one e-mail. */
function wording(content: EmailContent, lang: Lang): { subject: string; model: Record<string, unknown> } {
  const t = translator(lang);
  switch (content.kind) {
    case 'award':
      return {
        subject: t('email.award.subject', { badge: content.badgeName, issuer: content.issuerName }),
        model: {
          name: content.name,
          badgeName: content.badgeName,
          issuerName: content.issuerName,
          url: content.url,
          holderUrl: content.holderUrl,
        },
      };
    case 'invitation':
    case 'reset':
      return {
        subject: t(`email.${content.kind}.subject`, { organisation: content.organisationName }),
        model: {
          name: content.name,
          organisationName: content.organisationName,
          link: content.link,
          duration: duration(lang, content.validHours),
        },
      };
    case 'holder-code':
      return {
        subject: t('email.holderCode.subject', { code: content.code }),
        model: {
          code: content.code,
          link: content.link,
          duration: t('email.duration.minutes', { n: content.minutes }),
        },
      };
  }
}

export const emailRenderer: EmailRenderer = {
  render(content: EmailContent, lang: Lang): RenderedEmail {
    const { subject: words, model } = wording(content, lang);
    const subject = oneLine(words);
    const full = { ...model, lang, subject };
    return { subject, text: render(content.kind, 'text', full), html: render(content.kind, 'html', full) };
  },
};
