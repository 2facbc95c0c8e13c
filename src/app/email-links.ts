import { createHmac } from 'node:crypto';
import { sha256Hex } from '../engine/util.js';
import { findAchievement } from '../store/repositories/achievements.js';
import { markOpenedByEmail, markOpenedByToken } from '../store/repositories/award-messages.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import type { OrganisationRow } from '../store/schema.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { lookupPublicCredential } from './credential-files.js';
import type { BadgeEmailFacts } from './presentation.js';

/**
 * The links of award e-mails and reminders, and what following them records. Each link carries the credential's
 * open token (`?open=…`): when the holder follows one, Blason notes that she opened her badge, and sends her no
 * reminder. No tracking pixel, no per-person image: only a click she chose to make counts (or signing into her
 * space). The token is derived from the credential id with a server secret, so that reminders carry the same one
 * without storing it; only its hash is kept, to find the credential it belongs to.
 */

const TOKEN = /^[A-Za-z0-9_-]{22}$/;

export function openToken(app: Pick<AppContext, 'recipientSecret'>, credentialId: string): string {
  return createHmac('sha256', app.recipientSecret)
    .update(`award-email-open\u0000${credentialId}`)
    .digest('base64url')
    .slice(0, 22);
}

export function hashOpenToken(token: string): string {
  return sha256Hex(token);
}

/** Adds the open token to a link of the e-mail. */
export function withOpenToken(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}open=${token}`;
}

/** The buttons' destinations and images of a badge's e-mails, every link carrying the open token. */
export function badgeEmailLinks(
  app: Pick<AppContext, 'recipientSecret' | 'ids'>,
  credentialId: string,
  achievementId: string,
  language: Lang,
  organisation: Pick<OrganisationRow, 'logo_image_id'>,
): Pick<BadgeEmailFacts, 'url' | 'linkedinUrl' | 'spaceUrl' | 'imageUrl' | 'logoUrl'> & { token: string } {
  const token = openToken(app, credentialId);
  const page = app.ids.credential(credentialId);
  return {
    token,
    url: withOpenToken(page, token),
    linkedinUrl: withOpenToken(`${page}/linkedin`, token),
    spaceUrl: withOpenToken(`${app.ids.origin}/holder`, token),
    imageUrl: `${app.ids.achievementImage(achievementId)}?lang=${language}`,
    ...(organisation.logo_image_id ? { logoUrl: app.ids.image(organisation.logo_image_id) } : {}),
  };
}

/**
 * The holder followed a link of her e-mail. Any string may come in a query: one that is not a token, or no
 * longer matches a badge, is simply ignored (the page she asked for opens all the same).
 */
export async function recordEmailOpened(app: AppContext, token: string): Promise<void> {
  if (!TOKEN.test(token)) return;
  await markOpenedByToken(app.db, hashOpenToken(token), app.clock.now().toISOString());
}

/** The holder signed into her space, where she sees every badge sent to her address: they count as opened. */
export async function recordHolderSignedIn(app: AppContext, email: string): Promise<void> {
  await markOpenedByEmail(app.db, email, app.clock.now().toISOString());
}

/** What LinkedIn's "add a certification" form is given for a badge anyone may see; undefined otherwise. */
export interface LinkedinFacts {
  badgeName: string;
  issuerName: string;
  linkedinOrganizationId: string | null;
  issuedAt: string;
  validUntil: string | null;
  url: string;
}

export async function linkedinFacts(app: AppContext, credentialId: string): Promise<LinkedinFacts | undefined> {
  const found = await lookupPublicCredential(app, credentialId);
  if (found.kind !== 'shown' || found.view.visibility === 'erased' || found.row.revoked_at) return undefined;
  const { row } = found;
  const achievement = (await findAchievement(app.db, row.achievement_id))!;
  const organisation = (await findOrganisation(app.db, row.organisation_id))!;
  return {
    badgeName: row.language === 'en' ? achievement.name_en : achievement.name_fr,
    issuerName: organisation.name,
    linkedinOrganizationId: organisation.linkedin_org_id,
    issuedAt: row.issued_at,
    validUntil: row.valid_until,
    url: app.ids.credential(row.id),
  };
}
