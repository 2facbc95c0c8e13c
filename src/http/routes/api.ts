import express, { Router } from 'express';
import { awardCredential } from '../../app/award.js';
import { bulkAward } from '../../app/bulk-award.js';
import { createAchievement, getAchievement, listAchievementViews, updateAchievement } from '../../app/achievements.js';
import type { AppContext } from '../../app/context.js';
import {
  eraseRecipient,
  getCredential,
  listCredentialViews,
  revokeCredential,
  setSuspended,
} from '../../app/credentials.js';
import { decodeSpreadsheetText, parseAwardCsv } from '../../app/csv.js';
import { badRequest } from '../../app/errors.js';
import {
  createIssuer,
  createUser,
  getIssuer,
  listIssuerUsers,
  listIssuers,
  rotateIssuerKeys,
  updateIssuer,
} from '../../app/issuers.js';
import { listAudit } from '../../app/audit.js';
import { actorOf, param, requireToken } from '../auth.js';
import { validateBody } from '../validate.js';
import { refuseDeclaredOversize } from './verify.js';

const JSON_BODY_LIMIT = 256 * 1024;
const SPREADSHEET_LIMIT = 5 * 1024 * 1024;
/** CSV under its usual names; workbooks too, to be refused with what to do instead (see decodeSpreadsheetText). */
const SPREADSHEET_TYPES = [
  'text/csv',
  'text/plain',
  'application/csv',
  'text/tab-separated-values',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.spreadsheet',
];

/** True when a string or property name anywhere in `root` holds U+0000 (walked without recursion). */
function containsNul(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\0')) return true;
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\0')) return true;
        pending.push(child);
      }
    }
  }
  return false;
}

/**
 * PostgreSQL text cannot hold U+0000: a "\u0000" in a JSON name or email reached an INSERT and failed there as
 * a 500. No field has a use for it, so the body is refused as bad input instead.
 */
const refuseNul: express.RequestHandler = (req, _res, next) => {
  next(
    containsNul(req.body)
      ? badRequest('The request body contains a NUL character (\\u0000), which no field accepts.')
      : undefined,
  );
};

function query(req: express.Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function intQuery(req: express.Request, name: string): number | undefined {
  const value = query(req, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value)) throw badRequest(`The query parameter "${name}" must be a non-negative integer.`);
  return Number(value);
}

/** /api/v1: the operators' API. Thin routes: check the body, call the use case, send what it returns. */
export function apiRouter(app: AppContext): Router {
  const router = Router();
  // One handler (a router) for the three steps: a declared oversize body is refused before it is read (see
  // refuseDeclaredOversize), then the JSON is parsed, then NUL characters are refused.
  const json = Router().use(
    refuseDeclaredOversize(JSON_BODY_LIMIT),
    express.json({ limit: JSON_BODY_LIMIT }),
    refuseNul,
  );
  router.use(requireToken(app));

  router.post('/issuers', json, validateBody('issuer-create.json'), async (req, res) => {
    res.status(201).json(await createIssuer(app, actorOf(res), req.body));
  });
  router.get('/issuers', async (_req, res) => {
    res.json({ issuers: await listIssuers(app, actorOf(res)) });
  });
  router.get('/issuers/:id', async (req, res) => {
    res.json(await getIssuer(app, actorOf(res), param(req, 'id')));
  });
  router.patch('/issuers/:id', json, validateBody('issuer-update.json'), async (req, res) => {
    res.json(await updateIssuer(app, actorOf(res), param(req, 'id'), req.body));
  });
  router.post('/issuers/:id/keys/rotate', json, async (req, res) => {
    const reason = typeof req.body?.reason === 'string' ? req.body.reason.slice(0, 1000) : undefined;
    res.json(await rotateIssuerKeys(app, actorOf(res), param(req, 'id'), reason));
  });
  router.post('/issuers/:id/users', json, validateBody('user-create.json'), async (req, res) => {
    res.status(201).json(await createUser(app, actorOf(res), param(req, 'id'), req.body));
  });
  router.get('/issuers/:id/users', async (req, res) => {
    res.json({ users: await listIssuerUsers(app, actorOf(res), param(req, 'id')) });
  });

  router.get('/catalogue', (_req, res) => {
    res.json({
      badges: app.catalogue.badges,
      entrecomp: app.catalogue.entrecomp,
      workshopTypes: app.catalogue.workshopTypes,
    });
  });
  router.post('/achievements', json, validateBody('achievement-create.json'), async (req, res) => {
    res.status(201).json(await createAchievement(app, actorOf(res), req.body));
  });
  router.get('/achievements', async (req, res) => {
    const issuerId = query(req, 'issuerId');
    res.json({
      achievements: await listAchievementViews(app, actorOf(res), {
        ...(issuerId ? { issuerId } : {}),
        includeArchived: query(req, 'archived') === 'true',
      }),
    });
  });
  router.get('/achievements/:id', async (req, res) => {
    res.json(await getAchievement(app, actorOf(res), param(req, 'id')));
  });
  router.patch('/achievements/:id', json, validateBody('achievement-update.json'), async (req, res) => {
    res.json(await updateAchievement(app, actorOf(res), param(req, 'id'), req.body));
  });

  router.post('/credentials', json, validateBody('credential-award.json'), async (req, res) => {
    const awarded = await awardCredential(app, actorOf(res), req.body);
    res.status(201).location(awarded.url).json(awarded);
  });
  router.post(
    '/credentials/bulk',
    refuseDeclaredOversize(SPREADSHEET_LIMIT),
    express.raw({ type: SPREADSHEET_TYPES, limit: SPREADSHEET_LIMIT }),
    async (req, res) => {
      const achievementId = query(req, 'achievementId');
      if (!achievementId) throw badRequest('Say which badge to award: ?achievementId=<id>.');
      if (!Buffer.isBuffer(req.body))
        throw badRequest('Send the spreadsheet as the request body, with Content-Type: text/csv.');
      const dryRun = query(req, 'dryRun') !== 'false';
      const rows = parseAwardCsv(decodeSpreadsheetText(req.body));
      if (rows.length === 0) throw badRequest('The file has no rows. Expected lines of: email,name[,evidence].');
      const language = query(req, 'language') === 'en' ? 'en' : 'fr';
      res.json(
        await bulkAward(app, actorOf(res), achievementId, rows, {
          dryRun,
          language,
          showNames: query(req, 'showNames') === 'true',
        }),
      );
    },
  );
  router.get('/credentials', async (req, res) => {
    const filter = {
      achievementId: query(req, 'achievementId'),
      email: query(req, 'email'),
      batchId: query(req, 'batchId'),
      limit: intQuery(req, 'limit'),
      offset: intQuery(req, 'offset'),
    };
    res.json({
      credentials: await listCredentialViews(
        app,
        actorOf(res),
        Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)),
      ),
    });
  });
  router.get('/credentials/:id', async (req, res) => {
    res.json(await getCredential(app, actorOf(res), param(req, 'id')));
  });
  router.post('/credentials/:id/revoke', json, validateBody('status-change.json'), async (req, res) => {
    res.json(await revokeCredential(app, actorOf(res), param(req, 'id'), req.body.reason));
  });
  router.post('/credentials/:id/suspend', json, validateBody('status-change.json'), async (req, res) => {
    res.json(await setSuspended(app, actorOf(res), param(req, 'id'), true, req.body.reason));
  });
  router.post('/credentials/:id/unsuspend', json, validateBody('status-change.json'), async (req, res) => {
    res.json(await setSuspended(app, actorOf(res), param(req, 'id'), false, req.body.reason));
  });
  router.post('/credentials/:id/erase', json, validateBody('credential-erase.json'), async (req, res) => {
    res.json(await eraseRecipient(app, actorOf(res), param(req, 'id'), req.body));
  });

  router.get('/audit', async (req, res) => {
    const filter = {
      issuerId: query(req, 'issuerId'),
      action: query(req, 'action'),
      targetId: query(req, 'targetId'),
      since: query(req, 'since'),
      limit: intQuery(req, 'limit'),
      offset: intQuery(req, 'offset'),
    };
    res.json({
      entries: await listAudit(
        app,
        actorOf(res),
        Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)),
      ),
    });
  });
  return router;
}
