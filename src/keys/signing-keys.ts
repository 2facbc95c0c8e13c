import { randomBytes, type KeyObject } from 'node:crypto';
import { ed25519PublicKeyMultibase, publicJwk } from '../engine/proof/key-formats.js';
import { ed25519Signer, jwtSigner, type Ed25519Signer, type JwtSigner } from '../engine/proof/signer.js';
import type { Clock } from '../shared/clock.js';
import { newId } from '../shared/clock.js';
import type { KeyPurpose } from '../store/repositories/issuer-keys.js';
import type { IssuerKeyRow } from '../store/schema.js';
import type { KeyStore } from './keystore.js';

/*
 * What every signer's keys have in common, whoever owns them (an organisation, issuer-keys.ts; a person's
 * identity, personal-keys.ts): the two kinds of key, how a new one is made, how private keys are cached, and
 * the signers built from the active pair.
 */

/** The two keys every signer has: Ed25519 for Data Integrity proofs, P-256 for VC-JWT. */
export const KIND: Record<KeyPurpose, { kind: 'ed25519' | 'p256'; algorithm: string; prefix: string }> = {
  'data-integrity': { kind: 'ed25519', algorithm: 'Ed25519', prefix: 'ed25519' },
  jwt: { kind: 'p256', algorithm: 'ES256', prefix: 'p256' },
};

export const PURPOSES = ['data-integrity', 'jwt'] as const;

export interface IssuerSigners {
  dataIntegrity: Ed25519Signer;
  jwt: JwtSigner;
  /** Private keys and ids, for the signing worker pool. */
  keys: {
    dataIntegrity: { verificationMethod: string; privateKey: KeyObject };
    jwt: { kid: string; alg: 'ES256'; privateKey: KeyObject };
  };
  keyRowIds: string[];
}

/** A key row without its owner column, as both key tables hold it. */
export type KeyMaterial = Omit<IssuerKeyRow, 'organisation_id'>;

/** Makes a new active key of this purpose: its private half in the key store (file `<fileStem>-<key id>`). */
export async function makeKey(
  store: KeyStore,
  clock: Clock,
  purpose: KeyPurpose,
  fileStem: string,
): Promise<KeyMaterial> {
  const { kind, algorithm, prefix } = KIND[purpose];
  const keyId = `${prefix}-${randomBytes(6).toString('hex')}`;
  const { privateKey, file } = await store.create(kind, `${fileStem}-${keyId}`);
  return {
    id: newId(),
    key_id: keyId,
    purpose,
    algorithm,
    public_jwk: JSON.stringify(publicJwk(privateKey)),
    public_multibase: kind === 'ed25519' ? await ed25519PublicKeyMultibase(privateKey) : null,
    status: 'active',
    private_key_file: file,
    created_at: clock.now().toISOString(),
    retired_at: null,
  };
}

/** Private keys are read from the key store once per process; a failed read is tried again next time. */
export class PrivateKeyCache {
  private readonly keys = new Map<string, Promise<KeyObject>>();

  constructor(private readonly store: KeyStore) {}

  load(row: Pick<KeyMaterial, 'id' | 'private_key_file'>): Promise<KeyObject> {
    let key = this.keys.get(row.id);
    if (!key) {
      key = this.store.load(row.private_key_file);
      key.catch(() => this.keys.delete(row.id));
      this.keys.set(row.id, key);
    }
    return key;
  }
}

/** The signers of `did` from its active pair of keys; `owner` names it in the error when a key is missing. */
export async function signersOf(
  cache: PrivateKeyCache,
  did: string,
  active: Pick<KeyMaterial, 'id' | 'key_id' | 'purpose' | 'private_key_file'>[],
  owner: string,
): Promise<IssuerSigners> {
  const di = active.find((k) => k.purpose === 'data-integrity');
  const jwt = active.find((k) => k.purpose === 'jwt');
  if (!di || !jwt) throw new Error(`${owner} has no active keys`);
  const [diKey, jwtKey] = await Promise.all([cache.load(di), cache.load(jwt)]);
  const verificationMethod = `${did}#${di.key_id}`;
  const kid = `${did}#${jwt.key_id}`;
  return {
    dataIntegrity: ed25519Signer(verificationMethod, diKey),
    jwt: jwtSigner(kid, 'ES256', jwtKey),
    keys: {
      dataIntegrity: { verificationMethod, privateKey: diKey },
      jwt: { kid, alg: 'ES256', privateKey: jwtKey },
    },
    keyRowIds: [di.id, jwt.id],
  };
}
