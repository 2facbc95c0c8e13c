import { createHash, timingSafeEqual } from 'node:crypto';
import type { VerificationReport } from '../engine/verify/report.js';
import { findAchievement } from '../store/repositories/achievements.js';
import { findCredential, findRecipient, updateCredential } from '../store/repositories/credentials.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import type { AchievementRow, CredentialRow, OrganisationRow } from '../store/schema.js';
import { toView } from './achievements.js';
import type { CompetenceRef, Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { notFound } from './errors.js';
import { verifyAny } from './verify.js';

/** What the public badge page is made of: plain data, verified at this very moment by the engine. */
export interface CredentialPageFacts {
  row: CredentialRow;
  achievement: AchievementRow;
  organisation: OrganisationRow;
  credential: Record<string, unknown> | undefined;
  report: VerificationReport | undefined;
  holderName: string | undefined;
  competences: CompetenceRef[];
  language: Lang;
}

export async function credentialPageFacts(app: AppContext, row: CredentialRow): Promise<CredentialPageFacts> {
  const achievement = (await findAchievement(app.db, row.achievement_id))!;
  const organisation = (await findOrganisation(app.db, row.organisation_id))!;
  const erased = row.erased_at !== null;
  const credential = erased ? undefined : JSON.parse(row.credential_json) as Record<string, unknown>;
  const report = credential ? await verifyAny(app, { text: row.credential_json }) : undefined;
  // The name shows only if the holder chose so, and never on a revoked or erased badge.
  const recipient = row.show_name && !erased && !row.revoked_at ? await findRecipient(app.db, row.id) : undefined;
  return {
    row, achievement, organisation, credential, report,
    holderName: recipient?.name ?? undefined,
    competences: toView(app, achievement).competences,
    language: row.language === 'en' ? 'en' : 'fr',
  };
}

export function hashHolderKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

async function loadForHolder(app: AppContext, id: string, key: string): Promise<CredentialRow> {
  const row = /^[0-9a-f-]{36}$/.test(id) ? await findCredential(app.db, id) : undefined;
  const expected = row?.holder_key_hash;
  const given = hashHolderKey(key);
  if (!row || !expected || !timingSafeEqual(Buffer.from(expected), Buffer.from(given)) || row.erased_at) throw notFound('Credential');
  return row;
}

/** The holder's own view of their badge, authenticated by the secret link they received. */
export async function holderSettings(app: AppContext, id: string, key: string) {
  const row = await loadForHolder(app, id, key);
  const achievement = (await findAchievement(app.db, row.achievement_id))!;
  const recipient = await findRecipient(app.db, row.id);
  return { row, badgeName: row.language === 'en' ? achievement.name_en : achievement.name_fr, holderName: recipient?.name ?? undefined, showName: row.show_name === 1 };
}

export async function setHolderNameVisible(app: AppContext, id: string, key: string, visible: boolean): Promise<void> {
  const row = await loadForHolder(app, id, key);
  await updateCredential(app.db, row.id, { show_name: visible ? 1 : 0 });
}
