import { eddsaRdfc2022 } from '../proof/cryptosuites.js';
import { contextLoader } from '../jsonld/document-loader.js';
import { checkContext } from './context.js';
import { SUPPORTED_PROOFS, verifyEmbeddedProof } from './data-integrity.js';
import { InputError } from './errors.js';
import { offlineFetcher, type Fetcher } from './fetcher.js';
import { verifyJwt, type JwtOutcome } from './jwt.js';
import { verifyOb2 } from './ob2/verify-ob2.js';
import {
  DEFAULT_INPUT_LIMITS,
  parseInput,
  type InputLimits,
  type ParsedInput,
  type VerifiableInput,
} from './parse-input.js';
import {
  ReportBuilder,
  type DisplayData,
  type InputFormat,
  type StatusResult,
  type VerificationReport,
} from './report.js';
import { checkStatus } from './status.js';
import { checkRecipient, checkSchema, checkSubject, checkType, type CredentialKind } from './structure.js';
import { CanonizationLimitError, UndefinedTermError } from '../proof/canonize.js';
import { asArray, issuerIdOf } from '../util.js';

export interface VerifyOptions {
  /** How foreign DID documents, keys and status lists are reached. Default: offline (nothing is fetched). */
  fetcher?: Fetcher;
  /** The clock. Default: now. */
  now?: Date;
  /** Check that the credential was issued to this person (OB 3.0 verification step 5). */
  expectedRecipient?: { email?: string; id?: string };
  limits?: InputLimits;
  /**
   * Status entries the credential does not carry but its issuer publishes, checked like its own. Blason uses it
   * for its suspension lists: OB 3.0 allows one status entry per credential, and that one is for revocation.
   */
  additionalStatus?: (credential: Record<string, unknown>) => Promise<Record<string, unknown>[]>;
}

interface Context {
  fetcher: Fetcher;
  now: Date;
  options: VerifyOptions;
  depth: number;
}

const FORMAT_NAMES: Record<InputFormat, string> = {
  json: 'a JSON credential',
  jwt: 'a VC-JWT',
  png: 'a baked PNG badge',
  svg: 'a baked SVG badge',
};
const MAX_ENDORSEMENT_DEPTH = 2;
const MAX_ENDORSEMENTS = 16;

/**
 * Verifies an Open Badges 3.0 credential from any issuer, following the spec's verification algorithm in
 * order (ob3-spec.md §6): read the input, check contexts, type and schema, the proof and the issuer's key,
 * then status, validity dates, optionally the recipient, and endorsements. Never throws for bad input:
 * everything ends up in the report.
 */
export async function verifyCredential(
  input: VerifiableInput,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const context: Context = {
    fetcher: options.fetcher ?? offlineFetcher,
    now: options.now ?? new Date(),
    options,
    depth: 0,
  };
  return verifyAt(input, 'auto', context);
}

async function verifyAt(
  input: VerifiableInput,
  expectedKind: CredentialKind | 'auto',
  ctx: Context,
): Promise<VerificationReport> {
  const report = new ReportBuilder();
  let parsed: ParsedInput;
  try {
    parsed = parseInput(input, ctx.options.limits ?? DEFAULT_INPUT_LIMITS);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    report.fail('parse', error.code, error.message, error.params);
    return finish(report, { display: { trusted: false } });
  }
  // Open Badges 2.0 is verified its own way: by hosting, or with the issuer's PEM key (src/engine/verify/ob2).
  if (parsed.payload === 'ob2') return verifyOb2(parsed.ob2, parsed.format, ctx);

  let credential: Record<string, unknown> | undefined;
  let jwtOutcome: JwtOutcome | undefined;
  if (parsed.payload === 'jwt') {
    jwtOutcome = await verifyJwt(parsed.jwt, ctx.fetcher);
    if (!jwtOutcome.ok && jwtOutcome.stage === 'parse') {
      report.fail('parse', jwtOutcome.code, jwtOutcome.message);
      return finish(report, {
        format: parsed.format,
        proofFormat: 'jwt',
        jwt: parsed.jwt,
        display: { trusted: false },
      });
    }
    credential = jwtOutcome.ok ? jwtOutcome.credential : unverifiedJwtCredential(parsed.jwt);
  } else {
    credential = parsed.credential;
  }
  if (!credential) {
    report.fail('parse', 'jwt.noCredential', 'The JWT payload holds no credential.');
    return finish(report, { format: parsed.format, display: { trusted: false } });
  }
  report.pass('parse', 'parse.ok', `Read ${FORMAT_NAMES[parsed.format]}.`, { format: parsed.format });
  const kind: CredentialKind =
    expectedKind !== 'auto'
      ? expectedKind
      : asArray(credential.type).includes('EndorsementCredential')
        ? 'endorsement'
        : 'achievement';

  const contexts = checkContext(credential, report);
  const { vcdm } = contexts;
  if (contexts.openBadge && vcdm) {
    checkType(credential, kind, report);
    await checkSchema(credential, kind, vcdm, ctx.fetcher, report);
    if (kind === 'achievement') checkSubject(credential, report);
  } else if (contexts.readable) {
    report.skip('schema', 'schema.notApplicable', 'Not an Open Badge: the Open Badges schema does not apply.');
  }

  const issuerId = issuerIdOf(credential);
  // A JWT's own failure (algorithm, key, signature) is reported even when its payload's contexts are unusable.
  const proofPassed =
    parsed.payload === 'jwt' && (contexts.readable || !jwtOutcome!.ok)
      ? await checkJwtProof(jwtOutcome!, credential, report)
      : contexts.readable
        ? await checkEmbeddedProofs(credential, issuerId, ctx.fetcher, report)
        : skipProof(report);

  if (credential.refreshService !== undefined) {
    report.skip(
      'refresh',
      'refresh.notFollowed',
      'The credential offers a refresh service; verification does not follow it (it is never fetched).',
    );
  }

  let status: StatusResult | undefined;
  if (report.invalid) {
    report.skip('status', 'status.notChecked', 'Status not checked: the credential is not authentic.');
  } else {
    status = await statusChecks(credential, report, ctx);
  }
  checkDates(credential, vcdm, jwtOutcome?.ok ? jwtOutcome.expiresAt : undefined, report, ctx.now);
  if (ctx.options.expectedRecipient && kind === 'achievement')
    checkRecipient(credential, ctx.options.expectedRecipient, report);
  const endorsements = await checkEndorsements(credential, report, ctx);

  return finish(report, {
    standard: contexts.openBadge ? 'ob3' : 'vc',
    format: parsed.format,
    proofFormat: parsed.payload === 'jwt' ? 'jwt' : 'data-integrity',
    ...(vcdm ? { vcdm } : {}),
    ...(typeof credential.id === 'string' ? { credentialId: credential.id } : {}),
    ...(issuerId ? { issuerId } : {}),
    ...(status ? { status } : {}),
    endorsements,
    display: displayOf(credential, vcdm, proofPassed),
    credential,
    ...(parsed.payload === 'jwt' ? { jwt: parsed.jwt } : {}),
  });
}

function finish(
  report: ReportBuilder,
  rest: Partial<VerificationReport> & { display: DisplayData },
): VerificationReport {
  const verdict = report.verdict();
  return {
    verdict,
    verified: verdict === 'valid',
    warnings: report.warnings(),
    checks: report.checks,
    endorsements: [],
    ...rest,
  };
}

function unverifiedJwtCredential(jwt: string): Record<string, unknown> | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const credential = payload.vc ?? payload;
    return credential && typeof credential === 'object' && !Array.isArray(credential)
      ? (credential as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function skipProof(report: ReportBuilder): boolean {
  report.skip('proof', 'proof.notChecked', "The proof was not checked because the credential's contexts are unusable.");
  return false;
}

/** The proof types whose every proof Blason can check; any other is named as unsupported. */
const SUPPORTED_PROOF_TYPES = new Set(['DataIntegrityProof', 'Ed25519Signature2020']);

/**
 * A proof set or chain (Data Integrity §2.1): every proof must verify, each against its own key's controller;
 * a `previousProof` must name proofs of the set, which its signature covers; and at least one proof must be made
 * by a key of the issuer. Co-signers are named in the report. A key whose controller's documents could not be
 * reached leaves the credential `issuer-unconfirmed`, never valid.
 */
async function checkEmbeddedProofs(
  credential: Record<string, unknown>,
  issuerId: string | undefined,
  fetcher: Fetcher,
  report: ReportBuilder,
): Promise<boolean> {
  const { proof: rawProofs, ...unsigned } = credential;
  const proofs = asArray(rawProofs).filter(
    (p): p is Record<string, unknown> => !!p && typeof p === 'object' && !Array.isArray(p),
  );
  if (proofs.length === 0) {
    report.fail('proof', 'proof.missing', 'The credential is not signed: it has no proof.');
    return false;
  }
  const unsupported = [
    ...new Set(proofs.map((p) => String(p.type)).filter((type) => !SUPPORTED_PROOF_TYPES.has(type))),
  ];
  if (unsupported.length > 0) {
    report.fail(
      'proof',
      'proof.unsupportedType',
      `The credential is signed with ${unsupported.map((t) => `"${t}"`).join(', ')}, ` +
        `a proof type Blason cannot check (it checks ${SUPPORTED_PROOFS}).`,
      { type: unsupported.join(', ') },
    );
    return false;
  }
  const byId = new Map(proofs.filter((p) => typeof p.id === 'string').map((p) => [p.id as string, p]));
  let byIssuer = false;
  let authentic = true;
  let unconfirmed: string | undefined;
  let unreached = false;
  for (const [index, proof] of proofs.entries()) {
    const named = proofs.length > 1 ? `Proof ${index + 1} of ${proofs.length}` : 'The proof';
    const previousIds = asArray(proof.previousProof);
    const previous = previousIds.map((id) => (typeof id === 'string' ? byId.get(id) : undefined));
    if (previousIds.length > 0 && previous.some((p) => p === undefined || p === proof)) {
      report.fail(
        'proof',
        'proof.previousMissing',
        `${named} continues a chain from ${previousIds.map(String).join(', ')}, which the credential does not ` +
          `carry: the chain is broken.`,
        { proof: index + 1 },
      );
      authentic = false;
      continue;
    }
    const outcome = await verifyEmbeddedProof(unsigned, proof, previous as Record<string, unknown>[], fetcher);
    if (!outcome.ok) {
      report.fail(
        outcome.stage,
        outcome.code,
        proofs.length > 1 ? `${named}: ${outcome.message}` : outcome.message,
        { proof: index + 1 },
        outcome.unreachable ? 'issuer-unconfirmed' : 'invalid',
      );
      // Unreachable: already reported as such, and the credential stays unconfirmed whatever else holds.
      if (!outcome.unreachable) authentic = false;
      else unreached = true;
      continue;
    }
    if (outcome.binding === 'unconfirmed') unconfirmed ??= outcome.unreachable ?? outcome.methodId;
    if (outcome.controllerId === issuerId) {
      byIssuer = true;
      report.pass('proof', 'proof.ok', `${named}: the ${outcome.suite} signature by the issuer matches the content.`, {
        suite: outcome.suite,
        proof: index + 1,
      });
    } else {
      report.pass(
        'proof',
        'proof.coSigned',
        `${named}: a co-signature by ${outcome.controllerId} (${outcome.suite}) matches the content.`,
        { signer: outcome.controllerId, suite: outcome.suite, proof: index + 1 },
      );
    }
  }
  if (!authentic || unreached) return false;
  if (!byIssuer && !unconfirmed) {
    if (issuerId?.startsWith('urn:') && proofs.length === 1) {
      // A urn:uuid issuer cannot publish keys: the signature is checked, who made it cannot be.
      report.fail(
        'issuerKey',
        'key.issuerNotResolvable',
        `The issuer is identified as ${issuerId}, which cannot be looked up: the signing key cannot be tied to it.`,
        undefined,
        'issuer-unconfirmed',
      );
      return false;
    }
    report.fail(
      'issuerKey',
      'key.controllerMismatch',
      `No proof is made by a key of the issuer ${String(issuerId)}: the credential is signed only by others.`,
    );
    return false;
  }
  if (unconfirmed) {
    report.fail(
      'issuerKey',
      'key.unconfirmed',
      `The signature holds, but the key could not be confirmed as the issuer's: ${unconfirmed}`,
      undefined,
      'issuer-unconfirmed',
    );
    return false;
  }
  report.pass('issuerKey', 'key.confirmed', 'The signing key is one the issuer publishes.');
  return true;
}

/** jwt.ts has tied the key to the issuer (kid) or looked for it among the issuer's keys (jwk header). */
function checkJwtKeyBinding(outcome: Extract<JwtOutcome, { ok: true }>, report: ReportBuilder): boolean {
  if (outcome.binding === 'unconfirmed') {
    report.fail(
      'issuerKey',
      'key.unconfirmed',
      `The signature holds, but the key the JWT carries could not be confirmed as the issuer's: ` +
        `${outcome.unreachable ?? 'its documents could not be reached'}.`,
      undefined,
      'issuer-unconfirmed',
    );
    return false;
  }
  report.pass('issuerKey', 'key.confirmed', 'The signing key is one the issuer publishes.');
  return true;
}

const JWT_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'cnf']);

async function checkJwtProof(
  outcome: JwtOutcome,
  credential: Record<string, unknown>,
  report: ReportBuilder,
): Promise<boolean> {
  if (!outcome.ok) {
    report.fail(
      outcome.stage === 'issuerKey' ? 'issuerKey' : 'proof',
      outcome.code,
      outcome.message,
      undefined,
      outcome.unreachable ? 'issuer-unconfirmed' : 'invalid',
    );
    return false;
  }
  // The JWS covers bytes, not meaning: JSON-LD safe mode still has to accept the payload. The registered JWT
  // claims belong to the JOSE envelope (and are checked against the credential above), not to its vocabulary.
  try {
    const document = Object.fromEntries(
      Object.entries(credential).filter(([name]) => name !== 'proof' && !JWT_CLAIMS.has(name)),
    );
    await eddsaRdfc2022.canonize(document, { documentLoader: contextLoader, safe: true, base: null });
  } catch (error) {
    if (error instanceof CanonizationLimitError) {
      report.fail('proof', 'proof.tooComplex', error.message);
      return false;
    }
    const message =
      error instanceof UndefinedTermError
        ? error.message
        : `JSON-LD safe mode rejected the credential: ${(error as Error).message}`;
    report.fail('proof', 'proof.undefinedTerm', message);
    return false;
  }
  const failed = outcome.claimIssues.filter((issue) => issue.severity === 'failed');
  if (failed.length > 0) {
    report.fail('proof', failed[0]!.code, failed.map((issue) => issue.message).join(' '));
    return false;
  }
  report.pass(
    'proof',
    'proof.ok',
    `The JWT signature (${outcome.alg}) matches the content and its claims mirror the credential.`,
    { suite: outcome.alg },
  );
  for (const issue of outcome.claimIssues) report.warn('proof', issue.code, issue.message);
  return checkJwtKeyBinding(outcome, report);
}

async function statusChecks(
  credential: Record<string, unknown>,
  report: ReportBuilder,
  ctx: Context,
): Promise<StatusResult | undefined> {
  if (credential.credentialStatus === undefined) {
    report.skip('status', 'status.none', 'The credential has no status entry: its issuer cannot revoke it.');
    return undefined;
  }
  const extra = ctx.depth === 0 && ctx.options.additionalStatus ? await ctx.options.additionalStatus(credential) : [];
  const entries = [...asArray(credential.credentialStatus), ...extra];
  const outcomes = await checkStatus({ ...credential, credentialStatus: entries }, ctx.fetcher, ctx.now);
  const result: StatusResult = { method: outcomes[0]?.method ?? 'unknown' };
  for (const outcome of outcomes) {
    if (outcome.kind === 'invalid') {
      report.fail('status', outcome.code, outcome.message);
      continue;
    }
    if (outcome.kind === 'unknown') {
      report.warn('status', outcome.code, outcome.message);
      report.mark('status-unknown');
      continue;
    }
    result.method = outcome.method;
    result.purpose = outcome.purpose;
    if (outcome.purpose === 'suspension') {
      result.suspended = outcome.set;
      if (outcome.set)
        report.fail('status', 'status.suspended', 'The issuer has suspended this credential.', undefined, 'suspended');
      else report.pass('status', 'status.notSuspended', 'The credential is not suspended.');
    } else {
      result.revoked = outcome.set;
      if (outcome.set)
        report.fail('status', 'status.revoked', 'The issuer has revoked this credential.', undefined, 'revoked');
      else report.pass('status', 'status.notRevoked', 'The issuer has not revoked this credential.');
    }
  }
  return result;
}

function checkDates(
  credential: Record<string, unknown>,
  vcdm: '1.1' | '2.0' | undefined,
  jwtExpiry: string | undefined,
  report: ReportBuilder,
  now: Date,
): void {
  const from = vcdm === '1.1' ? credential.issuanceDate : credential.validFrom;
  const fromMs = typeof from === 'string' ? Date.parse(from) : NaN;
  if (Number.isNaN(fromMs)) {
    report.fail('validFrom', 'validFrom.missing', 'The credential has no valid start date.');
  } else if (fromMs > now.getTime()) {
    report.fail(
      'validFrom',
      'validFrom.future',
      `The credential is not valid before ${new Date(fromMs).toISOString()}.`,
      { date: new Date(fromMs).toISOString() },
      'not-yet-valid',
    );
  } else {
    report.pass('validFrom', 'validFrom.ok', `Valid since ${new Date(fromMs).toISOString()}.`, {
      date: new Date(fromMs).toISOString(),
    });
  }
  const until = vcdm === '1.1' ? credential.expirationDate : credential.validUntil;
  const candidates = [until, jwtExpiry]
    .map((d) => (typeof d === 'string' ? Date.parse(d) : NaN))
    .filter((ms) => !Number.isNaN(ms));
  if (candidates.length === 0) {
    report.skip('validUntil', 'validUntil.none', 'The credential does not expire.');
    return;
  }
  const untilMs = Math.min(...candidates);
  const date = new Date(untilMs).toISOString();
  if (untilMs < now.getTime())
    report.fail('validUntil', 'validUntil.past', `The credential expired on ${date}.`, { date }, 'expired');
  else report.pass('validUntil', 'validUntil.ok', `Valid until ${date}.`, { date });
}

/** OB 3.0 step 6: every endorsement, on the credential, its achievement and issuer, is itself verified. */
async function checkEndorsements(
  credential: Record<string, unknown>,
  report: ReportBuilder,
  ctx: Context,
): Promise<VerificationReport[]> {
  const holders = [
    credential,
    credential.issuer,
    (credential.credentialSubject as { achievement?: unknown } | undefined)?.achievement,
  ];
  const inputs: VerifiableInput[] = [];
  for (const holder of holders) {
    if (!holder || typeof holder !== 'object') continue;
    const { endorsement, endorsementJwt } = holder as { endorsement?: unknown; endorsementJwt?: unknown };
    for (const item of asArray(endorsement)) if (item && typeof item === 'object') inputs.push({ credential: item });
    for (const item of asArray(endorsementJwt)) if (typeof item === 'string') inputs.push({ text: item });
  }
  if (inputs.length === 0) return [];
  if (ctx.depth >= MAX_ENDORSEMENT_DEPTH || inputs.length > MAX_ENDORSEMENTS) {
    report.fail(
      'endorsements',
      'endorsements.tooMany',
      `The credential nests more endorsements than Blason verifies (${MAX_ENDORSEMENTS} at most, ` +
        `${MAX_ENDORSEMENT_DEPTH} levels deep).`,
    );
    return [];
  }
  const reports: VerificationReport[] = [];
  for (const input of inputs) reports.push(await verifyAt(input, 'endorsement', { ...ctx, depth: ctx.depth + 1 }));
  // An endorsement is a third party's word about the badge: one that does not verify is reported on that
  // endorsement, and the badge itself stays what its own checks make it.
  const bad = reports.filter((r) => r.verdict !== 'valid').length;
  if (bad > 0)
    report.warn(
      'endorsements',
      'endorsements.someInvalid',
      `${bad} of ${reports.length} endorsement${reports.length > 1 ? 's' : ''} could not be verified; the badge ` +
        `itself is not affected.`,
      { bad, total: reports.length },
    );
  else
    report.pass(
      'endorsements',
      'endorsements.ok',
      `${reports.length} endorsement${reports.length > 1 ? 's' : ''} verified.`,
      { total: reports.length },
    );
  return reports;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function imageId(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return text((value as { id?: unknown } | undefined)?.id);
}

function displayOf(
  credential: Record<string, unknown>,
  vcdm: '1.1' | '2.0' | undefined,
  trusted: boolean,
): DisplayData {
  // `typeof null` is 'object' too: an "issuer": null made this throw, and the verify endpoint answered 500.
  const issuer = (credential.issuer && typeof credential.issuer === 'object' ? credential.issuer : {}) as Record<
    string,
    unknown
  >;
  const subject = (credential.credentialSubject ?? {}) as Record<string, unknown>;
  const achievement = (subject.achievement ?? {}) as Record<string, unknown>;
  const criteria = (achievement.criteria ?? {}) as Record<string, unknown>;
  const entries: [keyof DisplayData, string | undefined][] = [
    ['name', text(credential.name)],
    ['description', text(credential.description)],
    ['issuerId', issuerIdOf(credential)],
    ['issuerName', text(issuer.name)],
    ['issuerUrl', text(issuer.url)],
    ['issuerImage', imageId(issuer.image)],
    ['achievementName', text(achievement.name)],
    ['achievementDescription', text(achievement.description)],
    ['criteria', text(criteria.narrative)],
    ['achievementImage', imageId(achievement.image)],
    ['recipientName', text(subject.name)],
    ['validFrom', text(vcdm === '1.1' ? credential.issuanceDate : credential.validFrom)],
    ['validUntil', text(vcdm === '1.1' ? credential.expirationDate : credential.validUntil)],
  ];
  const display: DisplayData = { trusted };
  for (const [key, value] of entries)
    if (value !== undefined) (display as unknown as Record<string, unknown>)[key] = value;
  return display;
}
