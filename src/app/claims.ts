import { recordAudit } from './audit-actions.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { writeAwardList } from './csv.js';
import { conflict } from './errors.js';
import { previewGroupAward } from './group-award.js';
import { authorize, type Actor } from './policies.js';
import {
  awardWorkshop,
  getWorkshop,
  listClaimRequests,
  normalizeClaimCode,
  openClaim,
  type ClaimRequestView,
  type WorkshopAwardResult,
} from './workshops.js';

/**
 * Self-service claims, the operator's and the participant's sides beyond one request at a time: what a code
 * leads to (a session not open yet is not an unknown code), the pending list as the console polls it, and
 * approving every pending request at once after a confirmation.
 */

export type ClaimCodeState =
  | { state: 'unknown' }
  | { state: 'closed'; title: string; issuerName: string }
  | { state: 'open'; claim: NonNullable<Awaited<ReturnType<typeof openClaim>>> };

/** What a claim code leads to: an open session, one whose requests are not open (yet, or any more), or nothing. */
export async function claimCodeState(app: AppContext, code: string): Promise<ClaimCodeState> {
  const normalized = normalizeClaimCode(code);
  if (!normalized) return { state: 'unknown' };
  const claim = await openClaim(app, normalized);
  if (claim) return { state: 'open', claim };
  const workshop = await app.db
    .selectFrom('workshops')
    .innerJoin('organisations', 'organisations.id', 'workshops.organisation_id')
    .select(['workshops.title', 'organisations.name'])
    .where('workshops.claim_code', '=', normalized)
    .executeTakeFirst();
  return workshop ? { state: 'closed', title: workshop.title, issuerName: workshop.name } : { state: 'unknown' };
}

/** The session's requests as the console's page polls them: what changed shows without reloading. */
export async function claimRequestsFeed(
  app: AppContext,
  actor: Actor,
  workshopId: string,
): Promise<{ pending: number; requests: ClaimRequestView[] }> {
  const requests = await listClaimRequests(app, actor, workshopId);
  return { pending: requests.filter((r) => r.status === 'pending').length, requests };
}

async function pendingRequests(app: AppContext, workshopId: string) {
  return app.db
    .selectFrom('claim_requests')
    .selectAll()
    .where('workshop_id', '=', workshopId)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .limit(500)
    .execute();
}

/** For the confirmation: how many requests wait, and how many badges and e-mails approving them all makes. */
export async function approveAllSummary(
  app: AppContext,
  actor: Actor,
  workshopId: string,
): Promise<{ requests: number; badges: number; emails: number }> {
  authorize(actor, 'credential.award');
  const workshop = await getWorkshop(app, actor, workshopId);
  const pending = await pendingRequests(app, workshop.id);
  if (pending.length === 0) return { requests: 0, badges: 0, emails: 0 };
  const preview = await previewGroupAward(app, actor, workshop.id, {
    people: pending.map((r) => ({ email: r.email, name: r.name })),
  });
  return { requests: pending.length, badges: preview.badges, emails: preview.emails };
}

/**
 * Approves every pending request (one transaction: all decided and audited, or none), then awards the session's
 * badges to those people, each in the language they asked in, with their e-mails.
 */
export async function approveAllClaims(
  app: AppContext,
  actor: Actor,
  workshopId: string,
): Promise<WorkshopAwardResult & { approved: number }> {
  authorize(actor, 'credential.award');
  const workshop = await getWorkshop(app, actor, workshopId);
  const pending = await pendingRequests(app, workshop.id);
  if (pending.length === 0) throw conflict('No request is waiting for approval.');
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    for (const request of pending) {
      const decided = await trx
        .updateTable('claim_requests')
        .set({ status: 'approved', decided_at: at, decided_by: actor.userId })
        .where('id', '=', request.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      // Another operator decided one meanwhile: nothing is approved, the page shows the list as it now is.
      if (Number(decided.numUpdatedRows) !== 1) throw conflict('A request was decided meanwhile: look again.');
      await recordAudit(trx, {
        at,
        actorId: actor.userId,
        organisationId: workshop.issuerId,
        action: 'claim.approved',
        targetType: 'claim',
        targetId: request.id,
        details: { all: true },
      });
    }
  });
  const result = { issued: 0, alreadyHeld: 0, invalid: 0, emailsQueued: 0, approved: pending.length };
  for (const language of ['fr', 'en'] as Lang[]) {
    const group = pending.filter((r) => (r.language === 'en' ? 'en' : 'fr') === language);
    if (group.length === 0) continue;
    const awarded = await awardWorkshop(
      app,
      actor,
      workshop.id,
      writeAwardList(group.map((r) => ({ email: r.email, name: r.name }))),
      { language, claimRequestIds: new Map(group.map((r) => [r.email, r.id])) },
    );
    result.issued += awarded.issued;
    result.alreadyHeld += awarded.alreadyHeld;
    result.invalid += awarded.invalid;
    result.emailsQueued += awarded.emailsQueued;
  }
  return result;
}
