import type { Executor } from '../database.js';
import type { EndorsementRow } from '../schema.js';

/** The endorsements an organisation signed, withdrawn ones included, newest first. */
export function endorsementsGivenBy(db: Executor, organisationId: string): Promise<EndorsementRow[]> {
  return db
    .selectFrom('endorsements')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/**
 * The endorsements standing about an organisation: about it, about one of its badge definitions or about a badge
 * it awarded; newest first.
 */
export function endorsementsReceivedBy(db: Executor, organisationId: string): Promise<EndorsementRow[]> {
  return db
    .selectFrom('endorsements')
    .selectAll('endorsements')
    .leftJoin('achievements', (join) =>
      join.onRef('achievements.id', '=', 'endorsements.subject_id').on('endorsements.subject_type', '=', 'achievement'),
    )
    .leftJoin('credentials', (join) =>
      join.onRef('credentials.id', '=', 'endorsements.subject_id').on('endorsements.subject_type', '=', 'credential'),
    )
    .where('endorsements.revoked_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('endorsements.subject_type', '=', 'issuer'), eb('endorsements.subject_id', '=', organisationId)]),
        eb('achievements.organisation_id', '=', organisationId),
        eb('credentials.organisation_id', '=', organisationId),
      ]),
    )
    .orderBy('endorsements.created_at', 'desc')
    .orderBy('endorsements.id')
    .execute();
}

/** The badge definitions others may endorse: not archived, of every organisation but this one. */
export function endorsableAchievements(db: Executor, exceptOrganisationId: string) {
  return db
    .selectFrom('achievements')
    .innerJoin('organisations', 'organisations.id', 'achievements.organisation_id')
    .select([
      'achievements.id as id',
      'achievements.name_fr as name_fr',
      'achievements.name_en as name_en',
      'organisations.id as organisation_id',
      'organisations.name as organisation_name',
    ])
    .where('achievements.organisation_id', '!=', exceptOrganisationId)
    .where('achievements.archived_at', 'is', null)
    .orderBy('organisations.name')
    .orderBy('achievements.name_fr')
    .execute();
}
