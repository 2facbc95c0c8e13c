import type { Transaction } from 'kysely';
import { findAchievement } from '../store/repositories/achievements.js';
import {
  closeRequest,
  countPendingReceived,
  findEndorsementRequest,
  findPendingRequest,
  insertEndorsementRequest,
  listEndorsementRequests as listRequestRows,
  organisationContacts,
  type EndorsementRequestListed,
} from '../store/repositories/endorsement-requests.js';
import { findOrganisation, listOrganisations } from '../store/repositories/organisations.js';
import type {
  AchievementRow,
  Database,
  EndorsementRequestRow,
  EndorsementRequestStatus,
  OrganisationKind,
  OrganisationRow,
} from '../store/schema.js';
import { newId } from '../shared/clock.js';
import { isUuid } from '../shared/uuid.js';
import { loadAchievement } from './achievements.js';
import { recordAudit } from './audit-actions.js';
import type { Localized } from './catalogue.js';
import type { AppContext } from './context.js';
import { signEndorsement, type CreatedEndorsement } from './endorsements.js';
import { AppError, conflict, forbidden, notFound, ValidationError } from './errors.js';
import { checkInput } from './input-schemas.js';
import type { EndorsementRequestAnswerInput, EndorsementRequestCreateInput } from './input-types.js';
import { renderMessages, storeMessages, type Built } from './notifications.js';
import { assertInScope, authorize, scopeOf, type Actor } from './policies.js';
import type { EmailContent } from './presentation.js';

/**
 * Endorsement requests (issue 13): an operator asks a partner organisation to endorse one of its badge
 * definitions; the partner accepts, which signs the endorsement through the same path as a direct one
 * (signEndorsement), or declines with a message. Each step is audited and e-mailed to the other side, the e-mails
 * queued in the outbox in the step's own transaction.
 */

export type { EndorsementRequestStatus };

/** What the API and the console show of a request. */
export interface EndorsementRequestView {
  id: string;
  status: EndorsementRequestStatus;
  requester: { id: string; name: string };
  partner: { id: string; name: string };
  achievement: { id: string; name: Localized; url: string };
  message: string | null;
  createdAt: string;
  answeredAt: string | null;
  answerMessage: string | null;
  endorsement: { id: string; url: string } | null;
  /** The console page of the request. */
  consoleUrl: string;
}

/** A request with what the partner needs to decide: the badge's description, criteria and competences. */
export interface EndorsementRequestDetail extends EndorsementRequestView {
  description: Localized;
  criteria: Localized;
  competences: { code: string; level: number; name: Localized }[];
  /** Which side the actor is on: the partner answers, the requester follows. */
  side: 'partner' | 'requester' | 'platform';
}

export interface AcceptedRequest {
  request: EndorsementRequestView;
  endorsement: CreatedEndorsement;
}

export type RequestDirection = 'received' | 'sent';

function consoleUrl(app: AppContext, id: string): string {
  return `${app.ids.origin}/console/endorsement-requests/${id}`;
}

function viewOf(app: AppContext, row: EndorsementRequestListed): EndorsementRequestView {
  return {
    id: row.id,
    status: row.status,
    requester: { id: row.requester_id, name: row.requester_name },
    partner: { id: row.partner_id, name: row.partner_name },
    achievement: {
      id: row.achievement_id,
      name: { fr: row.name_fr, en: row.name_en },
      url: app.ids.achievement(row.achievement_id),
    },
    message: row.message,
    createdAt: row.created_at,
    answeredAt: row.answered_at,
    answerMessage: row.answer_message,
    endorsement: row.endorsement_id
      ? { id: row.endorsement_id, url: app.ids.endorsement(row.endorsement_id) }
      : null,
    consoleUrl: consoleUrl(app, row.id),
  };
}

/** The names a view shows, for a row read or written without the list's joins. */
function listed(
  row: EndorsementRequestRow,
  requester: OrganisationRow,
  partner: OrganisationRow,
  achievement: AchievementRow,
): EndorsementRequestListed {
  return {
    ...row,
    requester_name: requester.name,
    partner_name: partner.name,
    name_fr: achievement.name_fr,
    name_en: achievement.name_en,
  };
}

type Rendered = ReturnType<typeof renderMessages>;

/**
 * The e-mails to one organisation's contacts (its address, its administrators, read before any transaction),
 * rendered, ready to store.
 */
function emailsTo(app: AppContext, organisationId: string, contacts: string[], content: EmailContent): Rendered {
  const built: Built[] = contacts.map((to) => ({
    to,
    organisationId,
    credentialId: null,
    // The message carries both languages (French first); this only sets the document's language.
    lang: 'fr',
    content,
  }));
  return renderMessages(app, built);
}

interface FoundRequest {
  row: EndorsementRequestRow;
  requester: OrganisationRow;
  partner: OrganisationRow;
  achievement: AchievementRow;
}

/** A request with both organisations and its badge; 404 unless the actor is on one side of it. */
async function loadRequest(app: AppContext, actor: Actor, id: string): Promise<FoundRequest> {
  const row = isUuid(id) ? await findEndorsementRequest(app.db, id) : undefined;
  const scope = scopeOf(actor);
  if (!row || (scope !== undefined && scope !== row.partner_id && scope !== row.requester_id))
    throw notFound('Endorsement request');
  return {
    row,
    requester: (await findOrganisation(app.db, row.requester_id))!,
    partner: (await findOrganisation(app.db, row.partner_id))!,
    achievement: (await findAchievement(app.db, row.achievement_id))!,
  };
}

/** Only the partner answers (or the platform administrator for it); the requester is told why not. */
function assertPartnerSide(actor: Actor, row: EndorsementRequestRow): void {
  const scope = scopeOf(actor);
  if (scope !== undefined && scope !== row.partner_id)
    throw forbidden('Only the partner organisation asked can answer this request.');
}

function assertPending(row: EndorsementRequestRow): void {
  if (row.status !== 'pending') throw conflict(`This request has already been answered (${row.status}).`);
}

const answered = () => conflict('This request has just been answered by someone else: reload it to see the answer.');

/**
 * POST /api/v1/endorsement-requests: the actor's organisation asks another organisation to endorse one of its
 * badge definitions. One pending request per partner and badge.
 */
export async function requestEndorsement(
  app: AppContext,
  actor: Actor,
  input: EndorsementRequestCreateInput,
): Promise<EndorsementRequestView> {
  authorize(actor, 'endorsement.write');
  checkInput('endorsement-request-create.json', input);
  const achievement = await loadAchievement(app, actor, input.achievementId);
  if (achievement.archived_at)
    throw new AppError(409, 'archived', 'This badge is archived: it can no longer be endorsed.');
  const requester = (await findOrganisation(app.db, achievement.organisation_id))!;
  const partner = await findOrganisation(app.db, input.partnerId);
  if (!partner) throw notFound('Partner organisation');
  if (partner.id === requester.id)
    throw conflict('An organisation cannot endorse its own badge: choose another organisation as partner.');
  const message = input.message?.trim() || null;
  const at = app.clock.now().toISOString();
  const row: EndorsementRequestRow = {
    id: newId(),
    requester_id: requester.id,
    partner_id: partner.id,
    achievement_id: achievement.id,
    message,
    status: 'pending',
    created_at: at,
    created_by: actor.userId,
    answered_at: null,
    answered_by: null,
    answer_message: null,
    endorsement_id: null,
  };
  const emails = emailsTo(app, partner.id, await organisationContacts(app.db, partner.id), {
    kind: 'endorsement-request',
    requester: requester.name,
    partner: partner.name,
    badgeName: { fr: achievement.name_fr, en: achievement.name_en },
    message: message ?? undefined,
    url: consoleUrl(app, row.id),
  });
  await app.db.transaction().execute(async (trx) => {
    // Checked in the transaction: a double click sends one request, not two.
    if (await findPendingRequest(trx, partner.id, achievement.id))
      throw conflict(`${partner.name} has already been asked to endorse this badge and has not answered yet.`);
    await insertEndorsementRequest(trx, row);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: requester.id,
      action: 'endorsement.requested',
      targetType: 'endorsement-request',
      targetId: row.id,
      details: { partnerId: partner.id, achievementId: achievement.id },
    });
    await storeMessages(trx, emails);
  });
  app.metrics?.mail('queued', emails.length);
  return viewOf(app, listed(row, requester, partner, achievement));
}

/** What every answer writes in its transaction: the request closed, its audit entry, the requester's e-mails. */
async function closeWithin(
  app: AppContext,
  trx: Transaction<Database>,
  actor: Actor,
  found: FoundRequest,
  answer: { status: 'accepted' | 'declined'; at: string; message: string; endorsementId: string | null },
  emails: Rendered,
): Promise<void> {
  const closed = await closeRequest(trx, found.row.id, {
    status: answer.status,
    answered_at: answer.at,
    answered_by: actor.userId,
    answer_message: answer.message,
    endorsement_id: answer.endorsementId,
  });
  if (!closed) throw answered();
  await recordAudit(trx, {
    at: answer.at,
    actorId: actor.userId,
    organisationId: found.partner.id,
    action: answer.status === 'accepted' ? 'endorsement.request.accepted' : 'endorsement.request.declined',
    targetType: 'endorsement-request',
    targetId: found.row.id,
    details: {
      requesterId: found.requester.id,
      achievementId: found.achievement.id,
      ...(answer.endorsementId ? { endorsementId: answer.endorsementId } : {}),
    },
  });
  await storeMessages(trx, emails);
}

/**
 * POST /api/v1/endorsement-requests/{id}/accept: the partner signs the endorsement of the badge (the same signing
 * as POST /api/v1/endorsements, its comment being the answer) and the request records it, in one transaction.
 */
export async function acceptEndorsementRequest(
  app: AppContext,
  actor: Actor,
  id: string,
  input: EndorsementRequestAnswerInput,
): Promise<AcceptedRequest> {
  authorize(actor, 'endorsement.write');
  checkInput('endorsement-request-answer.json', input);
  const found = await loadRequest(app, actor, id);
  assertPartnerSide(actor, found.row);
  assertPending(found.row);
  const comment = input.comment?.trim();
  if (!comment)
    throw new ValidationError('Write a few words for the endorsement: they are signed and shown with the badge.', [
      { field: 'comment', message: 'required', keyword: 'required' },
    ]);
  const at = app.clock.now().toISOString();
  const contacts = await organisationContacts(app.db, found.requester.id);
  let emails: Rendered = [];
  const endorsement = await signEndorsement(
    app,
    actor,
    found.partner,
    { type: 'achievement', id: found.achievement.id },
    comment,
    async (trx, endorsementId) => {
      // Rendered here, once the endorsement's address is known; nothing is read while the transaction is open.
      emails = emailsTo(app, found.requester.id, contacts, {
        kind: 'endorsement-answer',
        accepted: true,
        requester: found.requester.name,
        partner: found.partner.name,
        badgeName: { fr: found.achievement.name_fr, en: found.achievement.name_en },
        answer: comment,
        url: consoleUrl(app, found.row.id),
        endorsementUrl: app.ids.endorsement(endorsementId),
      });
      await closeWithin(app, trx, actor, found, { status: 'accepted', at, message: comment, endorsementId }, emails);
    },
  );
  app.metrics?.mail('queued', emails.length);
  const row: EndorsementRequestRow = {
    ...found.row,
    status: 'accepted',
    answered_at: at,
    answered_by: actor.userId,
    answer_message: comment,
    endorsement_id: endorsement.id,
  };
  return { request: viewOf(app, listed(row, found.requester, found.partner, found.achievement)), endorsement };
}

/** POST /api/v1/endorsement-requests/{id}/decline: the partner says no, and why (the requester reads it). */
export async function declineEndorsementRequest(
  app: AppContext,
  actor: Actor,
  id: string,
  input: EndorsementRequestAnswerInput,
): Promise<EndorsementRequestView> {
  authorize(actor, 'endorsement.write');
  checkInput('endorsement-request-answer.json', input);
  const found = await loadRequest(app, actor, id);
  assertPartnerSide(actor, found.row);
  assertPending(found.row);
  const message = input.message?.trim();
  if (!message)
    throw new ValidationError('Say why you decline: the organisation that asked will read your message.', [
      { field: 'message', message: 'required', keyword: 'required' },
    ]);
  const at = app.clock.now().toISOString();
  const emails = emailsTo(app, found.requester.id, await organisationContacts(app.db, found.requester.id), {
    kind: 'endorsement-answer',
    accepted: false,
    requester: found.requester.name,
    partner: found.partner.name,
    badgeName: { fr: found.achievement.name_fr, en: found.achievement.name_en },
    answer: message,
    url: consoleUrl(app, found.row.id),
  });
  await app.db.transaction().execute((trx) =>
    closeWithin(app, trx, actor, found, { status: 'declined', at, message, endorsementId: null }, emails),
  );
  app.metrics?.mail('queued', emails.length);
  const row: EndorsementRequestRow = {
    ...found.row,
    status: 'declined',
    answered_at: at,
    answered_by: actor.userId,
    answer_message: message,
  };
  return viewOf(app, listed(row, found.requester, found.partner, found.achievement));
}

/**
 * POST /api/v1/endorsement-requests/{id}/withdraw: the organisation that asked takes its request back while it
 * waits (the partner's page then says so); an answered request stays as it is.
 */
export async function withdrawEndorsementRequest(
  app: AppContext,
  actor: Actor,
  id: string,
): Promise<EndorsementRequestView> {
  authorize(actor, 'endorsement.write');
  const found = await loadRequest(app, actor, id);
  const scope = scopeOf(actor);
  if (scope !== undefined && scope !== found.row.requester_id)
    throw forbidden('Only the organisation that asked can withdraw this request; decline it instead.');
  assertPending(found.row);
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    const closed = await closeRequest(trx, found.row.id, {
      status: 'withdrawn',
      answered_at: at,
      answered_by: actor.userId,
      answer_message: null,
      endorsement_id: null,
    });
    if (!closed) throw answered();
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: found.requester.id,
      action: 'endorsement.request.withdrawn',
      targetType: 'endorsement-request',
      targetId: found.row.id,
      details: { partnerId: found.partner.id, achievementId: found.achievement.id },
    });
  });
  const row: EndorsementRequestRow = { ...found.row, status: 'withdrawn', answered_at: at, answered_by: actor.userId };
  return viewOf(app, listed(row, found.requester, found.partner, found.achievement));
}

/**
 * GET /api/v1/endorsement-requests?direction=received|sent: the requests the actor's organisation received (as a
 * partner) or sent, pending ones first. A platform administrator names the organisation, or sees them all.
 */
export async function listEndorsementRequests(
  app: AppContext,
  actor: Actor,
  direction: RequestDirection,
  organisationId?: string,
): Promise<EndorsementRequestView[]> {
  authorize(actor, 'achievement.read');
  if (organisationId !== undefined) assertInScope(actor, organisationId, 'Organisation');
  const rows = await listRequestRows(
    app.db,
    direction === 'received' ? 'partner_id' : 'requester_id',
    organisationId ?? scopeOf(actor),
  );
  return rows.map((row) => viewOf(app, row));
}

/** One request as its console page shows it: the badge's description, criteria and competences by name. */
export async function endorsementRequestDetail(
  app: AppContext,
  actor: Actor,
  id: string,
): Promise<EndorsementRequestDetail> {
  authorize(actor, 'achievement.read');
  const found = await loadRequest(app, actor, id);
  const scope = scopeOf(actor);
  const { achievement } = found;
  const competences = (JSON.parse(achievement.competences) as { code: string; level: number }[]).map((c) => {
    const known = app.catalogue.competence(c.code);
    return { code: c.code, level: c.level, name: known?.name ?? { fr: c.code, en: c.code } };
  });
  return {
    ...viewOf(app, listed(found.row, found.requester, found.partner, achievement)),
    description: { fr: achievement.description_fr, en: achievement.description_en },
    criteria: { fr: achievement.criteria_fr, en: achievement.criteria_en },
    competences,
    side: scope === undefined ? 'platform' : scope === found.row.partner_id ? 'partner' : 'requester',
  };
}

/** The organisations one may ask for an endorsement: every other one, partners first, then by name. */
export async function endorsementPartnerChoices(
  app: AppContext,
  actor: Actor,
  organisationId: string,
): Promise<{ id: string; name: string; kind: OrganisationKind }[]> {
  authorize(actor, 'achievement.read');
  assertInScope(actor, organisationId, 'Organisation');
  return (await listOrganisations(app.db))
    .filter((o) => o.id !== organisationId)
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'fr') : a.kind === 'partner' ? -1 : 1))
    .map((o) => ({ id: o.id, name: o.name, kind: o.kind }));
}

/** How many requests wait for this organisation's answer (the console dashboard's line). */
export async function pendingRequestCount(app: AppContext, actor: Actor, organisationId: string): Promise<number> {
  authorize(actor, 'achievement.read');
  assertInScope(actor, organisationId, 'Organisation');
  return countPendingReceived(app.db, organisationId);
}
