import { COMPACT_JWS } from '../engine/verify/parse-input.js';
import type { VerificationReport } from '../engine/verify/report.js';
import type { EndorsementCredential } from '../engine/model/types.js';
import { findAchievement } from '../store/repositories/achievements.js';
import {
  currentImportedEndorsements,
  findImportedEndorsement,
  insertImportedEndorsement,
  markImportedEndorsementRemoved,
  sameImportedEndorsement,
} from '../store/repositories/imported-endorsements.js';
import type { HeldFormat, ImportedEndorsementRow } from '../store/schema.js';
import { newId } from '../shared/clock.js';
import { isUuid } from '../shared/uuid.js';
import { loadAchievement } from './achievements.js';
import { recordAudit } from './audit-actions.js';
import type { AppContext } from './context.js';
import { AppError, conflict, notFound } from './errors.js';
import { checkInput } from './input-schemas.js';
import { authorize, type Actor } from './policies.js';
import { verifyAny } from './verify.js';

/** The largest endorsement accepted, as pasted, uploaded or sent to the API: a real one is a few kilobytes. */
export const MAX_IMPORT_BYTES = 64 * 1024;

/**
 * Why an endorsement was not attached, one word each so that the console can say it in French or English:
 * unreadable (neither JSON nor a JWT), not-endorsement (another kind of credential), other-subject (about
 * something else than this badge), not-valid (signature, dates or status), ours (signed by this platform, whose
 * endorsements are embedded already).
 */
export const IMPORT_REFUSALS = ['unreadable', 'not-endorsement', 'other-subject', 'not-valid', 'ours'] as const;
export type ImportRefusal = (typeof IMPORT_REFUSALS)[number];

const REFUSAL_TEXT: Record<ImportRefusal, string> = {
  unreadable: 'it is neither an endorsement in JSON nor a JWT',
  'not-endorsement': 'it is not an endorsement (its type is not EndorsementCredential)',
  'other-subject': 'it is about something else than this badge (its credentialSubject.id is not the badge address)',
  'not-valid': 'it does not verify',
  ours: 'it was signed on this platform, and endorsements signed here are already shown with the badge',
};

/** A 422 listing every reason, first the most basic; `reasons` and `verdict` let the console explain them. */
export class ImportRefused extends AppError {
  constructor(
    readonly reasons: ImportRefusal[],
    readonly verdict: string | undefined,
  ) {
    const text = reasons.map((r) =>
      r === 'not-valid' && verdict ? `${REFUSAL_TEXT[r]} (${verdict})` : REFUSAL_TEXT[r],
    );
    super(422, 'validation', `This endorsement cannot be attached: ${text.join('; ')}.`, {
      reasons,
      ...(verdict ? { verdict } : {}),
      errors: reasons.map((reason) => ({ field: 'endorsement', message: REFUSAL_TEXT[reason] })),
    });
    this.name = 'ImportRefused';
  }
}

/** What the API and the console show of an imported endorsement. */
export interface ImportedEndorsementView {
  id: string;
  achievementId: string;
  endorser: { id: string; name: string };
  comment: string | null;
  format: HeldFormat;
  importedAt: string;
  /** Where it is published here (its signed content, as imported). */
  url: string;
  /** The verify page for it: it has no page of its own. */
  verifyPageUrl: string;
}

export interface ImportInput {
  achievementId: string;
  /** A JSON object with its proof, a compact VC-JWT, or the JSON as text (a pasted or uploaded file). */
  endorsement: unknown;
}

/** The public address of an imported endorsement: under its badge definition's own address. */
export function importedEndorsementUrl(app: AppContext, row: ImportedEndorsementRow): string {
  return `${app.ids.achievement(row.achievement_id)}/endorsements/${row.id}`;
}

function viewOf(app: AppContext, row: ImportedEndorsementRow): ImportedEndorsementView {
  const url = importedEndorsementUrl(app, row);
  return {
    id: row.id,
    achievementId: row.achievement_id,
    endorser: { id: row.endorser_id, name: row.endorser_name },
    comment: row.comment,
    format: row.format,
    importedAt: row.imported_at,
    url,
    verifyPageUrl: `/verify?url=${encodeURIComponent(url)}`,
  };
}

/** The input as stored: the JWT as given, the JSON re-serialised (one spelling, so that a duplicate is seen). */
function normalise(value: unknown): { format: HeldFormat; content: string; json?: Record<string, unknown> } {
  if (typeof value === 'string') {
    const text = value.replace(/^\uFEFF/, '').trim();
    if (COMPACT_JWS.test(text)) return { format: 'jwt', content: text };
    if (!text.startsWith('{')) throw new ImportRefused(['unreadable'], undefined);
    try {
      return normalise(JSON.parse(text) as unknown);
    } catch (error) {
      if (error instanceof ImportRefused) throw error;
      throw new ImportRefused(['unreadable'], undefined);
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ImportRefused(['unreadable'], undefined);
  return { format: 'json', content: JSON.stringify(value), json: value as Record<string, unknown> };
}

/** The credential as the verifier read it; a VCDM 1.1 JWT carries it in its `vc` claim. */
function credentialOf(report: VerificationReport, json: Record<string, unknown> | undefined): Record<string, unknown> {
  const read = report.credential ?? json ?? {};
  const vc = read.vc;
  return vc && typeof vc === 'object' && !Array.isArray(vc) ? (vc as Record<string, unknown>) : read;
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function issuerOf(credential: Record<string, unknown>): { id: string; name: string } {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return { id: issuer, name: issuer };
  const { id, name } = (issuer ?? {}) as { id?: unknown; name?: unknown };
  const issuerId = typeof id === 'string' ? id : '';
  return { id: issuerId, name: typeof name === 'string' && name.trim() ? name.trim().slice(0, 200) : issuerId };
}

/** Signed by this platform: an issuer (or a person) of ours, by DID or by address. */
function signedHere(app: AppContext, issuerId: string, credentialId: unknown): boolean {
  const ourDid = app.ids.issuerDid('x').replace(/issuers:x$/, '');
  const ourOrigin = `${app.ids.origin}/`;
  return (
    issuerId.startsWith(ourDid) ||
    `${issuerId}:` === ourDid ||
    issuerId.startsWith(ourOrigin) ||
    (typeof credentialId === 'string' && credentialId.startsWith(ourOrigin))
  );
}

/**
 * POST /api/v1/achievements/{id}/endorsements and the console's badge page: attaches an EndorsementCredential
 * signed elsewhere to one of the organisation's badge definitions, once the platform's verifier finds it valid
 * (signature, issuer's key, dates, status when it has one) and about this very badge. From then on, the badge
 * definition's public document and the credentials awarded afterwards carry it (`endorsement` or
 * `endorsementJwt`), and anyone can check it again.
 */
export async function importEndorsement(
  app: AppContext,
  actor: Actor,
  input: ImportInput,
): Promise<ImportedEndorsementView> {
  authorize(actor, 'achievement.write');
  const body = { endorsement: input.endorsement };
  checkInput('endorsement-import.json', body);
  const achievement = await loadAchievement(app, actor, input.achievementId);
  const { format, content, json } = normalise(body.endorsement);
  if (Buffer.byteLength(content) > MAX_IMPORT_BYTES)
    throw new AppError(413, 'too-large', `An endorsement is at most ${MAX_IMPORT_BYTES / 1024} KB.`);

  const report = await verifyAny(app, format === 'jwt' ? { text: content } : { credential: json! });
  if (report.checks[0]?.outcome !== 'passed' && !json) throw new ImportRefused(['unreadable'], report.verdict);
  const credential = credentialOf(report, json);
  const issuer = issuerOf(credential);
  const subject = (asArray(credential.credentialSubject)[0] ?? {}) as { id?: unknown; endorsementComment?: unknown };

  const reasons: ImportRefusal[] = [];
  if (!asArray(credential.type).includes('EndorsementCredential')) reasons.push('not-endorsement');
  if (signedHere(app, issuer.id, credential.id)) reasons.push('ours');
  if (subject.id !== app.ids.achievement(achievement.id)) reasons.push('other-subject');
  if (report.verdict !== 'valid') reasons.push('not-valid');
  if (reasons.length > 0) throw new ImportRefused(reasons, report.verdict);

  if (await sameImportedEndorsement(app.db, achievement.id, content))
    throw conflict('This endorsement is already attached to this badge.');
  const at = app.clock.now().toISOString();
  const row: ImportedEndorsementRow = {
    id: newId(),
    achievement_id: achievement.id,
    organisation_id: achievement.organisation_id,
    endorser_id: issuer.id,
    endorser_name: issuer.name,
    comment: typeof subject.endorsementComment === 'string' ? subject.endorsementComment : null,
    format,
    content,
    imported_at: at,
    imported_by: actor.userId,
    removed_at: null,
  };
  await app.db.transaction().execute(async (trx) => {
    await insertImportedEndorsement(trx, row);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: achievement.organisation_id,
      action: 'endorsement.imported',
      targetType: 'achievement',
      targetId: achievement.id,
      details: { importId: row.id, format },
    });
  });
  return viewOf(app, row);
}

/** GET /api/v1/achievements/{id}/endorsements: the imported endorsements still attached to one badge. */
export async function listImportedEndorsements(
  app: AppContext,
  actor: Actor,
  achievementId: string,
): Promise<ImportedEndorsementView[]> {
  authorize(actor, 'achievement.read');
  const achievement = await loadAchievement(app, actor, achievementId);
  return (await currentImportedEndorsements(app.db, achievement.id)).map((row) => viewOf(app, row));
}

/** DELETE /api/v1/achievements/{id}/endorsements/{importId}: no longer shown nor embedded in new badges. */
export async function removeImportedEndorsement(
  app: AppContext,
  actor: Actor,
  achievementId: string,
  importId: string,
): Promise<void> {
  authorize(actor, 'achievement.write');
  const achievement = await loadAchievement(app, actor, achievementId);
  const row = isUuid(importId) ? await findImportedEndorsement(app.db, importId) : undefined;
  if (!row || row.achievement_id !== achievement.id || row.removed_at) throw notFound('Imported endorsement');
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    if (!(await markImportedEndorsementRemoved(trx, row.id, at))) throw notFound('Imported endorsement');
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: achievement.organisation_id,
      action: 'endorsement.import.removed',
      targetType: 'achievement',
      targetId: achievement.id,
      details: { importId: row.id },
    });
  });
}

/** One imported endorsement as the console shows it before removing it (scoped like the rest). */
export async function getImportedEndorsement(
  app: AppContext,
  actor: Actor,
  achievementId: string,
  importId: string,
): Promise<ImportedEndorsementView> {
  authorize(actor, 'achievement.read');
  const achievement = await loadAchievement(app, actor, achievementId);
  const row = isUuid(importId) ? await findImportedEndorsement(app.db, importId) : undefined;
  if (!row || row.achievement_id !== achievement.id || row.removed_at) throw notFound('Imported endorsement');
  return viewOf(app, row);
}

/** GET /achievements/{id}/endorsements/{importId}: the signed content as imported, for anyone to verify. */
export async function publicImportedEndorsement(
  app: AppContext,
  achievementId: string,
  importId: string,
): Promise<{ format: HeldFormat; content: string }> {
  const row = isUuid(importId) ? await findImportedEndorsement(app.db, importId) : undefined;
  if (!row || row.achievement_id !== achievementId || row.removed_at) throw notFound('Endorsement');
  return { format: row.format, content: row.content };
}

/** The imported endorsements of a badge definition, by its public address: what its documents embed. */
export async function importedEndorsementsOf(
  app: AppContext,
  achievementIri: string,
): Promise<{ json: EndorsementCredential[]; jwt: string[]; rows: ImportedEndorsementView[] }> {
  const prefix = app.ids.achievement('');
  const id = achievementIri.startsWith(prefix) ? achievementIri.slice(prefix.length) : '';
  if (!isUuid(id) || !(await findAchievement(app.db, id))) return { json: [], jwt: [], rows: [] };
  const rows = await currentImportedEndorsements(app.db, id);
  return {
    json: rows.filter((r) => r.format === 'json').map((r) => JSON.parse(r.content) as EndorsementCredential),
    jwt: rows.filter((r) => r.format === 'jwt').map((r) => r.content),
    rows: rows.map((row) => viewOf(app, row)),
  };
}
