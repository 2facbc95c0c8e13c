/**
 * OpenID4VCI 1.0, pre-authorized code flow (issue 15 §1), over a real server, with a maintained OpenID4VCI client
 * library (@openid4vc/openid4vci) as the wallet: an awarded badge is offered, taken with a fresh did:key, arrives
 * with that DID as its subject, verifies with an independent verifier and with Blason's, and is revoked with the
 * badge. Then what must be refused: a second use of the offer, an expired offer, a wrong transaction code, a proof
 * with the wrong nonce or audience, a request without a proof.
 */
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { freshDidJwk, freshDidKey, JWT, LDP, takeOffer, type HolderKey } from '../support/oid4vci-wallet.js';
import { startInProcess, type InProcessService } from '../support/service.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON documents read field by field
type Json = any;

interface Awarded {
  id: string;
  url: string;
  credential: { credentialSubject: { identifier: unknown[] } };
}
interface Offer {
  offer: string;
  tx_code: string;
  expires_at: string;
}

interface Verdict {
  verdict: string;
  checks: { code: string }[];
}

let service: InProcessService;
let anyone: Api;
let issuer: Awaited<ReturnType<typeof setUpIssuer>>;

beforeAll(async () => {
  service = await startInProcess();
  anyone = apiClient(service.url);
  issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
});
afterAll(() => service.stop());

let people = 0;
async function award(): Promise<Awarded> {
  const res = await issuer.operator.post<Awarded>('/api/v1/credentials', {
    achievementId: issuer.achievementId,
    recipient: { email: `porteuse.${++people}@example.fr` },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function offerFor(credentialId: string): Promise<Offer> {
  const res = await issuer.operator.post<Offer>(`/api/v1/credentials/${credentialId}/offer`);
  expect(res.status).toBe(201);
  return res.body;
}

const verify = async (credential: unknown) =>
  (
    await anyone.post<Verdict>(
      '/api/v1/verify',
      typeof credential === 'string' ? credential : JSON.stringify(credential),
      { 'content-type': typeof credential === 'string' ? 'application/jwt' : 'application/json' },
    )
  ).body;

const tokenRequest = (params: Record<string, string>) =>
  fetch(`${service.url}/oid4vci/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
const preAuthorized = (offer: Offer): string => {
  const json = JSON.parse(decodeURIComponent(offer.offer.split('credential_offer=')[1]!));
  return json.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'];
};
const grant = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

describe('the metadata a wallet reads first', () => {
  test('the credential issuer metadata offers OpenBadgeCredential as ldp_vc and jwt_vc_json, named in French and English', async () => {
    const res = await anyone.get<Record<string, Json>>('/.well-known/openid-credential-issuer');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const configurations = res.body.credential_configurations_supported;
    expect(configurations[LDP].format).toBe('ldp_vc');
    expect(configurations[LDP].credential_signing_alg_values_supported).toEqual(['eddsa-rdfc-2022']);
    expect(configurations[JWT].format).toBe('jwt_vc_json');
    expect(configurations[JWT].credential_signing_alg_values_supported).toEqual(['ES256']);
    const locales = configurations[LDP].credential_metadata.display.map((d: { locale: string }) => d.locale);
    expect(locales).toEqual(['fr', 'en']);
    expect(configurations[LDP].credential_metadata.display[0].logo.uri).toMatch(/^http/);
  });

  test('the authorization server metadata it points to names the token endpoint and the pre-authorized grant', async () => {
    const metadata = (await anyone.get<Record<string, Json>>('/.well-known/openid-credential-issuer')).body;
    const server = metadata.authorization_servers[0];
    const res = await fetch(`${server}/.well-known/oauth-authorization-server`);
    const body = (await res.json()) as Record<string, Json>;
    expect(body.issuer).toBe(server);
    expect(body.token_endpoint).toBe(`${service.url}/oid4vci/token`);
    expect(body.grant_types_supported).toContain(grant);
  });
});

describe('an awarded badge taken by a wallet with a fresh did:key', () => {
  let awarded: Awarded;
  let offer: Offer;
  let key: HolderKey;
  let received: Awaited<ReturnType<typeof takeOffer>>;

  beforeAll(async () => {
    awarded = await award();
    offer = await offerFor(awarded.id);
    key = await freshDidKey();
    received = await takeOffer(offer, key);
  });

  test('the offer is an openid-credential-offer:// link without the transaction code, which comes beside it', () => {
    expect(offer.offer).toMatch(/^openid-credential-offer:\/\/\?credential_offer=/);
    expect(offer.tx_code).toMatch(/^\d{6}$/);
    expect(decodeURIComponent(offer.offer)).not.toContain(offer.tx_code);
    expect(Date.parse(offer.expires_at)).toBeGreaterThan(Date.now());
  });

  test("the credential's subject is the wallet's DID, and the hashed e-mail identifier stays", () => {
    const credential = received.credential as Record<string, Json>;
    expect(credential.credentialSubject.id).toBe(key.did);
    expect(credential.credentialSubject.identifier).toEqual(awarded.credential.credentialSubject.identifier);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.id).not.toBe(awarded.url);
  });

  test('it verifies with an independent Data Integrity verifier', async () => {
    const didDocument = (await anyone.get<Record<string, unknown>>('/issuers/bge-hauts-de-france/did.json')).body;
    const outcome = await verifyIndependently(received.credential, [didDocument]);
    expect(outcome.verified).toBe(true);
  });

  test("it verifies with Blason's verifier, POST /api/v1/verify", async () => {
    expect((await verify(received.credential)).verdict).toBe('valid');
  });

  test('the operator sees it listed beside the original badge', async () => {
    const res = await issuer.operator.get<{ copies: { holderDid: string; format: string; state: string }[] }>(
      `/api/v1/credentials/${awarded.id}/wallet-copies`,
    );
    expect(res.status).toBe(200);
    expect(res.body.copies).toEqual([
      expect.objectContaining({ holderDid: key.did, format: 'ldp_vc', state: 'active' }),
    ]);
  });

  test('the wallet can tell the issuer it accepted the credential', async () => {
    const notificationId = (received.credentialResponse as { notification_id: string }).notification_id;
    await expect(
      received.client.sendNotification({
        issuerMetadata: received.issuerMetadata,
        accessToken: received.accessToken,
        notification: { notificationId, event: 'credential_accepted' },
      }),
    ).resolves.toBeDefined();
  });

  test('a second use of the same offer is refused', async () => {
    const res = await tokenRequest({
      grant_type: grant,
      'pre-authorized_code': preAuthorized(offer),
      tx_code: offer.tx_code,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
  });

  test("erasing the holder's data makes the platform forget the wallet copy and its DID", async () => {
    const other = await award();
    const otherKey = await freshDidKey();
    await takeOffer(await offerFor(other.id), otherKey);
    const pending = await offerFor(other.id);
    expect((await issuer.operator.post(`/api/v1/credentials/${other.id}/erase`, {})).status).toBe(200);
    const db = service.running.app.db;
    const copies = await db
      .selectFrom('wallet_credentials')
      .selectAll()
      .where('credential_id', '=', other.id)
      .execute();
    expect(copies).toHaveLength(1);
    expect(JSON.stringify(copies)).not.toContain(otherKey.did);
    expect(copies[0]!.credential_json).toBe('{}');
    const offers = await db
      .selectFrom('credential_offers')
      .select('used_at')
      .where('credential_id', '=', other.id)
      .execute();
    expect(offers.every((o) => o.used_at !== null)).toBe(true);
    expect(preAuthorized(pending)).toBeTruthy();
  });

  test('suspending the badge suspends the copy in the wallet, and lifting it lifts both', async () => {
    expect((await issuer.operator.post(`/api/v1/credentials/${awarded.id}/suspend`, {})).status).toBe(200);
    expect((await verify(received.credential)).verdict).toBe('suspended');
    expect((await issuer.operator.post(`/api/v1/credentials/${awarded.id}/unsuspend`, {})).status).toBe(200);
    expect((await verify(received.credential)).verdict).toBe('valid');
  });

  test('revoking the badge revokes the copy in the wallet', async () => {
    const revoked = await issuer.operator.post(`/api/v1/credentials/${awarded.id}/revoke`, { reason: 'erreur' });
    expect(revoked.status).toBe(200);
    expect((await verify(received.credential)).verdict).toBe('revoked');
  });
});

describe('the JWT form, with a P-256 did:jwk', () => {
  test('the wallet receives a VC-JWT signed ES256 whose sub and subject are its DID', async () => {
    const awarded = await award();
    const key = freshDidJwk();
    const { credential } = await takeOffer(await offerFor(awarded.id), key, JWT);
    expect(typeof credential).toBe('string');
    expect(decodeProtectedHeader(credential as string).alg).toBe('ES256');
    const claims = decodeJwt(credential as string) as { sub: string; credentialSubject: { id: string } };
    expect(claims.sub).toBe(key.did);
    expect(claims.credentialSubject.id).toBe(key.did);
    expect((await verify(credential)).verdict).toBe('valid');
  });
});

describe('what the token endpoint refuses', () => {
  test('an expired offer', async () => {
    const awarded = await award();
    const offer = await offerFor(awarded.id);
    await service.running.app.db
      .updateTable('credential_offers')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('credential_id', '=', awarded.id)
      .execute();
    const res = await tokenRequest({
      grant_type: grant,
      'pre-authorized_code': preAuthorized(offer),
      tx_code: offer.tx_code,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(
      expect.objectContaining({ error: 'invalid_grant', error_description: expect.stringMatching(/expired/) }),
    );
  });

  test('a wrong transaction code', async () => {
    const offer = await offerFor((await award()).id);
    const wrong = offer.tx_code === '000000' ? '000001' : '000000';
    const res = await tokenRequest({ grant_type: grant, 'pre-authorized_code': preAuthorized(offer), tx_code: wrong });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
  });

  test('the right transaction code after five wrong ones', async () => {
    const offer = await offerFor((await award()).id);
    const wrong = offer.tx_code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++)
      await tokenRequest({ grant_type: grant, 'pre-authorized_code': preAuthorized(offer), tx_code: wrong });
    const res = await tokenRequest({
      grant_type: grant,
      'pre-authorized_code': preAuthorized(offer),
      tx_code: offer.tx_code,
    });
    expect(res.status).toBe(400);
  });

  test('a request without the transaction code', async () => {
    const offer = await offerFor((await award()).id);
    const res = await tokenRequest({ grant_type: grant, 'pre-authorized_code': preAuthorized(offer) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('what the credential endpoint refuses', () => {
  async function tokenFor(): Promise<string> {
    const offer = await offerFor((await award()).id);
    const res = await tokenRequest({
      grant_type: grant,
      'pre-authorized_code': preAuthorized(offer),
      tx_code: offer.tx_code,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  async function nonce(): Promise<string> {
    return ((await (await fetch(`${service.url}/oid4vci/nonce`, { method: 'POST' })).json()) as { c_nonce: string })
      .c_nonce;
  }
  async function proof(key: HolderKey, claims: { aud?: string; nonce?: string }): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, typ: 'openid4vci-proof+jwt', kid: key.didUrl })
      .setIssuedAt()
      .sign(key.privateKey);
  }
  async function request(token: string, body: unknown) {
    const res = await fetch(`${service.url}/oid4vci/credential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error: string } };
  }

  test('a proof whose nonce was not handed out by the nonce endpoint', async () => {
    const key = await freshDidKey();
    const jwt = await proof(key, { aud: service.url, nonce: 'made-up' });
    const res = await request(await tokenFor(), { credential_configuration_id: LDP, proofs: { jwt: [jwt] } });
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_nonce' }) });
  });

  test('a proof addressed to another issuer', async () => {
    const key = await freshDidKey();
    const jwt = await proof(key, { aud: 'https://other-issuer.example', nonce: await nonce() });
    const res = await request(await tokenFor(), { credential_configuration_id: LDP, proofs: { jwt: [jwt] } });
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_proof' }) });
  });

  test('a proof signed by another key than the one it names', async () => {
    const key = await freshDidKey();
    const other = await freshDidKey();
    const jwt = await proof({ ...other, didUrl: key.didUrl }, { aud: service.url, nonce: await nonce() });
    const res = await request(await tokenFor(), { credential_configuration_id: LDP, proofs: { jwt: [jwt] } });
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_proof' }) });
  });

  test('a request without a proof', async () => {
    const res = await request(await tokenFor(), { credential_configuration_id: LDP });
    expect(res).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_proof' }) });
  });

  test('a request without an access token', async () => {
    const res = await fetch(`${service.url}/oid4vci/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential_configuration_id: LDP }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
  });
});

describe('offers an operator cannot make', () => {
  test("another organisation's badge is not found", async () => {
    const other = await setUpIssuer(apiClient(service.url, service.token), service.url, 'Autre Organisme');
    const awarded = await award();
    const res = await other.operator.post(`/api/v1/credentials/${awarded.id}/offer`);
    expect(res.status).toBe(404);
  });

  test('a revoked badge cannot be offered', async () => {
    const awarded = await award();
    await issuer.operator.post(`/api/v1/credentials/${awarded.id}/revoke`, {});
    const res = await issuer.operator.post(`/api/v1/credentials/${awarded.id}/offer`);
    expect(res.status).toBe(409);
  });
});
