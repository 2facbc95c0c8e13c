import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { contextLoader } from '../jsonld/document-loader.js';
import type { DataIntegrityProof as Proof, OpenBadgeCredential, EndorsementCredential } from '../model/types.js';
import { eddsaRdfc2022 } from './cryptosuites.js';
import type { Ed25519Signer, JwtSigner } from './signer.js';

type Signable = OpenBadgeCredential | EndorsementCredential | Record<string, unknown>;

/**
 * Adds a `DataIntegrityProof` (`eddsa-rdfc-2022`) to a copy of the credential. The input is left untouched
 * (vc.issue mutates what it is given). `created` defaults to now, to the second; pass the same value for a
 * whole batch and the proof configuration is canonicalized once.
 */
export async function signDataIntegrity<C extends Signable>(
  credential: C,
  signer: Ed25519Signer,
  created?: Date,
): Promise<C & { proof: Proof[] }> {
  const suite = new DataIntegrityProof({
    signer,
    cryptosuite: eddsaRdfc2022,
    date: toXsdSeconds(created ?? new Date()),
  });
  const { proof: existing, ...unsigned } = credential as Record<string, unknown>;
  const signed = await vc.issue({ credential: structuredClone(unsigned), suite, documentLoader: contextLoader });
  // jsonld-signatures writes a single proof as an object; OB 3.0's canonical schema wants an array.
  const previous = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  return { ...signed, proof: [...previous, signed.proof] } as C & { proof: Proof[] };
}

/** XSD dateTimeStamp to the second, as proofs and credentials carry it: `2026-11-26T10:00:00Z`. */
export function toXsdSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function secondsOf(dateTime: string): number {
  return Math.floor(Date.parse(dateTime) / 1000);
}

/**
 * VC-JWT per VCDM 2.0 and OB 3.0 §5.1: the payload is the credential itself (with its Data Integrity proof,
 * if any: "add the LDP proof first, then wrap the result in a JWT") plus claims mirroring it:
 * `iss` = issuer id, `jti` = id, `sub` = subject id, `nbf` = validFrom, `exp` = validUntil.
 */
export async function signJwt(
  credential: OpenBadgeCredential | EndorsementCredential,
  signer: JwtSigner,
): Promise<string> {
  const claims: Record<string, unknown> = {
    iss: credential.issuer.id,
    jti: credential.id,
    nbf: secondsOf(credential.validFrom),
  };
  const subjectId = credential.credentialSubject.id;
  if (subjectId) claims.sub = subjectId;
  if (credential.validUntil) claims.exp = secondsOf(credential.validUntil);
  return signer.signJwt({ ...credential, ...claims });
}
