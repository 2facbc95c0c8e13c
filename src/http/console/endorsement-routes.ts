import express, { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { Session } from '../../app/accounts.js';
import type { AppContext } from '../../app/context.js';
import {
  getImportedEndorsement,
  ImportRefused,
  importEndorsement,
  listImportedEndorsements,
  MAX_IMPORT_BYTES,
  removeImportedEndorsement,
} from '../../app/endorsement-import.js';
import {
  credentialIdOfAddress,
  endorsementOverview,
  type EndorsementOverview,
} from '../../app/endorsement-overview.js';
import { endorse, revokeEndorsement, type EndorsementSubjectType } from '../../app/endorsements.js';
import { AppError, ValidationError } from '../../app/errors.js';
import { can, type Actor } from '../../app/policies.js';
import { formatDate } from '../../views/dates.js';
import { translator, type Lang, type Translate } from '../../views/i18n.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId, field } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

/** schemas/api/endorsement-create.json's limit on comments (the use case checks it; the form says it). */
const COMMENT_MAX = 2000;
const KINDS: readonly EndorsementSubjectType[] = ['achievement', 'issuer', 'credential'];

interface EndorseForm {
  kind: EndorsementSubjectType | '';
  issuerId: string;
  achievementId: string;
  credentialAddress: string;
  comment: string;
}

const BLANK: EndorseForm = { kind: 'achievement', issuerId: '', achievementId: '', credentialAddress: '', comment: '' };

function formFromBody(body: unknown): EndorseForm {
  const kind = field(body, 'kind');
  return {
    kind: (KINDS as readonly string[]).includes(kind) ? (kind as EndorsementSubjectType) : '',
    issuerId: field(body, 'issuerId'),
    achievementId: field(body, 'achievementId'),
    credentialAddress: field(body, 'credentialAddress'),
    comment: field(body, 'comment'),
  };
}

/**
 * What the form names: undefined when the chosen kind has nothing chosen, 'unknown' when the pasted address names
 * none of our awarded badges.
 */
function subjectOf(
  app: AppContext,
  form: EndorseForm,
): { type: EndorsementSubjectType; id: string } | 'unknown' | undefined {
  if (form.kind === 'issuer' && form.issuerId) return { type: 'issuer', id: form.issuerId };
  if (form.kind === 'achievement' && form.achievementId) return { type: 'achievement', id: form.achievementId };
  if (form.kind === 'credential' && form.credentialAddress) {
    const id = credentialIdOfAddress(app, form.credentialAddress);
    return id ? { type: 'credential', id } : 'unknown';
  }
  return undefined;
}

function pageModel(overview: EndorsementOverview, session: Session, lang: Lang, form: EndorseForm) {
  const t = translator(lang);
  const canEndorse = can(session.actor, 'endorsement.write');
  return {
    canEndorse,
    commentMax: COMMENT_MAX,
    form,
    organisations: overview.choices.organisations.map((o) => ({ ...o, selected: o.id === form.issuerId })),
    badgeGroups: overview.choices.badges.map((group) => ({
      organisation: group.organisation,
      badges: group.badges.map((b) => ({ id: b.id, name: b.name[lang], selected: b.id === form.achievementId })),
    })),
    given: overview.given.map((e) => ({
      id: e.id,
      url: e.url,
      subject: t(`consoleEndorsements.subject.${e.subjectType}`, { name: e.subjectName[lang], owner: e.subjectOwner }),
      comment: e.comment,
      date: formatDate(e.createdAt, lang),
      withdrawn: e.revokedAt !== null,
      state: e.revokedAt
        ? t('consoleEndorsements.state.withdrawn', { date: formatDate(e.revokedAt, lang) })
        : t('consoleEndorsements.state.current'),
      canWithdraw: canEndorse && e.revokedAt === null,
    })),
    received: overview.received.map((e) => ({
      by: t('consoleEndorsements.by', { endorser: e.endorser }),
      subject: t(`consoleEndorsements.received.${e.subjectType}`, { name: e.subjectName[lang] }),
      comment: e.comment,
      date: formatDate(e.createdAt, lang),
      url: e.url,
      imported: e.imported,
    })),
  };
}

/** Why the endorse form was refused, in the reader's words. */
function endorseProblem(error: unknown, t: Translate): string {
  if (error instanceof ValidationError) return t('consoleEndorsements.form.commentInvalid', { max: COMMENT_MAX });
  if (error instanceof AppError && error.status === 404) return t('consoleEndorsements.form.notFound');
  if (error instanceof AppError && error.status === 409) return t('consoleEndorsements.form.notPossible');
  throw error;
}

/** Why an imported endorsement was refused: each reason on its own line, the verifier's verdict in plain words. */
function importProblem(error: unknown, t: Translate): string[] {
  if (error instanceof ImportRefused) {
    const verdict = t(`importedEndorsements.verdict.${error.verdict ?? 'invalid'}`);
    return error.reasons.map((reason) => t(`importedEndorsements.refused.${reason}`, { verdict }));
  }
  if (error instanceof AppError && error.status === 413)
    return [t('importedEndorsements.tooLarge', { kb: MAX_IMPORT_BYTES / 1024 })];
  if (error instanceof AppError && error.status === 409) return [t('importedEndorsements.duplicate')];
  if (error instanceof ValidationError) return [t('importedEndorsements.empty')];
  throw error;
}

/**
 * /console/endorsements (what the organisation gave and received, and the form to endorse) and the badge page's
 * "endorsements received from elsewhere" (src/views/templates/partials/console-imported-endorsements.hbs).
 */
export function endorsementRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  // A pasted endorsement or its file, within the use case's limit (a little more, so that it says "too large").
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 4, fieldSize: MAX_IMPORT_BYTES + 1024 },
  });
  const importForm = (req: Request, res: Response, next: NextFunction) => {
    upload.single('file')(req, res, (error: unknown) => {
      const code = (error as { code?: string } | undefined)?.code;
      if (code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_FIELD_VALUE') res.locals.importTooLarge = true;
      else if (error) return next(new AppError(400, 'bad-request', 'The form could not be read.'));
      next();
    });
  };

  const showPage = async (req: Request, res: Response, values: EndorseForm, problem?: string) => {
    const lang = languageOf(req, res);
    const organisationId = await currentOrganisationId(app, req, res);
    const session = sessionOf(res);
    const overview = await endorsementOverview(app, session.actor, organisationId);
    await consolePage(
      app,
      req,
      res,
      'endorsements',
      'consoleEndorsements.title',
      { ...pageModel(overview, session, lang, values), ...(problem ? { problem } : {}) },
      { active: 'endorsements', organisationId, ...(problem ? { status: 422 } : {}) },
    );
  };

  router.get('/endorsements', async (req, res) => showPage(req, res, BLANK));

  router.post('/endorsements', form, checkCsrf, async (req, res) => {
    const t = translator(languageOf(req, res));
    const values = formFromBody(req.body);
    const subject = subjectOf(app, values);
    if (!subject) return showPage(req, res, values, t('consoleEndorsements.form.noChoice'));
    if (subject === 'unknown') return showPage(req, res, values, t('consoleEndorsements.form.notFound'));
    const actor = sessionOf(res).actor;
    try {
      await endorse(app, actor, {
        subject,
        comment: values.comment,
        // The platform administrator endorses as the organisation the console works on.
        ...(actor.role === 'platform_admin' ? { endorserId: await currentOrganisationId(app, req, res) } : {}),
      });
    } catch (error) {
      return showPage(req, res, values, endorseProblem(error, t));
    }
    res.redirect(303, '/console/endorsements?done=consoleEndorsements.created');
  });

  router.post('/endorsements/:id/withdraw/confirm', form, checkCsrf, async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const organisationId = await currentOrganisationId(app, req, res);
    const overview = await endorsementOverview(app, sessionOf(res).actor, organisationId);
    const found = overview.given.find((e) => e.id === param(req, 'id'));
    if (!found) throw new AppError(404, 'not-found', 'Endorsement not found.');
    const subject = t(`consoleEndorsements.subject.${found.subjectType}`, {
      name: found.subjectName[lang],
      owner: found.subjectOwner,
    });
    await consolePage(
      app,
      req,
      res,
      'confirm',
      'consoleEndorsements.title',
      {
        confirm: {
          question: t('consoleEndorsements.withdraw.question', { subject }),
          lines: [t('consoleEndorsements.withdraw.comment', { comment: found.comment })],
          warning: t('consoleEndorsements.withdraw.warning'),
          ...(found.revokedAt === null
            ? {
                action: `/console/endorsements/${found.id}/withdraw`,
                fields: [],
                danger: true,
                confirmLabel: t('consoleEndorsements.withdraw.confirm'),
              }
            : {}),
          backHref: '/console/endorsements',
          backLinkLabel: t('consoleEndorsements.withdraw.cancel'),
        },
        ...(found.revokedAt !== null ? { problem: t('consoleEndorsements.withdraw.already') } : {}),
      },
      { active: 'endorsements', organisationId },
    );
  });

  router.post('/endorsements/:id/withdraw', form, checkCsrf, async (req, res) => {
    try {
      await revokeEndorsement(app, sessionOf(res).actor, param(req, 'id'));
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      return res.redirect(303, '/console/endorsements?done=consoleEndorsements.withdraw.already');
    }
    res.redirect(303, '/console/endorsements?done=consoleEndorsements.withdrawn');
  });

  router.post('/badges/:id/imported-endorsements', importForm, checkCsrf, async (req, res) => {
    const t = translator(languageOf(req, res));
    const id = param(req, 'id');
    const back = `/console/badges/${encodeURIComponent(id)}#imported-endorsements`;
    const file = req.file?.buffer;
    const pasted = field(req.body, 'endorsement');
    let problems: string[] | undefined;
    if (res.locals.importTooLarge === true)
      problems = [t('importedEndorsements.tooLarge', { kb: MAX_IMPORT_BYTES / 1024 })];
    else if (!pasted && !(file && file.length > 0)) problems = [t('importedEndorsements.empty')];
    else {
      try {
        await importEndorsement(app, sessionOf(res).actor, {
          achievementId: id,
          endorsement: pasted || file!.toString('utf8'),
        });
      } catch (error) {
        problems = importProblem(error, t);
      }
    }
    if (!problems)
      return res.redirect(303, `/console/badges/${id}?done=importedEndorsements.added#imported-endorsements`);
    await consolePage(
      app,
      req,
      res,
      'confirm',
      'importedEndorsements.title',
      {
        confirm: {
          question: t('consoleEndorsements.nothingDone'),
          lines: [t('importedEndorsements.refused')],
          items: problems,
          backHref: back,
          backLinkLabel: t('importedEndorsements.back'),
        },
      },
      { active: 'badges', status: 422 },
    );
  });

  router.post('/badges/:id/imported-endorsements/:importId/remove/confirm', form, checkCsrf, async (req, res) => {
    const t = translator(languageOf(req, res));
    const id = param(req, 'id');
    const found = await getImportedEndorsement(app, sessionOf(res).actor, id, param(req, 'importId'));
    await consolePage(
      app,
      req,
      res,
      'confirm',
      'importedEndorsements.title',
      {
        confirm: {
          question: t('importedEndorsements.remove.question', { endorser: found.endorser.name }),
          lines: found.comment ? [`« ${found.comment} »`] : [],
          warning: t('importedEndorsements.remove.warning'),
          action: `/console/badges/${id}/imported-endorsements/${found.id}/remove`,
          fields: [],
          danger: true,
          confirmLabel: t('importedEndorsements.remove.confirm'),
          backHref: `/console/badges/${id}#imported-endorsements`,
          backLinkLabel: t('importedEndorsements.remove.cancel'),
        },
      },
      { active: 'badges' },
    );
  });

  router.post('/badges/:id/imported-endorsements/:importId/remove', form, checkCsrf, async (req, res) => {
    const id = param(req, 'id');
    await removeImportedEndorsement(app, sessionOf(res).actor, id, param(req, 'importId'));
    res.redirect(303, `/console/badges/${id}?done=importedEndorsements.removed#imported-endorsements`);
  });
  return router;
}

/** The badge page's section on endorsements imported from elsewhere: the list, and whether this user may add. */
export async function importedEndorsementsModel(app: AppContext, actor: Actor, achievementId: string, lang: Lang) {
  return {
    importedEndorsements: (await listImportedEndorsements(app, actor, achievementId)).map((e) => ({
      id: e.id,
      endorser: e.endorser.name,
      comment: e.comment,
      format: translator(lang)(`importedEndorsements.format.${e.format}`),
      date: formatDate(e.importedAt, lang),
      verifyPageUrl: e.verifyPageUrl,
    })),
    importMaxKb: MAX_IMPORT_BYTES / 1024,
    canImportEndorsements: can(actor, 'achievement.write'),
  };
}
