import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import type { AppContext } from '../../app/context.js';
import {
  authorizationServerMetadata,
  createOffer,
  exchangeToken,
  issueToWallet,
  issuerMetadata,
  listWalletCopies,
  newNonce,
  notifyIssuer,
  OAuthError,
} from '../../app/openid4vci.js';
import { actorOf, param, requireToken } from '../auth.js';
import { refuseDeclaredOversize } from './verify.js';

/** A token request is a handful of short parameters; a credential request one proof JWT. */
const FORM_LIMIT = 8 * 1024;
const JSON_LIMIT = 32 * 1024;

/**
 * Wallets are apps, and some run in a browser: the wallet endpoints answer any origin. They carry no cookie
 * (the access token is a bearer header), so opening them to every origin gives a page nothing it did not have.
 */
const cors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, DPoP');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
};

/** OAuth's error JSON for the wallet endpoints (RFC 6749 §5.2), and a bad body said the same way. */
const oauthErrors: ErrorRequestHandler = (error, _req, res, next) => {
  const send = (status: number, code: string, description: string) => {
    res.setHeader('Cache-Control', 'no-store');
    if (status === 401) res.setHeader('WWW-Authenticate', `Bearer error="${code}"`);
    res.status(status).json({ error: code, error_description: description });
  };
  if (error instanceof OAuthError) return send(error.status, error.error, error.description);
  const bodyError = error as { type?: string; status?: number };
  if (bodyError.type === 'entity.parse.failed') return send(400, 'invalid_request', 'The request body cannot be read.');
  if (bodyError.type === 'entity.too.large') return send(400, 'invalid_request', 'The request body is too large.');
  next(error);
};

function bodyOf(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * OpenID4VCI 1.0 (src/app/openid4vci.ts): the issuer and authorization server metadata, the token, nonce,
 * credential and notification endpoints, and the operators' POST /api/v1/credentials/{id}/offer. Mounted
 * before the /api/v1 routers, which ask every request for an operator token.
 */
export function openid4vciRouter(app: AppContext): Router {
  const router = Router();
  const form = [refuseDeclaredOversize(FORM_LIMIT), express.urlencoded({ extended: false, limit: FORM_LIMIT })];
  const json = [refuseDeclaredOversize(JSON_LIMIT), express.json({ limit: JSON_LIMIT })];

  router.use(['/.well-known/openid-credential-issuer', '/.well-known/oauth-authorization-server', '/oid4vci'], cors);
  router.get('/.well-known/openid-credential-issuer', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(issuerMetadata(app));
  });
  router.get('/.well-known/oauth-authorization-server', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(authorizationServerMetadata(app));
  });
  router.post('/oid4vci/token', ...form, async (req, res) => {
    const token = await exchangeToken(app, bodyOf(req.body));
    res.setHeader('Cache-Control', 'no-store');
    res.json(token);
  });
  router.post('/oid4vci/nonce', async (_req, res) => {
    const nonce = await newNonce(app);
    res.setHeader('Cache-Control', 'no-store');
    res.json(nonce);
  });
  router.post('/oid4vci/credential', ...json, async (req, res) => {
    const issued = await issueToWallet(app, req.get('authorization'), bodyOf(req.body));
    res.setHeader('Cache-Control', 'no-store');
    res.json(issued);
  });
  router.post('/oid4vci/notification', ...json, async (req, res) => {
    await notifyIssuer(app, req.get('authorization'), bodyOf(req.body));
    res.status(204).end();
  });
  router.use(['/oid4vci', '/.well-known/openid-credential-issuer'], oauthErrors);

  // The operators' side: an offer for one of their organisation's badges (problem+json errors, like /api/v1).
  router.post('/api/v1/credentials/:id/offer', requireToken(app), async (req, res) => {
    const created = await createOffer(app, actorOf(res), param(req, 'id'));
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({
      offer: created.offer,
      tx_code: created.txCode,
      expires_at: created.expiresAt,
      interaction_url: created.interaction,
    });
  });
  router.get('/api/v1/credentials/:id/wallet-copies', requireToken(app), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ copies: await listWalletCopies(app, actorOf(res), param(req, 'id')) });
  });
  return router;
}
