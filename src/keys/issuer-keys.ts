import type { JWK } from 'jose';
import type { Transaction } from 'kysely';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../store/database.js';
import {
  activeKeys,
  insertKeyIfNoneActive,
  publishedKeys,
  retireActiveKeys,
} from '../store/repositories/issuer-keys.js';
import type { Database, IssuerKeyRow } from '../store/schema.js';
import type { KeyStore } from './keystore.js';
import { makeKey, PrivateKeyCache, PURPOSES, signersOf, type IssuerSigners } from './signing-keys.js';

export type { IssuerSigners } from './signing-keys.js';

/**
 * Each issuer's keys: an Ed25519 key for Data Integrity proofs and a P-256 key for VC-JWT. Rotation retires the
 * active keys (they sign nothing more) and creates new ones; retired keys stay published in the DID document and
 * the JWKS so that every badge they signed keeps verifying.
 */
export class IssuerKeys {
  private readonly privateKeys: PrivateKeyCache;

  constructor(
    private readonly db: Db,
    private readonly store: KeyStore,
    private readonly clock: Clock,
  ) {
    this.privateKeys = new PrivateKeyCache(store);
  }

  /** Creates the missing active keys of an issuer. Safe when several processes call it at once. */
  async ensure(organisationId: string): Promise<void> {
    const active = await activeKeys(this.db, organisationId);
    for (const purpose of PURPOSES) {
      if (active.some((key) => key.purpose === purpose)) continue;
      const key = await makeKey(this.store, this.clock, purpose, organisationId);
      // If another process won the race, its key is the active one and ours stays unused on disk.
      await insertKeyIfNoneActive(this.db, { ...key, organisation_id: organisationId });
    }
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
    return signersOf(this.privateKeys, did, active, `Issuer ${organisationId}`);
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
