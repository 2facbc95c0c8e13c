import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { normalizeEmail, identityMatches } from '../engine/model/identity-hash.js';
import type { VerifiableInput } from '../engine/verify/parse-input.js';
import type { Verdict, VerificationReport } from '../engine/verify/report.js';
import { findAchievement } from '../store/repositories/achievements.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import { refundAttempt } from '../store/repositories/attempt-locks.js';
import { sql, type Transaction } from 'kysely';
import type { CredentialRow, Database, HolderRow } from '../store/schema.js';
import { attemptKey, countAndCheck, lockKey, minutesLeft } from './attempts.js';
import { recipientKey } from './award.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { newId } from '../shared/clock.js';
import { eraseCredentialData } from './credentials.js';
import { AppError, notFound, ValidationError } from './errors.js';
import { recordHolderSignedIn } from './email-links.js';
import { enqueueHolderCodeEmail } from './notifications.js';
import { forgetHolderOAuth } from './authorised-apps.js';
import { verifyAny } from './verify.js';
import { recordAudit } from './audit-actions.js';
import { sha256Hex } from '../engine/util.js';
import { isUuid } from '../shared/uuid.js';

/**
 * Holders: people who received badges. They sign in without a password, with a one-time code (or link) sent to
 * an address one of their badges was issued to; Blason finds their badges through the pseudonymous recipient
 * key, never by reading addresses out of credentials. They see all their badges from every operator, choose
 * which are public and whether their name shows, import badges from elsewhere, and can delete everything.
 */

const CODE_MINUTES = 15;
/** Wrong codes an address's pending codes take before they stop working (their links keep working). */
const MAX_CODE_ATTEMPTS = 5;
const MAX_CODES_PER_HOUR = 5;
/**
 * Wrong codes one requesting client may type before it waits CLIENT_LOCK_MINUTES (right ones are given back):
 * generous enough for a workshop room behind one address, small enough that a stranger cannot keep voiding
 * someone's codes.
 */
const MAX_CODES_PER_CLIENT = 20;
const CLIENT_LOCK_MINUTES = 15;
const SESSION_HOURS = 24;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * True when Blason issued a live (not erased) badge to this address, someone sent it a peer recognition it did
 * not refuse, or a holder account exists for it.
 */
async function knownHolderAddress(app: AppContext, email: string): Promise<boolean> {
  const issued = await app.db
    .selectFrom('credentials')
    .select('id')
    .where('recipient_key', '=', recipientKey(app, email))
    .executeTakeFirst();
  if (issued) return true;
  const recognised = await app.db
    .selectFrom('peer_recognitions')
    .select('id')
    .where('recipient_email', '=', email)
    .where('refused_at', 'is', null)
    .executeTakeFirst();
  if (recognised) return true;
  return Boolean(await app.db.selectFrom('holders').select('id').where('email', '=', email).executeTakeFirst());
}

/**
 * Sends a sign-in code (and link) to the address, if it is one Blason issued a badge to. The answer is the same
 * either way, so nobody can probe which addresses hold badges. A mailbox gets at most five messages an hour,
 * except that one is always sent when no link sent before is still valid: a stranger asking for codes in her
 * name fills her mailbox with working links, and never leaves the holder without one.
 */
export async function requestHolderCode(app: AppContext, rawEmail: string, language: Lang): Promise<void> {
  const email = normalizeEmail(rawEmail);
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]{2,}$/.test(email) || email.length > 254) {
    throw new ValidationError('This is not a valid email address.', [
      { field: 'email', message: 'not an email address' },
    ]);
  }
  if (!(await knownHolderAddress(app, email))) return;
  const now = app.clock.now();
  // A mailbox is not flooded: at most a few unused codes an hour (codes that were used do not count)...
  const recent = await app.db
    .selectFrom('holder_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', email)
    .where('used_at', 'is', null)
    .where('created_at', '>', new Date(now.getTime() - 3_600_000).toISOString())
    .executeTakeFirst();
  if (Number(recent?.n ?? 0) >= MAX_CODES_PER_HOUR) {
    // ...but beyond them, a new one when every link already sent has expired (so, one every CODE_MINUTES at most).
    const live = await app.db
      .selectFrom('holder_codes')
      .select('id')
      .where('email', '=', email)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    if (live) return;
  }
  const code = String(randomInt(1_000_000)).padStart(6, '0');
  const link = randomBytes(32).toString('base64url');
  await app.db
    .insertInto('holder_codes')
    .values({
      // A code means something only with its address: hash them together.
      id: newId(),
      code_hash: sha256Hex(`${email}\u0000${code}`),
      email,
      link_hash: sha256Hex(link),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + CODE_MINUTES * 60_000).toISOString(),
      used_at: null,
    })
    .execute();
  await enqueueHolderCodeEmail(app, {
    email,
    code,
    link: `${app.ids.origin}/holder/verify?link=${link}`,
    language,
    minutes: CODE_MINUTES,
  });
  app.sendMailSoon?.();
}

export interface HolderSession {
  token: string;
  csrf: string;
  holder: HolderRow;
}

async function openSession(app: AppContext, email: string): Promise<HolderSession> {
  const now = app.clock.now();
  let holder = await app.db.selectFrom('holders').selectAll().where('email', '=', email).executeTakeFirst();
  if (!holder) {
    await app.db
      .insertInto('holders')
      .values({ id: newId(), email, name: null, created_at: now.toISOString() })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
    holder = (await app.db.selectFrom('holders').selectAll().where('email', '=', email).executeTakeFirst())!;
  }
  await applyNameChoiceToNewBadges(app, holder);
  // Her badges are all in her space: their e-mails need no reminder.
  await recordHolderSignedIn(app, email);
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  await app.db
    .insertInto('holder_sessions')
    .values({
      id_hash: sha256Hex(token),
      holder_id: holder.id,
      csrf_token: csrf,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString(),
    })
    .execute();
  return { token, csrf, holder };
}

const invalidCode = () => new AppError(401, 'invalid-code', 'This code is wrong or has expired. Ask for a new one.');

/** Refused: too many codes typed from one client. `minutes` until it may type again (also sent as Retry-After). */
export class TooManyCodesError extends AppError {
  constructor(readonly minutes: number) {
    super(
      429,
      'too-many-codes',
      `Too many wrong codes from this connection: try again in ${minutes} minutes, or use the link in the email.`,
    );
  }
}

/**
 * The 6-digit code typed by the holder, from `client` (an opaque identifier of the requesting client, a keyed
 * hash of its address). Two limits, so that nobody can guess a code nor lock a holder out:
 * - five wrong codes void every pending code of the address (a million codes cannot be tried), but not the links
 *   sent with them, which cannot be guessed: the holder still signs in with the link from her mailbox;
 * - a client may type MAX_CODES_PER_CLIENT wrong codes, then waits CLIENT_LOCK_MINUTES; each code is counted
 *   before it is checked (and given back when right), so a stranger cannot keep voiding someone's codes, nor try
 *   codes for many addresses, even in parallel.
 */
export async function verifyHolderCode(
  app: AppContext,
  rawEmail: string,
  rawCode: string,
  client: string,
): Promise<HolderSession> {
  const email = normalizeEmail(rawEmail);
  const code = rawCode.replace(/\s/g, '');
  const clientKey = attemptKey(app, 'holder-code', client);
  const attempt = await countAndCheck(app, clientKey, MAX_CODES_PER_CLIENT);
  if (!attempt.allowed) {
    const lock = attempt.lockedUntil ?? (await lockKey(app, clientKey, CLIENT_LOCK_MINUTES)).until;
    throw new TooManyCodesError(minutesLeft(app, lock));
  }
  const now = app.clock.now().toISOString();
  const pending = await app.db
    .selectFrom('holder_codes')
    .selectAll()
    .where('email', '=', email)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
  const given = sha256Hex(`${email}\u0000${code}`);
  const match = /^\d{6}$/.test(code)
    ? pending.find((row) => row.attempts < MAX_CODE_ATTEMPTS && same(row.code_hash, given))
    : undefined;
  if (!match) {
    await app.db
      .updateTable('holder_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('email', '=', email)
      .where('used_at', 'is', null)
      .execute();
    throw invalidCode();
  }
  const claimed = await app.db
    .updateTable('holder_codes')
    .set({ used_at: now })
    .where('id', '=', match.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw invalidCode();
  await refundAttempt(app.db, clientKey);
  return openSession(app, email);
}

/**
 * The link from the e-mail: same as typing the code, except that wrong codes typed for the address do not void
 * it. It is 256 random bits that only the mailbox received: guessing codes says nothing about it.
 */
export async function verifyHolderLink(app: AppContext, link: string): Promise<HolderSession> {
  const now = app.clock.now().toISOString();
  const row = await app.db
    .selectFrom('holder_codes')
    .selectAll()
    .where('link_hash', '=', sha256Hex(link))
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now) throw invalidCode();
  const claimed = await app.db
    .updateTable('holder_codes')
    .set({ used_at: now })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw invalidCode();
  return openSession(app, row.email);
}

export async function holderSessionFor(app: AppContext, token: string | undefined): Promise<HolderSession | undefined> {
  if (!token || token.length > 100) return undefined;
  const row = await app.db
    .selectFrom('holder_sessions')
    .selectAll()
    .where('id_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= app.clock.now().toISOString()) return undefined;
  const holder = await app.db.selectFrom('holders').selectAll().where('id', '=', row.holder_id).executeTakeFirst();
  return holder ? { token, csrf: row.csrf_token, holder } : undefined;
}

export async function endHolderSession(app: AppContext, token: string): Promise<void> {
  await app.db.deleteFrom('holder_sessions').where('id_hash', '=', sha256Hex(token)).execute();
}

export async function findHolder(app: AppContext, id: string): Promise<HolderRow | undefined> {
  return app.db.selectFrom('holders').selectAll().where('id', '=', id).executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------------------
// The holder's badges

/** One badge in a holder's backpack: issued by Blason to their address, or imported from anywhere. */
export type HeldCredential =
  | {
      kind: 'issued';
      row: CredentialRow;
      credential: Record<string, unknown>;
      jwt: string;
      validFrom: string;
      issuedAt: string;
    }
  | {
      kind: 'imported';
      id: string;
      format: 'json' | 'jwt';
      content: string;
      issuerId: string;
      credentialId: string;
      validFrom: string;
      importedAt: string;
    };

export async function heldCredentials(app: AppContext, holder: HolderRow): Promise<HeldCredential[]> {
  const issued = await app.db
    .selectFrom('credentials')
    .selectAll()
    .where('recipient_key', '=', recipientKey(app, holder.email))
    .where('erased_at', 'is', null)
    .execute();
  const imported = await app.db
    .selectFrom('holder_credentials')
    .selectAll()
    .where('holder_id', '=', holder.id)
    .execute();
  const ownIds = new Set(issued.map((r) => app.ids.credential(r.id)));
  const list: HeldCredential[] = [
    ...issued.map((row) => ({
      kind: 'issued' as const,
      row,
      credential: JSON.parse(row.credential_json) as Record<string, unknown>,
      jwt: row.jwt,
      validFrom: row.valid_from,
      issuedAt: row.issued_at,
    })),
    // A badge of ours imported back (from a wallet) is listed once, as ours.
    ...imported
      .filter((r) => !ownIds.has(r.credential_id))
      .map((r) => ({
        kind: 'imported' as const,
        id: r.id,
        format: r.format,
        content: r.content,
        issuerId: r.issuer_id,
        credentialId: r.credential_id,
        validFrom: r.valid_from,
        importedAt: r.imported_at,
      })),
  ];
  return list.sort((a, b) => (a.validFrom < b.validFrom ? 1 : a.validFrom > b.validFrom ? -1 : 0));
}

/** A holder's own badge, or 404: the recipient key is the only link between an account and a credential. */
export async function ownIssued(app: AppContext, holder: HolderRow, credentialId: string): Promise<CredentialRow> {
  const row = isUuid(credentialId)
    ? await app.db
        .selectFrom('credentials')
        .selectAll()
        .where('id', '=', credentialId)
        .where('recipient_key', '=', recipientKey(app, holder.email))
        .executeTakeFirst()
    : undefined;
  if (!row) throw notFound('Credential');
  return row;
}

export async function setCredentialPublic(
  app: AppContext,
  holder: HolderRow,
  credentialId: string,
  visible: boolean,
): Promise<void> {
  const row = await ownIssued(app, holder, credentialId);
  await app.db
    .updateTable('credentials')
    .set({ holder_hidden: visible ? 0 : 1 })
    .where('id', '=', row.id)
    .execute();
}

/**
 * The holder's name, and whether it shows on all their badge pages (it is also their OB API profile's name): her
 * answer to the name question, stored with the time she gave it and applied to every badge she holds, each change
 * audited on the badge (for its issuer's log), all in one transaction.
 */
export async function setHolderName(
  app: AppContext,
  holder: HolderRow,
  input: { name?: string | null; show?: boolean },
): Promise<HolderRow> {
  const name = input.name === undefined ? holder.name : input.name === null ? null : cleanName(input.name);
  const show = input.show ?? holder.show_name === 1;
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('holders')
      .set({ name, show_name: show ? 1 : 0, name_chosen_at: at })
      .where('id', '=', holder.id)
      .execute();
    await applyNameChoice(trx, app, holder, { name, show, at });
  });
  return (await findHolder(app, holder.id))!;
}

/**
 * Shows or hides her name on her badges (all of them, or those of `only`), audits each badge that changes, and
 * puts her own spelling of her name, when she gave one, over the one the operator typed, on every badge page.
 */
async function applyNameChoice(
  trx: Transaction<Database>,
  app: AppContext,
  holder: HolderRow,
  choice: { name: string | null; show: boolean; at: string },
  only?: string[],
): Promise<void> {
  if (only?.length === 0) return;
  const flag = choice.show ? 1 : 0;
  const key = recipientKey(app, holder.email);
  let changed = trx
    .selectFrom('credentials')
    .select(['id', 'organisation_id'])
    .where('recipient_key', '=', key)
    .where('erased_at', 'is', null)
    .where('show_name', '!=', flag);
  if (only) changed = changed.where('id', 'in', only);
  const rows = await changed.execute();
  if (rows.length > 0) {
    await trx
      .updateTable('credentials')
      .set({ show_name: flag })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
  }
  for (const row of rows) {
    await recordAudit(trx, {
      at: choice.at,
      actorId: null,
      organisationId: row.organisation_id,
      action: 'holder.name.chosen',
      targetType: 'credential',
      targetId: row.id,
      details: { nameShown: choice.show },
    });
  }
  if (choice.name === null) return;
  let theirs = trx.selectFrom('credentials').select('id').where('recipient_key', '=', key);
  if (only) theirs = theirs.where('id', 'in', only);
  await trx.updateTable('recipients').set({ name: choice.name }).where('credential_id', 'in', theirs).execute();
}

/** Control characters (NUL above all, which PostgreSQL cannot store) have no place in a name. */
function cleanName(raw: string): string | null {
  return (
    raw
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .trim()
      .slice(0, 200) || null
  );
}

/** What her space asks on her first visit: whether her name may show, with the name it would show prefilled. */
export interface NameQuestion {
  /** True until she has answered. */
  ask: boolean;
  /** Her own spelling if she gave one, else the name an operator entered on her most recent badge. */
  suggestedName: string;
}

export async function nameQuestion(app: AppContext, holder: HolderRow): Promise<NameQuestion> {
  if (holder.name_chosen_at !== null) return { ask: false, suggestedName: holder.name ?? '' };
  const entered = await app.db
    .selectFrom('credentials')
    .innerJoin('recipients', 'recipients.credential_id', 'credentials.id')
    .select('recipients.name')
    .where('credentials.recipient_key', '=', recipientKey(app, holder.email))
    .where('credentials.erased_at', 'is', null)
    .where('recipients.name', 'is not', null)
    .orderBy('credentials.issued_at', 'desc')
    .executeTakeFirst();
  return { ask: true, suggestedName: holder.name ?? entered?.name ?? '' };
}

/**
 * Badges awarded since she answered were issued as their operator chose (the name hidden by default): her answer
 * wins, applied when she signs in (the award e-mail brings her to her space).
 */
async function applyNameChoiceToNewBadges(app: AppContext, holder: HolderRow): Promise<void> {
  if (holder.name_chosen_at === null) return;
  const newer = await app.db
    .selectFrom('credentials')
    .select('id')
    .where('recipient_key', '=', recipientKey(app, holder.email))
    .where('erased_at', 'is', null)
    .where('issued_at', '>', holder.name_chosen_at)
    .execute();
  if (newer.length === 0) return;
  const choice = { name: holder.name, show: holder.show_name === 1, at: app.clock.now().toISOString() };
  await app.db.transaction().execute((trx) =>
    applyNameChoice(
      trx,
      app,
      holder,
      choice,
      newer.map((r) => r.id),
    ),
  );
}

/**
 * Deletes the account and the holder's personal data: imported badges, sessions, codes, the applications they
 * authorised (their tokens stop working), and for every badge
 * Blason issued them, the same erasure an operator can do (the badges they downloaded keep verifying).
 */
export async function deleteHolderAccount(app: AppContext, holder: HolderRow): Promise<void> {
  const issued = await app.db
    .selectFrom('credentials')
    .selectAll()
    .where('recipient_key', '=', recipientKey(app, holder.email))
    .where('erased_at', 'is', null)
    .execute();
  for (const row of issued)
    await eraseCredentialData(app, row, { actorId: null, reason: 'holder deleted their account' });
  await forgetHolderOAuth(app, holder.id);
  await app.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('holder_credentials').where('holder_id', '=', holder.id).execute();
    await trx.deleteFrom('holder_sessions').where('holder_id', '=', holder.id).execute();
    await trx.deleteFrom('holder_codes').where('email', '=', holder.email).execute();
    // Peer recognitions she received: her address is forgotten and their pages withdrawn (the copies she
    // downloaded keep verifying). Those she sent stay valid: her identity outlives her account, unlinked from it.
    await trx
      .updateTable('peer_recognitions')
      .set({ recipient_email: sql<string>`'erased:' || id`, hidden_at: app.clock.now().toISOString() })
      .where('recipient_email', '=', holder.email)
      .execute();
    await trx.deleteFrom('holders').where('id', '=', holder.id).execute();
  });
}

const NOT_IMPORTED: readonly Verdict[] = ['invalid', 'issuer-unconfirmed', 'nonconformant'];

export interface UpsertResult {
  created: boolean;
  report: VerificationReport;
}

/** True when Blason issued this credential (same issuer and id) to the holder, and it is not erased. */
async function issuedToHolder(
  app: AppContext,
  holder: HolderRow,
  issuerId: string,
  credentialId: string,
): Promise<boolean> {
  const id = app.ids.credentialIdFromUrl(credentialId);
  if (!id) return false;
  const row = await app.db
    .selectFrom('credentials')
    .select('credential_json')
    .where('id', '=', id)
    .where('recipient_key', '=', recipientKey(app, holder.email))
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (!row) return false;
  const issuer = (JSON.parse(row.credential_json) as { issuer?: string | { id?: unknown } }).issuer;
  return (typeof issuer === 'string' ? issuer : issuer?.id) === issuerId;
}

/**
 * Imports a badge into the holder's backpack after it verifies (any issuer). The same issuer and id is the same
 * credential (OB 3.0 §8 equality): a newer validFrom replaces it; an older one is refused. A badge that names its
 * recipient by email must name this holder.
 */
export async function upsertHeldCredential(
  app: AppContext,
  holder: HolderRow,
  input: VerifiableInput,
  format: 'json' | 'jwt',
  raw: string,
): Promise<UpsertResult> {
  const report = await verifyAny(app, input);
  // Only what is authentic, confirmed as its issuer's and a conformant Open Badge goes into a backpack.
  if (NOT_IMPORTED.includes(report.verdict) || !report.credential || !report.issuerId || !report.credentialId) {
    const reason = report.checks.find((c) => c.outcome === 'failed');
    throw new AppError(400, 'invalid_data', `The credential does not verify${reason ? `: ${reason.message}` : '.'}`);
  }
  // The recipient check below reads an OB 3.0 credentialSubject: an OB 2.0 badge would skip it.
  if (report.standard === 'ob2') {
    const message =
      'The backpack holds Open Badges 3.0 credentials; ask the issuer for the 3.0 version of this ' +
      'Open Badges 2.0 badge.';
    throw new AppError(400, 'invalid_data', message);
  }
  const identifiers = (report.credential.credentialSubject as { identifier?: unknown } | undefined)?.identifier;
  const emails = (Array.isArray(identifiers) ? identifiers : identifiers ? [identifiers] : []).filter(
    (i): i is Record<string, unknown> =>
      !!i && typeof i === 'object' && (i as { identityType?: unknown }).identityType === 'emailAddress',
  );
  if (emails.length > 0 && !emails.some((identity) => identityMatches(identity, holder.email))) {
    throw new AppError(403, 'forbidden', "This credential was issued to another email address than this account's.");
  }
  const issuerId = report.issuerId.trim();
  const credentialId = decodeURIComponent(report.credentialId.trim());
  const validFrom = (report.display.validFrom ?? '').trim() || app.clock.now().toISOString();
  const now = app.clock.now().toISOString();
  // One of the badges Blason issued to this holder is already in the backpack (listed as ours): posting it back
  // is the replacement of a credential the holder has, which stores nothing new.
  if (await issuedToHolder(app, holder, issuerId, credentialId)) return { created: false, report };
  const existing = await app.db
    .selectFrom('holder_credentials')
    .selectAll()
    .where('holder_id', '=', holder.id)
    .where('issuer_id', '=', issuerId)
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
  if (existing) {
    if (Date.parse(validFrom) < Date.parse(existing.valid_from))
      throw new AppError(409, 'not_modified', 'The backpack holds a newer version of this credential.');
    await app.db
      .updateTable('holder_credentials')
      .set({ format, content: raw, valid_from: validFrom, updated_at: now })
      .where('id', '=', existing.id)
      .execute();
    return { created: false, report };
  }
  await app.db
    .insertInto('holder_credentials')
    .values({
      id: newId(),
      holder_id: holder.id,
      issuer_id: issuerId,
      credential_id: credentialId,
      format,
      content: raw,
      valid_from: validFrom,
      imported_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['holder_id', 'issuer_id', 'credential_id'])
        .doUpdateSet({ format, content: raw, valid_from: validFrom, updated_at: now }),
    )
    .execute();
  return { created: true, report };
}

/** What the holder's page shows of one badge (issued by Blason: its link, image and what sharing it needs). */
export interface HeldView {
  name: string;
  issuer: string;
  date: string;
  url?: string;
  public?: boolean;
  id: string;
  kind: 'issued' | 'imported';
  imageUrl?: string;
  validUntil?: string | null;
  linkedinOrganizationId?: string | null;
  /** Revoked or suspended by its issuer: nothing to share or print. */
  withdrawn?: boolean;
}

/** What the holder's page shows of one badge. */
export async function describeHeld(app: AppContext, held: HeldCredential, lang: Lang): Promise<HeldView> {
  if (held.kind === 'issued') {
    const achievement = await findAchievement(app.db, held.row.achievement_id);
    const org = await findOrganisation(app.db, held.row.organisation_id);
    return {
      id: held.row.id,
      kind: 'issued',
      name: achievement ? (lang === 'fr' ? achievement.name_fr : achievement.name_en) : '',
      issuer: org?.name ?? '',
      date: held.issuedAt,
      url: app.ids.credential(held.row.id),
      public: held.row.holder_hidden === 0,
      // The badge's own image: it names nobody, so it is served publicly and cached.
      ...(achievement ? { imageUrl: `${app.ids.achievementImage(achievement.id, 'png')}?lang=${lang}` } : {}),
      validUntil: held.row.valid_until,
      linkedinOrganizationId: org?.linkedin_org_id ?? null,
      withdrawn: held.row.revoked_at !== null || held.row.suspended_at !== null,
    };
  }
  let credential: Record<string, unknown> = {};
  try {
    credential =
      held.format === 'json'
        ? (JSON.parse(held.content) as Record<string, unknown>)
        : (JSON.parse(Buffer.from(held.content.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
            string,
            unknown
          >);
  } catch {
    // shown with what is known
  }
  const issuer = credential.issuer as { name?: unknown } | string | undefined;
  return {
    id: held.id,
    kind: 'imported',
    name: typeof credential.name === 'string' ? credential.name : held.credentialId,
    issuer: typeof issuer === 'object' && typeof issuer.name === 'string' ? issuer.name : held.issuerId,
    date: held.validFrom,
  };
}

/** The stored holder account, as use cases hand it to their callers (who never import src/store). */
export type { HolderRow };
