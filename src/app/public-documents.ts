import { OB_V3P0_3_0_3, VC_V2 } from '../engine/model/contexts.js';
import { didDocument, jwkEntry } from '../keys/issuer-keys.js';
import { findAchievement } from '../store/repositories/achievements.js';
import { findCredential } from '../store/repositories/credentials.js';
import { findOrganisation, findOrganisationBySlug, listOrganisations } from '../store/repositories/organisations.js';
import { achievementDocument } from './achievements.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { notFound } from './errors.js';
import { issuerDid, issuerProfile } from './issuers.js';
import { withEndorsements } from './endorsements.js';
import { publicViewOf } from './visibility.js';
import { isUuid } from '../shared/uuid.js';

/** Documents anyone may fetch: DID documents, the JWKS, issuer profiles, achievements. No personal data. */

export async function didDocumentForSlug(app: AppContext, slug: string): Promise<Record<string, unknown>> {
  const org = await findOrganisationBySlug(app.db, slug);
  if (!org) throw notFound('Issuer');
  return didDocument(issuerDid(app, org), await app.keys.published(org.id), app.ids.issuerPage(org.slug));
}

export async function platformJwks(app: AppContext): Promise<{ keys: Record<string, unknown>[] }> {
  const orgs = new Map((await listOrganisations(app.db)).map((org) => [org.id, issuerDid(app, org)]));
  const keys = await app.keys.published();
  return {
    keys: keys
      .filter((k) => k.purpose === 'jwt' || k.purpose === 'data-integrity')
      .map((k) => jwkEntry(orgs.get(k.organisation_id)!, k)),
  };
}

export async function profileForSlug(app: AppContext, slug: string): Promise<Record<string, unknown>> {
  const org = await findOrganisationBySlug(app.db, slug);
  if (!org) throw notFound('Issuer');
  return { '@context': [VC_V2, OB_V3P0_3_0_3], ...(await withEndorsements(app, issuerProfile(app, org))) };
}

export async function publicAchievement(app: AppContext, id: string, lang: Lang): Promise<Record<string, unknown>> {
  const row = isUuid(id) ? await findAchievement(app.db, id) : undefined;
  if (!row) throw notFound('Badge');
  const org = (await findOrganisation(app.db, row.organisation_id))!;
  return {
    '@context': [VC_V2, OB_V3P0_3_0_3],
    ...(await withEndorsements(app, achievementDocument(app, row, lang))),
    creator: issuerProfile(app, org),
  };
}

/**
 * A credential as we serve it to anyone who has its link, for our own in-process fetcher: only when the visibility
 * rule lets its signed copy out; otherwise 404, as for an id that was never issued.
 */
export async function publicCredential(app: AppContext, id: string): Promise<Record<string, unknown>> {
  const row = await findCredential(app.db, id);
  if (!row || (await publicViewOf(app, row)).signedFiles !== 'public') throw notFound('Credential');
  return JSON.parse(row.credential_json) as Record<string, unknown>;
}
