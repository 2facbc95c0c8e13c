import type { Verdict } from '../engine/verify/report.js';

/**
 * What the use cases tell the operator's monitoring (GET /metrics, src/http/metrics.ts). A port, so that the
 * use cases know nothing of Prometheus: absent from the context when metrics are off, and nothing is recorded.
 */
export interface Metrics {
  /** Credentials stored by an award (single, bulk, claim, workshop). */
  awarded(count: number): void;
  /** A verification someone asked for (page or API), by its verdict. */
  verified(verdict: Verdict): void;
  /** E-mails put in the outbox, handed to the SMTP server, or refused by it (to be tried again). */
  mail(outcome: 'queued' | 'sent' | 'failed', count?: number): void;
}
