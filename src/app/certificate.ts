import { findAchievement } from '../store/repositories/achievements.js';
import { findRecipient } from '../store/repositories/credentials.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import type { CredentialRow, HolderRow } from '../store/schema.js';
import { achievementImage } from './badge-images.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { erasedCopy, lookupPublicCredential } from './credential-files.js';
import { conflict, notFound } from './errors.js';
import { ownIssued } from './holders.js';

/**
 * The printable certificate of a badge: what it says, gathered here; the PDF itself is drawn by the views
 * (src/views/certificate-pdf.ts). It is a printout, not a credential: what proves the badge is the signed
 * credential its QR code and link lead to.
 *
 * The holder's name is on it when the public page shows it (she chose to show it, see visibility.ts), and always
 * on the copy she downloads herself from her space: she is the one who decides whom she hands it to. Anyone else
 * with the link gets the certificate without the name when she chose not to show it.
 */
export interface CertificateFacts {
  /** The badge's public link, which the QR code carries. */
  url: string;
  language: Lang;
  badgeName: string;
  criteria: string;
  competences: { code: string; name: string; level: number; levelName: string }[];
  issuerName: string;
  holderName: string | undefined;
  issuedAt: string;
  validUntil: string | null;
  /** The badge's image (PNG, unbaked: it names nobody). */
  image: Buffer;
  /** Without the extension: certificat-1a2b3c4d. */
  baseName: string;
}

/** The certificate anyone with the badge's link may download, when its page is public. */
export async function publicCertificate(app: AppContext, id: string, language: Lang): Promise<CertificateFacts> {
  const found = await lookupPublicCredential(app, id);
  if (found.kind !== 'shown') throw notFound('Credential');
  if (found.view.visibility === 'erased') throw erasedCopy();
  return certificateOf(app, found.row, language, found.view.holderName);
}

/** The holder's own certificate, from her space or her badge's page: her hidden badges too, her name on it. */
export async function holderCertificate(
  app: AppContext,
  holder: HolderRow,
  id: string,
  language: Lang,
): Promise<CertificateFacts> {
  const row = await ownIssued(app, holder, id);
  if (row.erased_at !== null) throw erasedCopy();
  const name = holder.name ?? (await findRecipient(app.db, row.id))?.name ?? undefined;
  return certificateOf(app, row, language, name);
}

async function certificateOf(
  app: AppContext,
  row: CredentialRow,
  language: Lang,
  holderName: string | undefined,
): Promise<CertificateFacts> {
  // A withdrawn badge is not printed as if it held: its page says it was withdrawn.
  if (row.revoked_at !== null || row.suspended_at !== null) {
    throw conflict('This badge was withdrawn by its issuer: there is no certificate to print. Its page says why.');
  }
  const achievement = await findAchievement(app.db, row.achievement_id);
  const organisation = await findOrganisation(app.db, row.organisation_id);
  if (!achievement || !organisation) throw notFound('Badge');
  const competences = (JSON.parse(achievement.competences) as { code: string; level: number }[]).map((c) => ({
    code: c.code,
    level: c.level,
    name: app.catalogue.competence(c.code)?.name[language] ?? c.code,
    levelName: app.catalogue.level(c.level)?.name[language] ?? '',
  }));
  return {
    url: app.ids.credential(row.id),
    language,
    badgeName: language === 'fr' ? achievement.name_fr : achievement.name_en,
    criteria: language === 'fr' ? achievement.criteria_fr : achievement.criteria_en,
    competences,
    issuerName: organisation.name,
    holderName: holderName?.trim() || undefined,
    issuedAt: row.issued_at,
    validUntil: row.valid_until,
    image: (await achievementImage(app, achievement, language)).png(),
    baseName: `${language === 'fr' ? 'certificat' : 'certificate'}-${row.id.slice(0, 8)}`,
  };
}
