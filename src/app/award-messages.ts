import { listAchievements } from '../store/repositories/achievements.js';
import { findAwardMessage, noticesOf, saveAwardMessage } from '../store/repositories/award-messages.js';
import type { AwardMessageRow } from '../store/schema.js';
import { recordAudit } from './audit-actions.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { ValidationError } from './errors.js';
import { checkInput } from './input-schemas.js';
import { loadIssuer } from './issuers.js';
import { wordingOf } from './notifications.js';
import { authorize, scopeOf, type Actor } from './policies.js';
import type { OrganisationWording, RenderedEmail } from './presentation.js';
import type { AwardMessageInput } from './input-types.js';

/**
 * Each organisation's award e-mail: its own subject, introduction and signature in French and in English (plain
 * text, escaped wherever it is shown; left empty, Blason's wording), and its reminders for badges never opened.
 * One schema (schemas/api/award-message.json) says what is accepted.
 */

/** Reminders of an organisation that never chose: a week, then three weeks after the award e-mail. */
export const DEFAULT_REMINDER_DAYS = [7, 21] as const;

/**
 * The type of schemas/api/award-message.json: the organisation's wording in each language, and the reminders'
 * days after the award e-mail (first null: no reminders; second null: one reminder only).
 */
export type { AwardMessageInput };

export interface AwardMessageSettings extends AwardMessageInput {
  /** Whether the organisation kept every default. */
  isDefault: boolean;
}

/** The reminder days in force for an organisation (none when it turned them off). */
export function reminderDaysOf(row: AwardMessageRow | undefined): number[] {
  if (!row) return [...DEFAULT_REMINDER_DAYS];
  return [row.first_reminder_days, row.second_reminder_days].filter((d): d is number => d !== null);
}

function settingsOf(row: AwardMessageRow | undefined): AwardMessageSettings {
  const words = (lang: Lang): OrganisationWording => {
    const w = wordingOf(row, lang);
    return { subject: w?.subject ?? '', intro: w?.intro ?? '', signature: w?.signature ?? '' };
  };
  const [first, second] = row ? [row.first_reminder_days, row.second_reminder_days] : DEFAULT_REMINDER_DAYS;
  return {
    fr: words('fr'),
    en: words('en'),
    firstReminderDays: first ?? null,
    secondReminderDays: second ?? null,
    isDefault: !row,
  };
}

/** Trims every text; an empty one means "Blason's wording". */
function cleanWording(w: OrganisationWording): OrganisationWording {
  const clean = (text: string | undefined) => (text ?? '').replace(/\r\n?/g, '\n').trim();
  return { subject: clean(w.subject), intro: clean(w.intro), signature: clean(w.signature) };
}

/**
 * Checks an organisation's award message against the one schema, and what a schema cannot say: the second
 * reminder comes after the first, and there is no second without a first.
 */
export function checkAwardMessage(input: AwardMessageInput): AwardMessageInput {
  checkInput('award-message.json', input);
  const clean = { ...input, fr: cleanWording(input.fr), en: cleanWording(input.en) };
  const { firstReminderDays: first, secondReminderDays: second } = clean;
  if (second !== null && (first === null || second <= first))
    throw new ValidationError('The second reminder must come after the first.', [
      { field: 'secondReminderDays', message: 'must be more days than the first reminder' },
    ]);
  return clean;
}

export async function awardMessageSettings(
  app: AppContext,
  actor: Actor,
  organisationId: string,
): Promise<AwardMessageSettings> {
  authorize(actor, 'issuer.read');
  const org = await loadIssuer(app, actor, organisationId);
  return settingsOf(await findAwardMessage(app.db, org.id));
}

/** Saves the organisation's award message and reminders, with its audit entry, in one transaction. */
export async function updateAwardMessage(
  app: AppContext,
  actor: Actor,
  organisationId: string,
  input: AwardMessageInput,
): Promise<AwardMessageSettings> {
  authorize(actor, 'issuer.update');
  const org = await loadIssuer(app, actor, organisationId);
  const clean = checkAwardMessage(input);
  const at = app.clock.now().toISOString();
  const orNull = (text: string | undefined) => text || null;
  await app.db.transaction().execute(async (trx) => {
    await saveAwardMessage(trx, {
      organisation_id: org.id,
      subject_fr: orNull(clean.fr.subject),
      intro_fr: orNull(clean.fr.intro),
      signature_fr: orNull(clean.fr.signature),
      subject_en: orNull(clean.en.subject),
      intro_en: orNull(clean.en.intro),
      signature_en: orNull(clean.en.signature),
      first_reminder_days: clean.firstReminderDays,
      second_reminder_days: clean.secondReminderDays,
      updated_at: at,
      updated_by: actor.userId,
    });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: org.id,
      action: 'issuer.awardMessage.updated',
      targetType: 'issuer',
      targetId: org.id,
      details: { reminders: [clean.firstReminderDays, clean.secondReminderDays] },
    });
  });
  return settingsOf(await findAwardMessage(app.db, org.id));
}

/**
 * The award e-mail as a holder of this organisation would receive it, in `lang`, with the saved words or a
 * draft (checked like a save, so that what the preview shows can be saved). A sample person and the
 * organisation's latest badge; its links lead nowhere personal.
 */
export async function previewAwardEmail(
  app: AppContext,
  actor: Actor,
  organisationId: string,
  lang: Lang,
  draft?: AwardMessageInput,
): Promise<RenderedEmail> {
  authorize(actor, 'issuer.read');
  const org = await loadIssuer(app, actor, organisationId);
  const words = draft ? checkAwardMessage(draft)[lang] : settingsOf(await findAwardMessage(app.db, org.id))[lang];
  const [badge] = await listAchievements(app.db, { organisationId: org.id });
  const sample = `${app.ids.origin}/credentials/00000000-0000-4000-8000-000000000000`;
  return app.emails.render(
    {
      kind: 'award',
      name: lang === 'en' ? 'Sam Taylor' : 'Camille Martin',
      badgeName: badge ? (lang === 'en' ? badge.name_en : badge.name_fr) : org.name,
      issuerName: org.name,
      url: sample,
      linkedinUrl: `${sample}/linkedin`,
      spaceUrl: `${app.ids.origin}/holder`,
      holderUrl: `${sample}/manage`,
      ...(badge ? { imageUrl: `${app.ids.achievementImage(badge.id)}?lang=${lang}` } : {}),
      ...(org.logo_image_id ? { logoUrl: app.ids.image(org.logo_image_id) } : {}),
      wording: words,
    },
    lang,
  );
}

/** Whether the holder opened each badge's e-mail, for the console's lists. */
export interface EmailOpenState {
  opened: boolean;
  reminders: number;
}

/** The e-mail state of each credential the actor may see; credentials never e-mailed are absent. */
export async function emailOpenStates(
  app: AppContext,
  actor: Actor,
  credentialIds: string[],
): Promise<Map<string, EmailOpenState>> {
  authorize(actor, 'credential.read');
  const scope = scopeOf(actor);
  const states = new Map<string, EmailOpenState>();
  for (const notice of await noticesOf(app.db, credentialIds)) {
    if (scope !== undefined && notice.organisation_id !== scope) continue;
    states.set(notice.credential_id, { opened: notice.opened_at !== null, reminders: notice.reminders_sent });
  }
  return states;
}
