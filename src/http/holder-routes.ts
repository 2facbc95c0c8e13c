import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../app/context.js';
import { CREDENTIAL_FILES, holderCredentialFile } from '../app/credential-files.js';
import { AppError, ValidationError } from '../app/errors.js';
import {
  deleteHolderAccount,
  describeHeld,
  endHolderSession,
  heldCredentials,
  holderSessionFor,
  nameQuestion,
  requestHolderCode,
  setCredentialPublic,
  setHolderName,
  TooManyCodesError,
  verifyHolderCode,
  verifyHolderLink,
  type HolderSession,
} from '../app/holders.js';
import { authorisedApps, revokeAuthorisedApp } from '../app/authorised-apps.js';
import { scopeKey } from '../oauth/scopes.js';
import { formatDate, translator, type Lang } from '../views/i18n.js';
import { renderPage } from '../views/render.js';
import { param } from './auth.js';
import { clearCookie, readCookie, setCookie } from './cookies.js';
import { checkFormToken, formToken } from './form-tokens.js';
import { languageOf } from './pages.js';
import { clientOf, rateLimit } from './rate-limit.js';
import { sendCertificate, sendCredentialFile } from './send-file.js';
import { holderCertificate } from '../app/certificate.js';
import { renderCertificatePdf } from '../views/certificate-pdf.js';
import { presentHeldBadge } from '../views/presenters/holder-space.js';
import { holderRecognitionsModel } from './recognition-routes.js';
import { holderPathways } from '../app/pathways.js';
import { presentPathwayProgress } from '../views/presenters/pathways.js';

export const HOLDER_COOKIE = 'blason_holder';
const ANONYMOUS_CSRF = { name: 'blason_hcsrf', path: '/' };

function switchUrl(req: Request, lang: Lang): string {
  const url = new URL(req.originalUrl, 'http://x');
  for (const secret of ['link', 'key']) url.searchParams.delete(secret);
  url.searchParams.set('lang', lang === 'fr' ? 'en' : 'fr');
  return `${url.pathname}${url.search}`;
}

export async function holderOf(app: AppContext, req: Request): Promise<HolderSession | undefined> {
  return holderSessionFor(app, readCookie(req, HOLDER_COOKIE));
}

/** The holder's forms: see form-tokens.ts. */
export function holderCsrf(req: Request, res: Response, session: HolderSession | undefined): string {
  return formToken(req, res, session?.csrf, ANONYMOUS_CSRF);
}

export function checkHolderCsrf(req: Request, session: HolderSession | undefined): void {
  checkFormToken(req, session?.csrf, ANONYMOUS_CSRF);
}

/** Only our own pages may follow a sign-in: the wallet or an OAuth consent. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(holder|oauth\/interaction\/[A-Za-z0-9_-]+)$/.test(next) ? next : '/holder';
}

/** The holder's space: sign-in by code, their badges from every operator, visibility, name, deletion. */
export function holderRouter(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const limited = rateLimit(app, 'holder-login', app.config.signInRateLimit);

  const setSession = (res: Response, session: HolderSession) => {
    setCookie(res, HOLDER_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: 24 * 3_600_000,
    });
  };

  const loginPage = async (req: Request, res: Response, model: Record<string, unknown>, status = 200) => {
    const lang = languageOf(req, res);
    const session = await holderOf(app, req);
    res.setHeader('Cache-Control', 'no-store');
    res
      .status(status)
      .type('html')
      .send(
        renderPage('holder-login', {
          lang,
          title: translator(lang)('holder.login.title'),
          switchLanguageUrl: switchUrl(req, lang),
          csrf: holderCsrf(req, res, session),
          next: safeNext(req.query.next ?? req.body?.next),
          ...model,
        }),
      );
  };

  router.get('/holder/login', async (req, res) => loginPage(req, res, {}));

  router.post('/holder/login', limited, form, async (req, res) => {
    checkHolderCsrf(req, undefined);
    const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase().slice(0, 254) : '';
    try {
      await requestHolderCode(app, email, languageOf(req, res));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return loginPage(req, res, { problem: error.message, email }, 422);
    }
    await loginPage(req, res, { codeStep: true, email });
  });

  router.post('/holder/verify', limited, form, async (req, res) => {
    checkHolderCsrf(req, undefined);
    const email = typeof req.body?.email === 'string' ? req.body.email : '';
    try {
      const code = typeof req.body?.code === 'string' ? req.body.code : '';
      setSession(res, await verifyHolderCode(app, email, code, clientOf(app, req)));
    } catch (error) {
      if (error instanceof TooManyCodesError) {
        res.setHeader('Retry-After', String(error.minutes * 60));
        const problem = translator(languageOf(req, res))('holder.code.throttled', { minutes: error.minutes });
        return loginPage(req, res, { codeStep: true, email, problem }, 429);
      }
      if (!(error instanceof AppError) || error.status !== 401) throw error;
      return loginPage(
        req,
        res,
        { codeStep: true, email, problem: translator(languageOf(req, res))('holder.code.invalid') },
        401,
      );
    }
    res.redirect(303, safeNext(req.body?.next));
  });

  router.get('/holder/verify', limited, async (req, res) => {
    try {
      setSession(res, await verifyHolderLink(app, typeof req.query.link === 'string' ? req.query.link : ''));
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 401) throw error;
      return loginPage(req, res, { problem: translator(languageOf(req, res))('holder.code.invalid') }, 401);
    }
    res.redirect(303, '/holder');
  });

  const requireHolder = async (req: Request, res: Response, next: NextFunction) => {
    const session = await holderOf(app, req);
    if (!session)
      return res.redirect(
        303,
        `/holder/login?next=${encodeURIComponent(req.path === '/holder' ? '/holder' : '/holder')}`,
      );
    res.locals.holder = session;
    next();
  };
  const session = (res: Response) => res.locals.holder as HolderSession;

  router.get('/holder', requireHolder, async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const { holder, csrf } = session(res);
    const held = await Promise.all((await heldCredentials(app, holder)).map((h) => describeHeld(app, h, lang)));
    const question = await nameQuestion(app, holder);
    const apps = (await authorisedApps(app, holder.id)).map((a) => ({
      ...a,
      since: a.since ? formatDate(a.since, lang) : undefined,
      scopes: a.scopes.map((s) => t(`consent.scope.${scopeKey(s)}`)),
    }));
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      renderPage('holder', {
        lang,
        title: t('holder.title'),
        switchLanguageUrl: switchUrl(req, lang),
        csrf,
        email: holder.email,
        name: holder.name ?? '',
        showName: holder.show_name === 1,
        ...(question.ask ? { question: { name: question.suggestedName } } : {}),
        done: req.query.done ? t('console.done') : undefined,
        labels: {
          public: t('holder.public'),
          private: t('holder.private'),
          makePublic: t('holder.makePublic'),
          makePrivate: t('holder.makePrivate'),
          open: t('holder.open'),
        },
        apps,
        recognitions: await holderRecognitionsModel(app, session(res), lang),
        pathways: presentPathwayProgress(await holderPathways(app, holder), lang),
        badges: held.map((b) => presentHeldBadge(b, lang)),
      }),
    );
  });

  router.post('/holder/credentials/:id/visibility', requireHolder, form, async (req, res) => {
    checkHolderCsrf(req, session(res));
    await setCredentialPublic(app, session(res).holder, param(req, 'id'), req.body?.public === '1');
    res.redirect(303, '/holder?done=1');
  });

  // The holder's own signed files, hidden badge or hidden name notwithstanding (see src/app/visibility.ts).
  for (const [file, format] of CREDENTIAL_FILES) {
    router.get(`/holder/credentials/:id/${file}`, requireHolder, async (req, res) => {
      const found = await holderCredentialFile(app, session(res).holder, param(req, 'id'), format);
      res.setHeader('Cache-Control', 'private, no-store');
      sendCredentialFile(req, res, found);
    });
  }

  // Her printable certificate, her name on it (see src/app/certificate.ts), in the language asked.
  router.get('/holder/credentials/:id/certificate.pdf', requireHolder, async (req, res) => {
    const facts = await holderCertificate(app, session(res).holder, param(req, 'id'), languageOf(req, res));
    res.setHeader('Cache-Control', 'private, no-store');
    sendCertificate(res, await renderCertificatePdf(facts), facts.baseName);
  });

  router.post('/holder/apps/:grant/revoke', requireHolder, form, async (req, res) => {
    checkHolderCsrf(req, session(res));
    await revokeAuthorisedApp(app, session(res).holder.id, param(req, 'grant'));
    res.redirect(303, '/holder?done=1');
  });

  router.post('/holder/name', requireHolder, form, async (req, res) => {
    checkHolderCsrf(req, session(res));
    await setHolderName(app, session(res).holder, {
      name: typeof req.body?.name === 'string' ? req.body.name : null,
      show: req.body?.show === '1',
    });
    res.redirect(303, '/holder?done=1');
  });

  router.post('/holder/delete', requireHolder, form, async (req, res) => {
    checkHolderCsrf(req, session(res));
    if (req.body?.confirm !== '1') throw new ValidationError('Tick the confirmation box to delete your account.');
    await deleteHolderAccount(app, session(res).holder);
    clearCookie(res, HOLDER_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });
    const lang = languageOf(req, res);
    res
      .type('html')
      .send(
        renderPage('legal', {
          lang,
          title: translator(lang)('holder.deleted'),
          heading: translator(lang)('holder.deleteTitle'),
          body: translator(lang)('holder.deleted'),
          switchLanguageUrl: '/holder/login?lang=' + (lang === 'fr' ? 'en' : 'fr'),
        }),
      );
  });

  router.post('/holder/logout', requireHolder, form, async (req, res) => {
    checkHolderCsrf(req, session(res));
    await endHolderSession(app, session(res).token);
    clearCookie(res, HOLDER_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });
    res.redirect(303, '/holder/login');
  });

  for (const page of ['terms', 'privacy'] as const) {
    router.get(`/${page}`, (req, res) => {
      const lang = languageOf(req, res);
      const t = translator(lang);
      res
        .type('html')
        .send(
          renderPage('legal', {
            lang,
            title: t(`legal.${page}.title`),
            heading: t(`legal.${page}.title`),
            body: t(`legal.${page}.body`),
            switchLanguageUrl: switchUrl(req, lang),
          }),
        );
    });
  }
  return router;
}
