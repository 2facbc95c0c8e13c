import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { BadgeEmailFacts, EmailContent, EmailRenderer, RenderedEmail } from '../app/presentation.js';
import { fromRoot } from '../shared/paths.js';
import { translator, type Lang } from './i18n.js';

/**
 * The e-mails' words and markup: src/views/templates/emails (one text and one HTML template each), every string
 * from src/views/locales/<lang>/emails.json. The use cases (src/app/notifications.ts) get it as their
 * EmailRenderer port and queue what it writes.
 *
 * Names, badge and organisation names are chosen by others (a self-service claim, an import): the HTML templates
 * escape everything (no triple-stash anywhere). The text templates are not HTML and are compiled without
 * escaping, so that "L'atelier" stays "L'atelier". The words an organisation writes for its award e-mails are
 * plain text too: split into paragraphs here, escaped like everything else in the HTML.
 *
 * The badge e-mails (award, reminder) share a designed card (card.html.hbs): tables and inline styles, the
 * badge image as an absolute URL of the badge's public image rather than an inline (CID) attachment. Gmail, Apple
 * Mail and phone clients show it at once (Gmail through its image proxy), the outbox stays text only, and the URL
 * is the same for every holder of the badge, so loading it tells Blason nothing about who read the message (no
 * tracking pixel). Outlook on Windows asks before loading any remote image, CID ones aside: there the alt text
 * names the badge, and the name, buttons and words never depend on the image.
 */
const handlebars = Handlebars.create();
const templatesDir = fromRoot('src', 'views', 'templates', 'emails');

handlebars.registerPartial('layout', readFileSync(`${templatesDir}/layout.html.hbs`, 'utf8'));
handlebars.registerPartial('card', readFileSync(`${templatesDir}/card.html.hbs`, 'utf8'));
handlebars.registerPartial('button', readFileSync(`${templatesDir}/button.html.hbs`, 'utf8'));
handlebars.registerPartial('bilingual-html', readFileSync(`${templatesDir}/bilingual.html.hbs`, 'utf8'));
handlebars.registerPartial('bilingual-text', readFileSync(`${templatesDir}/bilingual.text.hbs`, 'utf8'));
handlebars.registerHelper('t', function t(this: unknown, key: string, options: Handlebars.HelperOptions) {
  const lang = (options.data.root as { lang: Lang }).lang;
  return translator(lang)(key, options.hash as Record<string, string>);
});

type EmailKind = EmailContent['kind'];

/** The messages' own templates, one per kind; the others (layout, card, button, bilingual) are partials. */
const KINDS = 'award|reminder|invitation|reset|holder-code|peer-recognition|endorsement-request|endorsement-answer';
const TEMPLATE_FILE = new RegExp(`^(${KINDS})\\.(text|html)\\.hbs$`);
const templates = new Map<string, Handlebars.TemplateDelegate>();
for (const file of readdirSync(templatesDir)) {
  const match = TEMPLATE_FILE.exec(file);
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

/** Lines of text an organisation wrote, one per paragraph (or line of a signature); blank lines dropped. */
function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** `{badge}` in an organisation's own words: the badge's name (words it wrote are otherwise kept as they are). */
function withBadge(text: string, badgeName: string): string {
  return text.replaceAll('{badge}', badgeName);
}

/** What the badge e-mails (award, reminder) share: the card's facts and buttons. */
function badgeModel(content: BadgeEmailFacts): Record<string, unknown> {
  return {
    name: content.name,
    badgeName: content.badgeName,
    issuerName: content.issuerName,
    url: content.url,
    linkedinUrl: content.linkedinUrl,
    spaceUrl: content.spaceUrl,
    imageUrl: content.imageUrl,
    logoUrl: content.logoUrl,
  };
}

/** One language's part of a message between organisations, written in French then English (bilingual.*.hbs). */
interface BilingualPart {
  lang: Lang;
  greeting: string;
  intro: string;
  quote?: string | undefined;
  action?: string | undefined;
  button: string;
  url: string;
  linkFallback: string;
  secondary?: { label: string; url: string } | undefined;
  signature: string;
  footer: string;
}

function bilingual(part: (lang: Lang) => Omit<BilingualPart, 'lang' | 'greeting' | 'linkFallback' | 'signature'>) {
  return (['fr', 'en'] as const).map((lang): BilingualPart => {
    const t = translator(lang);
    return {
      lang,
      greeting: t('email.greeting'),
      linkFallback: t('email.linkFallback'),
      signature: t('email.signature'),
      ...part(lang),
    };
  });
}

/** The subject line and the template model of one e-mail. */
function wording(content: EmailContent, lang: Lang): { subject: string; model: Record<string, unknown> } {
  const t = translator(lang);
  switch (content.kind) {
    case 'award': {
      // The organisation's words are plain text: handlebars escapes them in the HTML like any other value.
      const own = content.wording;
      const badge = content.badgeName;
      const issuer = content.issuerName;
      return {
        subject: own?.subject ? withBadge(own.subject, badge) : t('email.award.subject', { badge, issuer }),
        model: {
          ...badgeModel(content),
          holderUrl: content.holderUrl,
          preheader: t('email.award.preheader', { badge }),
          intro: own?.intro ? lines(withBadge(own.intro, badge)) : [t('email.award.intro', { issuer })],
          signature: own?.signature ? lines(own.signature) : [t('email.award.signature', { issuer })],
          footer: t('email.award.footer', { issuer }),
        },
      };
    }
    case 'reminder': {
      const badge = content.badgeName;
      const issuer = content.issuerName;
      return {
        subject: t('email.reminder.subject', { badge }),
        model: {
          ...badgeModel(content),
          last: content.last,
          preheader: t('email.reminder.preheader', { issuer }),
          intro: [t('email.reminder.intro', { issuer })],
          signature: content.signature ? lines(content.signature) : [t('email.award.signature', { issuer })],
          footer: t('email.reminder.footer', { issuer }),
        },
      };
    }
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
    case 'peer-recognition':
      return {
        subject: t('email.peerRecognition.subject', { sender: content.sender }),
        model: {
          sender: content.sender,
          competence: content.competence,
          observation: content.observation,
          url: content.url,
          spaceUrl: content.spaceUrl,
        },
      };
    case 'endorsement-request': {
      const words = (l: Lang) => ({
        requester: content.requester,
        partner: content.partner,
        badge: content.badgeName[l],
      });
      const subject = (l: Lang) => translator(l)('email.endorsementRequest.subject', words(l));
      return {
        subject: `${subject('fr')} / ${subject('en')}`,
        model: {
          parts: bilingual((l) => {
            const tl = translator(l);
            return {
              intro: tl('email.endorsementRequest.intro', words(l)),
              ...(content.message ? { quote: content.message } : {}),
              action: tl('email.endorsementRequest.action'),
              button: tl('email.endorsementRequest.button'),
              url: content.url,
              footer: tl('email.endorsementRequest.footer', words(l)),
            };
          }),
        },
      };
    }
    case 'endorsement-answer': {
      const outcome = content.accepted ? 'accepted' : 'declined';
      const words = (l: Lang) => ({
        requester: content.requester,
        partner: content.partner,
        badge: content.badgeName[l],
      });
      const subject = (l: Lang) => translator(l)(`email.endorsementAnswer.${outcome}.subject`, words(l));
      return {
        subject: `${subject('fr')} / ${subject('en')}`,
        model: {
          parts: bilingual((l) => {
            const tl = translator(l);
            return {
              intro: tl(`email.endorsementAnswer.${outcome}.intro`, words(l)),
              quote: content.answer,
              button: tl('email.endorsementAnswer.button'),
              url: content.url,
              ...(content.endorsementUrl
                ? { secondary: { label: tl('email.endorsementAnswer.see'), url: content.endorsementUrl } }
                : {}),
              footer: tl('email.endorsementAnswer.footer', words(l)),
            };
          }),
        },
      };
    }
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

const previewBanner = handlebars.compile(
  `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" ` +
    `style="background-color:#1b1f24;color:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:14px;">` +
    `<tr><td style="padding:10px 16px;"><strong>{{subjectLabel}}</strong> {{subject}}</td></tr></table>`,
);
const previewText = handlebars.compile(
  `<details style="max-width:600px;margin:0 auto 24px auto;padding:0 10px;font-family:Arial,Helvetica,sans-serif;">` +
    `<summary style="cursor:pointer;color:#0b4f8a;font-weight:bold;">{{textLabel}}</summary>` +
    `<pre style="white-space:pre-wrap;font-size:13px;line-height:19px;background:#ffffff;padding:12px;">` +
    `{{text}}</pre>` +
    `</details>`,
);

/**
 * The console's preview of an e-mail: the message itself as clients receive it, with its subject above and its
 * plain-text part below (both escaped: they hold the organisation's words).
 */
export function emailPreviewDocument(email: RenderedEmail, lang: Lang): string {
  const t = translator(lang);
  const banner = previewBanner({ subjectLabel: t('emails.preview.subject'), subject: email.subject });
  const text = previewText({ textLabel: t('emails.preview.text'), text: email.text });
  return email.html
    .replace(/<body([^>]*)>/, (body) => `${body}\n${banner}`)
    .replace('</body>', () => `${text}\n</body>`);
}

const previewProblem = handlebars.compile(
  `<!DOCTYPE html><html lang="{{lang}}"><head><meta charset="utf-8"><title>{{problem}}</title></head>` +
    `<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;color:#a4161a;">` +
    `<p><strong>{{problem}}</strong></p><ul>{{#each fieldErrors}}<li>{{field}} : {{message}}</li>{{/each}}</ul>` +
    `</body></html>`,
);

/** The preview's frame when the words typed cannot be saved (hence not previewed): what to change. */
export function emailPreviewProblem(
  refused: { problem: string; fieldErrors: { field: string; message: string }[] },
  lang: Lang,
): string {
  return previewProblem({ ...refused, lang });
}
