import express, { Router, type Request } from 'express';
import { findAchievementRow } from '../../app/achievements.js';
import { AUDIT_ACTIONS, isAuditAction } from '../../app/audit-actions.js';
import { auditJournal } from '../../app/audit-journal.js';
import type { AppContext } from '../../app/context.js';
import { CREDENTIAL_STATES, findCredentials } from '../../app/credential-search.js';
import {
  eraseRecipient,
  getCredential,
  revokeCredential,
  setSuspended,
  type CredentialState,
} from '../../app/credentials.js';
import { outboxMessages } from '../../app/notifications.js';
import { can, scopeOf } from '../../app/policies.js';
import { formatDate, formatDateTime, translator } from '../../views/i18n.js';
import { auditLines } from '../../views/presenters/audit-log.js';
import { param } from '../auth.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId, field } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';
import { isUuid } from '../../shared/uuid.js';

/** A query parameter as typed, trimmed and cut to `max` characters ('' when absent). */
function query(req: Request, name: string, max = 100): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** An id parameter: a UUID, or nothing (a mangled link filters on nothing rather than failing). */
function idQuery(req: Request, name: string): string {
  const value = query(req, name, 36).toLowerCase();
  return isUuid(value) ? value : '';
}

/** Issued credentials (search, revoke, suspend, erase), the outbox and the audit log. */
export function recordRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  // Find people and badges: part of a name or an address, a badge, a session, a status.
  router.get('/credentials', async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const organisationId = await currentOrganisationId(app, req, res);
    // `email` is what links made before the search took any text (bookmarks, older tests of the API) carry.
    const text = query(req, 'q', 200) || query(req, 'email', 200);
    const state = query(req, 'state');
    const filter = {
      q: text,
      badge: idQuery(req, 'badge'),
      session: idQuery(req, 'session'),
      state: (CREDENTIAL_STATES as readonly string[]).includes(state) ? (state as CredentialState) : undefined,
    };
    const found = await findCredentials(app, actor, {
      issuerId: organisationId,
      ...(filter.q ? { text: filter.q } : {}),
      ...(filter.badge ? { achievementId: filter.badge } : {}),
      ...(filter.session ? { workshopId: filter.session } : {}),
      ...(filter.state ? { state: filter.state } : {}),
      limit: 200,
    });
    const searched = Boolean(filter.q || filter.badge || filter.session || filter.state);
    await consolePage(
      app,
      req,
      res,
      'credentials',
      'credentials.title',
      {
        filter,
        searched,
        summary: searched
          ? t('credentials.found', { count: found.total })
          : t('credentials.latest', { count: found.credentials.length }),
        more: found.total > found.credentials.length ? t('credentials.more', { shown: found.credentials.length }) : '',
        badges: found.badges.map((b) => ({ id: b.id, name: b.name[lang], selected: b.id === filter.badge })),
        sessions: found.sessions.map((s) => ({
          id: s.id,
          name: `${s.title} — ${formatDate(s.heldOn, lang) ?? s.heldOn}`,
          selected: s.id === filter.session,
        })),
        states: CREDENTIAL_STATES.map((value) => ({
          value,
          label: t(`credentials.state.${value}`),
          selected: value === filter.state,
        })),
        credentials: found.credentials.map((c) => ({
          id: c.id,
          name: c.holder.name ?? '',
          email: c.holder.email ?? '',
          erased: c.holder.erased,
          badge: c.badge.name[lang],
          session: c.session?.title ?? '',
          issued: formatDate(c.issuedAt, lang),
          state: t(`credentials.state.${c.state}`),
          stateCode: c.state,
          emailState: c.email
            ? c.email.opened
              ? t('emails.state.opened')
              : c.email.reminders > 0
                ? t(`emails.state.reminded.${c.email.reminders === 1 ? 'one' : 'other'}`, { count: c.email.reminders })
                : t('emails.state.unopened')
            : '',
          emailOpened: c.email?.opened ?? false,
        })),
      },
      { active: 'credentials', organisationId },
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

  // The audit log as sentences, filterable by who acted, by badge and by action.
  router.get('/audit', async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const organisationId = scopeOf(actor) ?? (await currentOrganisationId(app, req, res));
    const action = query(req, 'action');
    const since = query(req, 'since');
    const filter = {
      who: idQuery(req, 'who'),
      badge: idQuery(req, 'badge'),
      action: isAuditAction(action) ? action : '',
      since: /^\d{4}-\d{2}-\d{2}$/.test(since) ? since : '',
    };
    const journal = await auditJournal(app, actor, {
      issuerId: organisationId,
      ...(filter.who ? { actorId: filter.who } : {}),
      ...(filter.badge ? { achievementId: filter.badge } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.since ? { since: `${filter.since}T00:00:00.000Z` } : {}),
      limit: 300,
    });
    await consolePage(
      app,
      req,
      res,
      'audit',
      'audit.title',
      {
        filter,
        people: journal.people.map((p) => ({ id: p.id, name: p.name, selected: p.id === filter.who })),
        badges: journal.badges.map((b) => ({ id: b.id, name: b.name[lang], selected: b.id === filter.badge })),
        actions: AUDIT_ACTIONS.map((value) => ({
          value,
          label: t(`audit.actionName.${value}`),
          selected: value === filter.action,
        })),
        entries: auditLines(journal.entries, lang),
      },
      { active: 'audit', organisationId },
    );
  });
  return router;
}
