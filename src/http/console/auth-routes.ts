import express, { Router } from 'express';
import {
  describeLink,
  passwordResetLink,
  setPasswordWithLink,
  signIn,
  signOut,
  SignInError,
} from '../../app/accounts.js';
import type { AppContext } from '../../app/context.js';
import { AppError, ValidationError } from '../../app/errors.js';
import { enqueuePasswordResetEmail } from '../../app/notifications.js';
import { translator } from '../../views/i18n.js';
import { languageOf } from '../pages.js';
import { rateLimit } from '../rate-limit.js';
import { field } from './context.js';
import { consolePage } from './render.js';
import { readCookie } from '../cookies.js';
import { checkCsrf, clearSessionCookie, SESSION_COOKIE, setSessionCookie } from './session.js';

/** Only a local path may follow a sign-in: never another site. */
function safeNext(next: string): string {
  return /^\/console(\/[A-Za-z0-9/_\-?=&.%]*)?$/.test(next) && !next.startsWith('//') ? next : '/console';
}

export function authRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const limited = rateLimit(app, 'console-login', app.config.signInRateLimit);

  router.get('/login', async (req, res) => {
    if (res.locals.session) return res.redirect(303, '/console');
    await consolePage(app, req, res, 'login', 'login.title', {
      next: typeof req.query.next === 'string' ? req.query.next : '',
    });
  });

  router.post('/login', limited, form, checkCsrf, async (req, res) => {
    const t = translator(languageOf(req, res));
    try {
      const session = await signIn(
        app,
        field(req.body, 'email'),
        typeof req.body?.password === 'string' ? req.body.password : '',
      );
      setSessionCookie(app, res, session);
      res.redirect(303, safeNext(field(req.body, 'next')));
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      const problem = error.reason === 'locked' ? t('login.locked', { minutes: error.minutes }) : t('login.invalid');
      await consolePage(
        app,
        req,
        res,
        'login',
        'login.title',
        { problem, email: field(req.body, 'email'), next: field(req.body, 'next') },
        { status: error.status },
      );
    }
  });

  router.post('/logout', form, checkCsrf, async (req, res) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token) await signOut(app, token);
    clearSessionCookie(app, res);
    res.redirect(303, '/console/login');
  });

  router.get('/forgot', async (req, res) => {
    await consolePage(app, req, res, 'login', 'login.resetTitle', { reset: true, sent: req.query.sent === '1' });
  });

  router.post('/forgot', limited, form, checkCsrf, async (req, res) => {
    const found = await passwordResetLink(app, field(req.body, 'email'));
    if (found)
      await enqueuePasswordResetEmail(app, {
        email: found.user.email,
        ...(found.user.name ? { name: found.user.name } : {}),
        organisationName: '',
        link: found.link,
        language: languageOf(req, res),
      });
    // The same answer whether or not the account exists.
    res.redirect(303, '/console/forgot?sent=1');
  });

  router.get('/password', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const link = await describeLink(app, token);
    res.setHeader('Referrer-Policy', 'no-referrer');
    await consolePage(
      app,
      req,
      res,
      'password',
      'password.title',
      link
        ? { token, email: link.email, orgSuffix: link.organisationName ? ` — ${link.organisationName}` : '' }
        : { expired: true },
      { status: link ? 200 : 410 },
    );
  });

  router.post('/password', limited, form, checkCsrf, async (req, res) => {
    const t = translator(languageOf(req, res));
    const token = field(req.body, 'token');
    const password = typeof req.body?.password === 'string' ? req.body.password : '';
    const retry = async (problem: string, status: number) => {
      const link = await describeLink(app, token);
      await consolePage(
        app,
        req,
        res,
        'password',
        'password.title',
        link
          ? { token, email: link.email, orgSuffix: link.organisationName ? ` — ${link.organisationName}` : '', problem }
          : { expired: true },
        { status },
      );
    };
    if (password !== req.body?.confirm) return retry(t('password.mismatch'), 422);
    try {
      const session = await setPasswordWithLink(app, token, password);
      setSessionCookie(app, res, session);
      res.redirect(303, '/console');
    } catch (error) {
      if (error instanceof ValidationError) return retry(t('password.tooShort'), 422);
      if (error instanceof AppError && error.status === 410) return retry(t('password.expired'), 410);
      throw error;
    }
  });
  return router;
}
