import { ensurePlatformAdmin } from '../../src/app/bootstrap.js';
import type { AppContext } from '../../src/app/context.js';
import { actorOf } from '../../src/app/auth.js';
import { AppError } from '../../src/app/errors.js';
import type { Actor } from '../../src/app/policies.js';
import { seedDefaults } from '../../src/app/seed.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';
import { removeDir, serviceEnv } from './service.js';

export interface TestApp {
  app: AppContext;
  /** The platform administrator, as the use cases know actors. */
  admin: Actor;
  close(): Promise<void>;
}

/**
 * An application context as the use cases see it, without HTTP: a fresh SQLite database in a temporary folder,
 * keys on disk, no worker threads, no mailer. For testing use cases directly.
 */
export async function testApp(): Promise<TestApp> {
  const env = await serviceEnv();
  const { app, store } = await createApp(loadConfig(env));
  await seedDefaults(app);
  await ensurePlatformAdmin(app);
  const row = await app.db.selectFrom('users').select('id').where('role', '=', 'platform_admin').executeTakeFirstOrThrow();
  const admin = actorOf({ id: row.id, role: 'platform_admin', organisation_id: null });
  return {
    app,
    admin,
    async close() {
      await store.close();
      removeDir(env.BLASON_DATA_DIR!.replace(/\/data$/, ''));
    },
  };
}

/** The AppError a use case refused with; fails the test if it did not refuse, or failed otherwise. */
export async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the use case to refuse');
}
