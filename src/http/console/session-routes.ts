import express, { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { approveAllClaims, approveAllSummary, claimRequestsFeed } from '../../app/claims.js';
import type { AppContext } from '../../app/context.js';
import { decodeSpreadsheetText, WORKBOOK, type ColumnReading } from '../../app/csv.js';
import { suggestEmail } from '../../app/email-typos.js';
import { AppError, ValidationError } from '../../app/errors.js';
import {
  awardGroup,
  listSessionRecipients,
  previewGroupAward,
  type GroupPreview,
  type ListPerson,
} from '../../app/group-award.js';
import { findOrganisationRow } from '../../app/issuers.js';
import { can } from '../../app/policies.js';
import { listAchievementViews } from '../../app/achievements.js';
import { correctAddressAndReissue, correctionTarget, type CorrectionTarget } from '../../app/reissue.js';
import {
  coOrganiserChoices,
  createWorkshop,
  decideClaim,
  getWorkshop,
  listClaimRequests,
  listWorkshops,
  setClaimOpen,
  type WorkshopAwardResult,
  type WorkshopView,
} from '../../app/workshops.js';
import { formatDate, translator, type Lang, type Translate } from '../../views/i18n.js';
import { qrSvg } from '../../views/qr.js';
import { renderPage } from '../../views/render.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId, field, fields } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

/** The people of the editable preview list, as the form sends them back (one value of each field per row). */
function peopleFrom(body: unknown): ListPerson[] {
  const emails = fields(body, 'email');
  const names = fields(body, 'name');
  const evidence = fields(body, 'evidence');
  const lines = fields(body, 'line');
  return emails.map((email, i) => ({
    email,
    name: names[i] ?? '',
    evidence: evidence[i] ?? '',
    ...(Number(lines[i]) > 0 ? { line: Number(lines[i]) } : {}),
  }));
}

/** The people as hidden fields, so that a confirmation page can send them on (or back to the list). */
function peopleFields(people: { line: number; email: string; name: string; evidence: string }[]) {
  return people.flatMap((p) => [
    { name: 'line', value: String(p.line) },
    { name: 'email', value: p.email },
    { name: 'name', value: p.name },
    { name: 'evidence', value: p.evidence },
  ]);
}

function columnsText(columns: ColumnReading[], t: Translate) {
  return columns.map((c) => ({
    header: c.header ?? t('sessions.column.position', { n: c.index + 1 }),
    role: t(`sessions.column.${c.role}`),
  }));
}

export function sessionRoutes(app: AppContext): Router {
  const router = Router();
  // The editable list posts four fields per person: room for the console's 1,000 people.
  const form = express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 5_000 });
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: 5_000_000, files: 1, fields: 4, fieldSize: 2_000_000 },
  });

  const typeName = (code: string, lang: Lang) =>
    app.catalogue.workshopTypes.find((w) => w.code === code)?.name[lang] ?? code;

  router.get('/sessions', async (req, res) => {
    const lang = languageOf(req, res);
    const sessions = await listWorkshops(app, sessionOf(res).actor);
    await consolePage(
      app,
      req,
      res,
      'sessions',
      'sessions.title',
      {
        sessions: sessions.map((s) => ({
          ...s,
          heldOn: formatDate(s.heldOn, lang) ?? s.heldOn,
          typeName: typeName(s.workshopType, lang),
        })),
      },
      { active: 'sessions' },
    );
  });

  const newForm = async (
    req: Request,
    res: Response,
    values: {
      title?: string;
      workshopType?: string;
      heldOn?: string;
      place?: string;
      achievementIds?: string[];
      coOrganiserId?: string;
    },
    problem?: ValidationError,
  ) => {
    const lang = languageOf(req, res);
    const organisationId = await currentOrganisationId(app, req, res);
    const badges = await listAchievementViews(app, sessionOf(res).actor, { issuerId: organisationId });
    // No organisation yet (a platform without any): nobody to choose, as there are no badges either.
    const partners = organisationId ? await coOrganiserChoices(app, sessionOf(res).actor, organisationId) : [];
    await consolePage(
      app,
      req,
      res,
      'session-new',
      'sessions.new',
      {
        form: {
          title: values.title ?? '',
          heldOn: values.heldOn ?? app.clock.now().toISOString().slice(0, 10),
          place: values.place ?? '',
        },
        types: app.catalogue.workshopTypes.map((w) => ({
          code: w.code,
          name: w.name[lang],
          selected: w.code === values.workshopType,
        })),
        badges: badges.map((b) => ({ id: b.id, name: b.name[lang], checked: values.achievementIds?.includes(b.id) })),
        coOrganisers: partners.map((o) => ({ ...o, selected: o.id === values.coOrganiserId })),
        ...(problem ? { problem: problem.message, fieldErrors: problem.errors } : {}),
      },
      { active: 'sessions', organisationId, ...(problem ? { status: 422 } : {}) },
    );
  };

  router.get('/sessions/new', async (req, res) => newForm(req, res, {}));

  router.post('/sessions', form, checkCsrf, async (req, res) => {
    const values = {
      title: field(req.body, 'title'),
      workshopType: field(req.body, 'workshopType'),
      heldOn: field(req.body, 'heldOn'),
      place: field(req.body, 'place'),
      achievementIds: fields(req.body, 'achievementIds'),
      coOrganiserId: field(req.body, 'coOrganiserId'),
    };
    try {
      const created = await createWorkshop(app, sessionOf(res).actor, {
        issuerId: await currentOrganisationId(app, req, res),
        ...values,
      });
      res.redirect(303, `/console/sessions/${created.id}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await newForm(req, res, values, error);
    }
  });

  // The problems an operator can fix themselves are said in their language; the rest as the use case says.
  const problemText = (problem: AppError, t: Translate): string => {
    const errors = problem instanceof ValidationError ? problem.errors : [];
    if (errors.some((e) => e.field === 'list' && e.message === 'tooLong')) return t('sessions.tooLong');
    if (errors.some((e) => e.field === 'list')) return t('sessions.emptyList');
    if (errors.some((e) => e.field === 'file' && e.message === WORKBOOK)) return t('sessions.workbook');
    return problem.message;
  };

  const show = async (
    req: Request,
    res: Response,
    extra: { preview?: GroupPreview; result?: WorkshopAwardResult; problem?: AppError } = {},
  ) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const workshop: WorkshopView = await getWorkshop(app, actor, param(req, 'id'));
    const requests = await listClaimRequests(app, actor, workshop.id);
    const recipients = await listSessionRecipients(app, actor, workshop.id);
    const badgeNames = new Map(workshop.badges.map((b) => [b.id, b.name[lang]]));
    const canRevoke = can(actor, 'credential.revoke');
    const canCorrect = canRevoke && can(actor, 'credential.award');
    const presented = recipients.map((r) => {
      const open = r.state !== 'revoked';
      const person = r.name || r.email || t('credentials.erased');
      return {
        ...r,
        badge: r.badge[lang],
        stateCode: r.replacedBy ? 'replaced' : r.state,
        state: r.replacedBy ? t('sessions.state.replaced') : t(`credentials.state.${r.state}`),
        deliveryLabel: t(`sessions.delivery.${r.delivery}`),
        active: open,
        correctable: canCorrect && open && !r.erased,
        selectLabel: t('sessions.selectOne', { badge: r.badge[lang], person }),
      };
    });
    await consolePage(
      app,
      req,
      res,
      'session',
      'sessions.title',
      {
        session: {
          ...workshop,
          heldOn: formatDate(workshop.heldOn, lang) ?? workshop.heldOn,
          typeName: typeName(workshop.workshopType, lang),
          badges: workshop.badges.map((b) => b.name[lang]),
        },
        canAward: can(actor, 'credential.award'),
        canRevoke,
        claimQrHtml: await qrSvg(workshop.claimUrl),
        requests: requests.map((r) => ({
          ...r,
          statusLabel: t(`sessions.request.${r.status}`),
          pending: r.status === 'pending',
        })),
        pendingCount: requests.filter((r) => r.status === 'pending').length,
        recipients: presented,
        anyActive: presented.some((r) => r.active),
        labels: {
          ok: t('sessions.ok'),
          approve: t('sessions.approve'),
          reject: t('sessions.reject'),
          fix: t('sessions.fix'),
          remove: t('sessions.remove'),
          correct: t('sessions.correct'),
          erased: t('credentials.erased'),
          line: t('sessions.line'),
          badge: t('credentials.badge'),
          state: t('credentials.state'),
          delivery: t('sessions.delivery'),
        },
        ...(extra.preview
          ? {
              preview: {
                ...extra.preview,
                columns: extra.preview.columns ? columnsText(extra.preview.columns, t) : null,
                rows: extra.preview.rows.map((row) => ({
                  ...row,
                  ...(row.suggestion
                    ? { suggestionText: t('sessions.suggestion', { suggestion: row.suggestion }) }
                    : {}),
                  flags: [
                    ...row.problems.map((p) => t(`rowProblem.${p.code}`, p.params)),
                    ...row.outcomes
                      .filter((o) => o.status === 'already-issued')
                      .map((o) => `${badgeNames.get(o.achievementId)} : ${t(`sessions.status.${o.status}`)}`),
                  ],
                })),
              },
            }
          : {}),
        ...(extra.result ? { result: extra.result } : {}),
        ...(extra.problem ? { problem: problemText(extra.problem, t) } : {}),
      },
      {
        active: 'sessions',
        organisationId: workshop.issuerId,
        ...(extra.problem ? { status: extra.problem.status } : {}),
      },
    );
  };

  router.get('/sessions/:id', async (req, res) => show(req, res));

  // The list comes pasted in the form, or as an uploaded spreadsheet, or both (appended).
  const listFrom = (req: Request): string => {
    const pasted = typeof req.body?.list === 'string' ? req.body.list : '';
    const file = req.file ? decodeSpreadsheetText(req.file.buffer) : '';
    return [pasted.trim(), file.trim()].filter(Boolean).join('\n');
  };

  /** A list typed or uploaded, or the rows of the editable preview (with one row fixed or removed). */
  const sourceFrom = (req: Request): { text: string } | { people: ListPerson[] } => {
    if (!('email' in ((req.body as Record<string, unknown> | undefined) ?? {}))) return { text: listFrom(req) };
    const people = peopleFrom(req.body);
    const fix = Number(field(req.body, 'fix') || NaN);
    const remove = Number(field(req.body, 'remove') || NaN);
    const fixed = Number.isInteger(fix) ? people[fix] : undefined;
    if (fixed) fixed.email = suggestEmail(fixed.email) ?? fixed.email;
    if (Number.isInteger(remove) && people[remove]) people.splice(remove, 1);
    return { people };
  };

  const handled = async (req: Request, res: Response, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404 || error.status === 403)
        throw error;
      await show(req, res, { problem: error });
    }
  };

  router.post('/sessions/:id/preview', upload.single('file'), form, checkCsrf, async (req, res) =>
    handled(req, res, async () =>
      show(req, res, {
        preview: await previewGroupAward(app, sessionOf(res).actor, param(req, 'id'), sourceFrom(req)),
      }),
    ),
  );

  // The confirmation step: how many badges and e-mails, before anything is signed or sent.
  router.post('/sessions/:id/confirm', form, checkCsrf, async (req, res) =>
    handled(req, res, async () => {
      const t = translator(languageOf(req, res));
      const id = param(req, 'id');
      const preview = await previewGroupAward(app, sessionOf(res).actor, id, sourceFrom(req));
      if (preview.people === 0) return show(req, res, { preview });
      const ready = preview.rows.filter((r) => r.ok);
      await consolePage(
        app,
        req,
        res,
        'confirm',
        'sessions.confirmTitle',
        {
          confirm: {
            question: t('sessions.confirmQuestion', { badges: preview.badges, emails: preview.emails }),
            lines: [
              t('sessions.confirmPeople', { people: preview.people }),
              ...(preview.flagged > 0 ? [t('sessions.confirmFlagged', { flagged: preview.flagged })] : []),
            ],
            items: ready.map((r) => (r.name ? `${r.name} — ${r.email}` : r.email)),
            warning: t('sessions.confirmFinal'),
            action: `/console/sessions/${id}/award`,
            fields: peopleFields(preview.rows),
            confirmLabel: t('sessions.confirmAward', { badges: preview.badges }),
            backAction: `/console/sessions/${id}/preview`,
            backLabel: t('sessions.backToList'),
          },
        },
        { active: 'sessions' },
      );
    }),
  );

  router.post('/sessions/:id/award', form, checkCsrf, async (req, res) =>
    handled(req, res, async () => {
      const source = sourceFrom(req);
      const result = await awardGroup(app, sessionOf(res).actor, param(req, 'id'), source, languageOf(req, res));
      await show(req, res, { result });
    }),
  );

  const correctPage = async (
    req: Request,
    res: Response,
    target: CorrectionTarget,
    form: { email: string; name: string },
    problem?: string,
    status = 200,
  ) => {
    const lang = languageOf(req, res);
    await consolePage(
      app,
      req,
      res,
      'session-correct',
      'correct.title',
      {
        sessionId: target.workshopId,
        target: { ...target, badges: target.badges.map((b) => b.name[lang]) },
        form,
        ...(problem ? { problem } : {}),
      },
      { active: 'sessions', status },
    );
  };

  router.get('/sessions/:id/recipients/:credentialId/correct', async (req, res) => {
    const target = await correctionTarget(app, sessionOf(res).actor, param(req, 'id'), param(req, 'credentialId'));
    await correctPage(req, res, target, { email: target.suggestion ?? target.email, name: target.name });
  });

  router.post('/sessions/:id/recipients/:credentialId/correct', form, checkCsrf, async (req, res) => {
    const actor = sessionOf(res).actor;
    const id = param(req, 'id');
    const input = { email: field(req.body, 'email'), name: field(req.body, 'name') };
    const target = await correctionTarget(app, actor, id, param(req, 'credentialId'));
    try {
      await correctAddressAndReissue(app, actor, id, target.credentialId, input);
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 422 && error.status !== 409)) throw error;
      const t = translator(languageOf(req, res));
      const message =
        error instanceof ValidationError
          ? t(error.errors.some((e) => e.message === 'unchanged') ? 'correct.unchanged' : 'correct.invalid')
          : t('correct.alreadyHeld', { email: input.email.toLowerCase() });
      return correctPage(req, res, target, input, message, error.status);
    }
    res.redirect(303, `/console/sessions/${id}?done=sessions.corrected#recipients-title`);
  });

  router.post('/sessions/:id/claims', form, checkCsrf, async (req, res) => {
    await setClaimOpen(app, sessionOf(res).actor, param(req, 'id'), field(req.body, 'open') === '1');
    res.redirect(303, `/console/sessions/${param(req, 'id')}?done=console.done`);
  });

  router.post('/sessions/:id/approve-all/confirm', form, checkCsrf, async (req, res) => {
    const t = translator(languageOf(req, res));
    const id = param(req, 'id');
    const summary = await approveAllSummary(app, sessionOf(res).actor, id);
    if (summary.requests === 0)
      return show(req, res, { problem: new AppError(409, 'conflict', t('sessions.approveAllNone')) });
    await consolePage(
      app,
      req,
      res,
      'confirm',
      'sessions.confirmTitle',
      {
        confirm: {
          question: t('sessions.approveAllQuestion', {
            requests: summary.requests,
            badges: summary.badges,
            emails: summary.emails,
          }),
          warning: t('sessions.confirmFinal'),
          action: `/console/sessions/${id}/approve-all`,
          fields: [],
          confirmLabel: t('sessions.approveAllConfirm', { requests: summary.requests }),
          backHref: `/console/sessions/${id}#requests-title`,
          backLinkLabel: t('sessions.backToSession'),
        },
      },
      { active: 'sessions' },
    );
  });

  router.post('/sessions/:id/approve-all', form, checkCsrf, async (req, res) => {
    try {
      await show(req, res, { result: await approveAllClaims(app, sessionOf(res).actor, param(req, 'id')) });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      const t = translator(languageOf(req, res));
      await show(req, res, { problem: new AppError(409, 'conflict', t('sessions.approveAllNone')) });
    }
  });

  // Polled by the session page (public/assets/sessions.js), so that new requests show up without reloading.
  router.get('/sessions/:id/requests.json', async (req, res) => {
    const t = translator(languageOf(req, res));
    const feed = await claimRequestsFeed(app, sessionOf(res).actor, param(req, 'id'));
    res.json({
      pending: feed.pending,
      pendingText: t('sessions.pendingCount', { count: feed.pending }),
      requests: feed.requests.map((r) => ({
        id: r.id,
        name: r.name,
        email: r.email,
        status: r.status,
        statusLabel: t(`sessions.request.${r.status}`),
      })),
    });
  });

  // A page to show full screen on a projector, or to print and pin up: the QR code, the address and the code.
  router.get('/sessions/:id/poster', async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const workshop = await getWorkshop(app, sessionOf(res).actor, param(req, 'id'));
    const url = new URL(workshop.claimUrl);
    const organisation = await findOrganisationRow(app, workshop.issuerId);
    res.type('html').send(
      renderPage('console/session-poster', {
        lang,
        title: `${t('poster.title')} — ${workshop.title}`,
        claimQrHtml: await qrSvg(workshop.claimUrl),
        poster: {
          sessionId: workshop.id,
          title: workshop.title,
          issuer: organisation?.name ?? '',
          code: workshop.claimCode,
          shortUrl: `${url.host}/claim`,
          open: workshop.claimOpen,
        },
      }),
    );
  });

  router.post('/sessions/:id/claims/:requestId', form, checkCsrf, async (req, res) => {
    const result = await decideClaim(
      app,
      sessionOf(res).actor,
      param(req, 'id'),
      param(req, 'requestId'),
      field(req.body, 'decision') === 'approve',
    );
    if (result) return show(req, res, { result });
    res.redirect(303, `/console/sessions/${param(req, 'id')}?done=console.done`);
  });
  return router;
}
