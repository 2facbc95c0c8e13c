import { bakePng, OB2_PNG_KEYWORD } from '../engine/bake/png.js';
import { OB_V2 } from '../engine/model/contexts.js';
import { findAchievement } from '../store/repositories/achievements.js';
import { findCredential } from '../store/repositories/credentials.js';
import { findOrganisation, findOrganisationBySlug } from '../store/repositories/organisations.js';
import type { AchievementRow, CredentialRow, OrganisationRow } from '../store/schema.js';
import { alignments, toView } from './achievements.js';
import { achievementImage } from './badge-images.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { notFound } from './errors.js';
import { shownPublicly, visibilityOf } from './visibility.js';
import { isUuid } from '../shared/uuid.js';

/**
 * Open Badges 2.0 for backpacks that only speak 2.0 (Open Badge Passport among them): every credential also
 * exists as a hosted 2.0 Assertion, with its BadgeClass and Issuer, linked both ways with the 3.0 documents
 * (ob3-spec.md §10). Hosted verification: a revoked assertion answers 410 Gone with `revoked: true`.
 */

export const ob2Urls = (app: AppContext) => ({
  assertion: (id: string) => `${app.ids.origin}/ob2/assertions/${id}`,
  assertionImage: (id: string) => `${app.ids.origin}/ob2/assertions/${id}/badge.png`,
  /** The English BadgeClass has its own URL, so that an English credential's assertion points to it. */
  badgeClass: (id: string, lang: Lang = 'fr') => `${app.ids.origin}/ob2/badges/${id}${lang === 'en' ? '?lang=en' : ''}`,
  issuer: (slug: string) => `${app.ids.origin}/ob2/issuers/${slug}`,
});

export function ob2Issuer(app: AppContext, org: OrganisationRow): Record<string, unknown> {
  return {
    '@context': OB_V2,
    type: 'Issuer',
    id: ob2Urls(app).issuer(org.slug),
    name: org.name,
    url: org.url ?? app.ids.issuerPage(org.slug),
    // Required by OB 2.0 (validators refuse an Issuer without it): the platform's contact stands in for an
    // organisation that gave no address.
    email: org.email || app.config.contactEmail,
    ...(org.description ? { description: org.description } : {}),
    ...(org.logo_image_id ? { image: app.ids.image(org.logo_image_id) } : {}),
  };
}

export function ob2BadgeClass(
  app: AppContext,
  row: AchievementRow,
  org: OrganisationRow,
  lang: Lang,
): Record<string, unknown> {
  const view = toView(app, row);
  return {
    '@context': OB_V2,
    type: 'BadgeClass',
    id: ob2Urls(app).badgeClass(row.id, lang),
    name: view.name[lang],
    description: view.description[lang],
    image: `${view.image}?lang=${lang}`,
    criteria: { narrative: view.criteria[lang] },
    issuer: ob2Urls(app).issuer(org.slug),
    ...(view.competences.length > 0
      ? {
          alignment: alignments(app, view.competences, lang).map((a) => ({
            targetName: a.targetName,
            targetUrl: a.targetUrl,
            ...(a.targetDescription ? { targetDescription: a.targetDescription } : {}),
            ...(a.targetFramework ? { targetFramework: a.targetFramework } : {}),
            ...(a.targetCode ? { targetCode: a.targetCode } : {}),
          })),
        }
      : {}),
    ...(view.tags.length > 0 ? { tags: view.tags } : {}),
    related: [{ id: app.ids.achievement(row.id), version: 'Open Badges v3p0' }],
  };
}

export type HostedAssertion = { gone: boolean; assertion: Record<string, unknown> };

/**
 * The hosted 2.0 assertion of one of our credentials: 404 when the visibility rule does not show it (erased, or
 * made private by its holder). It never names the holder (a hashed address only), so a hidden name changes nothing.
 */
export async function ob2Assertion(app: AppContext, id: string): Promise<HostedAssertion> {
  return (await hostedAssertion(app, id)).hosted;
}

async function hostedAssertion(app: AppContext, id: string): Promise<{ row: CredentialRow; hosted: HostedAssertion }> {
  const row = isUuid(id) ? await findCredential(app.db, id) : undefined;
  if (!row || !shownPublicly(visibilityOf(row))) throw notFound('Assertion');
  const credential = JSON.parse(row.credential_json) as {
    credentialSubject?: { identifier?: { identityHash?: string; salt?: string }[] };
    evidence?: { id?: string; narrative?: string; name?: string; description?: string }[];
  };
  const identity = credential.credentialSubject?.identifier?.[0];
  const urls = ob2Urls(app);
  const revoked = row.revoked_at !== null;
  const assertion: Record<string, unknown> = {
    '@context': OB_V2,
    type: 'Assertion',
    id: urls.assertion(row.id),
    recipient: identity?.identityHash
      ? {
          type: 'email',
          hashed: true,
          ...(identity.salt ? { salt: identity.salt } : {}),
          identity: identity.identityHash,
        }
      : undefined,
    badge: urls.badgeClass(row.achievement_id, row.language === 'en' ? 'en' : 'fr'),
    verification: { type: 'hosted' },
    issuedOn: row.issued_at,
    ...(row.valid_until ? { expires: row.valid_until } : {}),
    image: urls.assertionImage(row.id),
    ...(credential.evidence?.length
      ? {
          evidence: credential.evidence.map((e) => ({
            ...(e.id ? { id: e.id } : {}),
            ...(e.narrative ? { narrative: e.narrative } : {}),
            ...(e.name ? { name: e.name } : {}),
            ...(e.description ? { description: e.description } : {}),
          })),
        }
      : {}),
    // Revocation reasons stay private: a 2.0 backpack learns that, not why.
    ...(revoked ? { revoked: true } : {}),
  };
  if (!assertion.recipient) delete assertion.recipient;
  return { row, hosted: { gone: revoked, assertion } };
}

/** The 2.0 assertion baked into the badge's PNG (iTXt `openbadges`), under the same rule as the assertion. */
export async function ob2AssertionImage(app: AppContext, id: string): Promise<{ png: Buffer; baseName: string }> {
  const { row, hosted } = await hostedAssertion(app, id);
  const achievement = await findAchievement(app.db, row.achievement_id);
  if (!achievement) throw notFound('Badge');
  const image = await achievementImage(app, achievement, row.language === 'en' ? 'en' : 'fr');
  const png = bakePng(image.png(), JSON.stringify(hosted.assertion), OB2_PNG_KEYWORD);
  return { png, baseName: `badge-ob2-${row.id.slice(0, 8)}` };
}

export async function ob2BadgeClassById(app: AppContext, id: string, lang: Lang): Promise<Record<string, unknown>> {
  const row = isUuid(id) ? await findAchievement(app.db, id) : undefined;
  if (!row) throw notFound('BadgeClass');
  return ob2BadgeClass(app, row, (await findOrganisation(app.db, row.organisation_id))!, lang);
}

export async function ob2IssuerBySlug(app: AppContext, slug: string): Promise<Record<string, unknown>> {
  const org = await findOrganisationBySlug(app.db, slug);
  if (!org) throw notFound('Issuer');
  return ob2Issuer(app, org);
}
