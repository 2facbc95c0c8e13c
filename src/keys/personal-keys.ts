import { randomBytes, type KeyObject } from 'node:crypto';
import { ed25519PublicKeyMultibase, publicJwk } from '../engine/proof/key-formats.js';
import { ed25519Signer, jwtSigner } from '../engine/proof/signer.js';
import type { Clock } from '../shared/clock.js';
import { newId } from '../shared/clock.js';
import type { Db } from '../store/database.js';
import {
  activePersonalKeys,
  insertPersonalKeyIfNoneActive,
  publishedPersonalKeys,
} from '../store/repositories/peer-recognitions.js';
import type { IssuerKeyRow } from '../store/schema.js';
import { KIND, type IssuerSigners } from './issuer-keys.js';
import type { KeyStore } from './keystore.js';

/** A personal key row seen as an issuer key row, so that didDocument() and the signers treat both alike. */
export type PersonalKeyRow = Omit<IssuerKeyRow, 'organisation_id'> & { identity_id: string };

/**
 * The keys of a holder's personal issuer identity (peer recognition, did:web:<host>:people:<slug>): the same two
 * keys as an organisation's (Ed25519 for Data Integrity, P-256 for VC-JWT), in the same key store (files named
 * `people-<identity>-<key>`), but owned by an identity of peer_identity_keys rather than an organisation. The
 * platform keeps them: the holder never handles a key. No rotation: a person's identity signs little, and a
 * compromised one is replaced by revoking what it signed.
 */
export class PersonalKeys {
  private readonly privateKeys = new Map<string, Promise<KeyObject>>();

  constructor(
    private readonly db: Db,
    private readonly store: KeyStore,
    private readonly clock: Clock,
  ) {}

  private async ensure(identityId: string): Promise<void> {
    const active = await activePersonalKeys(this.db, identityId);
    for (const purpose of ['data-integrity', 'jwt'] as const) {
      if (active.some((key) => key.purpose === purpose)) continue;
      const { kind, algorithm, prefix } = KIND[purpose];
      const keyId = `${prefix}-${randomBytes(6).toString('hex')}`;
      const { privateKey, file } = await this.store.create(kind, `people-${identityId}-${keyId}`);
      await insertPersonalKeyIfNoneActive(this.db, {
        id: newId(),
        identity_id: identityId,
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
    }
  }

  private loadPrivate(row: PersonalKeyRow): Promise<KeyObject> {
    let key = this.privateKeys.get(row.id);
    if (!key) {
      key = this.store.load(row.private_key_file);
      key.catch(() => this.privateKeys.delete(row.id));
      this.privateKeys.set(row.id, key);
    }
    return key;
  }

  /** Signers for the identity's keys, made on first use. */
  async signers(identityId: string, did: string): Promise<IssuerSigners> {
    let active = await activePersonalKeys(this.db, identityId);
    if (active.length < 2) {
      await this.ensure(identityId);
      active = await activePersonalKeys(this.db, identityId);
    }
    const di = active.find((k) => k.purpose === 'data-integrity');
    const jwt = active.find((k) => k.purpose === 'jwt');
    if (!di || !jwt) throw new Error(`Personal identity ${identityId} has no active keys`);
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

  /** Every published key: what the identity's DID document lists (see didDocument). */
  published(identityId: string): Promise<PersonalKeyRow[]> {
    return publishedPersonalKeys(this.db, identityId);
  }
}
