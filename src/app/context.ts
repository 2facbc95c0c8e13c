import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { SigningPool } from '../engine/proof/signing-pool.js';
import type { Fetcher } from '../engine/verify/fetcher.js';
import type { VerifyPool } from '../engine/verify/verify-pool.js';
import type { Identifiers } from '../keys/identity.js';
import type { IssuerKeys } from '../keys/issuer-keys.js';
import type { PersonalKeys } from '../keys/personal-keys.js';
import type { Mailer } from '../mail/mailer.js';
import type { Db } from '../store/database.js';
import type { Catalogue } from './catalogue.js';
import type { Clock } from '../shared/clock.js';
import type { Metrics } from './metrics.js';
import type { EmailRenderer } from './presentation.js';

/** Everything a use case may touch, passed in explicitly so that tests build their own. */
export interface AppContext {
  config: Config;
  db: Db;
  dbKind: 'sqlite' | 'postgres';
  clock: Clock;
  ids: Identifiers;
  keys: IssuerKeys;
  /** The keys of holders' personal identities (peer recognition), in the same key store. */
  personalKeys: PersonalKeys;
  /** Signs large batches on every core; absent when BLASON_SIGNING_WORKERS=0. */
  pool?: SigningPool;
  /** Verifies credentials off the request thread, within a computing limit; absent when BLASON_VERIFY_WORKERS=0. */
  verifier?: VerifyPool;
  /** Reaches our own documents in-process and foreign ones through the guarded fetcher. */
  fetcher: Fetcher;
  /** Server-side secret for the pseudonymous recipient key (HMAC of the email); never published. */
  recipientSecret: Buffer;
  catalogue: Catalogue;
  /** Writes e-mails (src/views/emails.ts): a port, so that the use cases never import the views. */
  emails: EmailRenderer;
  log: Logger;
  /** Delivers the outbox; absent without SMTP_URL (messages then wait in the outbox). */
  mailer?: Mailer;
  /** Sends the outbox now rather than at the next tick, for messages someone is waiting for (sign-in codes). */
  sendMailSoon?: () => void;
  /** Counts awards, verifications and e-mails for GET /metrics; absent unless BLASON_METRICS_TOKEN is set. */
  metrics?: Metrics;
}
