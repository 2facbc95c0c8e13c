import type { Lang } from './catalogue.js';

/**
 * What the use cases need from the presentation layer, as ports: src/views implements them, and the composition
 * root (createApp in src/main.ts) or the HTTP caller passes them in. The use cases never import src/views (the
 * layer rule in eslint.config.js): they decide what is said and to whom, the views decide the words and markup.
 */

/** A string of the locale files in one language, `{name}` placeholders filled from `params`. */
export type Translate = (key: string, params?: Record<string, string | number | undefined>) => string;

/** The e-mails Blason writes, with the facts each one states. */
export type EmailContent =
  | { kind: 'award'; name?: string | undefined; badgeName: string; issuerName: string; url: string; holderUrl: string }
  | {
      kind: 'invitation' | 'reset';
      name?: string | undefined;
      organisationName: string;
      link: string;
      /** How long the link works. */
      validHours: number;
    }
  | { kind: 'holder-code'; code: string; link: string; minutes: number };

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Writes one e-mail in the recipient's language: subject, plain text and HTML bodies. */
export interface EmailRenderer {
  render(content: EmailContent, lang: Lang): RenderedEmail;
}
