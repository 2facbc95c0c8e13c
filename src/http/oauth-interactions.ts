import express, { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { AppContext } from '../app/context.js';
import { AppError } from '../app/errors.js';
import { OAUTH_MOUNT } from '../oauth/provider.js';
import { scopeKey } from '../oauth/scopes.js';
import { translator } from '../views/i18n.js';
import { renderPage } from '../views/render.js';
import { param } from './auth.js';
import { checkHolderCsrf, holderOf } from './holder-routes.js';
import { languageOf } from './pages.js';

/**
 * The holder's side of an OAuth authorization: sign in (the holder sign-in pages, then back here) and consent to
 * what the client asks, in French or English. Nothing is granted without an explicit click. In src/http, not
 * src/oauth: it is pages and the holder's session, which are HTTP's; the OAuth server is only called.
 */
export function interactionRouter(app: AppContext, provider: Provider): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get(`${OAUTH_MOUNT}/interaction/:uid`, async (req: Request, res: Response) => {
    const details = await provider.interactionDetails(req, res);
    const holder = await holderOf(app, req);
    if (!holder)
      return res.redirect(
        303,
        `/holder/login?next=${encodeURIComponent(`${OAUTH_MOUNT}/interaction/${param(req, 'uid')}`)}`,
      );
    if (
      details.prompt.name === 'login' ||
      (details.session?.accountId && details.session.accountId !== holder.holder.id)
    ) {
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: holder.holder.id } },
        { mergeWithLastSubmission: false },
      );
    }
    const lang = languageOf(req, res);
    const t = translator(lang);
    const client = await provider.Client.find(String(details.params.client_id));
    if (!client) throw new AppError(400, 'invalid-client', 'Unknown client.');
    const requested = String(details.params.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const logo = httpsOnly(client.logoUri);
    // Both forms end in a redirect to the client, which browsers check against form-action; the logo is the client's.
    allowInPolicy(res, { 'form-action': [originOf(details.params.redirect_uri)], 'img-src': [originOf(logo)] });
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      renderPage('consent', {
        lang,
        title: t('consent.title'),
        switchLanguageUrl: `${req.path}?lang=${lang === 'fr' ? 'en' : 'fr'}`,
        uid: details.uid,
        csrf: holder.csrf,
        email: holder.holder.email,
        client: {
          name: client.clientName ?? client.clientId,
          uri: httpsOnly(client.clientUri),
          policy: httpsOnly(client.policyUri),
          tos: httpsOnly(client.tosUri),
          logo,
        },
        scopes: requested.map((scope) => ({ key: scopeKey(scope), label: t(`consent.scope.${scopeKey(scope)}`) })),
      }),
    );
  });

  router.post(`${OAUTH_MOUNT}/interaction/:uid/confirm`, form, async (req: Request, res: Response) => {
    const holder = await holderOf(app, req);
    checkHolderCsrf(req, holder);
    const details = await provider.interactionDetails(req, res);
    if (!holder || details.session?.accountId !== holder.holder.id)
      throw new AppError(403, 'forbidden', 'Sign in as the account this authorization is for.');
    const clientId = String(details.params.client_id);
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: holder.holder.id, clientId });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });

  router.post(`${OAUTH_MOUNT}/interaction/:uid/abort`, form, async (req: Request, res: Response) => {
    checkHolderCsrf(req, await holderOf(app, req));
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The holder refused to give access.' },
      { mergeWithLastSubmission: false },
    );
  });
  return router;
}

/** Client-supplied links are shown only when they are https (never javascript: or data:). */
function httpsOnly(url: string | undefined): string | undefined {
  return url && /^https:\/\//i.test(url) ? url : undefined;
}

function originOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Adds origins to directives of the Content-Security-Policy already set for this response (by helmet). */
function allowInPolicy(res: Response, additions: Record<string, (string | undefined)[]>): void {
  const policy = res.getHeader('Content-Security-Policy');
  if (typeof policy !== 'string') return;
  const directives = policy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((directive) => {
      const [name, ...values] = directive.split(/\s+/);
      const extra = (additions[name!.toLowerCase()] ?? []).filter((o): o is string => !!o && !values.includes(o));
      return [name, ...values, ...extra].join(' ');
    });
  res.setHeader('Content-Security-Policy', directives.join(';'));
}
