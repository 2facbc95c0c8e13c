/**
 * The W3C VC API (VCALM) over Blason: verifying credentials and presentations for anyone, signing a credential a
 * program wrote for an organisation, and changing its status (issue 15 §2). Verification maps the platform
 * verifier's verdicts onto the API's `{verified, checks, warnings, errors}`, `verified` being true only for a fully
 * valid verdict (for a plain W3C credential: valid in every respect but being an Open Badge, see verifiedAsW3c).
 */
import { randomUUID } from 'node:crypto';
import { signDataIntegrity } from '../engine/proof/sign.js';
import { VC_V1, VC_V2 } from '../engine/model/contexts.js';
import { bundledContexts } from '../engine/jsonld/bundled-contexts.js';
import { achievementCredentialValidator, describeSchemaErrors } from '../engine/verify/schema.js';
import type { VerifiableInput } from '../engine/verify/parse-input.js';
import type { Check, VerificationReport } from '../engine/verify/report.js';
import { verifiedAsW3c, verifyPresentation, type PresentationReport } from '../engine/verify/verify-presentation.js';
import { budgetedFetcher } from '../net/fetch-budget.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import { allocateIndexes, findSuspensionTwin, bumpVersion } from '../store/repositories/status-lists.js';
import {
  findVcApiCredential,
  insertVcApiCredential,
  updateVcApiStatus,
} from '../store/repositories/vc-api-credentials.js';
import type { VcApiCredentialRow } from '../store/schema.js';
import { recordAudit } from './audit-actions.js';
import { currentList } from './award.js';
import type { AppContext } from './context.js';
import { revokeCredential, setSuspended } from './credentials.js';
import { AppError, badRequest, conflict, notFound, ValidationError } from './errors.js';
import { checkInput } from './input-schemas.js';
import type { InputSchema } from './input-schemas.js';
import { issuerDid, issuerProfile } from './issuers.js';
import { assertAwardsBadges } from './partners.js';
import { authorize, scopeOf, type Actor } from './policies.js';
import { VERIFICATION_FETCH_BUDGET_MS, verifyAny } from './verify.js';

/** One problem or reservation, as the API reports it: RFC 9457 fields plus Blason's stable check code. */
export interface VcApiProblem {
  type: string;
  title: string;
  detail: string;
  /** Blason's check code (src/engine/verify/check-codes.ts), translated on Blason's own pages. */
  code: string;
  check: string;
}

export interface VcApiVerificationResult {
  verified: boolean;
  /** The checks that passed ("proof", "issuerKey", "status", "validFrom"…). */
  checks: string[];
  warnings: VcApiProblem[];
  errors: VcApiProblem[];
  /** The same errors, under the name VCALM uses. */
  problemDetails: VcApiProblem[];
  /** Blason's own verdict word: valid, invalid, revoked, suspended, expired… */
  verdict: string;
  credential?: Record<string, unknown>;
}

export interface VcApiPresentationResult extends VcApiVerificationResult {
  holder?: string;
  presentation?: Record<string, unknown>;
  credentialResults: VcApiVerificationResult[];
}

/**
 * What the HTTP layer answers: 200 only when verified; 400 when the input could not be read as what it should be
 * (the request's fault); 422 when it was read and did not verify.
 */
export interface VcApiAnswer<T> {
  status: 200 | 400 | 422;
  body: T;
}

const VCDM = 'https://www.w3.org/TR/vc-data-model-2.0/#';
const SECURITY = 'https://w3id.org/security#';
const STATUS_LIST = 'https://www.w3.org/ns/credentials/status-list#';

/** The VCDM / Data Integrity / Bitstring Status List problem type a failed check stands for. */
function problemType(check: Check): string {
  if (check.id === 'parse') return `${VCDM}PARSING_ERROR`;
  if (check.id === 'proof' || check.id === 'issuerKey' || check.code.startsWith('proof.'))
    return `${VCDM}CRYPTOGRAPHIC_SECURITY_ERROR`;
  if (check.code.startsWith('key.')) return `${SECURITY}INVALID_VERIFICATION_METHOD`;
  if (check.code === 'presentation.challengeMismatch') return `${SECURITY}INVALID_CHALLENGE_ERROR`;
  if (check.code === 'presentation.domainMismatch') return `${SECURITY}INVALID_DOMAIN_ERROR`;
  if (check.id === 'status') return `${STATUS_LIST}STATUS_VERIFICATION_ERROR`;
  if (check.id === 'context') return `${VCDM}MALFORMED_VALUE_ERROR`;
  return `${VCDM}MALFORMED_VALUE_ERROR`;
}

function problemOf(check: Check): VcApiProblem {
  return { type: problemType(check), title: check.id, detail: check.message, code: check.code, check: check.id };
}

/** A plain W3C credential is not expected to be an Open Badge: that failure is only a warning here. */
function resultOf(report: VerificationReport, returnCredential: boolean): VcApiVerificationResult {
  const verified = verifiedAsW3c(report);
  const notOpenBadge = (check: Check) => verified && check.code === 'context.notOpenBadge';
  const errors = report.checks.filter((c) => c.outcome === 'failed' && !notOpenBadge(c)).map(problemOf);
  return {
    verified,
    checks: [...new Set(report.checks.filter((c) => c.outcome === 'passed').map((c) => c.id))],
    warnings: report.checks.filter((c) => c.outcome === 'warning' || notOpenBadge(c)).map(problemOf),
    errors,
    problemDetails: errors,
    verdict: verified ? 'valid' : report.verdict,
    ...(returnCredential && report.credential ? { credential: report.credential } : {}),
  };
}

/** Reads a request body against its schema; a body that breaks it is the caller's fault (400, never verified). */
function checkRequest<S extends InputSchema>(schema: S, body: unknown): void {
  try {
    checkInput(schema, body);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new AppError(400, 'bad-request', error.message, { verified: false, errors: error.errors });
  }
}

const ENVELOPED_JWT = 'data:application/vc+jwt,';

/** The credential as the verifier takes it: an object, an enveloped VC-JWT or a bare compact JWT. */
function credentialInput(value: unknown): VerifiableInput {
  if (typeof value === 'string') return { text: value };
  const record = value as Record<string, unknown>;
  const types = Array.isArray(record.type) ? record.type : [record.type];
  if (types.includes('EnvelopedVerifiableCredential')) {
    const id = typeof record.id === 'string' ? record.id : '';
    if (!id.startsWith(ENVELOPED_JWT))
      throw new AppError(400, 'bad-request', `An enveloped credential's id must start with "${ENVELOPED_JWT}".`, {
        verified: false,
      });
    return { text: id.slice(ENVELOPED_JWT.length) };
  }
  return { credential: record };
}

/** POST /credentials/verify: any W3C credential (Open Badge or not), in JSON or enveloped as a VC-JWT. */
export async function verifyCredentialVcApi(
  app: AppContext,
  body: unknown,
): Promise<VcApiAnswer<VcApiVerificationResult>> {
  checkRequest('vc-api-verify-credential.json', body);
  const request = body as { verifiableCredential: unknown; options?: { returnCredential?: boolean } };
  const report = await verifyAny(app, credentialInput(request.verifiableCredential), { count: true });
  app.metrics?.verified(report.verdict);
  const result = resultOf(report, request.options?.returnCredential === true);
  const unreadable = report.checks.some((c) => c.id === 'parse' && c.outcome === 'failed');
  return { status: result.verified ? 200 : unreadable ? 400 : 422, body: result };
}

/**
 * The platform's verdict on a presentation, each credential counted in the metrics. One time budget for everything
 * the presentation makes Blason fetch: the holder's key and every credential's.
 */
async function presentationReport(
  app: AppContext,
  presentation: VerifiableInput,
  options: { challenge?: string; domain?: string },
): Promise<PresentationReport> {
  const fetcher = budgetedFetcher(app.fetcher, VERIFICATION_FETCH_BUDGET_MS);
  const report = await verifyPresentation(presentation, {
    fetcher,
    now: app.clock.now(),
    ...(options.challenge !== undefined ? { challenge: options.challenge } : {}),
    ...(options.domain !== undefined ? { domain: options.domain } : {}),
    verifyCredential: (input) => verifyAny(app, input, { count: true, fetcher }),
  });
  for (const one of report.credentials) app.metrics?.verified(one.verdict);
  return report;
}

/** Failures that say the request did not hold a usable presentation, rather than one that does not verify. */
const MALFORMED_PRESENTATION = new Set<string>([
  'presentation.notPresentation',
  'presentation.envelopedUnsupported',
  'presentation.badCredential',
  'presentation.tooMany',
]);

/** POST /presentations/verify: the holder's proof, the challenge and domain asked, and each credential's verdict. */
export async function verifyPresentationVcApi(
  app: AppContext,
  body: unknown,
): Promise<VcApiAnswer<VcApiPresentationResult>> {
  checkRequest('vc-api-verify-presentation.json', body);
  const request = body as {
    verifiablePresentation: Record<string, unknown>;
    options?: { challenge?: string; domain?: string; returnPresentation?: boolean };
  };
  const options = request.options ?? {};
  const report = await presentationReport(app, { credential: request.verifiablePresentation }, options);
  const errors = report.checks.filter((c) => c.outcome === 'failed').map(problemOf);
  const result: VcApiPresentationResult = {
    verified: report.verified,
    checks: [...new Set(report.checks.filter((c) => c.outcome === 'passed').map((c) => c.code))],
    warnings: report.checks.filter((c) => c.outcome === 'warning').map(problemOf),
    errors,
    problemDetails: errors,
    verdict: report.verdict,
    ...(report.holder ? { holder: report.holder } : {}),
    ...(options.returnPresentation ? { presentation: request.verifiablePresentation } : {}),
    credentialResults: report.credentials.map((c) => resultOf(c, false)),
  };
  const malformed = report.checks.some(
    (c) => c.outcome === 'failed' && (c.id === 'parse' || MALFORMED_PRESENTATION.has(c.code)),
  );
  return { status: result.verified ? 200 : malformed ? 400 : 422, body: result };
}

/** The rules of the VC Data Model 2.0 Blason checks before signing a credential that is not an Open Badge. */
function vcdmProblems(credential: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const contexts = Array.isArray(credential['@context']) ? credential['@context'] : [credential['@context']];
  if (contexts[0] !== VC_V2) problems.push(`@context: the first context must be ${VC_V2}.`);
  for (const context of contexts.slice(1)) {
    if (typeof context !== 'string') problems.push('@context: inline context objects are not accepted.');
    else if (!bundledContexts().has(context))
      problems.push(`@context: ${context} is not a context Blason knows (it never fetches contexts).`);
  }
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  if (!types.includes('VerifiableCredential')) problems.push('type: must include "VerifiableCredential".');
  const subjects = Array.isArray(credential.credentialSubject)
    ? credential.credentialSubject
    : [credential.credentialSubject];
  if (subjects.length === 0 || subjects.some((s) => !s || typeof s !== 'object' || Array.isArray(s)))
    problems.push('credentialSubject: one object (or a list of objects) is required.');
  if (credential.id !== undefined && (typeof credential.id !== 'string' || !URL.canParse(credential.id)))
    problems.push('id: must be a URL.');
  for (const name of ['validFrom', 'validUntil'] as const) {
    const value = credential[name];
    if (value !== undefined && (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))))
      problems.push(`${name}: must be a date and time with its time zone (2026-01-15T09:00:00Z).`);
  }
  if (
    typeof credential.validFrom === 'string' &&
    typeof credential.validUntil === 'string' &&
    Date.parse(credential.validUntil) <= Date.parse(credential.validFrom)
  )
    problems.push('validUntil: must come after validFrom.');
  return problems;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function isOpenBadge(credential: Record<string, unknown>): boolean {
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  return types.includes('OpenBadgeCredential') || types.includes('AchievementCredential');
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

export interface IssuedVcApiCredential {
  verifiableCredential: Record<string, unknown>;
}

/**
 * POST /credentials/issue: signs a credential the caller wrote, as its organisation (eddsa-rdfc-2022), with a
 * status entry in the organisation's revocation list (its suspension twin uses the same index, as for badges).
 * An Open Badge must conform to the OB 3.0 schema; any other credential to the VC Data Model 2.0's rules.
 */
export async function issueCredentialVcApi(
  app: AppContext,
  actor: Actor,
  body: unknown,
): Promise<IssuedVcApiCredential> {
  authorize(actor, 'credential.award');
  if (actor.organisationId === null)
    throw new AppError(
      403,
      'forbidden',
      'A credential is signed by an organisation: use the API token of one of its operators, not the platform token.',
    );
  checkRequest('vc-api-issue.json', body);
  const request = body as { credential: Record<string, unknown>; options?: { credentialId?: string } };
  const org = await findOrganisation(app.db, actor.organisationId);
  if (!org) throw notFound('Organisation');
  assertAwardsBadges(org);
  const did = issuerDid(app, org);
  const credential = structuredClone(request.credential);
  const openBadge = isOpenBadge(credential);

  const claimedIssuer = credential.issuer === undefined ? undefined : idOf(credential.issuer);
  if (credential.issuer !== undefined && claimedIssuer !== did)
    throw badRequest(
      `The issuer must be your organisation (${did}) or left out: Blason signs only as the organisation of the ` +
        `token, not as ${String(claimedIssuer ?? 'an issuer without an id')}.`,
    );
  if (credential.proof !== undefined)
    throw badRequest('The credential already carries a proof: send it unsigned, Blason signs it.');
  if (credential.credentialStatus !== undefined)
    throw badRequest('Leave credentialStatus out: Blason adds the entry of its own status list, so it can revoke.');
  const contexts = Array.isArray(credential['@context']) ? credential['@context'] : [credential['@context']];
  if (contexts[0] === VC_V1)
    throw badRequest(`Blason signs VC Data Model 2.0 credentials: make ${VC_V2} the first @context.`);

  const wantedId = request.options?.credentialId;
  if (wantedId !== undefined && credential.id !== undefined && wantedId !== credential.id)
    throw badRequest("options.credentialId and the credential's id differ: give one, or the same in both.");
  const id = (wantedId ?? credential.id ?? `urn:uuid:${randomUUID()}`) as string;
  credential.id = id;
  const now = app.clock.now();
  // An Open Badge's issuer is a Profile (the organisation's, as on its badges); any other names the DID, or keeps
  // the caller's object, whose id was checked above.
  if (openBadge) credential.issuer = issuerProfile(app, org);
  else if (typeof credential.issuer !== 'object') credential.issuer = did;
  credential.validFrom ??= now.toISOString().replace(/\.\d{3}Z$/, 'Z');

  if (!openBadge) {
    const problems = vcdmProblems(credential);
    if (problems.length > 0)
      throw new AppError(400, 'bad-request', `The credential is not valid: ${problems.join(' ')}`, {
        errors: problems,
      });
  }
  if (await findVcApiCredential(app.db, id))
    throw conflict(`A credential with the id ${id} has already been signed: give each credential its own id.`);

  const list = await currentList(app, org.id, 1);
  const [index] = await allocateIndexes(app.db, list.id, list.size, 1);
  const listUrl = app.ids.statusList(list.id);
  credential.credentialStatus = {
    id: `${listUrl}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(index),
    statusListCredential: listUrl,
  };

  const signers = await app.keys.signers(org.id, did);
  let signed: Record<string, unknown>;
  try {
    signed = await signDataIntegrity(credential, signers.dataIntegrity, now);
  } catch (error) {
    throw badRequest(
      `The credential could not be signed: ${(error as Error).message}. Every property must be defined by its ` +
        '@context (JSON-LD safe mode).',
    );
  }
  if (openBadge) {
    const validate = achievementCredentialValidator();
    if (!validate(signed))
      throw new AppError(
        400,
        'bad-request',
        `The Open Badge does not conform to the Open Badges 3.0 schema: ${describeSchemaErrors(validate.errors)}.`,
      );
  }

  const at = now.toISOString();
  const rowId = randomUUID();
  await app.db.transaction().execute(async (trx) => {
    await insertVcApiCredential(trx, {
      id: rowId,
      organisation_id: org.id,
      credential_id: id,
      credential_json: JSON.stringify(signed),
      issued_at: at,
      status_list_id: list.id,
      status_index: index!,
      revoked_at: null,
      revocation_reason: null,
      suspended_at: null,
      suspension_reason: null,
      created_by: actor.userId,
    });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: org.id,
      action: 'vcapi.credential.signed',
      targetType: 'vc-api-credential',
      targetId: rowId,
      details: { credentialId: id, openBadge },
    });
  });
  return { verifiableCredential: signed };
}

export type VcApiStatusChange = 'revoke' | 'suspend' | 'unsuspend';

export interface VcApiStatusOutcome {
  credentialId: string;
  revoked: boolean;
  suspended: boolean;
}

/** The change a status request asks for, in either of its two spellings (see schemas/api/vc-api-status.json). */
function changeOf(request: {
  credentialStatus: { statusPurpose: 'revocation' | 'suspension' } | { status: string }[];
  status?: boolean;
}): VcApiStatusChange {
  if (Array.isArray(request.credentialStatus)) {
    const status = request.credentialStatus[0]!.status;
    return status === 'revoked' ? 'revoke' : status === 'suspended' ? 'suspend' : 'unsuspend';
  }
  if (request.status === undefined)
    throw badRequest('Say whether the status is set or cleared: "status": true or false.');
  if (request.credentialStatus.statusPurpose === 'revocation') {
    if (!request.status) throw badRequest('A revocation is final: it cannot be undone. Suspend a credential instead.');
    return 'revoke';
  }
  return request.status ? 'suspend' : 'unsuspend';
}

/**
 * POST /credentials/status: revoke, suspend or reinstate a credential of the caller's organisation, named by its
 * id. A badge Blason awarded goes through the same use cases as the API's revoke/suspend/unsuspend; a credential
 * signed through the VC API through the same steps on its own table.
 */
export async function updateStatusVcApi(app: AppContext, actor: Actor, body: unknown): Promise<VcApiStatusOutcome> {
  authorize(actor, 'credential.revoke');
  checkRequest('vc-api-status.json', body);
  const request = body as Parameters<typeof changeOf>[0] & { credentialId: string; reason?: string };
  const change = changeOf(request);
  const awarded = app.ids.credentialIdFromUrl(request.credentialId);
  if (awarded) {
    const view =
      change === 'revoke'
        ? await revokeCredential(app, actor, awarded, request.reason)
        : await setSuspended(app, actor, awarded, change === 'suspend', request.reason);
    const { revokedAt, suspendedAt } = view;
    return { credentialId: request.credentialId, revoked: revokedAt !== null, suspended: suspendedAt !== null };
  }
  const row = await findVcApiCredential(app.db, request.credentialId, scopeOf(actor));
  if (!row) throw notFound('Credential');
  return changeVcApiStatus(app, actor, row, change, request.reason ?? null);
}

async function changeVcApiStatus(
  app: AppContext,
  actor: Actor,
  row: VcApiCredentialRow,
  change: VcApiStatusChange,
  reason: string | null,
): Promise<VcApiStatusOutcome> {
  if (row.revoked_at) throw conflict('This credential is revoked: its status can no longer change.');
  if (change === 'suspend' && row.suspended_at) throw conflict('This credential is already suspended.');
  if (change === 'unsuspend' && !row.suspended_at) throw conflict('This credential is not suspended.');
  const twin = await findSuspensionTwin(app.db, row.status_list_id);
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    const done = await updateVcApiStatus(
      trx,
      row.id,
      change === 'revoke'
        ? { revoked_at: at, revocation_reason: reason }
        : change === 'suspend'
          ? { suspended_at: at, suspension_reason: reason }
          : { suspended_at: null, suspension_reason: null },
    );
    if (!done) throw conflict("The credential's status changed meanwhile: nothing was changed.");
    await bumpVersion(trx, [row.status_list_id, ...(twin ? [twin.id] : [])]);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: row.organisation_id,
      action:
        change === 'revoke'
          ? 'vcapi.credential.revoked'
          : change === 'suspend'
            ? 'vcapi.credential.suspended'
            : 'vcapi.credential.unsuspended',
      targetType: 'vc-api-credential',
      targetId: row.id,
      reason,
    });
  });
  return {
    credentialId: row.credential_id,
    revoked: change === 'revoke',
    suspended: change === 'suspend',
  };
}

/**
 * POST /api/v1/verify given a presentation: the engine's own report (each credential's report as that endpoint
 * gives it for one credential, without the credential's body), for the platform's own callers.
 */
export async function verifyPresentationReport(
  app: AppContext,
  presentation: VerifiableInput,
  options: { challenge?: string; domain?: string } = {},
): Promise<Omit<PresentationReport, 'credentials'> & { credentials: Omit<VerificationReport, 'credential'>[] }> {
  const report = await presentationReport(app, presentation, options);
  return {
    ...report,
    credentials: report.credentials.map(({ credential: _credential, ...rest }) => rest),
  };
}
