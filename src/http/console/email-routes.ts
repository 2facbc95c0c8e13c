import express, { Router, type Request, type Response } from 'express';
import {
  awardMessageSettings,
  previewAwardEmail,
  updateAwardMessage,
  type AwardMessageInput,
} from '../../app/award-messages.js';
import type { AppContext } from '../../app/context.js';
import { ValidationError, type FieldError } from '../../app/errors.js';
import { can } from '../../app/policies.js';
import { emailPreviewDocument, emailPreviewProblem } from '../../views/emails.js';
import { translator, type Lang } from '../../views/i18n.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId, field } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

const LANGS: Lang[] = ['fr', 'en'];

/**
 * The award e-mail settings page: the organisation's own words (French and English) and its reminders, with a
 * preview of the e-mail as holders receive it. The preview is its own document, shown in a frame of the page:
 * e-mails are styled inline, which the console's content security policy rightly forbids on its own pages.
 */
export function emailRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '32kb' });

  /** The form as typed: texts as they are, days as numbers (anything else fails the schema, with its field). */
  const inputOf = (body: unknown): AwardMessageInput => {
    const days = (name: string): number => {
      const text = field(body, name);
      return /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
    };
    const on = field(body, 'reminders') === '1';
    const second = field(body, 'secondReminderDays');
    const words = (lang: Lang) => ({
      subject: field(body, `${lang}.subject`),
      intro: field(body, `${lang}.intro`),
      signature: field(body, `${lang}.signature`),
    });
    return {
      fr: words('fr'),
      en: words('en'),
      firstReminderDays: on ? days('firstReminderDays') : null,
      secondReminderDays: on && second !== '' ? days('secondReminderDays') : null,
    };
  };

  /** A refused form in the operator's language: each field by its label, with what it accepts. */
  const problemOf = (lang: Lang, error: ValidationError): { problem: string; fieldErrors: FieldError[] } => {
    const t = translator(lang);
    const fields = [...new Set(error.errors.map((e) => e.field))];
    return {
      problem: t('emails.invalid'),
      fieldErrors: fields.map((f) => {
        // "fr.subject": the subject, in French; "firstReminderDays": the first reminder.
        const [part, lang] = f.split('.').reverse() as [string, string | undefined];
        const label = t(`emails.label.${part}`);
        return {
          field: lang ? `${label} (${t(`emails.legend.${lang}`)})` : label,
          message: t(`emails.invalidField.${part}`),
        };
      }),
    };
  };

  const page = async (
    req: Request,
    res: Response,
    options: { values?: AwardMessageInput; refused?: ValidationError } = {},
  ) => {
    const lang = languageOf(req, res);
    const actor = sessionOf(res).actor;
    const organisationId = await currentOrganisationId(app, req, res);
    const saved = await awardMessageSettings(app, actor, organisationId);
    const values = options.values ?? saved;
    const t = translator(lang);
    await consolePage(
      app,
      req,
      res,
      'emails',
      'emails.title',
      {
        languages: LANGS.map((code) => ({
          code,
          legend: t(`emails.legend.${code}`),
          subject: values[code].subject ?? '',
          intro: values[code].intro ?? '',
          signature: values[code].signature ?? '',
          defaultSubject: t(`emails.defaultSubject.${code}`),
        })),
        reminders: values.firstReminderDays !== null,
        firstReminderDays: Number.isFinite(values.firstReminderDays) ? (values.firstReminderDays ?? 7) : '',
        secondReminderDays: Number.isFinite(values.secondReminderDays) ? (values.secondReminderDays ?? '') : '',
        previewLang: lang,
        previewLanguages: LANGS.map((code) => ({ code, label: t(`emails.legend.${code}`), checked: code === lang })),
        canEdit: can(actor, 'issuer.update'),
        ...(options.refused ? problemOf(lang, options.refused) : {}),
      },
      { active: 'emails', organisationId, ...(options.refused ? { status: 422 } : {}) },
    );
  };

  router.get('/emails', async (req, res) => page(req, res));

  router.post('/emails', form, checkCsrf, async (req, res) => {
    const values = inputOf(req.body);
    try {
      await updateAwardMessage(app, sessionOf(res).actor, await currentOrganisationId(app, req, res), values);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return page(req, res, { values, refused: error });
    }
    res.redirect(303, '/console/emails?done=emails.saved');
  });

  /** The e-mail itself, for the page's frame: the saved words (GET) or the form's, not yet saved (POST). */
  const preview = async (req: Request, res: Response, draft?: AwardMessageInput) => {
    const lang = languageOf(req, res);
    const chosen = (req.method === 'POST' ? field(req.body, 'previewLang') : req.query.previewLang) === 'en';
    const previewLang: Lang = chosen ? 'en' : 'fr';
    const actor = sessionOf(res).actor;
    const organisationId = await currentOrganisationId(app, req, res);
    let document: string;
    let status = 200;
    try {
      document = emailPreviewDocument(await previewAwardEmail(app, actor, organisationId, previewLang, draft), lang);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      status = 422;
      document = emailPreviewProblem(problemOf(lang, error), lang);
    }
    // E-mails are styled inline, and only this frame of the console may show one: no script, no form, nothing
    // but images and inline styles.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'; " +
        "base-uri 'none'; form-action 'none'",
    );
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    res.status(status).type('html').send(document);
  };

  router.get('/emails/preview', async (req, res) => preview(req, res));
  router.post('/emails/preview', form, checkCsrf, async (req, res) => preview(req, res, inputOf(req.body)));

  return router;
}
