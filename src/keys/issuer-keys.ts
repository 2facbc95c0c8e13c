import { randomBytes, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { ed25519PublicKeyMultibase, publicJwk } from '../engine/proof/key-formats.js';
import { ed25519Signer, jwtSigner, type Ed25519Signer, type JwtSigner } from '../engine/proof/signer.js';
import type { Clock } from '../shared/clock.js';
import { newId } from '../shared/clock.js';
import type { Transaction } from 'kysely';
import type { Db } from '../store/database.js';
import {
  activeKeys,
  insertKeyIfNoneActive,
  publishedKeys,
  retireActiveKeys,
  type KeyPurpose,
} from '../store/repositories/issuer-keys.js';
import type { Database, IssuerKeyRow } from '../store/schema.js';
import type { KeyStore } from './keystore.js';

/** The two keys every signer has (issuers and personal identities alike, see personal-keys.ts). */
export const KIND: Record<KeyPurpose, { kind: 'ed25519' | 'p256'; algorithm: string; prefix: string }> = {
  'data-integrity': { kind: 'ed25519', algorithm: 'Ed25519', prefix: 'ed25519' },
  jwt: { kind: 'p256', algorithm: 'ES256', prefix: 'p256' },
};

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

/**
 * Each issuer's keys: an Ed25519 key for Data Integrity proofs and a P-256 key for VC-JWT. Rotation retires the
 * active keys (they sign nothing more) and creates new ones; retired keys stay published in the DID document and
 * the JWKS so that every badge they signed keeps verifying.
 */
export class IssuerKeys {
  private readonly privateKeys = new Map<string, Promise<KeyObject>>();

  constructor(
    private readonly db: Db,
    private readonly store: KeyStore,
    private readonly clock: Clock,
  ) {}

  /** Creates the missing active keys of an issuer. Safe when several processes call it at once. */
  async ensure(organisationId: string): Promise<void> {
    const active = await activeKeys(this.db, organisationId);
    for (const purpose of ['data-integrity', 'jwt'] as const) {
      if (active.some((key) => key.purpose === purpose)) continue;
      await this.create(organisationId, purpose);
    }
  }

  private async create(organisationId: string, purpose: KeyPurpose): Promise<void> {
    const { kind, algorithm, prefix } = KIND[purpose];
    const keyId = `${prefix}-${randomBytes(6).toString('hex')}`;
    const { privateKey, file } = await this.store.create(kind, `${organisationId}-${keyId}`);
    await insertKeyIfNoneActive(this.db, {
      id: newId(),
      organisation_id: organisationId,
      key_id: keyId,
      purpose,
      algorithm,
      public_jwk: JSON.stringify(publicJwk(privateKey)),
      public_multibase: kind === 'ed25519' ? await ed25519PublicKeyMultibase(privateKey) : null,
      status: 'active',
      private_key_file: file,
      created_at: this.clock.now().toISOString(),
      retired_at: null,
    });
    // If another process won the race, its key is the active one and ours stays unused on disk.
  }

  /**
   * Retires the active keys and makes new ones. Returns the retired key ids. `alongside` runs in the transaction
   * that retires them (the caller's audit entry), so both are written or neither is.
   */
  async rotate(
    organisationId: string,
    alongside?: (trx: Transaction<Database>, retired: string[]) => Promise<void>,
  ): Promise<{ retired: string[]; active: string[] }> {
    const retired = await this.db.transaction().execute(async (trx) => {
      const rows = await retireActiveKeys(trx, organisationId, this.clock.now().toISOString());
      await alongside?.(
        trx,
        rows.map((k) => k.key_id),
      );
      return rows;
    });
    await this.ensure(organisationId);
    const active = await activeKeys(this.db, organisationId);
    return { retired: retired.map((k) => k.key_id), active: active.map((k) => k.key_id) };
  }

  private loadPrivate(row: IssuerKeyRow): Promise<KeyObject> {
    let key = this.privateKeys.get(row.id);
    if (!key) {
      key = this.store.load(row.private_key_file);
      key.catch(() => this.privateKeys.delete(row.id));
      this.privateKeys.set(row.id, key);
    }
    return key;
  }

  /**
   * Signers for the issuer's active keys. Reads which keys are active on every call (one small query), so a
   * rotation made by another process takes effect at once; private keys are loaded once and cached.
   */
  async signers(organisationId: string, did: string): Promise<IssuerSigners> {
    let active = await activeKeys(this.db, organisationId);
    if (active.length < 2) {
      await this.ensure(organisationId);
      active = await activeKeys(this.db, organisationId);
    }
    const di = active.find((k) => k.purpose === 'data-integrity');
    const jwt = active.find((k) => k.purpose === 'jwt');
    if (!di || !jwt) throw new Error(`Issuer ${organisationId} has no active keys`);
    const [diKey, jwtKey] = await Promise.all([this.loadPrivate(di), this.loadPrivate(jwt)]);
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

  published(organisationId?: string): Promise<IssuerKeyRow[]> {
    return publishedKeys(this.db, organisationId);
  }
}

/** The issuer's DID document: every published key, each for assertionMethod. No private member, ever. */
export function didDocument(
  did: string,
  keys: Pick<IssuerKeyRow, 'purpose' | 'key_id' | 'public_multibase' | 'public_jwk'>[],
  alsoKnownAs: string,
): Record<string, unknown> {
  const methods = keys.map((key) =>
    key.purpose === 'data-integrity'
      ? { id: `${did}#${key.key_id}`, type: 'Multikey', controller: did, publicKeyMultibase: key.public_multibase }
      : {
          id: `${did}#${key.key_id}`,
          type: 'JsonWebKey2020',
          controller: did,
          publicKeyJwk: JSON.parse(key.public_jwk) as JWK,
        },
  );
  return {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1',
      'https://w3id.org/security/suites/jws-2020/v1',
    ],
    id: did,
    alsoKnownAs: [alsoKnownAs],
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}

/** One JWK of the platform JWKS: `kid` is the full DID URL, `iss` the issuer (1EdTech recommendation). */
export function jwkEntry(did: string, key: IssuerKeyRow): Record<string, unknown> {
  return {
    ...(JSON.parse(key.public_jwk) as JWK),
    kid: `${did}#${key.key_id}`,
    alg: key.algorithm === 'Ed25519' ? 'EdDSA' : key.algorithm,
    use: 'sig',
    iss: did,
  };
}
