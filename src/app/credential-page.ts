import { timingSafeEqual } from 'node:crypto';
import type { VerificationReport } from '../engine/verify/report.js';
import { findAchievement } from '../store/repositories/achievements.js';
import { findCredential, findRecipient, updateCredential } from '../store/repositories/credentials.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import type { AchievementRow, CredentialRow, OrganisationRow } from '../store/schema.js';
import { toView } from './achievements.js';
import type { CompetenceRef, Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { notFound } from './errors.js';
import type { PublicView, SignedFiles } from './visibility.js';
import { verifyAny } from './verify.js';
import { endorsementSummaries, type EndorsementSummary } from './endorsements.js';
import { issuerDid } from './issuers.js';
import { sha256Hex } from '../engine/util.js';
import { isUuid } from '../shared/uuid.js';

/** What the public badge page is made of: plain data, verified at this very moment by the engine. */
export interface CredentialPageFacts {
  row: CredentialRow;
  achievement: AchievementRow;
  organisation: OrganisationRow;
  credential: Record<string, unknown> | undefined;
  report: VerificationReport | undefined;
  holderName: string | undefined;
  /** Whether the page may offer the signed downloads (see visibility.ts). */
  signedFiles: SignedFiles;
  competences: CompetenceRef[];
  language: Lang;
  /** Partners' endorsements of this badge, its definition or its issuer, standing now. */
  endorsements: EndorsementSummary[];
}

/** The page of a credential the public may see (the caller has asked lookupPublicCredential). */
export async function credentialPageFacts(
  app: AppContext,
  row: CredentialRow,
  view: PublicView,
): Promise<CredentialPageFacts> {
  const achievement = (await findAchievement(app.db, row.achievement_id))!;
  const organisation = (await findOrganisation(app.db, row.organisation_id))!;
  const erased = view.visibility === 'erased';
  const credential = erased ? undefined : (JSON.parse(row.credential_json) as Record<string, unknown>);
  const report = credential ? await verifyAny(app, { text: row.credential_json }) : undefined;
  return {
    row,
    achievement,
    organisation,
    credential,
    report,
    holderName: view.holderName,
    signedFiles: view.signedFiles,
    competences: toView(app, achievement).competences,
    language: row.language === 'en' ? 'en' : 'fr',
    endorsements: erased
      ? []
      : await endorsementSummaries(app, [
          app.ids.credential(row.id),
          app.ids.achievement(achievement.id),
          issuerDid(app, organisation),
        ]),
  };
}

export function hashHolderKey(key: string): string {
  return sha256Hex(key);
}

/** The holder's badge, by the secret key of her private management link (404 otherwise, and once erased). */
export async function loadForHolder(app: AppContext, id: string, key: string): Promise<CredentialRow> {
  const row = isUuid(id) ? await findCredential(app.db, id) : undefined;
  const expected = row?.holder_key_hash;
  const given = hashHolderKey(key);
  if (!row || !expected || !timingSafeEqual(Buffer.from(expected), Buffer.from(given)) || row.erased_at)
    throw notFound('Credential');
  return row;
}

/** The holder's own view of their badge, authenticated by the secret link they received. */
export async function holderSettings(app: AppContext, id: string, key: string) {
  const row = await loadForHolder(app, id, key);
  const achievement = (await findAchievement(app.db, row.achievement_id))!;
  const recipient = await findRecipient(app.db, row.id);
  return {
    row,
    badgeName: row.language === 'en' ? achievement.name_en : achievement.name_fr,
    holderName: recipient?.name ?? undefined,
    showName: row.show_name === 1,
  };
}

export async function setHolderNameVisible(app: AppContext, id: string, key: string, visible: boolean): Promise<void> {
  const row = await loadForHolder(app, id, key);
  await updateCredential(app.db, row.id, { show_name: visible ? 1 : 0 });
}
