/**
 * VC API exchanges for wallets (issue 15 §2), over a real server: an offer's interaction URL names both protocols,
 * the `vcapi` exchange asks for a DID Authentication, a fresh did:key holder answers with a presentation signed by
 * @digitalbazaar/vc (eddsa-rdfc-2022) over the challenge and domain, and receives the badge bound to its DID, which
 * verifies independently and is revoked with the badge. Then what must be refused.
 */
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { freshDidKey, takeOffer } from '../support/oid4vci-wallet.js';
import { startInProcess, type InProcessService } from '../support/service.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON documents read field by field
type Json = any;

interface Offer {
  offer: string;
  tx_code: string;
  expires_at: string;
  interaction_url: string;
}
interface Request {
  verifiablePresentationRequest: {
    query: { type: string; acceptedMethods: { method: string }[] }[];
    challenge: string;
    domain: string;
  };
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

/** A holder's wallet: a fresh Ed25519 did:key; DID Authentication presentations signed with @digitalbazaar/vc. */
async function newHolder() {
  const keyPair = await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  Object.assign(keyPair, { id: `${did}#${keyPair.publicKeyMultibase}`, controller: did });
  const signer = (keyPair as unknown as { signer(): object }).signer();
  return {
    did,
    didAuthentication: (challenge: string, domain: string): Promise<Record<string, unknown>> =>
      vc.signPresentation({
        presentation: {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiablePresentation'],
          holder: did,
        },
        suite: new DataIntegrityProof({ signer: signer as never, cryptosuite: eddsaRdfc2022 }),
        challenge,
        domain,
        documentLoader: contextLoader,
      }),
  };
}

let people = 0;
async function award(): Promise<string> {
  const res = await issuer.operator.post<{ id: string }>('/api/v1/credentials', {
    achievementId: issuer.achievementId,
    recipient: { email: `portefeuille.${++people}@example.fr` },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function offerFor(credentialId: string): Promise<Offer> {
  const res = await issuer.operator.post<Offer>(`/api/v1/credentials/${credentialId}/offer`);
  expect(res.status).toBe(201);
  return res.body;
}

/** The exchange URL, as a wallet reads it from the interaction URL. */
async function exchangeOf(offer: Offer): Promise<string> {
  const res = await fetch(offer.interaction_url);
  expect(res.status).toBe(200);
  return ((await res.json()) as { protocols: { vcapi: string } }).protocols.vcapi;
}

async function post(url: string, body: unknown): Promise<{ status: number; type: string; body: Json }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
}

async function askRequest(exchange: string): Promise<Request['verifiablePresentationRequest']> {
  const res = await post(exchange, {});
  expect(res.status).toBe(200);
  return (res.body as Request).verifiablePresentationRequest;
}

const verdictOf = async (credential: unknown) =>
  (
    await anyone.post<{ verdict: string }>('/api/v1/verify', JSON.stringify(credential), {
      'content-type': 'application/json',
    })
  ).body.verdict;

describe('a wallet takes a badge through the VC API exchange', () => {
  let credentialId: string;
  let offer: Offer;
  let exchange: string;
  let request: Request['verifiablePresentationRequest'];
  let holder: Awaited<ReturnType<typeof newHolder>>;
  let answer: { status: number; body: Json };

  beforeAll(async () => {
    credentialId = await award();
    offer = await offerFor(credentialId);
    exchange = await exchangeOf(offer);
    request = await askRequest(exchange);
    holder = await newHolder();
    answer = await post(exchange, {
      verifiablePresentation: await holder.didAuthentication(request.challenge, request.domain),
    });
  });

  test('the interaction URL names the vcapi exchange and the same OpenID4VCI offer', async () => {
    expect(offer.interaction_url).toMatch(new RegExp(`^${service.url}/interactions/[A-Za-z0-9_-]{43}\\?iuv=1$`));
    expect(offer.offer).not.toContain(offer.interaction_url.split('/interactions/')[1]!.split('?')[0]!);
    expect(exchange).toMatch(new RegExp(`^${service.url}/exchanges/[A-Za-z0-9_-]{43}$`));
  });

  test('the interaction URL also gives the OpenID4VCI offer, the one shown with the transaction code', async () => {
    const offer = await offerFor(await award());
    const protocols = ((await (await fetch(offer.interaction_url)).json()) as { protocols: Json }).protocols;
    expect(protocols.OID4VCI).toBe(offer.offer);
  });

  test('the exchange asks for a DID Authentication with a challenge and the platform as domain', () => {
    expect(request.query).toEqual([
      expect.objectContaining({
        type: 'DIDAuthentication',
        acceptedMethods: expect.arrayContaining([{ method: 'key' }]),
      }),
    ]);
    expect(request.challenge.length).toBeGreaterThanOrEqual(32);
    expect(request.domain).toBe(new URL(service.url).origin);
  });

  test('the signed presentation is answered with a presentation holding the badge bound to the DID', () => {
    expect(answer.status).toBe(200);
    const credential = answer.body.verifiablePresentation.verifiableCredential[0];
    expect(answer.body.verifiablePresentation.type).toEqual(['VerifiablePresentation']);
    expect(credential.credentialSubject.id).toBe(holder.did);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
  });

  test('the badge received verifies with an independent Data Integrity verifier', async () => {
    const didDocument = (await anyone.get<Record<string, unknown>>('/issuers/bge-hauts-de-france/did.json')).body;
    const credential = answer.body.verifiablePresentation.verifiableCredential[0];
    expect((await verifyIndependently(credential, [didDocument])).verified).toBe(true);
  });

  test('the copy is recorded and audited like an OpenID4VCI one, saying which protocol', async () => {
    const db = service.running.app.db;
    const copy = await db
      .selectFrom('wallet_credentials')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirstOrThrow();
    expect(copy.holder_did).toBe(holder.did);
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'credential.walletIssued')
      .where('target_id', '=', credentialId)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(String(audit.details))).toEqual(expect.objectContaining({ copyId: copy.id, protocol: 'vcapi' }));
  });

  test('revoking the badge revokes the copy received through the exchange', async () => {
    const credential = answer.body.verifiablePresentation.verifiableCredential[0];
    expect(await verdictOf(credential)).toBe('valid');
    expect(
      (await issuer.operator.post(`/api/v1/credentials/${credentialId}/revoke`, { reason: 'erreur' })).status,
    ).toBe(200);
    expect(await verdictOf(credential)).toBe('revoked');
  });
});

describe('what the exchange refuses', () => {
  async function started() {
    const offer = await offerFor(await award());
    const exchange = await exchangeOf(offer);
    return { offer, exchange, request: await askRequest(exchange), holder: await newHolder() };
  }

  test('a presentation signed over another challenge', async () => {
    const { exchange, request, holder } = await started();
    const res = await post(exchange, {
      verifiablePresentation: await holder.didAuthentication('une-autre-epreuve', request.domain),
    });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'presentation.challengeMismatch' })]),
    );
  });

  test('a presentation signed for another domain', async () => {
    const { exchange, request, holder } = await started();
    const res = await post(exchange, {
      verifiablePresentation: await holder.didAuthentication(request.challenge, 'https://ailleurs.example'),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'presentation.domainMismatch' })]),
    );
  });

  test('an unsigned presentation (the right one, its proof taken off)', async () => {
    const { exchange, request, holder } = await started();
    const { proof: _proof, ...unsigned } = await holder.didAuthentication(request.challenge, request.domain);
    const res = await post(exchange, { verifiablePresentation: unsigned });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    // A DID Authentication carries no credential: without its proof, nothing in it proves anything.
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'presentation.empty' })]);
  });

  test('a presentation sent before any challenge was asked for', async () => {
    const offer = await offerFor(await award());
    const exchange = await exchangeOf(offer);
    const holder = await newHolder();
    const res = await post(exchange, {
      verifiablePresentation: await holder.didAuthentication('devinee', new URL(service.url).origin),
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/post \{\} first/);
  });

  test('a second use of the exchange', async () => {
    const { exchange, request, holder } = await started();
    const first = await post(exchange, {
      verifiablePresentation: await holder.didAuthentication(request.challenge, request.domain),
    });
    expect(first.status).toBe(200);
    const again = await post(exchange, {
      verifiablePresentation: await holder.didAuthentication(request.challenge, request.domain),
    });
    expect(again.status).toBe(409);
    expect((await post(exchange, {})).status).toBe(409);
  });

  test('an expired offer', async () => {
    const credentialId = await award();
    const offer = await offerFor(credentialId);
    await service.running.app.db
      .updateTable('credential_offers')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('credential_id', '=', credentialId)
      .execute();
    const exchange = offer.interaction_url.replace('/interactions/', '/exchanges/').replace('?iuv=1', '');
    const res = await post(exchange, {});
    expect(res.status).toBe(410);
    expect((await fetch(offer.interaction_url)).status).toBe(410);
  });

  test('an offer already taken through OpenID4VCI', async () => {
    const offer = await offerFor(await award());
    const exchange = await exchangeOf(offer);
    await takeOffer(offer, await freshDidKey());
    expect((await post(exchange, {})).status).toBe(409);
  });

  test('an offer taken through the exchange cannot be taken again through OpenID4VCI', async () => {
    const { offer, exchange, request, holder } = await started();
    const taken = await post(exchange, {
      verifiablePresentation: await holder.didAuthentication(request.challenge, request.domain),
    });
    expect(taken.status).toBe(200);
    const code = JSON.parse(decodeURIComponent(offer.offer.split('credential_offer=')[1]!)).grants[
      'urn:ietf:params:oauth:grant-type:pre-authorized_code'
    ]['pre-authorized_code'];
    const token = await fetch(`${service.url}/oid4vci/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
        'pre-authorized_code': code,
        tx_code: offer.tx_code,
      }),
    });
    expect(token.status).toBe(400);
    expect(await token.json()).toEqual(expect.objectContaining({ error: 'invalid_grant' }));
  });

  test('an unknown exchange', async () => {
    const res = await post(`${service.url}/exchanges/${'A'.repeat(43)}`, {});
    expect(res.status).toBe(404);
    expect(res.type).toContain('application/problem+json');
    expect((await fetch(`${service.url}/interactions/pas-une-offre?iuv=1`)).status).toBe(404);
  });
});
