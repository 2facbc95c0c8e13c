/**
 * Verifies an Open Badges 2.0 badge end to end (standards-2.md §1), into the same report as an OB 3.0 credential:
 * - hosted: the assertion is fetched again from its id, and only the issuer's copy counts; a copy given must be
 *   identical to it; it must be hosted where its issuer allows; 410 Gone or `revoked: true` revoke it;
 * - signed: the JWS is checked with a key the issuer's own Profile lists, then the issuer's revocation list;
 * then, for both, the properties the standard requires, the dates and, if asked, the recipient.
 * Documents are reached only through the injected fetcher. Never throws for bad input.
 */
import { OB_V2 } from '../../model/contexts.js';
import type { Fetcher } from '../fetcher.js';
import { ReportBuilder, type InputFormat, type StatusResult, type VerificationReport } from '../report.js';
import { Ob2Checks } from './checks.js';
import { checkDates, checkRecipient, checkStructure, displayOf } from './conformance.js';
import { badgeGeneration, OB1_TOO_OLD_MESSAGE, typesOf, verificationKind, type Ob2Input } from './detect.js';
import { fetchDocument, isHttpUrl, sameJson, textOf } from './documents.js';
import { parseOb2Jws, type Ob2JwsAlgorithm } from './jws.js';
import { loadIssuerChain, reportUnread, type IssuerChain } from './linked.js';
import { checkHostedOrigin } from './origin.js';
import { checkRevocationList, checkSignedProof } from './signed.js';

type Json = Record<string, unknown>;

export interface Ob2Context {
  fetcher: Fetcher;
  now: Date;
  options: { expectedRecipient?: { email?: string; id?: string } };
}

const FORMAT_NAMES: Record<InputFormat, string> = {
  json: 'JSON',
  jwt: 'a JWS',
  png: 'a baked PNG',
  svg: 'a baked SVG',
};

/** What a link or a copy without its signature cannot be verified by. */
const SIGNATURE_MISSING = 'give the signed badge itself (the baked image, or the JWS text).';

function objectOrUndefined(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

/** One verification: the report so far and what has been read, for the display. */
class Run {
  readonly report = new ReportBuilder();
  readonly checks = new Ob2Checks(this.report);
  assertion?: Json;
  chain?: IssuerChain;
  status?: StatusResult;
  trusted = false;

  constructor(
    readonly format: InputFormat,
    readonly ctx: Ob2Context,
  ) {}

  read(kind: 'hosted' | 'signed'): void {
    const how = kind === 'hosted' ? 'fetching it from its issuer' : 'its signature';
    const message = `Read an Open Badges 2.0 badge from ${FORMAT_NAMES[this.format]}, verified by ${how}.`;
    this.checks.pass('parse', 'ob2.read', message, { format: this.format, verification: kind });
  }

  /** Neither invalid nor unconfirmed so far: the badge is its issuer's. */
  get authentic(): boolean {
    const verdict = this.report.verdict();
    return verdict !== 'invalid' && verdict !== 'issuer-unconfirmed';
  }

  finish(): VerificationReport {
    const verdict = this.report.verdict();
    // Before the issuer's documents are read, the display shows what the badge says of itself, as untrusted.
    const badgeClass = this.chain?.badgeClass ?? objectOrUndefined(this.assertion?.badge);
    const issuer = this.chain?.issuer ?? objectOrUndefined(badgeClass?.issuer);
    return {
      verdict,
      standard: 'ob2',
      verified: verdict === 'valid',
      warnings: this.report.warnings(),
      format: this.format,
      ...(typeof this.assertion?.id === 'string' ? { credentialId: this.assertion.id } : {}),
      ...(this.chain ? { issuerId: this.chain.issuerId } : {}),
      checks: this.report.checks,
      ...(this.status ? { status: this.status } : {}),
      endorsements: [],
      display: displayOf(this.trusted, this.assertion, badgeClass, issuer, this.chain?.issuerId),
      ...(this.assertion ? { credential: this.assertion } : {}),
    };
  }
}

export async function verifyOb2(input: Ob2Input, format: InputFormat, ctx: Ob2Context): Promise<VerificationReport> {
  const run = new Run(format, ctx);
  if (input.source === 'url') {
    await verifyHosted(run, input.url, undefined);
  } else if (input.source === 'json') {
    await verifyCopy(run, input.assertion, undefined);
  } else {
    const parsed = parseOb2Jws(input.jws);
    if (!parsed.ok) run.checks.fail('parse', parsed.code, parsed.message, parsed.params, 'invalid');
    else await verifyCopy(run, parsed.payload, { jws: input.jws, alg: parsed.alg });
  }
  return run.finish();
}

/** An assertion given in full (JSON, or a JWS payload): routed by what it says about its own verification. */
async function verifyCopy(
  run: Run,
  assertion: Json,
  signed: { jws: string; alg: Ob2JwsAlgorithm } | undefined,
): Promise<void> {
  run.assertion = assertion;
  if (!isOb2Assertion(run, assertion, 'The badge')) return;
  const kind = verificationKind(assertion);
  if (kind === 'signed' && signed) return verifySigned(run, assertion, signed.jws, signed.alg);
  if (kind === 'signed') {
    const message =
      `This assertion is to be verified by its signature, but it was given without it: ` + SIGNATURE_MISSING;
    run.checks.fail('parse', 'ob2.signatureMissing', message, undefined, 'invalid');
    return;
  }
  if (kind !== 'hosted') return unknownVerification(run);
  if (!isHttpUrl(assertion.id)) {
    const message =
      "A hosted assertion is verified at the HTTP(S) URL that is its id; this one's id is " +
      `${String(assertion.id)}.`;
    run.checks.fail('hosted', 'ob2.hostedNoUrl', message, { id: String(assertion.id) }, 'invalid');
    return;
  }
  // A hosted assertion inside a JWS is still verified by hosting: the issuer's hosted copy is what counts.
  return verifyHosted(run, assertion.id, assertion);
}

function unknownVerification(run: Run): void {
  const message =
    'The assertion does not say how to verify it: its verification type must be HostedBadge or ' + 'SignedBadge.';
  run.checks.fail('parse', 'ob2.verificationUnknown', message, undefined, 'invalid');
}

/** An OB 2.0 Assertion, or else the reason it is not (too old, or another document altogether) is reported. */
function isOb2Assertion(run: Run, document: Json, what: string): boolean {
  const generation = badgeGeneration(document);
  if (generation === 'ob1') {
    run.checks.fail('parse', 'ob1.tooOld', OB1_TOO_OLD_MESSAGE, undefined, 'invalid');
    return false;
  }
  if (generation !== 'ob2' || !typesOf(document).includes('Assertion')) {
    const message = `${what} is not an Open Badges 2.0 assertion (${typesOf(document).join(', ') || 'no type'}).`;
    run.checks.fail('parse', 'ob2.notAssertion', message, undefined, 'invalid');
    return false;
  }
  return true;
}

async function verifyHosted(run: Run, url: string, copy: Json | undefined): Promise<void> {
  const { checks } = run;
  const result = await fetchDocument(run.ctx.fetcher, url);
  if (!result.ok) {
    if (copy) run.read('hosted');
    if (result.problem === 'gone') {
      const message = `The issuer has revoked this badge: ${url} answers 410 Gone.`;
      checks.fail('status', 'ob2.revoked', message, { url }, 'revoked');
      run.status = { method: 'HostedBadge', revoked: true };
    } else {
      reportUnread(checks, 'hosted', url, result);
    }
    return;
  }
  const hosted = result.document;
  if (!copy) {
    run.assertion = hosted;
    if (!isOb2Assertion(run, hosted, `The document at ${url}`)) return;
    const kind = verificationKind(hosted);
    if (kind === 'signed') {
      const message =
        `The assertion at ${url} is to be verified by its signature, which a link does not carry: ` + SIGNATURE_MISSING;
      checks.fail('parse', 'ob2.signatureMissing', message, undefined, 'invalid');
      return;
    }
    if (kind !== 'hosted') return unknownVerification(run);
  }
  run.read('hosted');
  // Only the issuer's copy counts from here on (standards-2.md §1.7: never verify the embedded copy).
  run.assertion = hosted;
  if (hosted.id !== url) {
    const message =
      `The document at ${url} names itself ${String(hosted.id)}: it is not the assertion it was ` + 'fetched as.';
    checks.fail('hosted', 'ob2.idMismatch', message, { url, id: String(hosted.id) }, 'invalid');
    return;
  }
  checks.pass('hosted', 'ob2.hostedFetched', `The issuer hosts this assertion at ${url}.`, { url });
  if (copy) compareCopy(run, copy, hosted);
  warnWithoutContext(run, hosted);

  const chain = await loadIssuerChain(run.ctx.fetcher, checks, hosted);
  if (!chain) return;
  run.chain = chain;
  const origin = checkHostedOrigin(url, chain.issuerId, chain.issuer);
  if (!origin.ok) {
    checks.fail('origin', origin.code, origin.message, origin.params, 'invalid');
    return;
  }
  const where = `The assertion is hosted on ${origin.host}, where its issuer ${chain.issuerId} publishes its badges.`;
  checks.pass('origin', 'ob2.originOk', where, { host: origin.host, issuer: chain.issuerId });
  run.trusted = run.authentic;
  checkHostedRevocation(run, hosted);
  conformance(run, hosted, chain);
}

function checkHostedRevocation(run: Run, hosted: Json): void {
  const revoked = hosted.revoked === true;
  run.status = { method: 'HostedBadge', revoked };
  if (!revoked) {
    run.checks.pass('status', 'ob2.notRevoked', 'The issuer still hosts this badge and has not revoked it.');
    return;
  }
  const reason = textOf(hosted.revocationReason);
  const message = `The issuer has revoked this badge${reason ? `: ${reason}` : '.'}`;
  run.checks.fail('status', 'ob2.revoked', message, reason ? { reason } : undefined, 'revoked');
}

const REVOCATION_FIELDS = new Set(['revoked', 'revocationReason']);

function withoutRevocation(assertion: Json): Json {
  return Object.fromEntries(Object.entries(assertion).filter(([key]) => !REVOCATION_FIELDS.has(key)));
}

/** The copy that was given must be the issuer's, revocation aside (a revoked badge is reported as such). */
function compareCopy(run: Run, copy: Json, hosted: Json): void {
  const given = withoutRevocation(copy);
  const served = withoutRevocation(hosted);
  if (sameJson(given, served)) {
    run.checks.pass('hosted', 'ob2.copyMatches', 'The copy given is identical to the one the issuer hosts.');
    return;
  }
  const changed = [...new Set([...Object.keys(given), ...Object.keys(served)])].filter(
    (key) => !sameJson(given[key], served[key]),
  );
  const message =
    `The copy differs from what the issuer hosts (${changed.join(', ')}): it was altered, or the ` +
    'issuer changed the badge since.';
  run.checks.fail('hosted', 'ob2.hostedMismatch', message, { properties: changed.join(', ') }, 'invalid');
}

function warnWithoutContext(run: Run, assertion: Json): void {
  const contexts = Array.isArray(assertion['@context']) ? assertion['@context'] : [assertion['@context']];
  if (!contexts.includes(OB_V2)) {
    const message = `The assertion does not name the Open Badges 2.0 context (${OB_V2}).`;
    run.checks.warn('context', 'ob2.contextMissing', message);
  }
}

async function verifySigned(run: Run, assertion: Json, jws: string, alg: Ob2JwsAlgorithm): Promise<void> {
  const { checks } = run;
  run.read('signed');
  warnWithoutContext(run, assertion);
  const chain = await loadIssuerChain(run.ctx.fetcher, checks, assertion);
  if (!chain) return;
  run.chain = chain;
  if (!(await checkSignedProof(run.ctx.fetcher, checks, jws, alg, assertion, chain))) return;
  run.trusted = run.authentic;
  run.status = await checkRevocationList(run.ctx.fetcher, checks, run.report, assertion, chain);
  conformance(run, assertion, chain);
}

function conformance(run: Run, assertion: Json, chain: IssuerChain): void {
  checkStructure(run.checks, assertion, chain.badgeClass, chain.issuer);
  checkDates(run.checks, assertion, run.ctx.now);
  const expected = run.ctx.options.expectedRecipient;
  if (expected) checkRecipient(run.checks, assertion, expected);
}
