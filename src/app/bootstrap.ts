import { randomBytes } from 'node:crypto';
import { recordAudit } from './audit-actions.js';
import { getOrInitSetting } from '../store/repositories/settings.js';
import { countPlatformAdmins, findUserByEmail, insertUser } from '../store/repositories/users.js';
import type { Db } from '../store/database.js';
import type { AppContext } from './context.js';
import { newId } from '../shared/clock.js';
import { hashToken, issueToken, newToken } from './issuers.js';
import { passwordResetLink, setPasswordDirectly } from './accounts.js';

/** The server-wide secret behind pseudonymous recipient keys: made once, shared by every process. */
export async function recipientSecret(db: Db): Promise<Buffer> {
  return Buffer.from(await getOrInitSetting(db, 'recipient_key_secret', () => randomBytes(32).toString('hex')), 'hex');
}

/**
 * Makes sure a platform administrator exists and can call the API. With BLASON_ADMIN_TOKEN set, that token is
 * registered (as a hash); otherwise, on the very first start, a token is generated and returned so that the
 * caller prints it once. It is never shown again.
 */
export async function ensurePlatformAdmin(
  app: AppContext,
): Promise<{ generatedToken?: string; passwordLink?: string }> {
  const at = app.clock.now().toISOString();
  let admin = await findUserByEmail(app.db, app.config.adminEmail);
  if (!admin) {
    if ((await countPlatformAdmins(app.db)) === 0) {
      const row = {
        id: newId(),
        organisation_id: null,
        email: app.config.adminEmail,
        name: 'Platform administrator',
        role: 'platform_admin' as const,
        password_hash: null,
        locked_until: null,
        created_at: at,
        disabled_at: null,
      };
      try {
        await insertUser(app.db, row);
      } catch {
        // another process created it at the same moment
      }
    }
    admin = await findUserByEmail(app.db, app.config.adminEmail);
    if (!admin) return {};
  }
  if (app.config.adminPassword) await setPasswordDirectly(app, admin.id, app.config.adminPassword);
  if (app.config.adminToken) {
    const hash = hashToken(app.config.adminToken);
    const exists = await app.db.selectFrom('api_tokens').select('id').where('token_hash', '=', hash).executeTakeFirst();
    if (!exists) await issueToken(app, admin.id, 'BLASON_ADMIN_TOKEN', app.config.adminToken);
    return {};
  }
  const tokens = await app.db.selectFrom('api_tokens').select('id').where('user_id', '=', admin.id).executeTakeFirst();
  if (tokens) return {};
  // Claim the right to generate the first token, so two processes starting together print only one.
  const claim = newId();
  if ((await getOrInitSetting(app.db, 'admin_token_generated_by', () => claim)) !== claim) return {};
  const adminId = admin.id;
  const token = await app.db.transaction().execute(async (trx) => {
    const made = await issueToken(app, adminId, 'generated on first start', newToken(), trx);
    await recordAudit(trx, {
      at,
      actorId: null,
      organisationId: null,
      action: 'admin.token.generated',
      targetType: 'user',
      targetId: adminId,
    });
    return made;
  });
  const link = admin.password_hash ? undefined : (await passwordResetLink(app, admin.email, 7 * 24))?.link;
  return { generatedToken: token, ...(link ? { passwordLink: link } : {}) };
}
