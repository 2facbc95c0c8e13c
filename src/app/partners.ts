import { findOrganisation } from '../store/repositories/organisations.js';
import type { OrganisationRow } from '../store/schema.js';
import type { AppContext } from './context.js';
import { AppError } from './errors.js';

/**
 * The one rule of partner organisations (issue 13): a partner has a did:web identity and keys like any issuer and
 * signs endorsements, but it awards nothing, so it has no badge definitions, no sessions and no awards. Creating a
 * badge, creating a session and awarding all call this, whichever door they came through.
 */
export function awardsBadges(org: Pick<OrganisationRow, 'kind'>): boolean {
  return org.kind !== 'partner';
}

/** For screens that leave out what a partner cannot do (the console's badge and session pages). */
export async function organisationAwardsBadges(app: Pick<AppContext, 'db'>, organisationId: string): Promise<boolean> {
  const org = await findOrganisation(app.db, organisationId);
  return org === undefined || awardsBadges(org);
}

export function assertAwardsBadges(org: Pick<OrganisationRow, 'kind' | 'name'>): void {
  if (!awardsBadges(org))
    throw new AppError(
      409,
      'conflict',
      `${org.name} is a partner organisation: it endorses other organisations' badges but does not create badges, ` +
        'sessions or award badges itself.',
    );
}
