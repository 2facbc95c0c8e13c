import { buildEndorsementCredential } from '../engine/model/build-endorsement.js';
import type { EndorsementCredential } from '../engine/model/types.js';
import type { VerificationReport } from '../engine/verify/report.js';
import { signDataIntegrity, signJwt } from '../engine/proof/sign.js';
import { findAchievement } from '../store/repositories/achievements.js';
import { findCredential } from '../store/repositories/credentials.js';
import {
  currentEndorsementsOf,
  endorsementsOfSubject,
  findEndorsement,
  insertEndorsement,
  markEndorsementRevoked,
} from '../store/repositories/endorsements.js';
import { findOrganisation, findOrganisationBySlug } from '../store/repositories/organisations.js';
import { allocateIndexes, bumpVersion } from '../store/repositories/status-lists.js';
import type { Transaction } from 'kysely';
import type { Database, EndorsementRow, EndorsementSubjectType, OrganisationRow } from '../store/schema.js';
import { newId } from '../shared/clock.js';
import { isUuid } from '../shared/uuid.js';
import { recordAudit } from './audit-actions.js';
import { currentList } from './award.js';
import type { AppContext } from './context.js';
import { AppError, conflict, notFound } from './errors.js';
import { checkInput } from './input-schemas.js';
import { issuerDid, issuerProfile } from './issuers.js';
import { authorize, scopeOf, type Actor } from './policies.js';
import { visibilityOf } from './visibility.js';
import { verifyAny } from './verify.js';
import { importedEndorsementsOf } from './endorsement-import.js';
import type { EndorsementCreateInput } from './input-types.js';

export type { EndorsementSubjectType };

/**
 * The type of schemas/api/endorsement-create.json; `endorserId` names the endorsing organisation for an actor who
 * can act for several (the platform administrator).
 */
export type EndorseInput = EndorsementCreateInput;

/** What the API returns of an endorsement. */
export interface EndorsementView {
  id: string;
  url: string;
  endorser: { id: string; name: string; url: string };
  subject: { type: EndorsementSubjectType; id: string; iri: string };
  comment: string;
  createdAt: string;
  revoked: boolean;
  revokedAt: string | null;
}

export interface CreatedEndorsement {
  id: string;
  url: string;
  credential: EndorsementCredential;
  jwt: string;
}

/** A subject found and allowed: its public IRI (what credentialSubject.id says) and the organisation behind it. */
interface Subject {
  type: EndorsementSubjectType;
  id: string;
  iri: string;
  organisationId: string;
}

const notEndorsable = (message: string) => new AppError(409, 'conflict', message);

/** Finds what is endorsed; only what anyone may see publicly can be endorsed. */
async function findSubject(app: AppContext, type: EndorsementSubjectType, id: string): Promise<Subject> {
  switch (type) {
    case 'issuer': {
      const org = isUuid(id) ? await findOrganisation(app.db, id) : await findOrganisationBySlug(app.db, id);
      if (!org) throw notFound('Issuer');
      return { type, id: org.id, iri: issuerDid(app, org), organisationId: org.id };
    }
    case 'achievement': {
      const row = isUuid(id) ? await findAchievement(app.db, id) : undefined;
      if (!row) throw notFound('Badge');
      if (row.archived_at) throw notEndorsable('This badge is archived: it can no longer be endorsed.');
      return { type, id: row.id, iri: app.ids.achievement(row.id), organisationId: row.organisation_id };
    }
    case 'credential': {
      const row = isUuid(id) ? await findCredential(app.db, id) : undefined;
      if (!row) throw notFound('Credential');
      const visibility = visibilityOf(row);
      if (row.revoked_at !== null || visibility === 'hidden' || visibility === 'erased')
        throw notEndorsable('This badge is revoked, hidden by its holder or erased: it cannot be endorsed.');
      return { type, id: row.id, iri: app.ids.credential(row.id), organisationId: row.organisation_id };
    }
  }
}

/** The organisation that signs: the actor's own, or the one a platform administrator names. */
async function endorserOf(app: AppContext, actor: Actor, endorserId: string | undefined): Promise<OrganisationRow> {
  const scope = scopeOf(actor);
  const id = scope ?? endorserId;
  if (!id)
    throw new AppError(400, 'bad-request', 'Say which organisation endorses: endorserId is needed for your account.');
  if (scope !== undefined && endorserId !== undefined && endorserId !== scope) throw notFound('Organisation');
  const org = await findOrganisation(app.db, id);
  if (!org) throw notFound('Organisation');
  return org;
}

function viewOf(app: AppContext, row: EndorsementRow, endorser: OrganisationRow): EndorsementView {
  return {
    id: row.id,
    url: app.ids.endorsement(row.id),
    endorser: { id: endorser.id, name: endorser.name, url: app.ids.issuerPage(endorser.slug) },
    subject: { type: row.subject_type, id: row.subject_id, iri: row.subject_iri },
    comment: row.comment,
    createdAt: row.created_at,
    revoked: row.revoked_at !== null,
    revokedAt: row.revoked_at,
  };
}

/**
 * POST /api/v1/endorsements: an organisation signs an OB 3.0 EndorsementCredential about an issuer, a badge
 * definition or an awarded badge.
 */
export async function endorse(app: AppContext, actor: Actor, input: EndorseInput): Promise<CreatedEndorsement> {
  authorize(actor, 'endorsement.write');
  checkInput('endorsement-create.json', input);
  const endorser = await endorserOf(app, actor, input.endorserId);
  return signEndorsement(app, actor, endorser, input.subject, input.comment);
}

/**
 * The one signing path of endorsements, for a direct endorsement and an accepted request alike (the caller has
 * authorised the actor and chosen the endorser): the subject must be endorsable and not the endorser's own; the
 * credential gets a status index in the endorser's own revocation list so that a withdrawal is seen by any
 * verifier. Signed before the transaction (as awards are): a crash leaves only an unused status index.
 * `alsoInTransaction` commits with the endorsement or not at all (an accepted request's answer and audit entry).
 */
export async function signEndorsement(
  app: AppContext,
  actor: Actor,
  endorser: OrganisationRow,
  about: { type: EndorsementSubjectType; id: string },
  commentText: string,
  alsoInTransaction?: (trx: Transaction<Database>, endorsementId: string) => Promise<void>,
): Promise<CreatedEndorsement> {
  const subject = await findSubject(app, about.type, about.id);
  if (subject.organisationId === endorser.id)
    throw notEndorsable('An organisation cannot endorse itself or what it issued: ask a partner to do it.');

  const now = app.clock.now();
  const at = now.toISOString();
  const id = newId();
  const list = await currentList(app, endorser.id, 1);
  const [index] = await allocateIndexes(app.db, list.id, list.size, 1);
  const listUrl = app.ids.statusList(list.id);
  const comment = commentText.trim();
  const draft = buildEndorsementCredential({
    id: app.ids.endorsement(id),
    issuer: issuerProfile(app, endorser),
    subjectId: subject.iri,
    comment,
    validFrom: now,
    credentialStatus: {
      id: `${listUrl}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: listUrl,
    },
  });
  const signers = await app.keys.signers(endorser.id, issuerDid(app, endorser));
  const credential = await signDataIntegrity(draft, signers.dataIntegrity, now);
  const jwt = await signJwt(credential, signers.jwt);

  await app.db.transaction().execute(async (trx) => {
    await insertEndorsement(trx, {
      id,
      organisation_id: endorser.id,
      subject_type: subject.type,
      subject_id: subject.id,
      subject_iri: subject.iri,
      comment,
      credential_json: JSON.stringify(credential),
      jwt,
      status_list_id: list.id,
      status_index: index!,
      created_at: at,
      created_by: actor.userId,
      revoked_at: null,
      revocation_reason: null,
    });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: endorser.id,
      action: 'endorsement.created',
      targetType: 'endorsement',
      targetId: id,
      details: { subjectType: subject.type, subjectId: subject.id },
    });
    if (alsoInTransaction) await alsoInTransaction(trx, id);
  });
  return { id, url: app.ids.endorsement(id), credential, jwt };
}

/** GET /api/v1/endorsements?subjectId=: every endorsement of a subject (public facts: anyone may list them). */
export async function listEndorsements(app: AppContext, subjectId: string): Promise<EndorsementView[]> {
  const rows = await endorsementsOfSubject(app.db, subjectId);
  const orgs = new Map<string, OrganisationRow>();
  for (const row of rows) {
    if (!orgs.has(row.organisation_id))
      orgs.set(row.organisation_id, (await findOrganisation(app.db, row.organisation_id))!);
  }
  return rows.map((row) => viewOf(app, row, orgs.get(row.organisation_id)!));
}

/** POST /api/v1/endorsements/{id}/revoke: the endorser withdraws it; the bit is set in its revocation list. */
export async function revokeEndorsement(
  app: AppContext,
  actor: Actor,
  id: string,
  reason?: string,
): Promise<EndorsementView> {
  authorize(actor, 'endorsement.write');
  const row = isUuid(id) ? await findEndorsement(app.db, id) : undefined;
  const scope = scopeOf(actor);
  if (!row || (scope !== undefined && scope !== row.organisation_id)) throw notFound('Endorsement');
  if (row.revoked_at) throw conflict('This endorsement is already withdrawn.');
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    if (!(await markEndorsementRevoked(trx, row.id, at, reason ?? null)))
      throw conflict('This endorsement is already withdrawn.');
    await bumpVersion(trx, [row.status_list_id]);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: row.organisation_id,
      action: 'endorsement.revoked',
      targetType: 'endorsement',
      targetId: row.id,
      reason: reason ?? null,
    });
  });
  const endorser = (await findOrganisation(app.db, row.organisation_id))!;
  return viewOf(app, { ...row, revoked_at: at, revocation_reason: reason ?? null }, endorser);
}

/** An endorsement as anyone may see it (its page, its JSON-LD, its JWT), with the endorser's name. */
export interface PublicEndorsement {
  view: EndorsementView;
  credential: EndorsementCredential;
  jwt: string;
}

export async function publicEndorsement(app: AppContext, id: string): Promise<PublicEndorsement> {
  const row = isUuid(id) ? await findEndorsement(app.db, id) : undefined;
  if (!row) throw notFound('Endorsement');
  const endorser = (await findOrganisation(app.db, row.organisation_id))!;
  return {
    view: viewOf(app, row, endorser),
    credential: JSON.parse(row.credential_json) as EndorsementCredential,
    jwt: row.jwt,
  };
}

/** The signed endorsements still standing about a subject IRI: embedded in its public document and new badges. */
export async function currentEndorsements(app: AppContext, subjectIri: string): Promise<EndorsementCredential[]> {
  return (await currentEndorsementsOf(app.db, subjectIri)).map(
    (row) => JSON.parse(row.credential_json) as EndorsementCredential,
  );
}

/** What the endorsement's page shows: the endorsement, what it is about (in both languages), its own verdict. */
export interface EndorsementPageFacts extends PublicEndorsement {
  subjectName: { fr: string; en: string };
  subjectUrl: string;
  report: VerificationReport;
}

async function subjectNameOf(app: AppContext, row: EndorsementRow): Promise<{ fr: string; en: string }> {
  if (row.subject_type === 'issuer') {
    const name = (await findOrganisation(app.db, row.subject_id))?.name ?? '';
    return { fr: name, en: name };
  }
  const achievementId =
    row.subject_type === 'achievement'
      ? row.subject_id
      : (await findCredential(app.db, row.subject_id))?.achievement_id;
  const achievement = achievementId ? await findAchievement(app.db, achievementId) : undefined;
  return { fr: achievement?.name_fr ?? '', en: achievement?.name_en ?? '' };
}

export async function endorsementPageFacts(app: AppContext, id: string): Promise<EndorsementPageFacts> {
  const found = await publicEndorsement(app, id);
  const row = (await findEndorsement(app.db, id))!;
  const subjectOrg = row.subject_type === 'issuer' ? await findOrganisation(app.db, row.subject_id) : undefined;
  return {
    ...found,
    subjectName: await subjectNameOf(app, row),
    // A badge definition's address is its page for a browser (and its JSON-LD for machines).
    subjectUrl: subjectOrg ? (subjectOrg.url ?? app.ids.issuerPage(subjectOrg.slug)) : row.subject_iri,
    report: await verifyAny(app, { text: row.credential_json }),
  };
}

/**
 * A Profile or Achievement with its current endorsements in `endorsement` (left out when there are none): those
 * signed here, then those imported from elsewhere (a badge definition's), JWT ones in `endorsementJwt`.
 */
export async function withEndorsements<T extends { id: string }>(
  app: AppContext,
  document: T,
): Promise<T & { endorsement?: EndorsementCredential[]; endorsementJwt?: string[] }> {
  const imported = await importedEndorsementsOf(app, document.id);
  const endorsement = [...(await currentEndorsements(app, document.id)), ...imported.json];
  return {
    ...document,
    ...(endorsement.length > 0 ? { endorsement } : {}),
    ...(imported.jwt.length > 0 ? { endorsementJwt: imported.jwt } : {}),
  };
}

/** One line of "Recognised by …" on a badge page. */
export interface EndorsementSummary {
  endorser: string;
  comment: string;
  url: string;
}

/** The endorsements standing now about any of these subjects (a badge, its definition, its issuer). */
export async function endorsementSummaries(app: AppContext, subjectIris: string[]): Promise<EndorsementSummary[]> {
  const summaries: EndorsementSummary[] = [];
  for (const iri of subjectIris) {
    for (const row of await currentEndorsementsOf(app.db, iri)) {
      const endorser = (await findOrganisation(app.db, row.organisation_id))!;
      summaries.push({ endorser: endorser.name, comment: row.comment, url: app.ids.endorsement(row.id) });
    }
    // Imported ones have no page here: their line links to the verify page, which checks them again.
    for (const row of (await importedEndorsementsOf(app, iri)).rows)
      summaries.push({ endorser: row.endorser.name, comment: row.comment ?? '', url: row.verifyPageUrl });
  }
  return summaries;
}
