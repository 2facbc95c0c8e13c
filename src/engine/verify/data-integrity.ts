import jsigs from 'jsonld-signatures';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { loaderWith } from '../jsonld/document-loader.js';
import { DATA_INTEGRITY_CRYPTOSUITES } from '../proof/cryptosuites.js';
import { CanonizationLimitError, isCanonizationLimit, UndefinedTermError } from '../proof/canonize.js';
import type { Fetcher } from './fetcher.js';
import {
  type KeyResolutionError,
  resolveVerificationMethod,
  type KeyBinding,
  type KeyFlavour,
  type ResolvedVerificationMethod,
} from './keys.js';
import type { CheckCode } from './check-codes.js';

export type ProofOutcome =
  | { ok: true; methodId: string; controllerId: string; binding: KeyBinding; suite: string; unreachable?: string }
  | { ok: false; code: CheckCode; message: string; stage: 'proof' | 'issuerKey'; unreachable?: boolean };

/** The proof types and cryptosuites Blason checks, for messages naming what it cannot check. */
export const SUPPORTED_PROOFS = 'DataIntegrityProof (eddsa-rdfc-2022, eddsa-2022), Ed25519Signature2020 and VC-JWT';

const LEGACY_CONTEXT = 'https://w3id.org/security/data-integrity/v1';

interface ProofPlan {
  suite: object;
  name: string;
  flavour: KeyFlavour;
}

/** The suite that can check this proof, or why none can. */
function planFor(
  proof: Record<string, unknown>,
  documentContext: unknown,
): ProofPlan | { code: CheckCode; message: string } {
  if (proof.type === 'DataIntegrityProof') {
    const cryptosuite = DATA_INTEGRITY_CRYPTOSUITES.get(String(proof.cryptosuite));
    if (!cryptosuite) {
      return {
        code: 'proof.unknownCryptosuite',
        message: `The proof uses the cryptosuite "${String(proof.cryptosuite)}", which Blason cannot check (it ` +
          `checks ${SUPPORTED_PROOFS}).`,
      };
    }
    const legacyContext = Array.isArray(documentContext) && documentContext.includes(LEGACY_CONTEXT);
    return {
      suite: new DataIntegrityProof({ cryptosuite, legacyContext }),
      name: cryptosuite.name,
      flavour: 'Multikey',
    };
  }
  if (proof.type === 'Ed25519Signature2020') {
    return { suite: new Ed25519Signature2020(), name: 'Ed25519Signature2020', flavour: 'Ed25519VerificationKey2020' };
  }
  return {
    code: 'proof.unsupportedType',
    message: `The credential is signed with a proof of type "${String(proof.type)}", which Blason cannot check (it ` +
      `checks ${SUPPORTED_PROOFS}).`,
  };
}

function explain(error: unknown): { code: CheckCode; message: string } {
  const e = error as Error & {
    details?: { event?: { code?: string; details?: { property?: string; term?: string } } };
    errors?: unknown[];
  };
  if (e?.errors?.length) return explain(e.errors[0]);
  if (e instanceof UndefinedTermError) return { code: 'proof.undefinedTerm', message: e.message };
  // Also reached by Ed25519Signature2020, which canonicalizes through jsonld.canonize (same rdf-canonize limits).
  if (isCanonizationLimit(e))
    return {
      code: 'proof.tooComplex',
      message: e instanceof CanonizationLimitError ? e.message : new CanonizationLimitError(String(e?.message)).message,
    };
  if (e?.name === 'jsonld.ValidationError' || e?.details?.event) {
    const event = e.details?.event;
    const what = event?.details?.property ?? event?.details?.term;
    return {
      code: 'proof.undefinedTerm',
      message:
        `JSON-LD safe mode rejected the credential${what ? `: "${what}" is not defined by its contexts` : ''} ` +
        `(${event?.code ?? e.message}).`,
    };
  }
  const message = String(e?.message ?? error);
  if (/context/i.test(message) && /not recognised|Unknown|load/i.test(message))
    return { code: 'context.unknown', message };
  if (message === 'Invalid signature.')
    return {
      code: 'proof.signatureMismatch',
      message:
        'The signature does not match the content: the credential was altered after it was signed, or signed with ' +
          'another key.',
    };
  return { code: 'proof.invalid', message };
}

/**
 * Verifies one embedded proof (Data Integrity eddsa-rdfc-2022 / eddsa-2022, or Ed25519Signature2020), with
 * JSON-LD safe mode on and the `assertionMethod` purpose. The key comes from `resolveVerificationMethod`;
 * the caller checks that its controller is the issuer (or names the co-signer).
 *
 * `previous` are the proofs this one's `previousProof` names (a proof chain): per Data Integrity §4.3 they are
 * part of what it signed, so the document is checked with them as its `proof`. jsonld-signatures' own
 * `verify` always strips every proof from the document, so the suite and the purpose are called directly, the
 * way it calls them.
 */
export async function verifyEmbeddedProof(
  unsigned: Record<string, unknown>,
  proof: Record<string, unknown>,
  previous: Record<string, unknown>[],
  fetcher: Fetcher,
  check: ProofCheck = { purpose: 'assertionMethod' },
): Promise<ProofOutcome> {
  const plan = planFor(proof, unsigned['@context']);
  if ('code' in plan) return { ok: false, stage: 'proof', ...plan };
  if (check.purpose === 'authentication') {
    if (proof.proofPurpose !== 'authentication')
      return {
        ok: false,
        stage: 'proof',
        code: 'proof.wrongPurpose',
        message: `The proof's purpose is "${String(proof.proofPurpose)}"; a presentation must be signed for ` +
          `"authentication".`,
      };
  } else if (proof.proofPurpose !== 'assertionMethod') {
    return {
      ok: false,
      stage: 'proof',
      code: 'proof.wrongPurpose',
      message: `The proof's purpose is "${String(proof.proofPurpose)}"; a credential must be signed for ` +
        `"assertionMethod".`,
    };
  }
  const methodId =
    typeof proof.verificationMethod === 'string'
      ? proof.verificationMethod
      : (proof.verificationMethod as { id?: unknown } | undefined)?.id;
  if (typeof methodId !== 'string' || methodId === '') {
    return {
      ok: false,
      stage: 'proof',
      code: 'proof.noVerificationMethod',
      message: 'The proof does not say which key made it (no verificationMethod).',
    };
  }
  let resolved;
  try {
    resolved = await (check.resolve ?? resolveVerificationMethod)(methodId, fetcher, plan.flavour);
  } catch (error) {
    const e = error as KeyResolutionError;
    return {
      ok: false,
      stage: 'issuerKey',
      code: e.code ?? 'key.unresolvable',
      message: e.message,
      unreachable: e.unreachable === true,
    };
  }
  const document = previous.length > 0 ? { ...unsigned, proof: previous } : unsigned;
  // The method goes last: for a bare did:key, the method id and the controller id are the same string.
  const documentLoader = loaderWith(
    new Map([
      [resolved.controllerId, resolved.controller],
      [methodId, resolved.method],
    ]),
  );
  const suite = plan.suite as ProofSuite;
  const purpose = purposeFor(check, proof, resolved.controller);
  // As jsonld-signatures does: the proof is read in the document's context.
  const contextual = { '@context': unsigned['@context'], ...proof };
  try {
    const result = await suite.verifyProof({
      proof: contextual,
      document,
      purpose,
      proofSet: [contextual],
      documentLoader,
    });
    if (!result.verified) return { ok: false, stage: 'proof', ...explain(result.error) };
    const purposeResult = await purpose.validate(contextual, {
      document,
      suite,
      verificationMethod: result.verificationMethod,
      documentLoader,
    });
    if (!purposeResult.valid) return { ok: false, stage: 'proof', ...explain(purposeResult.error) };
  } catch (error) {
    return { ok: false, stage: 'proof', ...explain(error) };
  }
  return {
    ok: true,
    methodId,
    controllerId: resolved.controllerId,
    binding: resolved.binding,
    suite: plan.name,
    ...(resolved.unreachable ? { unreachable: resolved.unreachable } : {}),
  };
}

/**
 * What a proof is checked for: a credential's `assertionMethod` (the default), or a presentation's
 * `authentication` by its holder, with the challenge and domain the verifier asked for, and the holder's key
 * found by `resolve` (the key must be listed for authentication, not for assertion).
 */
export interface ProofCheck {
  purpose: 'assertionMethod' | 'authentication';
  challenge?: string;
  domain?: string;
  resolve?: (methodId: string, fetcher: Fetcher, flavour: KeyFlavour) => Promise<ResolvedVerificationMethod>;
}

function purposeFor(
  check: ProofCheck,
  proof: Record<string, unknown>,
  controller: Record<string, unknown>,
): ProofPurposeCheck {
  if (check.purpose === 'assertionMethod')
    return new jsigs.purposes.AssertionProofPurpose({ controller }) as ProofPurposeCheck;
  // jsonld-signatures' authentication purpose wants a challenge: without one asked for, the proof's own (which
  // its signature covers) is accepted, and with none at all only the key's authentication relationship counts.
  const challenge = check.challenge ?? (typeof proof.challenge === 'string' ? proof.challenge : undefined);
  if (challenge === undefined)
    return new jsigs.purposes.ControllerProofPurpose({ term: 'authentication', controller }) as ProofPurposeCheck;
  return new jsigs.purposes.AuthenticationProofPurpose({
    controller,
    challenge,
    ...(check.domain !== undefined ? { domain: check.domain } : {}),
  }) as ProofPurposeCheck;
}

/** The parts of a jsonld-signatures suite and purpose that verification calls. */
interface ProofSuite {
  verifyProof(
    options: Record<string, unknown>,
  ): Promise<{ verified: boolean; verificationMethod?: object; error?: unknown }>;
}
interface ProofPurposeCheck {
  validate(proof: object, options: Record<string, unknown>): Promise<{ valid: boolean; error?: unknown }>;
}
