/**
 * A service without HTTP for the e-mail tests: its own database, a clock the test moves, a capturing SMTP server
 * and the outbox sender; an organisation with a badge, and a helper that awards it (through the use case) and
 * returns what the award e-mail needs.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/app/context.js';
import { awardCredential } from '../../src/app/award.js';
import { createAchievement } from '../../src/app/achievements.js';
import { createIssuer } from '../../src/app/issuers.js';
import type { AwardEmail } from '../../src/app/notifications.js';
import type { Actor } from '../../src/app/policies.js';
import { loadConfig } from '../../src/config.js';
import { OutboxSender } from '../../src/mail/mailer.js';
import { createApp } from '../../src/main.js';
import type { Store } from '../../src/store/database.js';
import { serviceEnv } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';

export const T0 = new Date('2026-11-26T12:00:00.000Z');
export const DAY = 86_400_000;

export interface MailWorld {
  app: AppContext;
  store: Store;
  capture: SmtpCapture;
  sender: OutboxSender;
  /** Moves the service's clock. */
  setNow(date: Date): void;
  /** The platform administrator (allowed everything, in every organisation). */
  admin: Actor;
  /** An organisation of its own, with one badge, for a test that changes the organisation's settings. */
  organisation(name?: string): Promise<{ issuerId: string; achievementId: string }>;
  /** Awards the badge to `email` (a new one each time) and returns the facts of its award e-mail. */
  award(
    org: { issuerId: string; achievementId: string },
    overrides?: Partial<Pick<AwardEmail, 'email' | 'name' | 'language'>>,
  ): Promise<AwardEmail>;
  close(): Promise<void>;
}

export async function mailWorld(): Promise<MailWorld> {
  let now = T0;
  const clock = { now: () => now };
  const capture = await startSmtpCapture();
  const env = await serviceEnv({ extra: { SMTP_URL: capture.url, BLASON_MAIL_FROM: 'Blason <badges@example.org>' } });
  const { app, store } = await createApp(loadConfig(env), clock);
  const sender = new OutboxSender(app, app.mailer!);
  const admin: Actor = { kind: 'user', userId: randomUUID(), role: 'platform_admin', organisationId: null };
  return {
    app,
    store,
    capture,
    sender,
    admin,
    setNow: (date) => {
      now = date;
    },
    async organisation(name = `Atelier ${randomUUID().slice(0, 8)}`) {
      const issuer = await createIssuer(app, admin, { name, url: 'https://www.example.org' });
      const achievement = await createAchievement(app, admin, {
        issuerId: issuer.id,
        catalogueKey: 'de-l-idee-a-l-opportunite',
      });
      return { issuerId: issuer.id, achievementId: achievement.id };
    },
    async award(org, overrides = {}) {
      const email = overrides.email ?? `porteur-${randomUUID().slice(0, 8)}@example.org`;
      const language = overrides.language ?? 'fr';
      const name = overrides.name ?? 'Camille Martin';
      const awarded = await awardCredential(app, admin, {
        achievementId: org.achievementId,
        recipient: { email, name },
        language,
      });
      const achievement = await app.db
        .selectFrom('achievements')
        .selectAll()
        .where('id', '=', org.achievementId)
        .executeTakeFirstOrThrow();
      const issuer = await app.db
        .selectFrom('organisations')
        .select('name')
        .where('id', '=', org.issuerId)
        .executeTakeFirstOrThrow();
      return {
        credentialId: awarded.id,
        url: awarded.url,
        holderUrl: awarded.holderUrl,
        email,
        name,
        badgeName: language === 'en' ? achievement.name_en : achievement.name_fr,
        issuerName: issuer.name,
        language,
        organisationId: org.issuerId,
      };
    },
    async close() {
      await sender.stop();
      app.mailer?.close?.();
      await store.close();
      await capture.close();
    },
  };
}
