import { VC_V1, VC_V2 } from '../model/contexts.js';
import { asArray } from '../util.js';
import { verifyEmbeddedProof } from './data-integrity.js';
import { InputError } from './errors.js';
import { offlineFetcher, type Fetcher } from './fetcher.js';
import {
  didKeyMultibase,
  findMethod,
  KeyResolutionError,
  normalizeMethod,
  resolveDidWeb,
  type KeyFlavour,
  type ResolvedVerificationMethod,
} from './keys.js';
import { COMPACT_JWS, DEFAULT_INPUT_LIMITS, parseInput, type VerifiableInput } from './parse-input.js';
import { ReportBuilder, type Check, type Verdict, type VerificationReport } from './report.js';
import { verifyCredential } from './verify-credential.js';

/**
 * Verifying a W3C Verifiable Presentation (VCDM 2.0 or 1.1): a holder presenting one or more credentials,
 * usually signed by the holder (a Data Integrity proof for `authentication`, over a verifier's challenge and
 * domain). Each credential it carries, embedded or enveloped as a VC-JWT, goes through the credential pipeline.
 * Engine only: the keys, the clock and how a credential is verified are passed in.
 */

export interface PresentationOptions {
  fetcher?: Fetcher;
  now?: Date;
  /** The challenge the verifier gave the holder: when set, the presentation must be signed over it. */
  challenge?: string;
  /** The verifier's domain: when set, the presentation must be signed for it. */
  domain?: string;
  /** How each credential is verified. Default: the engine's pipeline with the same fetcher and clock. */
  verifyCredential?: (input: VerifiableInput) => Promise<VerificationReport>;
}

export interface PresentationReport {
  /** True only when the holder's proof (if any, and required when a challenge or domain was asked) holds and every
   * credential is verified. */
  verified: boolean;
  /** The presentation's own verdict (its form and the holder's proof), on the credential verdicts' scale. */
  verdict: Verdict;
  vcdm?: '1.1' | '2.0';
  holder?: string;
  /** Whether the holder signed it. */
  signed: boolean;
  checks: Check[];
  credentials: VerificationReport[];
}

/** More credentials than any person presents at once: a presentation above is refused before any is checked. */
export const MAX_PRESENTED_CREDENTIALS = 32;

const ENVELOPED_JWT = 'data:application/vc+jwt,';

/**
 * A credential counts as verified when its verdict is `valid`, or when it is a plain W3C credential (not an Open
 * Badge) whose only shortcoming is that: Blason verifies any W3C credential's proof, key, status and dates, and
 * the VC API promises nothing about Open Badges.
 */
export function verifiedAsW3c(report: VerificationReport): boolean {
  if (report.verdict === 'valid') return true;
  if (report.verdict !== 'nonconformant' || report.standard !== 'vc') return false;
  return report.checks.every((check) => check.outcome !== 'failed' || check.code === 'context.notOpenBadge');
}

export async function verifyPresentation(
  input: VerifiableInput,
  options: PresentationOptions = {},
): Promise<PresentationReport> {
  const fetcher = options.fetcher ?? offlineFetcher;
  const report = new ReportBuilder();
  const failed = (vcdm?: '1.1' | '2.0'): PresentationReport => ({
    verified: false,
    verdict: report.verdict(),
    ...(vcdm ? { vcdm } : {}),
    signed: false,
    checks: report.checks,
    credentials: [],
  });

  let presentation: Record<string, unknown>;
  try {
    const parsed = parseInput(input, { ...DEFAULT_INPUT_LIMITS, maxBytes: 5 * 1024 * 1024 });
    if (parsed.payload !== 'json') {
      report.fail(
        'presentation',
        'presentation.envelopedUnsupported',
        'Only presentations in JSON with an embedded proof are accepted (not a VP-JWT or an image).',
      );
      return failed();
    }
    presentation = parsed.credential;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    report.fail('parse', error.code, error.message, error.params);
    return failed();
  }

  const contexts = asArray(presentation['@context']);
  const vcdm = contexts[0] === VC_V2 ? '2.0' : contexts[0] === VC_V1 ? '1.1' : undefined;
  if (!vcdm || !asArray(presentation.type).includes('VerifiablePresentation')) {
    report.fail(
      'presentation',
      'presentation.notPresentation',
      `This is not a verifiable presentation: its type must include "VerifiablePresentation" and its first ` +
        `@context be ${VC_V2} (or ${VC_V1}).`,
    );
    return failed(vcdm);
  }
  if (asArray(presentation.type).includes('EnvelopedVerifiablePresentation')) {
    report.fail(
      'presentation',
      'presentation.envelopedUnsupported',
      'Only presentations in JSON with an embedded proof are accepted (not a VP-JWT or an image).',
    );
    return failed(vcdm);
  }

  const inputs = credentialInputs(presentation.verifiableCredential, report);
  if (!inputs) return failed(vcdm);
  const proofs = asArray(presentation.proof).filter(
    (p): p is Record<string, unknown> => !!p && typeof p === 'object' && !Array.isArray(p),
  );
  report.pass(
    'presentation',
    'presentation.read',
    `Read a verifiable presentation (VCDM ${vcdm}) holding ${inputs.length} credential(s).`,
    { count: inputs.length },
  );
  const holderClaim = idOf(presentation.holder);
  if (inputs.length === 0 && proofs.length === 0) {
    report.fail('presentation', 'presentation.empty', 'The presentation holds no credential and no proof.');
    return failed(vcdm);
  }

  const holder = await checkHolderProof(presentation, proofs, holderClaim, options, fetcher, report);

  const verify =
    options.verifyCredential ??
    ((one: VerifiableInput) => verifyCredential(one, { fetcher, ...(options.now ? { now: options.now } : {}) }));
  const credentials: VerificationReport[] = [];
  for (const one of inputs) credentials.push(await verify(one));
  const bad = credentials.filter((c) => !verifiedAsW3c(c)).length;
  if (bad > 0)
    report.fail(
      'presentation',
      'presentation.credentialFailed',
      `${bad} of ${credentials.length} credential(s) in the presentation could not be verified.`,
      { bad, count: credentials.length },
    );
  else if (credentials.length > 0)
    report.pass(
      'presentation',
      'presentation.credentialsOk',
      `Every credential in the presentation is verified (${credentials.length}).`,
      { count: credentials.length },
    );

  const verdict = report.verdict();
  return {
    verified: verdict === 'valid',
    verdict,
    vcdm,
    ...((holder ?? holderClaim) ? { holder: (holder ?? holderClaim)! } : {}),
    signed: proofs.length > 0,
    checks: report.checks,
    credentials,
  };
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** The credentials a presentation carries, as the credential pipeline takes them; undefined when one is unusable. */
function credentialInputs(value: unknown, report: ReportBuilder): VerifiableInput[] | undefined {
  const items = asArray(value as unknown[] | undefined);
  if (items.length > MAX_PRESENTED_CREDENTIALS) {
    report.fail(
      'presentation',
      'presentation.tooMany',
      `The presentation carries ${items.length} credentials; Blason verifies ${MAX_PRESENTED_CREDENTIALS} at most.`,
      { limit: MAX_PRESENTED_CREDENTIALS },
    );
    return undefined;
  }
  const inputs: VerifiableInput[] = [];
  for (const [index, item] of items.entries()) {
    if (typeof item === 'string' && COMPACT_JWS.test(item)) {
      // VCDM 1.1 presentations may carry a VC-JWT as a bare string.
      inputs.push({ text: item });
      continue;
    }
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      if (asArray(record.type).includes('EnvelopedVerifiableCredential')) {
        const id = typeof record.id === 'string' ? record.id : '';
        const jwt = id.startsWith(ENVELOPED_JWT) ? id.slice(ENVELOPED_JWT.length) : '';
        if (COMPACT_JWS.test(jwt)) {
          inputs.push({ text: jwt });
          continue;
        }
      } else {
        inputs.push({ credential: record });
        continue;
      }
    }
    report.fail(
      'presentation',
      'presentation.badCredential',
      `Credential ${index + 1} of the presentation is neither a credential object nor a VC-JWT enveloped as ` +
        `"${ENVELOPED_JWT}…".`,
      { index: index + 1 },
    );
    return undefined;
  }
  return inputs;
}

/**
 * The holder's proof. Unsigned: a warning when nothing was asked of the holder, a failure when a challenge or a
 * domain was (only a signature can answer them). Signed: every proof must hold, for `authentication`, by a key
 * the holder's DID lists for authentication, over the challenge and domain asked for. Returns the holder's DID.
 */
async function checkHolderProof(
  presentation: Record<string, unknown>,
  proofs: Record<string, unknown>[],
  holderClaim: string | undefined,
  options: PresentationOptions,
  fetcher: Fetcher,
  report: ReportBuilder,
): Promise<string | undefined> {
  const asked = options.challenge !== undefined || options.domain !== undefined;
  if (proofs.length === 0) {
    if (asked)
      report.fail(
        'presentation',
        'presentation.proofRequired',
        'The presentation is not signed by its holder, but a challenge or domain was asked: only a signed ' +
          'presentation can answer it.',
      );
    else
      report.warn(
        'presentation',
        'presentation.unsigned',
        'The presentation is not signed by its holder: who presents the credentials is not proven.',
      );
    return undefined;
  }
  const { proof: _proofs, ...unsigned } = presentation;
  let signer: string | undefined;
  for (const [index, proof] of proofs.entries()) {
    const named = proofs.length > 1 ? `Proof ${index + 1} of ${proofs.length}: ` : '';
    if (options.challenge !== undefined && proof.challenge !== options.challenge) {
      report.fail(
        'presentation',
        'presentation.challengeMismatch',
        `${named}the presentation was signed over the challenge "${String(proof.challenge)}", not the one asked ` +
          `("${options.challenge}"): it may be replayed from another exchange.`,
      );
      continue;
    }
    const domains = asArray(proof.domain as unknown);
    if (options.domain !== undefined && !domains.includes(options.domain)) {
      report.fail(
        'presentation',
        'presentation.domainMismatch',
        `${named}the presentation was signed for the domain "${domains.map(String).join(', ')}", not for ` +
          `"${options.domain}".`,
      );
      continue;
    }
    const outcome = await verifyEmbeddedProof(unsigned, proof, [], fetcher, {
      purpose: 'authentication',
      ...(options.challenge !== undefined ? { challenge: options.challenge } : {}),
      ...(options.domain !== undefined ? { domain: options.domain } : {}),
      resolve: resolveHolderMethod,
    });
    if (!outcome.ok) {
      report.add(
        { id: 'presentation', outcome: 'failed', code: outcome.code, message: `${named}${outcome.message}` },
        outcome.unreachable ? 'issuer-unconfirmed' : 'invalid',
      );
      continue;
    }
    if (holderClaim !== undefined && outcome.controllerId !== holderClaim) {
      report.fail(
        'presentation',
        'presentation.holderMismatch',
        `${named}the presentation names ${holderClaim} as its holder but is signed by ${outcome.controllerId}.`,
        { holder: holderClaim, signer: outcome.controllerId },
      );
      continue;
    }
    signer ??= outcome.controllerId;
    report.pass(
      'presentation',
      'presentation.proofOk',
      `${named}the holder ${outcome.controllerId} signed the presentation (${outcome.suite}).`,
      { holder: outcome.controllerId, suite: outcome.suite },
    );
  }
  return signer;
}

function controllerFor(did: string, methodId: string): Record<string, unknown> {
  return { '@context': 'https://www.w3.org/ns/did/v1', id: did, authentication: [methodId] };
}

/**
 * The holder's key, which must be listed for `authentication` (not `assertionMethod`, which is for issuing):
 * did:key (the DID is the key), did:jwk (the DID is the key as a JWK) and did:web (its DID document).
 */
export async function resolveHolderMethod(
  methodId: string,
  fetcher: Fetcher,
  flavour: KeyFlavour,
): Promise<ResolvedVerificationMethod> {
  const did = methodId.split('#')[0]!;
  if (did.startsWith('did:key:')) {
    const method = await normalizeMethod(
      { id: methodId, publicKeyMultibase: await didKeyMultibase(methodId) },
      flavour,
      did,
    );
    return { method, controller: controllerFor(did, methodId), controllerId: did, binding: 'confirmed' };
  }
  if (did.startsWith('did:jwk:')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      if (!jwk || typeof jwk !== 'object') throw new Error('not a JWK');
    } catch {
      throw new KeyResolutionError('key.badDid', `${did} does not hold a JSON Web Key.`);
    }
    if (methodId !== `${did}#0`)
      throw new KeyResolutionError('key.badMethodId', `The key of ${did} is ${did}#0, not ${methodId}.`);
    const method = await normalizeMethod({ id: methodId, publicKeyJwk: jwk }, flavour, did);
    return { method, controller: controllerFor(did, methodId), controllerId: did, binding: 'confirmed' };
  }
  if (did.startsWith('did:web:')) {
    const document = await resolveDidWeb(did, fetcher);
    const listed = asArray(document.authentication as unknown[] | undefined);
    const entry = listed.find((item) => {
      const id = idOf(item);
      return id !== undefined && (id === methodId || `${did}${id}` === methodId);
    });
    if (entry === undefined)
      throw new KeyResolutionError(
        'key.notPublished',
        `The holder's DID document does not list the key ${methodId} for authentication.`,
      );
    const method =
      typeof entry === 'object'
        ? { ...(entry as Record<string, unknown>), id: methodId }
        : findMethod(document, methodId);
    if (!method)
      throw new KeyResolutionError('key.notPublished', `The holder's DID document does not contain ${methodId}.`);
    return {
      method: await normalizeMethod(method, flavour, did),
      controller: controllerFor(did, methodId),
      controllerId: did,
      binding: 'confirmed',
    };
  }
  throw new KeyResolutionError(
    'key.unsupportedDidMethod',
    `The holder's DID method is not supported (did:key, did:jwk and did:web are): ${methodId}.`,
  );
}
