import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { forgetAttempts } from '../store/repositories/attempt-locks.js';
import { recordAudit } from './audit-actions.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import { findUser, findUserByEmail } from '../store/repositories/users.js';
import type { Executor } from '../store/database.js';
import type { UserRow } from '../store/schema.js';
import { attemptKey, countAndCheck, lockKey, minutesLeft } from './attempts.js';
import { actorOf } from './auth.js';
import type { AppContext } from './context.js';
import { AppError, ValidationError } from './errors.js';
import { addUser, type NewUserInput } from './issuers.js';
import type { Actor } from './policies.js';
import { sha256Hex } from '../engine/util.js';

/**
 * Console accounts: passwords hashed with scrypt (memory-hard: N=2^15, r=8, 32 MiB per hash), sessions held
 * server-side (the cookie carries a random token, the database its hash), invitations and resets by one-time
 * links, and a lockout after repeated failures, counted per address whether or not it has an account.
 */

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;
/** Sign-in attempts an address gets before it is locked for LOCK_MINUTES. */
const MAX_ATTEMPTS = 5;
const LOCK_MINUTES = 15;
const SESSION_HOURS = 12;
const INVITATION_DAYS = 7;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// A hash to compare against when the email is unknown or locked, so that the time taken reveals neither.
let decoyHash: Promise<string> | undefined;

export class SignInError extends AppError {
  constructor(
    readonly reason: 'invalid' | 'locked',
    readonly minutes = 0,
  ) {
    super(
      reason === 'locked' ? 429 : 401,
      reason === 'locked' ? 'locked' : 'invalid-credentials',
      reason === 'locked'
        ? `Too many failed attempts: try again in ${minutes} minutes.`
        : 'Email or password incorrect.',
    );
  }
}

export interface Session {
  token: string;
  csrf: string;
  user: UserRow;
  actor: Actor;
}

async function newSession(app: AppContext, user: UserRow): Promise<Session> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const now = app.clock.now();
  await app.db
    .insertInto('web_sessions')
    .values({
      id_hash: sha256Hex(token),
      user_id: user.id,
      csrf_token: csrf,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3_600_000).toISOString(),
    })
    .execute();
  return { token, csrf, user, actor: actorOf(user) };
}

/**
 * Email and password → a session, or SignInError. Five attempts lock the address for 15 minutes, and the answer
 * never tells whether it has an account:
 * - each attempt is counted in the database *before* the password is checked, by one atomic statement, so that
 *   attempts sent in parallel each get their own number and at most five passwords are ever tried per lock;
 * - an address without an account is counted, locked and answered exactly as one with an account, after the
 *   same scrypt work (against a decoy hash), so neither the status, the message nor the time tells them apart.
 */
export async function signIn(app: AppContext, rawEmail: string, password: string): Promise<Session> {
  const email = rawEmail.trim().toLowerCase();
  const key = attemptKey(app, 'console', email);
  const attempt = await countAndCheck(app, key, MAX_ATTEMPTS);
  const user = await findUserByEmail(app.db, email);
  const account = user?.password_hash && !user.disabled_at ? { user, hash: user.password_hash } : undefined;
  const decoy = await (decoyHash ??= hashPassword(randomBytes(16).toString('hex')));
  const matches = await verifyPassword(attempt.allowed && account ? account.hash : decoy, password);
  if (matches && attempt.allowed && account) {
    await forgetAttempts(app.db, key);
    return newSession(app, account.user);
  }
  if (!attempt.lockedUntil && attempt.attempts < MAX_ATTEMPTS) throw new SignInError('invalid');
  const lock = attempt.lockedUntil
    ? { until: attempt.lockedUntil, set: false }
    : await app.db.transaction().execute(async (trx) => {
        const set = await lockKey(app, key, LOCK_MINUTES, trx);
        if (set.set && user) {
          await recordAudit(trx, {
            at: app.clock.now().toISOString(),
            actorId: user.id,
            organisationId: user.organisation_id,
            action: 'user.locked',
            targetType: 'user',
            targetId: user.id,
            details: { attempts: attempt.attempts },
          });
        }
        return set;
      });
  throw new SignInError('locked', minutesLeft(app, lock.until));
}

/** The session behind a cookie token, if it is live. */
export async function sessionFor(app: AppContext, token: string | undefined): Promise<Session | undefined> {
  if (!token || token.length > 100) return undefined;
  const row = await app.db
    .selectFrom('web_sessions')
    .selectAll()
    .where('id_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || Date.parse(row.expires_at) < app.clock.now().getTime()) return undefined;
  const user = await findUser(app.db, row.user_id);
  if (!user || user.disabled_at) return undefined;
  return { token, csrf: row.csrf_token, user, actor: actorOf(user) };
}

export async function signOut(app: AppContext, token: string): Promise<void> {
  await app.db.deleteFrom('web_sessions').where('id_hash', '=', sha256Hex(token)).execute();
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`A password needs at least ${MIN_PASSWORD_LENGTH} characters.`, [
      { field: 'password', message: 'too short' },
    ]);
  }
}

export interface Invitation {
  user: UserRow;
  link: string;
  organisationName: string;
}

/**
 * Invites someone to an organisation's console with a role. They receive a one-time link, valid 7 days, to choose
 * their password. A platform admin invites anyone anywhere; an operator admin only into their own organisation.
 */
export async function inviteUser(
  app: AppContext,
  actor: Actor,
  organisationId: string,
  input: NewUserInput,
): Promise<Invitation> {
  const {
    user,
    organisation,
    credential: link,
  } = await addUser(app, actor, organisationId, input, 'user.invited', (trx, userId) =>
    oneTimeLink(app, userId, 'invitation', INVITATION_DAYS * 24, trx),
  );
  return { user, link, organisationName: organisation.name };
}

async function oneTimeLink(
  app: AppContext,
  userId: string,
  purpose: 'invitation' | 'reset',
  hours: number,
  db: Executor = app.db,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = app.clock.now();
  await db
    .insertInto('user_tokens')
    .values({
      token_hash: sha256Hex(token),
      user_id: userId,
      purpose,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + hours * 3_600_000).toISOString(),
      used_at: null,
    })
    .execute();
  return `${app.ids.origin}/console/password?token=${token}`;
}

/** A password reset link for an existing account (or nothing, silently, for an unknown email). */
export async function passwordResetLink(
  app: AppContext,
  email: string,
  hours = 2,
): Promise<{ user: UserRow; link: string } | undefined> {
  const user = await findUserByEmail(app.db, email.trim().toLowerCase());
  if (!user || user.disabled_at) return undefined;
  return { user, link: await oneTimeLink(app, user.id, 'reset', hours) };
}

export async function describeLink(
  app: AppContext,
  token: string,
): Promise<{ email: string; organisationName: string | null } | undefined> {
  const row = await app.db
    .selectFrom('user_tokens')
    .selectAll()
    .where('token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.used_at || Date.parse(row.expires_at) < app.clock.now().getTime()) return undefined;
  const user = await findUser(app.db, row.user_id);
  if (!user) return undefined;
  const org = user.organisation_id ? await findOrganisation(app.db, user.organisation_id) : undefined;
  return { email: user.email, organisationName: org?.name ?? null };
}

/**
 * Sets the password through a one-time link (invitation or reset), then signs the person in. A new password
 * ends everything the old one could lead to: the account's other sessions, and every link still outstanding
 * (an older reset link, sent before, must not set the password again behind the new one).
 */
export async function setPasswordWithLink(app: AppContext, token: string, password: string): Promise<Session> {
  checkPassword(password);
  const now = app.clock.now().toISOString();
  const row = await app.db
    .selectFrom('user_tokens')
    .selectAll()
    .where('token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.used_at || Date.parse(row.expires_at) < Date.parse(now))
    throw new AppError(410, 'link-expired', 'This link has expired or was already used. Ask for a new one.');
  // Hashed first: scrypt takes a while, and the transaction need not wait for it.
  const hash = await hashPassword(password);
  const user = await findUser(app.db, row.user_id);
  if (!user) throw new AppError(410, 'link-expired', 'This link belongs to an account that no longer exists.');
  await app.db.transaction().execute(async (trx) => {
    // One statement spends this link and every other one of the account: of two links used at once, one wins.
    const spent = await trx
      .updateTable('user_tokens')
      .set({ used_at: now })
      .where('user_id', '=', row.user_id)
      .where('used_at', 'is', null)
      .returning('token_hash')
      .execute();
    if (!spent.some((s) => s.token_hash === row.token_hash)) {
      throw new AppError(410, 'link-expired', 'This link was already used.');
    }
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', row.user_id).execute();
    await trx.deleteFrom('web_sessions').where('user_id', '=', row.user_id).execute();
    await recordAudit(trx, {
      at: now,
      actorId: user.id,
      organisationId: user.organisation_id,
      action: row.purpose === 'invitation' ? 'user.activated' : 'user.password.reset',
      targetType: 'user',
      targetId: user.id,
    });
  });
  // The link proved the mailbox: a lock set by someone guessing the password ends.
  await forgetAttempts(app.db, attemptKey(app, 'console', user.email));
  return newSession(app, user);
}

/** The first platform administrator's console password, from the command line (blason admin set-password). */
export async function setPasswordDirectly(app: AppContext, userId: string, password: string): Promise<void> {
  checkPassword(password);
  const hash = await hashPassword(password);
  const now = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    // As with a link: links sent before the new password no longer set one.
    await trx
      .updateTable('user_tokens')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
  });
  const user = await findUser(app.db, userId);
  if (user) await forgetAttempts(app.db, attemptKey(app, 'console', user.email));
}
