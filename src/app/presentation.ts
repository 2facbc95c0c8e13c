import type { Lang, Localized } from './catalogue.js';

/**
 * What the use cases need from the presentation layer, as ports: src/views implements them, and the composition
 * root (createApp in src/main.ts) or the HTTP caller passes them in. The use cases never import src/views (the
 * layer rule in eslint.config.js): they decide what is said and to whom, the views decide the words and markup.
 */

/** A string of the locale files in one language, `{name}` placeholders filled from `params`. */
export type Translate = (key: string, params?: Record<string, string | number | undefined>) => string;

/** An organisation's own words for its award e-mails in one language; what it left out keeps Blason's wording. */
export interface OrganisationWording {
  /** May name the badge with `{badge}`. */
  subject?: string | undefined;
  /** Paragraphs separated by line breaks; may name the badge with `{badge}`. */
  intro?: string | undefined;
  signature?: string | undefined;
}

/** What an award e-mail and its reminders say of the badge, and where their buttons lead. */
export interface BadgeEmailFacts {
  name?: string | undefined;
  badgeName: string;
  issuerName: string;
  /** The public badge page (each link carries the e-mail's token, which records that the holder opened it). */
  url: string;
  /** Through Blason to LinkedIn's "add a certification" form. */
  linkedinUrl: string;
  /** The holder's space, /holder. */
  spaceUrl: string;
  /** Absolute URL of the badge image (the same for every holder of the badge: it tells nobody who opened). */
  imageUrl?: string | undefined;
  logoUrl?: string | undefined;
}

/** The e-mails Blason writes, with the facts each one states. */
export type EmailContent =
  | ({
      kind: 'award';
      /** The holder's private management link (shown only in this e-mail). */
      holderUrl: string;
      /** The organisation's own subject, introduction and signature, when it wrote them (plain text). */
      wording?: OrganisationWording | undefined;
    } & BadgeEmailFacts)
  | ({
      kind: 'reminder';
      signature?: string | undefined;
      /** The last reminder: the e-mail says no other will follow. */
      last: boolean;
    } & BadgeEmailFacts)
  | {
      kind: 'invitation' | 'reset';
      name?: string | undefined;
      organisationName: string;
      link: string;
      /** How long the link works. */
      validHours: number;
    }
  | { kind: 'holder-code'; code: string; link: string; minutes: number }
  | {
      kind: 'peer-recognition';
      /** The display name the sender chose (the only thing about her that is published). */
      sender: string;
      competence: string;
      observation: string;
      url: string;
      spaceUrl: string;
    }
  /**
   * Endorsement requests between organisations (src/app/endorsement-requests.ts): written in French then English
   * in one message, since nothing says which language the other organisation's people read.
   */
  | {
      kind: 'endorsement-request';
      requester: string;
      partner: string;
      badgeName: Localized;
      /** The requester's own words (plain text), when it wrote some. */
      message?: string | undefined;
      /** The request's page in the partner's console. */
      url: string;
    }
  | {
      kind: 'endorsement-answer';
      accepted: boolean;
      requester: string;
      partner: string;
      badgeName: Localized;
      /** The endorsement's comment when accepted, the partner's message when declined (plain text). */
      answer: string;
      /** The request's page in the requester's console. */
      url: string;
      /** The signed endorsement's public page, when accepted. */
      endorsementUrl?: string | undefined;
    };

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Writes one e-mail in the recipient's language: subject, plain text and HTML bodies. */
export interface EmailRenderer {
  render(content: EmailContent, lang: Lang): RenderedEmail;
}
