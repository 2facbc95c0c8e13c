import { findAchievement } from '../store/repositories/achievements.js';
import {
  claimReminders,
  findAwardMessage,
  unopenedNotices,
  type DueNotice,
} from '../store/repositories/award-messages.js';
import { listOrganisations } from '../store/repositories/organisations.js';
import type { AchievementRow, OrganisationRow } from '../store/schema.js';
import { reminderDaysOf } from './award-messages.js';
import type { AppContext } from './context.js';
import { badgeEmailLinks } from './email-links.js';
import { renderMessages, storeMessages, wordingOf, type Built } from './notifications.js';

/**
 * Reminders for badges whose holder never opened them: at most two, on the days after the award e-mail that the
 * organisation chose (7 and 21 by default; it can turn them off). "Opened" means she followed a link of an e-mail
 * of that badge or signed into her space (src/app/email-links.ts). Revoked, suspended, erased, hidden and expired
 * badges get none.
 *
 * A run is idempotent: each reminder is claimed by a conditional update in the transaction that queues it, so
 * two processes, or a run repeated, never send the same reminder twice. A reminder whose day passed more than
 * LATE_DAYS ago (the service was stopped, or reminders were turned on later) is skipped: only a late reminder for
 * the last step is sent, never two at once.
 */

const DAY_MS = 86_400_000;
/** A reminder more than this many days late is no longer worth sending. */
export const LATE_DAYS = 14;
const BATCH = 200;

type Ctx = Pick<AppContext, 'db' | 'clock' | 'log' | 'metrics' | 'emails' | 'ids' | 'recipientSecret'>;

function daysBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

/** Sends the reminders due now for every organisation. Returns how many were queued. */
export async function sendDueReminders(app: Ctx): Promise<{ queued: number }> {
  let queued = 0;
  for (const org of await listOrganisations(app.db)) queued += await remindFor(app, org);
  return { queued };
}

async function remindFor(app: Ctx, org: OrganisationRow): Promise<number> {
  const settings = await findAwardMessage(app.db, org.id);
  const days = reminderDaysOf(settings);
  const now = app.clock.now();
  let queued = 0;
  for (const [i, day] of days.entries()) {
    const step = i + 1;
    const next = days[i + 1];
    for (;;) {
      // E-mailed at least `day` days ago, not more than LATE_DAYS late, and not yet due for the next step.
      const candidates = await unopenedNotices(
        app.db,
        {
          organisationId: org.id,
          step,
          emailedFrom: daysBefore(now, Math.min(day + LATE_DAYS, next ?? Infinity)),
          emailedBefore: daysBefore(now, day),
          now: now.toISOString(),
        },
        BATCH,
      );
      if (candidates.length === 0) break;
      queued += await remind(app, org, candidates, step, step === days.length, settings);
      if (candidates.length < BATCH) break;
    }
  }
  return queued;
}

async function remind(
  app: Ctx,
  org: OrganisationRow,
  notices: DueNotice[],
  step: number,
  last: boolean,
  settings: Awaited<ReturnType<typeof findAwardMessage>>,
): Promise<number> {
  const achievements = new Map<string, AchievementRow>();
  for (const id of new Set(notices.map((n) => n.achievement_id)))
    achievements.set(id, (await findAchievement(app.db, id))!);
  const built: Built[] = notices.map((n) => {
    const lang = n.language === 'en' ? 'en' : 'fr';
    const achievement = achievements.get(n.achievement_id)!;
    const { token: _token, ...links } = badgeEmailLinks(app, n.credential_id, n.achievement_id, lang, org);
    return {
      to: n.email,
      organisationId: org.id,
      credentialId: n.credential_id,
      lang,
      content: {
        kind: 'reminder',
        name: n.name ?? undefined,
        badgeName: lang === 'en' ? achievement.name_en : achievement.name_fr,
        issuerName: org.name,
        signature: wordingOf(settings, lang)?.signature,
        last,
        ...links,
      },
    };
  });
  const rendered = renderMessages(app, built);
  const at = app.clock.now().toISOString();
  const sent = await app.db.transaction().execute(async (trx) => {
    // Claimed, then queued, in one transaction: a reminder exists in the outbox exactly when it is counted.
    const claimed = new Set(
      await claimReminders(
        trx,
        notices.map((n) => n.credential_id),
        step,
        at,
      ),
    );
    const rows = rendered.filter((r) => claimed.has(r.credential_id!));
    await storeMessages(trx, rows);
    return rows.length;
  });
  app.metrics?.mail('queued', sent);
  return sent;
}

/**
 * Runs the reminders now and then, in every process (the runs cannot send a reminder twice). Never throws and
 * never keeps the process alive; stop() waits for the run in progress.
 */
export function startReminders(app: Ctx, intervalMs: number): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = sendDueReminders(app)
      .catch((error: unknown) =>
        app.log.error({ error: error instanceof Error ? error.message : String(error) }, 'reminders: run failed'),
      )
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(tick, intervalMs);
        timer.unref();
      });
  };
  timer = setTimeout(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
