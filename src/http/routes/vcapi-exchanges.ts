import express, { Router, type RequestHandler } from 'express';
import type { AppContext } from '../../app/context.js';
import { interactionProtocols, participateInExchange } from '../../app/vcapi-exchanges.js';
import { param } from '../auth.js';
import { refuseDeclaredOversize } from './verify.js';

/** A DID Authentication presentation is one small signed document. */
const JSON_LIMIT = 64 * 1024;

/**
 * Wallets are apps, some in a browser: the interaction URL and the exchanges answer any origin. They carry no
 * cookie (the exchange id is the only secret), so an open CORS policy gives a page nothing it did not have.
 */
const cors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
};

/**
 * VC API exchanges for wallets (src/app/vcapi-exchanges.ts): GET /interactions/{id}?iuv=1 names the protocols of
 * an offer, POST /exchanges/{id} runs its DID Authentication exchange. Errors are problem+json, as everywhere.
 */
export function vcapiExchangesRouter(app: AppContext): Router {
  const router = Router();
  const json = [
    refuseDeclaredOversize(JSON_LIMIT),
    express.json({ limit: JSON_LIMIT, type: ['application/json', 'application/*+json'] }),
  ];

  router.use(['/interactions', '/exchanges'], cors);
  router.get('/interactions/:id', async (req, res) => {
    const protocols = await interactionProtocols(app, param(req, 'id'));
    res.setHeader('Cache-Control', 'no-store');
    res.json(protocols);
  });
  router.post('/exchanges/:id', ...json, async (req, res) => {
    // No body at all is the same as {}: the first step asks for nothing.
    const answer = await participateInExchange(app, param(req, 'id'), (req.body as unknown) ?? {});
    res.setHeader('Cache-Control', 'no-store');
    res.json(answer);
  });
  return router;
}
