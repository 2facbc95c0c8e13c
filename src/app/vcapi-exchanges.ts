import { randomBytes } from 'node:crypto';
import { VC_V2 } from '../engine/model/contexts.js';
import type { OpenBadgeCredential } from '../engine/model/types.js';
import { claimForExchange, setExchangeChallenge } from '../store/repositories/credential-offers.js';
import type { CredentialOfferRow } from '../store/schema.js';
import type { AppContext } from './context.js';
import { AppError, conflict, notFound } from './errors.js';
import { checkInput } from './input-schemas.js';
import { codeOfExchange, findOfferOfExchange, issueWalletCopy, offerLinkOf } from './openid4vci.js';
import { verifyPresentationReport } from './vc-api.js';

/**
 * VC API exchanges for wallets (issue 15 §2, the VC API's "exchanges" as VCALM describes them). Each offer made
 * for OpenID4VCI (src/app/openid4vci.ts) is also one exchange: its interaction URL tells a wallet both ways to
 * take it, and the `vcapi` way is a DID Authentication. The wallet posts `{}` and gets a presentation request
 * (a fresh challenge, the platform's origin as domain); it answers with a presentation signed by its DID over
 * both, and receives the badge's copy bound to that DID, made by the same function as for OpenID4VCI.
 *
 * The exchange id is the offer's exchange secret (32 random bytes), not its row id, which audit entries show.
 * An exchange asks for no transaction code: the secret itself is what proves the wallet was handed the offer,
 * so it is shown only to whoever made the offer (the signed-in holder, the operator), never inside the QR code.
 * One offer, one use: whichever protocol takes it first, the other is refused.
 */

/** Long enough to sign a presentation on a phone, short enough that a stray challenge soon dies. */
const CHALLENGE_TTL_MS = 5 * 60_000;
/** An exchange secret: 32 bytes in base64url. Anything else is not one of ours. */
const EXCHANGE_SECRET = /^[A-Za-z0-9_-]{43}$/;

/** What GET /interactions/{id}?iuv=1 answers: the protocols a wallet may use for this offer. */
export interface InteractionProtocols {
  protocols: { vcapi: string; OID4VCI: string };
}

/** The DID Authentication request (VCALM's verifiablePresentationRequest), the answer to the first step. */
export interface PresentationRequestAnswer {
  verifiablePresentationRequest: {
    query: {
      type: 'DIDAuthentication';
      acceptedMethods: { method: 'key' | 'jwk' | 'web' }[];
      acceptedCryptosuites: { cryptosuite: 'eddsa-rdfc-2022' }[];
    }[];
    challenge: string;
    domain: string;
  };
}

/** The answer to the second step: a presentation (not signed: the credential in it carries its own proof). */
export interface IssuedPresentationAnswer {
  verifiablePresentation: {
    '@context': string[];
    type: ['VerifiablePresentation'];
    verifiableCredential: OpenBadgeCredential[];
  };
}

export type ExchangeAnswer = PresentationRequestAnswer | IssuedPresentationAnswer;

export function exchangeUrlOf(app: AppContext, secret: string): string {
  return `${app.ids.origin}/exchanges/${secret}`;
}

/** The offer an exchange secret names, still open: refused when unknown, used by either protocol, or expired. */
async function openOffer(app: AppContext, secret: string): Promise<CredentialOfferRow> {
  const offer = EXCHANGE_SECRET.test(secret) ? await findOfferOfExchange(app, secret) : undefined;
  if (!offer) throw notFound('This exchange');
  if (offer.used_at || offer.issued_credential_id)
    throw conflict('This offer was already used to add the badge to a wallet: ask for a new one.');
  if (Date.parse(offer.expires_at) <= app.clock.now().getTime())
    throw new AppError(410, 'link-expired', 'This offer has expired: ask for a new one.');
  return offer;
}

/** GET /interactions/{id}?iuv=1: the two ways a wallet can take this offer. */
export async function interactionProtocols(app: AppContext, secret: string): Promise<InteractionProtocols> {
  await openOffer(app, secret);
  return {
    protocols: { vcapi: exchangeUrlOf(app, secret), OID4VCI: offerLinkOf(app, codeOfExchange(secret)) },
  };
}

/** POST /exchanges/{id}: `{}` starts the exchange, the signed presentation ends it with the badge. */
export async function participateInExchange(app: AppContext, secret: string, body: unknown): Promise<ExchangeAnswer> {
  checkInput('vcapi-exchange.json', body);
  const offer = await openOffer(app, secret);
  return body.verifiablePresentation === undefined
    ? askForDidAuthentication(app, offer)
    : issueForPresentation(app, offer, body.verifiablePresentation);
}

async function askForDidAuthentication(app: AppContext, offer: CredentialOfferRow): Promise<PresentationRequestAnswer> {
  const challenge = randomBytes(24).toString('base64url');
  const now = app.clock.now().getTime();
  const expiresAt = new Date(Math.min(now + CHALLENGE_TTL_MS, Date.parse(offer.expires_at))).toISOString();
  // A new request replaces the previous challenge: only the last one asked for can be answered.
  if (
    !(await setExchangeChallenge(app.db, offer.id, {
      exchange_challenge: challenge,
      exchange_challenge_expires_at: expiresAt,
    }))
  )
    throw conflict('This offer was already used to add the badge to a wallet: ask for a new one.');
  return {
    verifiablePresentationRequest: {
      query: [
        {
          type: 'DIDAuthentication',
          acceptedMethods: [{ method: 'key' }, { method: 'jwk' }, { method: 'web' }],
          acceptedCryptosuites: [{ cryptosuite: 'eddsa-rdfc-2022' }],
        },
      ],
      challenge,
      domain: app.ids.origin,
    },
  };
}

async function issueForPresentation(
  app: AppContext,
  offer: CredentialOfferRow,
  presentation: Record<string, unknown>,
): Promise<IssuedPresentationAnswer> {
  const challenge = offer.exchange_challenge;
  const expiresAt = offer.exchange_challenge_expires_at;
  if (!challenge || !expiresAt || Date.parse(expiresAt) <= app.clock.now().getTime())
    throw new AppError(
      400,
      'bad-request',
      'No challenge is waiting for this exchange (or it expired): post {} first to get one, then sign over it.',
    );
  // Challenge and domain are both asked: an unsigned presentation, or one signed for another exchange, fails.
  const report = await verifyPresentationReport(
    app,
    { credential: presentation },
    { challenge, domain: app.ids.origin },
  );
  const holder = report.holder;
  if (!report.verified || !report.signed || !holder?.startsWith('did:')) {
    const errors = report.checks
      .filter((check) => check.outcome === 'failed')
      .map((check) => ({ code: check.code, message: check.message }));
    throw new AppError(
      400,
      'bad-request',
      'The presentation does not prove your DID: sign it with your wallet key over the challenge and domain ' +
        `asked for. ${errors.map((error) => error.message).join(' ')}`.trim(),
      { errors },
    );
  }
  const copy = await issueWalletCopy(app, offer, holder, 'ldp_vc', 'vcapi', (trx, copyId) =>
    claimForExchange(trx, offer.id, { used_at: app.clock.now().toISOString(), issued_credential_id: copyId }),
  );
  if (copy === 'denied') throw conflict('This badge was revoked or erased: it cannot be added to a wallet.');
  if (copy === 'used') throw conflict('This offer was already used to add the badge to a wallet: ask for a new one.');
  return {
    verifiablePresentation: {
      '@context': [VC_V2],
      type: ['VerifiablePresentation'],
      verifiableCredential: [copy.signed],
    },
  };
}
