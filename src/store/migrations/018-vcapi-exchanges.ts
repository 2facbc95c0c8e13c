import type { Kysely } from 'kysely';

/**
 * VC API exchanges for wallets (issue 15 §2): an OpenID4VCI offer can also be taken through a VC API exchange,
 * where the wallet proves its DID by signing a presentation over a challenge Blason gave it. The challenge is kept
 * on the offer (one offer, one exchange) with the time it stops being accepted. It is no secret: only a signature
 * by the holder's key over it counts, so it is kept plain.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('credential_offers').addColumn('exchange_challenge', 'text').execute();
  await db.schema.alterTable('credential_offers').addColumn('exchange_challenge_expires_at', 'text').execute();
}
