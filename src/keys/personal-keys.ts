import type { Clock } from '../shared/clock.js';
import type { Db } from '../store/database.js';
import {
  activePersonalKeys,
  insertPersonalKeyIfNoneActive,
  publishedPersonalKeys,
} from '../store/repositories/peer-recognitions.js';
import type { IssuerKeyRow } from '../store/schema.js';
import type { KeyStore } from './keystore.js';
import { makeKey, PrivateKeyCache, PURPOSES, signersOf, type IssuerSigners } from './signing-keys.js';

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
  private readonly privateKeys: PrivateKeyCache;

  constructor(
    private readonly db: Db,
    private readonly store: KeyStore,
    private readonly clock: Clock,
  ) {
    this.privateKeys = new PrivateKeyCache(store);
  }

  private async ensure(identityId: string): Promise<void> {
    const active = await activePersonalKeys(this.db, identityId);
    for (const purpose of PURPOSES) {
      if (active.some((key) => key.purpose === purpose)) continue;
      const key = await makeKey(this.store, this.clock, purpose, `people-${identityId}`);
      await insertPersonalKeyIfNoneActive(this.db, { ...key, identity_id: identityId });
    }
  }

  /** Signers for the identity's keys, made on first use. */
  async signers(identityId: string, did: string): Promise<IssuerSigners> {
    let active = await activePersonalKeys(this.db, identityId);
    if (active.length < 2) {
      await this.ensure(identityId);
      active = await activePersonalKeys(this.db, identityId);
    }
    return signersOf(this.privateKeys, did, active, `Personal identity ${identityId}`);
  }

  /** Every published key: what the identity's DID document lists (see didDocument). */
  published(identityId: string): Promise<PersonalKeyRow[]> {
    return publishedPersonalKeys(this.db, identityId);
  }
}
