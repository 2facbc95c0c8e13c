import express, { Router, type Request, type Response } from 'express';
import type { AppContext } from '../app/context.js';
import { AppError, badRequest, notFound, ValidationError } from '../app/errors.js';
import {
  personDidDocument,
  personStatusList,
  publicRecognition,
  receivedRecognitions,
  recognitionForm,
  refuseRecognition,
  revokeRecognition,
  sendRecognition,
  setPeerRecognitionEnabled,
  setRecognitionHidden,
  type RecognitionInput,
} from '../app/peer-recognition.js';
import type { HolderSession } from '../app/holders.js';
import { formatDate, translator, type Lang } from '../views/i18n.js';
import { renderPage } from '../views/render.js';
import { actorOf, param, requireToken } from './auth.js';
import { credentialForm } from './negotiate.js';
import { checkHolderCsrf, holderOf } from './holder-routes.js';
import { languageOf } from './pages.js';
import { validateBody } from './validate.js';

/** The holder space's peer recognitions, as its page shows them (see the holder-recognitions partial). */
export async function holderRecognitionsModel(app: AppContext, session: HolderSession, lang: Lang) {
  const form = await recognitionForm(app, session.holder);
  const received = (await receivedRecognitions(app, session.holder)).map((r) => ({
    ...r,
    date: formatDate(r.issuedAt, lang),
  }));
  return { enabled: form.enabled, received };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** What a refused form says, in plain words: the first field it names, or the reason it was refused. */
function problemOf(error: AppError, lang: Lang): string {
  const t = translator(lang);
  if (error.type === 'too-many-recognitions') return t('recognition.error.tooMany');
  if (error.type === 'recognition-off') return t('recognition.error.off');
  const field = error instanceof ValidationError ? error.errors[0]?.field : undefined;
  const known = ['displayName', 'email', 'competenceCode', 'ownCompetence', 'observation'];
  return t(`recognition.error.${field && known.includes(field) ? field : 'observation'}`);
}

/**
 * Peer recognition over HTTP (issue 13 §2): the holder's form and her received list's buttons, the public
 * documents of a personal identity and of a recognition, and the platform administrator's API switch and
 * withdrawal. Each route calls one use case of src/app/peer-recognition.ts.
 */
export function recognitionRouter(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  const holder = async (req: Request, res: Response): Promise<HolderSession | undefined> => {
    const session = await holderOf(app, req);
    if (!session) res.redirect(303, '/holder/login?next=/holder');
    return session;
  };

  const formPage = async (
    req: Request,
    res: Response,
    session: HolderSession,
    model: Record<string, unknown>,
    status = 200,
  ) => {
    const lang = languageOf(req, res);
    const state = await recognitionForm(app, session.holder);
    const values = (model.form ?? {}) as Record<string, string | undefined>;
    const competences = app.catalogue.entrecomp.competences.map((c) => ({
      code: c.code,
      name: c.name[lang],
      selected: values.competenceCode === c.code,
    }));
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).type('html').send(
      renderPage('holder-recognise', {
        lang,
        title: translator(lang)('recognition.form.title'),
        csrf: session.csrf,
        ...state,
        competences,
        ...model,
        form: { displayName: state.displayName, ...values },
      }),
    );
  };

  router.get('/holder/recognise', async (req, res) => {
    const session = await holder(req, res);
    if (session) await formPage(req, res, session, text(req.query.sent) ? { sent: text(req.query.sent) } : {});
  });

  router.post('/holder/recognise', form, async (req, res) => {
    const session = await holder(req, res);
    if (!session) return;
    checkHolderCsrf(req, session);
    const lang = languageOf(req, res);
    const body = req.body as Record<string, unknown>;
    const input: RecognitionInput = {
      displayName: text(body.displayName) ?? '',
      email: (text(body.email) ?? '').toLowerCase(),
      observation: text(body.observation) ?? '',
      language: lang,
      ...(text(body.competenceCode) ? { competenceCode: text(body.competenceCode)! } : {}),
      ...(text(body.ownCompetence) && !text(body.competenceCode) ? { ownCompetence: text(body.ownCompetence)! } : {}),
    };
    try {
      await sendRecognition(app, session.holder, input);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return formPage(req, res, session, { problem: problemOf(error, lang), form: input }, error.status);
    }
    res.redirect(303, `/holder/recognise?sent=${encodeURIComponent(input.email)}`);
  });

  router.post('/holder/recognitions/:id/visibility', form, async (req, res) => {
    const session = await holder(req, res);
    if (!session) return;
    checkHolderCsrf(req, session);
    await setRecognitionHidden(app, session.holder, param(req, 'id'), req.body?.hidden === '1');
    res.redirect(303, '/holder?done=1#recognitions-title');
  });

  router.post('/holder/recognitions/:id/refuse', form, async (req, res) => {
    const session = await holder(req, res);
    if (!session) return;
    checkHolderCsrf(req, session);
    // Refusing is final: the list's button leads to a page that asks first (no script needed).
    if (req.body?.confirm !== '1') {
      const id = param(req, 'id');
      const found = (await receivedRecognitions(app, session.holder)).find((r) => r.id === id);
      if (!found) throw notFound('Recognition');
      const lang = languageOf(req, res);
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(
        renderPage('holder-refuse', {
          lang,
          title: translator(lang)('recognition.refuse.title'),
          csrf: session.csrf,
          id,
          sender: found.sender,
          competence: found.competence,
        }),
      );
      return;
    }
    await refuseRecognition(app, session.holder, param(req, 'id'));
    res.redirect(303, '/holder?done=1#recognitions-title');
  });

  router.get('/people/:slug/did.json', async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/did+json').send(JSON.stringify(await personDidDocument(app, param(req, 'slug'))));
  });

  router.get('/people/:slug/status', async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    // Short caching: a withdrawal must reach verifiers quickly.
    res.setHeader('Cache-Control', 'public, max-age=60, must-revalidate');
    res.type('application/vc+ld+json').send(JSON.stringify(await personStatusList(app, param(req, 'slug'))));
  });

  router.get('/recognitions/:id', async (req, res) => {
    const found = await publicRecognition(app, param(req, 'id'));
    const wanted = credentialForm(req);
    if (!wanted) throw new AppError(406, 'not-acceptable', 'Ask for text/html, application/vc+ld+json or a JWT.');
    res.setHeader('Vary', 'Accept');
    if (wanted.form !== 'html') {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.type(wanted.type).send(wanted.form === 'json' ? JSON.stringify(found.credential) : found.jwt);
      return;
    }
    const lang = languageOf(req, res);
    const url = found.credential.id;
    res.type('html').send(
      renderPage('recognition', {
        lang,
        title: `${translator(lang)('recognition.kind')} — ${found.view.competence}`,
        competence: found.view.competence,
        sender: found.view.sender,
        observation: found.view.observation,
        date: formatDate(found.view.issuedAt, lang),
        withdrawn: found.withdrawn,
        jsonUrl: `${url}/credential.json`,
        encodedUrl: encodeURIComponent(url),
      }),
    );
  });

  router.get('/recognitions/:id/credential.json', async (req, res) => {
    const found = await publicRecognition(app, param(req, 'id'));
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.type('application/vc+ld+json').send(JSON.stringify(found.credential));
  });

  // The platform administrator's moderation, with her API token (only these two paths: the rest of /api/v1 is
  // the API router's).
  const authenticated = [express.json({ limit: '16kb' }), requireToken(app)];
  const revokeBody = validateBody('status-change.json');
  router.post('/api/v1/recognitions/:id/revoke', ...authenticated, revokeBody, async (req, res) => {
    const reason = text((req.body as { reason?: unknown }).reason);
    if (!reason) throw badRequest('Give the reason for withdrawing this recognition.');
    await revokeRecognition(app, actorOf(res), param(req, 'id'), reason);
    res.status(204).end();
  });
  router.put('/api/v1/settings/peer-recognition', ...authenticated, async (req, res) => {
    const enabled = (req.body as { enabled?: unknown } | undefined)?.enabled;
    if (typeof enabled !== 'boolean') throw badRequest('Send {"enabled": true} or {"enabled": false}.');
    await setPeerRecognitionEnabled(app, actorOf(res), enabled);
    res.json({ enabled });
  });
  return router;
}
