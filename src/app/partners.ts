import type { OrganisationRow } from '../store/schema.js';
import { AppError } from './errors.js';

/**
 * The one rule of partner organisations (issue 13): a partner has a did:web identity and keys like any issuer and
 * signs endorsements, but it awards nothing, so it has no badge definitions, no sessions and no awards. Creating a
 * badge, creating a session and awarding all call this, whichever door they came through.
 */
export function assertAwardsBadges(org: Pick<OrganisationRow, 'kind' | 'name'>): void {
  if (org.kind === 'partner')
    throw new AppError(
      409,
      'conflict',
      `${org.name} is a partner organisation: it endorses other organisations' badges but does not create badges, ` +
        'sessions or award badges itself.',
    );
}
