import express, { Router } from 'express';
import { findAchievementRow } from '../../app/achievements.js';
import { AUDIT_ACTIONS } from '../../app/audit-actions.js';
import { auditActorEmails, listAudit } from '../../app/audit.js';
import type { AppContext } from '../../app/context.js';
import {
  eraseRecipient,
  getCredential,
  listCredentialViews,
  revokeCredential,
  setSuspended,
} from '../../app/credentials.js';
import { outboxMessages } from '../../app/notifications.js';
import { can, scopeOf } from '../../app/policies.js';
import { formatDate, formatDateTime, translator } from '../../views/i18n.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId, field } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

/** Issued credentials (search, revoke, suspend, erase), the outbox and the audit log. */
export function recordRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  router.get('/credentials', async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const email = typeof req.query.email === 'string' ? req.query.email.trim().slice(0, 254) : '';
    const actor = sessionOf(res).actor;
    const rows = await listCredentialViews(app, actor, { ...(email ? { email } : {}), limit: 200 });
    const names = new Map<string, string>();
    for (const row of rows) {
      if (!names.has(row.achievementId)) {
        const achievement = await findAchievementRow(app, row.achievementId);
        names.set(row.achievementId, achievement ? (lang === 'fr' ? achievement.name_fr : achievement.name_en) : '');
      }
    }
    await consolePage(
      app,
      req,
      res,
      'credentials',
      'credentials.title',
      {
        email,
        labels: { erased: t('credentials.erased'), open: t('credentials.open') },
        credentials: rows.map((r) => ({
          id: r.id,
          name: r.recipient.name ?? '',
          email: r.recipient.email ?? '',
          erased: r.recipient.erased,
          badge: names.get(r.achievementId),
          issued: formatDate(r.issuedAt, lang),
          state: t(`credentials.state.${r.state}`),
        })),
      },
      { active: 'credentials' },
    );
  });

  router.get('/credentials/:id', async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const credential = await getCredential(app, actor, param(req, 'id'));
    const achievement = await findAchievementRow(app, credential.achievementId);
    await consolePage(
      app,
      req,
      res,
      'credential',
      'credentials.title',
      {
        credential: {
          id: credential.id,
          url: credential.url,
          badge: achievement ? (lang === 'fr' ? achievement.name_fr : achievement.name_en) : '',
          name: credential.recipient.name ?? '',
          email: credential.recipient.email ?? '',
          erased: credential.recipient.erased,
          issued: formatDate(credential.issuedAt, lang),
          state: t(`credentials.state.${credential.state}`),
          stateCode: credential.state,
          revoked: credential.state === 'revoked',
          suspended: credential.state === 'suspended',
        },
        canRevoke: can(actor, 'credential.revoke'),
        canErase: can(actor, 'credential.erase'),
      },
      { active: 'credentials', organisationId: credential.issuerId },
    );
  });

  router.post('/credentials/:id/status', form, checkCsrf, async (req, res) => {
    const actor = sessionOf(res).actor;
    const id = param(req, 'id');
    const reason = field(req.body, 'reason').slice(0, 1000) || undefined;
    const action = field(req.body, 'action');
    if (action === 'revoke') await revokeCredential(app, actor, id, reason);
    else if (action === 'suspend') await setSuspended(app, actor, id, true, reason);
    else if (action === 'unsuspend') await setSuspended(app, actor, id, false, reason);
    res.redirect(303, `/console/credentials/${id}?done=console.done`);
  });

  router.post('/credentials/:id/erase', form, checkCsrf, async (req, res) => {
    const id = param(req, 'id');
    const reason = field(req.body, 'reason').slice(0, 1000);
    await eraseRecipient(app, sessionOf(res).actor, id, {
      revoke: field(req.body, 'revoke') === '1',
      ...(reason ? { reason } : {}),
    });
    res.redirect(303, `/console/credentials/${id}?done=console.done`);
  });

  router.get('/outbox', async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const organisationId = scopeOf(actor) ?? (await currentOrganisationId(app, req, res));
    const messages = await outboxMessages(app, actor, organisationId);
    await consolePage(
      app,
      req,
      res,
      'outbox',
      'outbox.title',
      {
        messages: messages.map((m) => ({
          to: m.to_email,
          subject: m.subject,
          status: t(`outbox.status.${m.status}`),
          created: formatDateTime(new Date(m.created_at), lang),
        })),
      },
      { active: 'outbox', organisationId },
    );
  });

  router.get('/audit', async (req, res) => {
    const lang = languageOf(req, res);
    const actor = sessionOf(res).actor;
    const q = (name: string) =>
      typeof req.query[name] === 'string' ? (req.query[name] as string).trim().slice(0, 100) : '';
    const organisationId = scopeOf(actor) ?? (await currentOrganisationId(app, req, res));
    const entries = await listAudit(app, actor, {
      issuerId: organisationId,
      ...(q('action') ? { action: q('action') } : {}),
      ...(q('target') ? { targetId: q('target') } : {}),
      ...(/^\d{4}-\d{2}-\d{2}$/.test(q('since')) ? { since: `${q('since')}T00:00:00.000Z` } : {}),
      limit: 300,
    });
    const users = await auditActorEmails(app, actor, entries);
    await consolePage(
      app,
      req,
      res,
      'audit',
      'audit.title',
      {
        filter: { action: q('action'), target: q('target'), since: q('since') },
        actions: AUDIT_ACTIONS,
        entries: entries.map((e) => ({
          at: formatDateTime(new Date(e.at), lang),
          action: e.action,
          target: `${e.targetType} ${e.targetId ?? ''}`,
          who: e.actorId ? (users.get(e.actorId) ?? e.actorId) : '',
          reason: e.reason ?? '',
        })),
      },
      { active: 'audit', organisationId },
    );
  });
  return router;
}
