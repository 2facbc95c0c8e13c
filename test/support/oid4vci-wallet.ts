/**
 * A wallet for the OpenID4VCI tests: the maintained client library @openid4vc/openid4vci drives the flow, with
 * node:crypto and jose for hashing, randomness and signing, and a fresh holder key (did:key or did:jwk).
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { Openid4vciClient, setGlobalConfig } from '@openid4vc/openid4vci';
import { SignJWT, type JWK } from 'jose';

// The test service speaks plain HTTP on loopback; a real deployment is HTTPS only.
setGlobalConfig({ allowInsecureUrls: true });

export const LDP = 'OpenBadgeCredential_ldp_vc';
export const JWT = 'OpenBadgeCredential_jwt_vc_json';

/** A holder key: a fresh Ed25519 did:key, or a P-256 did:jwk. */
export interface HolderKey {
  did: string;
  didUrl: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: KeyObject;
  publicJwk: JWK;
}

export async function freshDidKey(): Promise<HolderKey> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  // The multibase encoding by Digital Bazaar's library, not Blason's.
  const { publicKeyMultibase } = await Ed25519Multikey.fromJwk({ jwk: publicJwk as never });
  const did = `did:key:${publicKeyMultibase}`;
  return { did, didUrl: `${did}#${publicKeyMultibase}`, alg: 'EdDSA', privateKey, publicJwk };
}

export function freshDidJwk(): HolderKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' }) as JWK;
  const publicJwk = { kty, crv, x, y } as JWK;
  const did = `did:jwk:${Buffer.from(JSON.stringify(publicJwk)).toString('base64url')}`;
  return { did, didUrl: `${did}#0`, alg: 'ES256', privateKey, publicJwk };
}

/** The wallet: the library's client, with node:crypto and jose for hashing, randomness and signing. */
export function wallet(key: HolderKey): Openid4vciClient {
  return new Openid4vciClient({
    callbacks: {
      hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
      generateRandom: (length) => randomBytes(length),
      signJwt: async (_signer, jwt) => ({
        jwt: await new SignJWT(jwt.payload).setProtectedHeader(jwt.header).sign(key.privateKey),
        signerJwk: key.publicJwk as never,
      }),
      // A public wallet: the pre-authorized code grant needs no client authentication.
      clientAuthentication: () => undefined,
    },
  });
}

/** The whole flow as a wallet runs it, from the offer link to the credential response. */
export async function takeOffer(offer: { offer: string; tx_code: string }, key: HolderKey, configuration = LDP) {
  const client = wallet(key);
  const credentialOffer = await client.resolveCredentialOffer(offer.offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer,
    issuerMetadata,
    txCode: offer.tx_code,
  });
  const { c_nonce } = await client.requestNonce({ issuerMetadata });
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: configuration,
    signer: { method: 'did', didUrl: key.didUrl, alg: key.alg },
    nonce: c_nonce,
  });
  const { credentialResponse } = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configuration,
    proofs: { jwt: [jwt] },
  });
  const credential = (credentialResponse as { credentials?: { credential: unknown }[] }).credentials?.[0]?.credential;
  return { client, issuerMetadata, accessToken: accessTokenResponse.access_token, credentialResponse, credential };
}
