import { findAchievement } from '../store/repositories/achievements.js';
import { findCredential } from '../store/repositories/credentials.js';
import {
  endorsableAchievements,
  endorsementsGivenBy,
  endorsementsReceivedBy,
} from '../store/repositories/endorsement-overview.js';
import { importedEndorsementsOfOrganisation } from '../store/repositories/imported-endorsements.js';
import { findOrganisation, listOrganisations } from '../store/repositories/organisations.js';
import type { EndorsementRow, EndorsementSubjectType } from '../store/schema.js';
import { isUuid } from '../shared/uuid.js';
import type { AppContext } from './context.js';
import { importedEndorsementUrl } from './endorsement-import.js';
import { notFound } from './errors.js';
import { authorize, scopeOf, type Actor } from './policies.js';

type Names = { fr: string; en: string };

/** An endorsement the organisation signed, as its console lists it. */
export interface GivenEndorsement {
  id: string;
  url: string;
  subjectType: EndorsementSubjectType;
  /** The badge's or the organisation's name, and whose it is. */
  subjectName: Names;
  subjectOwner: string;
  comment: string;
  createdAt: string;
  revokedAt: string | null;
}

/** An endorsement about the organisation, one of its badge definitions or a badge it awarded. */
export interface ReceivedEndorsement {
  endorser: string;
  subjectType: EndorsementSubjectType;
  subjectName: Names;
  comment: string;
  createdAt: string;
  /** Its page here, or for one imported from elsewhere the verify page (it has no page here). */
  url: string;
  imported: boolean;
}

/** What the "endorse" form offers: the other organisations, and their badge definitions grouped by organisation. */
export interface EndorsementChoices {
  organisations: { id: string; name: string }[];
  badges: { organisation: string; badges: { id: string; name: Names }[] }[];
}

export interface EndorsementOverview {
  given: GivenEndorsement[];
  received: ReceivedEndorsement[];
  choices: EndorsementChoices;
}

async function subjectOf(app: AppContext, row: EndorsementRow): Promise<{ name: Names; owner: string }> {
  if (row.subject_type === 'issuer') {
    const name = (await findOrganisation(app.db, row.subject_id))?.name ?? '';
    return { name: { fr: name, en: name }, owner: name };
  }
  const credential = row.subject_type === 'credential' ? await findCredential(app.db, row.subject_id) : undefined;
  const achievement = await findAchievement(app.db, credential?.achievement_id ?? row.subject_id);
  const owner = achievement ? ((await findOrganisation(app.db, achievement.organisation_id))?.name ?? '') : '';
  return { name: { fr: achievement?.name_fr ?? '', en: achievement?.name_en ?? '' }, owner };
}

/**
 * The console's endorsements page: what the organisation gave (withdrawn ones too), what it received (signed here
 * or imported), and what it may endorse. Public facts, except which of them the organisation signed.
 */
export async function endorsementOverview(
  app: AppContext,
  actor: Actor,
  organisationId: string,
): Promise<EndorsementOverview> {
  authorize(actor, 'issuer.read');
  const scope = scopeOf(actor);
  if (scope !== undefined && scope !== organisationId) throw notFound('Organisation');
  const endorser = await findOrganisation(app.db, organisationId);
  if (!endorser) throw notFound('Organisation');
  const endorsers = new Map<string, string>();
  const endorserName = async (id: string) => {
    if (!endorsers.has(id)) endorsers.set(id, (await findOrganisation(app.db, id))?.name ?? '');
    return endorsers.get(id)!;
  };

  const given: GivenEndorsement[] = [];
  for (const row of await endorsementsGivenBy(app.db, organisationId)) {
    const subject = await subjectOf(app, row);
    given.push({
      id: row.id,
      url: app.ids.endorsement(row.id),
      subjectType: row.subject_type,
      subjectName: subject.name,
      subjectOwner: subject.owner,
      comment: row.comment,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    });
  }

  const received: ReceivedEndorsement[] = [];
  for (const row of await endorsementsReceivedBy(app.db, organisationId)) {
    received.push({
      endorser: await endorserName(row.organisation_id),
      subjectType: row.subject_type,
      subjectName: (await subjectOf(app, row)).name,
      comment: row.comment,
      createdAt: row.created_at,
      url: app.ids.endorsement(row.id),
      imported: false,
    });
  }
  for (const row of await importedEndorsementsOfOrganisation(app.db, organisationId)) {
    const achievement = await findAchievement(app.db, row.achievement_id);
    received.push({
      endorser: row.endorser_name,
      subjectType: 'achievement',
      subjectName: { fr: achievement?.name_fr ?? '', en: achievement?.name_en ?? '' },
      comment: row.comment ?? '',
      createdAt: row.imported_at,
      url: `/verify?url=${encodeURIComponent(importedEndorsementUrl(app, row))}`,
      imported: true,
    });
  }
  received.sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  const badges: EndorsementChoices['badges'] = [];
  for (const row of await endorsableAchievements(app.db, organisationId)) {
    let group = badges.at(-1);
    if (group?.organisation !== row.organisation_name) {
      group = { organisation: row.organisation_name, badges: [] };
      badges.push(group);
    }
    group.badges.push({ id: row.id, name: { fr: row.name_fr, en: row.name_en || row.name_fr } });
  }
  return {
    given,
    received,
    choices: {
      organisations: (await listOrganisations(app.db))
        .filter((o) => o.id !== organisationId)
        .map((o) => ({ id: o.id, name: o.name })),
      badges,
    },
  };
}

/**
 * The awarded badge a pasted address names: its page, one of its downloads, or its bare id. Undefined when the
 * text names none of ours (the endorse use case then says the badge was not found).
 */
export function credentialIdOfAddress(app: AppContext, text: string): string | undefined {
  const trimmed = text.trim();
  if (isUuid(trimmed)) return trimmed;
  const prefix = `${app.ids.origin}/credentials/`;
  if (!trimmed.startsWith(prefix)) return undefined;
  const id = trimmed.slice(prefix.length).split(/[/?#]/)[0] ?? '';
  return isUuid(id) ? id : undefined;
}
