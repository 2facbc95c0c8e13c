import express, { Router } from 'express';
import type { AppContext } from '../app/context.js';
import { createHolderOffer } from '../app/openid4vci.js';
import { formatDateTime, translator } from '../views/i18n.js';
import { qrSvg } from '../views/qr.js';
import { renderPage } from '../views/render.js';
import { param } from './auth.js';
import { checkHolderCsrf, holderOf } from './holder-routes.js';
import { languageOf } from './pages.js';

/**
 * "Ajouter à mon portefeuille" (issue 15 §1): the signed-in holder asks for an OpenID4VCI offer of one of her
 * badges and gets a page with its QR code and link, and the transaction code beside them (never inside the QR
 * code). A POST, since each visit makes a new single-use offer; the page is not kept by any cache.
 */
export function holderWalletRouter(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  router.post('/holder/credentials/:id/wallet', form, async (req, res) => {
    const session = await holderOf(app, req);
    if (!session) return res.redirect(303, '/holder/login?next=/holder');
    checkHolderCsrf(req, session);
    const lang = languageOf(req, res);
    const created = await createHolderOffer(app, session.holder, param(req, 'id'));
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      renderPage('holder-wallet', {
        lang,
        title: translator(lang)('wallet.title'),
        name: created.badgeName,
        offer: created.offer,
        interaction: created.interaction,
        qrSvgHtml: await qrSvg(created.offer),
        txCode: created.txCode,
        expires: formatDateTime(created.expiresAt, lang),
      }),
    );
  });
  return router;
}
