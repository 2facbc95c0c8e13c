import { holdersOf } from '../store/repositories/credentials.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import { loadAchievement } from './achievements.js';
import { awardCredential, recipientKey } from './award.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { checkRow } from './csv.js';
import { suggestEmail } from './email-typos.js';
import { AppError, ValidationError } from './errors.js';
import { enqueueAwardEmails } from './notifications.js';
import { authorize, type Actor } from './policies.js';

/**
 * Awarding one badge to one person from the badge's own console page, without a session: someone who missed
 * the group award, a badge earned outside a workshop. Checked first (with a likely typo in the address pointed
 * out), confirmed, then issued and e-mailed.
 */

export interface DirectAwardCheck {
  achievementId: string;
  badge: { fr: string; en: string };
  email: string;
  name: string;
  problems: { code: string; params?: Record<string, string | number> }[];
  suggestion?: string;
  /** The person already holds this badge (the award would be refused). */
  alreadyHeld: boolean;
}

async function loadAwardable(app: AppContext, actor: Actor, achievementId: string) {
  authorize(actor, 'credential.award');
  const achievement = await loadAchievement(app, actor, achievementId);
  if (achievement.archived_at)
    throw new AppError(409, 'archived', 'This badge is archived: it can no longer be awarded.');
  return achievement;
}

/** What awarding would do, for the confirmation page. Nothing is signed or sent. */
export async function checkDirectAward(
  app: AppContext,
  actor: Actor,
  achievementId: string,
  input: { email: string; name?: string },
): Promise<DirectAwardCheck> {
  const achievement = await loadAwardable(app, actor, achievementId);
  const row = checkRow({ line: 1, email: input.email, ...(input.name ? { name: input.name } : {}) });
  const suggestion = suggestEmail(row.email);
  const held =
    row.problems.length === 0 ? await holdersOf(app.db, achievement.id, [recipientKey(app, row.email)]) : new Map();
  return {
    achievementId: achievement.id,
    badge: { fr: achievement.name_fr, en: achievement.name_en },
    email: row.email,
    name: row.name ?? '',
    problems: row.problems.map(({ code, params }) => ({ code, ...(params ? { params } : {}) })),
    ...(suggestion ? { suggestion } : {}),
    alreadyHeld: held.size > 0,
  };
}

/** Issues the badge (audited with it) and queues its e-mail. */
export async function awardDirectly(
  app: AppContext,
  actor: Actor,
  achievementId: string,
  input: { email: string; name?: string; language: Lang },
): Promise<{ credentialId: string; email: string; emailsQueued: number }> {
  const achievement = await loadAwardable(app, actor, achievementId);
  const row = checkRow({ line: 1, email: input.email, ...(input.name ? { name: input.name } : {}) });
  if (row.problems.length > 0)
    throw new ValidationError(
      'Give a valid email address (and a name of 200 characters at most).',
      row.problems.map((p) => ({ field: p.code === 'nameTooLong' ? 'name' : 'email', message: p.code })),
    );
  const org = (await findOrganisation(app.db, achievement.organisation_id))!;
  const awarded = await awardCredential(app, actor, {
    achievementId: achievement.id,
    recipient: { email: row.email, ...(row.name ? { name: row.name } : {}) },
    language: input.language,
  });
  const emailsQueued = await enqueueAwardEmails(app, [
    {
      credentialId: awarded.id,
      url: awarded.url,
      holderUrl: awarded.holderUrl,
      email: row.email,
      ...(row.name ? { name: row.name } : {}),
      badgeName: input.language === 'en' ? achievement.name_en : achievement.name_fr,
      issuerName: org.name,
      language: input.language,
      organisationId: org.id,
    },
  ]);
  return { credentialId: awarded.id, email: row.email, emailsQueued };
}
