import { randomInt } from 'node:crypto';
import { recordAudit } from './audit-actions.js';
import { isUuid } from '../shared/uuid.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import type { WorkshopRow } from '../store/schema.js';
import { loadAchievement } from './achievements.js';
import { bulkAward, type BulkRow } from './bulk-award.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { newId } from '../shared/clock.js';
import { isEmail, parseAwardCsv, writeAwardList } from './csv.js';
import { AppError, conflict, notFound, ValidationError, type FieldError } from './errors.js';
import { assertAwardsBadges } from './partners.js';
import { loadIssuer } from './issuers.js';
import { enqueueAwardEmails } from './notifications.js';
import { authorize, scopeOf, type Actor } from './policies.js';

/**
 * Workshop sessions: after a workshop, an operator awards its badges to the group (from a pasted list or a
 * spreadsheet, previewed before anything is signed), or lets participants ask for them with a short code.
 */

const CLAIM_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CLAIM_CODE_LENGTH = 6;

export interface WorkshopInput {
  issuerId: string;
  title: string;
  workshopType: string;
  heldOn: string;
  place?: string;
  achievementIds: string[];
  /**
   * Another organisation of the platform that runs the workshop jointly (optional; '' means none). It is named
   * on the session and counted as a partnership action (src/app/partnership-aggregation.ts), and gains NO right
   * on the session: every read and change stays scoped to `issuerId`, the organisation that holds it.
   */
  coOrganiserId?: string;
}

export interface WorkshopView {
  id: string;
  issuerId: string;
  title: string;
  workshopType: string;
  heldOn: string;
  place: string | null;
  /** The organisation that runs it jointly, if any (a name only: it has no access to the session). */
  coOrganiser: { id: string; name: string } | null;
  claimCode: string;
  claimOpen: boolean;
  claimUrl: string;
  badges: { id: string; name: { fr: string; en: string } }[];
  awarded: number;
  pendingClaims: number;
}

function newClaimCode(): string {
  return Array.from({ length: CLAIM_CODE_LENGTH }, () => CLAIM_ALPHABET[randomInt(CLAIM_ALPHABET.length)]).join('');
}

export function normalizeClaimCode(code: string): string {
  return code
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .replace(/O/g, '0')
    .slice(0, 12);
}

async function loadWorkshop(app: AppContext, actor: Actor, id: string): Promise<WorkshopRow> {
  let query = app.db.selectFrom('workshops').selectAll().where('id', '=', id);
  const scope = scopeOf(actor);
  if (scope !== undefined) query = query.where('organisation_id', '=', scope);
  const row = isUuid(id) ? await query.executeTakeFirst() : undefined;
  if (!row) throw notFound('Session');
  return row;
}

async function view(app: AppContext, row: WorkshopRow): Promise<WorkshopView> {
  const badges = await app.db
    .selectFrom('workshop_badges')
    .innerJoin('achievements', 'achievements.id', 'workshop_badges.achievement_id')
    .select(['achievements.id', 'achievements.name_fr', 'achievements.name_en'])
    .where('workshop_badges.workshop_id', '=', row.id)
    .orderBy('achievements.name_fr')
    .execute();
  const awarded = await app.db
    .selectFrom('credentials')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workshop_id', '=', row.id)
    .executeTakeFirst();
  const pending = await app.db
    .selectFrom('claim_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workshop_id', '=', row.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const coOrganiser = row.co_organiser_id === null ? undefined : await findOrganisation(app.db, row.co_organiser_id);
  return {
    id: row.id,
    issuerId: row.organisation_id,
    title: row.title,
    workshopType: row.workshop_type,
    heldOn: row.held_on,
    place: row.place,
    coOrganiser: coOrganiser ? { id: coOrganiser.id, name: coOrganiser.name } : null,
    claimCode: row.claim_code,
    claimOpen: row.claim_open === 1,
    claimUrl: `${app.ids.origin}/claim/${row.claim_code}`,
    badges: badges.map((b) => ({ id: b.id, name: { fr: b.name_fr, en: b.name_en } })),
    awarded: Number(awarded?.n ?? 0),
    pendingClaims: Number(pending?.n ?? 0),
  };
}

export async function createWorkshop(app: AppContext, actor: Actor, input: WorkshopInput): Promise<WorkshopView> {
  authorize(actor, 'credential.award');
  const org = await loadIssuer(app, actor, input.issuerId);
  assertAwardsBadges(org);
  // Each with its keyword: the console says it in the operator's language, next to the field's label.
  const errors: FieldError[] = [];
  if (!input.title.trim()) errors.push({ field: 'title', message: 'required', keyword: 'required' });
  if (!app.catalogue.workshopTypes.some((t) => t.code === input.workshopType))
    errors.push({ field: 'workshopType', message: 'unknown workshop type', keyword: 'enum' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.heldOn) || Number.isNaN(Date.parse(input.heldOn)))
    errors.push({ field: 'heldOn', message: 'not a date', keyword: 'format', params: { format: 'date' } });
  if (input.achievementIds.length === 0)
    errors.push({
      field: 'achievementIds',
      message: 'choose at least one badge',
      keyword: 'minItems',
      params: { limit: 1 },
    });
  const coOrganiserId = input.coOrganiserId?.trim() || null;
  if (coOrganiserId !== null) {
    if (coOrganiserId === org.id)
      errors.push({ field: 'coOrganiserId', message: 'cannot be the organisation itself', keyword: 'enum' });
    else if (!isUuid(coOrganiserId) || !(await findOrganisation(app.db, coOrganiserId)))
      errors.push({ field: 'coOrganiserId', message: 'no such organisation on the platform', keyword: 'enum' });
  }
  if (errors.length > 0) throw new ValidationError('The session is incomplete.', errors);
  for (const id of input.achievementIds) {
    const achievement = await loadAchievement(app, actor, id);
    if (achievement.organisation_id !== org.id) throw notFound('Badge');
    if (achievement.archived_at) throw conflict('An archived badge cannot be awarded.');
  }
  const at = app.clock.now().toISOString();
  for (let attempt = 0; ; attempt++) {
    const row: WorkshopRow = {
      id: newId(),
      organisation_id: org.id,
      title: input.title.trim().slice(0, 200),
      workshop_type: input.workshopType,
      held_on: input.heldOn,
      place: input.place?.trim().slice(0, 200) || null,
      claim_code: newClaimCode(),
      claim_open: 0,
      created_by: actor.userId,
      created_at: at,
      co_organiser_id: coOrganiserId,
    };
    try {
      await app.db.transaction().execute(async (trx) => {
        await trx.insertInto('workshops').values(row).execute();
        await trx
          .insertInto('workshop_badges')
          .values([...new Set(input.achievementIds)].map((achievement_id) => ({ workshop_id: row.id, achievement_id })))
          .execute();
        await recordAudit(trx, {
          at,
          actorId: actor.userId,
          organisationId: org.id,
          action: 'workshop.created',
          targetType: 'workshop',
          targetId: row.id,
          details: {
            workshopType: row.workshop_type,
            badges: input.achievementIds.length,
            ...(coOrganiserId !== null ? { coOrganiserId } : {}),
          },
        });
      });
      return view(app, row);
    } catch (error) {
      // A claim code already taken (one chance in millions): draw another.
      if (attempt >= 3) throw error;
    }
  }
}

/**
 * The organisations a session of `issuerId` can name as co-organiser: every other organisation of the platform
 * (their names are public on their issuer pages), by name.
 */
export async function coOrganiserChoices(
  app: AppContext,
  actor: Actor,
  issuerId: string,
): Promise<{ id: string; name: string }[]> {
  // Reading is enough: the names are public, and whoever may see the form may see its choices.
  authorize(actor, 'credential.read');
  const org = await loadIssuer(app, actor, issuerId);
  const rows = await app.db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('id', '!=', org.id)
    .orderBy('name')
    .execute();
  return rows.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export async function listWorkshops(app: AppContext, actor: Actor): Promise<WorkshopView[]> {
  authorize(actor, 'credential.read');
  let query = app.db
    .selectFrom('workshops')
    .selectAll()
    .orderBy('held_on', 'desc')
    .orderBy('created_at', 'desc')
    .limit(200);
  const scope = scopeOf(actor);
  if (scope !== undefined) query = query.where('organisation_id', '=', scope);
  return Promise.all((await query.execute()).map((row) => view(app, row)));
}

export async function getWorkshop(app: AppContext, actor: Actor, id: string): Promise<WorkshopView> {
  authorize(actor, 'credential.read');
  return view(app, await loadWorkshop(app, actor, id));
}

function rowsFrom(text: string): BulkRow[] {
  const rows = parseAwardCsv(text);
  if (rows.length === 0)
    throw new ValidationError('The list is empty: one person per line, with an email and a name.', [
      { field: 'list', message: 'empty' },
    ]);
  return rows;
}

export interface WorkshopAwardResult {
  issued: number;
  alreadyHeld: number;
  invalid: number;
  emailsQueued: number;
}

/** Awards every badge of the session to every valid person of the list, and e-mails each of them. */
export async function awardWorkshop(
  app: AppContext,
  actor: Actor,
  workshopId: string,
  text: string,
  options: { language?: Lang; claimRequestIds?: Map<string, string> } = {},
): Promise<WorkshopAwardResult> {
  const row = await loadWorkshop(app, actor, workshopId);
  const workshop = await view(app, row);
  const org = (await findOrganisation(app.db, row.organisation_id))!;
  const rows = rowsFrom(text);
  const result: WorkshopAwardResult = { issued: 0, alreadyHeld: 0, invalid: 0, emailsQueued: 0 };
  for (const badge of workshop.badges) {
    const report = await bulkAward(app, actor, badge.id, rows, {
      dryRun: false,
      workshopId: row.id,
      ...(options.language ? { language: options.language } : {}),
      ...(options.claimRequestIds ? { claimRequestIds: options.claimRequestIds } : {}),
    });
    result.issued += report.summary.issued;
    result.alreadyHeld += report.summary['already-issued'];
    result.invalid += report.summary.invalid + report.summary.duplicate;
    const language = options.language ?? 'fr';
    const issued = report.rows.filter((r) => r.status === 'issued' && r.credentialId && r.url && r.holderUrl);
    result.emailsQueued += await enqueueAwardEmails(
      app,
      issued.map((r) => ({
        credentialId: r.credentialId!,
        url: r.url!,
        holderUrl: r.holderUrl!,
        email: r.email,
        ...(r.name ? { name: r.name } : {}),
        badgeName: badge.name[language],
        issuerName: org.name,
        language,
        organisationId: org.id,
      })),
    );
  }
  return result;
}

export async function setClaimOpen(
  app: AppContext,
  actor: Actor,
  workshopId: string,
  open: boolean,
): Promise<WorkshopView> {
  authorize(actor, 'credential.award');
  const row = await loadWorkshop(app, actor, workshopId);
  await app.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('workshops')
      .set({ claim_open: open ? 1 : 0 })
      .where('id', '=', row.id)
      .execute();
    await recordAudit(trx, {
      at: app.clock.now().toISOString(),
      actorId: actor.userId,
      organisationId: row.organisation_id,
      action: open ? 'workshop.claims.opened' : 'workshop.claims.closed',
      targetType: 'workshop',
      targetId: row.id,
    });
  });
  return view(app, { ...row, claim_open: open ? 1 : 0 });
}

export interface ClaimRequestView {
  id: string;
  name: string;
  email: string;
  status: 'pending' | 'approved' | 'rejected';
  createdAt: string;
}

export async function listClaimRequests(
  app: AppContext,
  actor: Actor,
  workshopId: string,
): Promise<ClaimRequestView[]> {
  authorize(actor, 'credential.read');
  const row = await loadWorkshop(app, actor, workshopId);
  const requests = await app.db
    .selectFrom('claim_requests')
    .selectAll()
    .where('workshop_id', '=', row.id)
    .orderBy('created_at')
    .execute();
  return requests.map((r) => ({ id: r.id, name: r.name, email: r.email, status: r.status, createdAt: r.created_at }));
}

/** The public side of a claim code: the session's title, issuer and badges, if it is open. */
export async function openClaim(
  app: AppContext,
  code: string,
): Promise<{ workshop: WorkshopRow; issuerName: string; badges: { fr: string; en: string }[] } | undefined> {
  const workshop = await app.db
    .selectFrom('workshops')
    .selectAll()
    .where('claim_code', '=', normalizeClaimCode(code))
    .where('claim_open', '=', 1)
    .executeTakeFirst();
  if (!workshop) return undefined;
  const org = (await findOrganisation(app.db, workshop.organisation_id))!;
  const badges = await app.db
    .selectFrom('workshop_badges')
    .innerJoin('achievements', 'achievements.id', 'workshop_badges.achievement_id')
    .select(['achievements.name_fr', 'achievements.name_en'])
    .where('workshop_badges.workshop_id', '=', workshop.id)
    .execute();
  return { workshop, issuerName: org.name, badges: badges.map((b) => ({ fr: b.name_fr, en: b.name_en })) };
}

/** A participant asks for the session's badges. One pending request per email; nothing is signed yet. */
export async function submitClaim(
  app: AppContext,
  code: string,
  input: { name: string; email: string; language?: Lang },
): Promise<void> {
  const claim = await openClaim(app, code);
  if (!claim) throw notFound('Claim code');
  const email = input.email.trim().toLowerCase();
  // Control characters (NUL above all, which PostgreSQL cannot store) have no place in a name.
  const name = input.name
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  const problems = [];
  if (!name) problems.push({ field: 'name', message: 'required' });
  // The rule the award applies: an address it would refuse must not become a request that can be approved.
  if (!isEmail(email)) problems.push({ field: 'email', message: 'not an email address' });
  if (problems.length > 0) throw new ValidationError('Please give your name and a valid email address.', problems);
  const existing = await app.db
    .selectFrom('claim_requests')
    .select('id')
    .where('workshop_id', '=', claim.workshop.id)
    .where('email', '=', email)
    .where('status', '!=', 'rejected')
    .executeTakeFirst();
  if (existing) return;
  const pending = await app.db
    .selectFrom('claim_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workshop_id', '=', claim.workshop.id)
    .executeTakeFirst();
  if (Number(pending?.n ?? 0) >= 500)
    throw new AppError(429, 'too-many-claims', 'This session has received too many requests.');
  await app.db
    .insertInto('claim_requests')
    .values({
      id: newId(),
      workshop_id: claim.workshop.id,
      name,
      email,
      status: 'pending',
      created_at: app.clock.now().toISOString(),
      decided_at: null,
      decided_by: null,
      language: input.language ?? 'fr',
    })
    .execute();
}

/** Approving a request awards the session's badges to that person (and e-mails them); rejecting signs nothing. */
export async function decideClaim(
  app: AppContext,
  actor: Actor,
  workshopId: string,
  requestId: string,
  approve: boolean,
): Promise<WorkshopAwardResult | undefined> {
  authorize(actor, 'credential.award');
  const row = await loadWorkshop(app, actor, workshopId);
  const request = await app.db
    .selectFrom('claim_requests')
    .selectAll()
    .where('id', '=', requestId)
    .where('workshop_id', '=', row.id)
    .executeTakeFirst();
  if (!request) throw notFound('Request');
  if (request.status !== 'pending') throw conflict('This request was already decided.');
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    const decided = await trx
      .updateTable('claim_requests')
      .set({ status: approve ? 'approved' : 'rejected', decided_at: at, decided_by: actor.userId })
      .where('id', '=', request.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    // Two operators deciding at once: the second finds the request no longer pending.
    if (Number(decided.numUpdatedRows) !== 1) throw conflict('This request was already decided.');
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: row.organisation_id,
      action: approve ? 'claim.approved' : 'claim.rejected',
      targetType: 'claim',
      targetId: request.id,
    });
  });
  if (!approve) return undefined;
  // The badge and its e-mail come in the language the person used to ask.
  const language: Lang = request.language === 'en' ? 'en' : 'fr';
  return awardWorkshop(app, actor, row.id, writeAwardList([{ email: request.email, name: request.name }]), {
    language,
    claimRequestIds: new Map([[request.email, request.id]]),
  });
}
