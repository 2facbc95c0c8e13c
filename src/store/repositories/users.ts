import type { Insertable } from 'kysely';
import type { Executor } from '../database.js';
import type { Database, UserRow } from '../schema.js';


export async function insertUser(db: Executor, row: Insertable<Database['users']>): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export function findUser(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export function listUsers(db: Executor, organisationId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('organisation_id', '=', organisationId).orderBy('email').execute();
}

export async function insertToken(db: Executor, row: Insertable<Database['api_tokens']>): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

/** The user behind a token hash, if the token and the user are both live. */
export function findUserByTokenHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as token_id',
      'users.id',
      'users.organisation_id',
      'users.email',
      'users.role',
      'users.name',
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchToken(db: Executor, tokenId: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
}

export async function countPlatformAdmins(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'platform_admin')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
