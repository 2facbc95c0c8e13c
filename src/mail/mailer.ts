import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../store/database.js';
import { claimDue, markFailed, markSent, releaseClaims } from '../store/repositories/outbox.js';

export interface MailMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
}

/** Hands one message to a mail server; rejects when the server refuses it or cannot be reached. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Closes pooled connections (on shutdown). */
  close?(): void;
}

const SMTP_PROTOCOLS = new Set(['smtp:', 'smtps:']);

/**
 * A mailer over SMTP: `smtp://host:port` (STARTTLS when the server offers it) or `smtps://user:pass@host:port`
 * (TLS from the start); user and password are URL-encoded. Query options: `ignoreTLS=true` (never STARTTLS, for
 * local test servers), `requireTLS=true` (refuse to send without STARTTLS), `rejectUnauthorized=false` (accept a
 * self-signed certificate).
 */
export function smtpMailer(url: string): Mailer {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('SMTP_URL is not a URL (expected smtp://host:port or smtps://user:password@host:port)');
  }
  if (!SMTP_PROTOCOLS.has(parsed.protocol) || !parsed.hostname)
    throw new Error('SMTP_URL must be smtp://host:port or smtps://user:password@host:port');
  const secure = parsed.protocol === 'smtps:';
  const flag = (name: string) => parsed.searchParams.get(name) === 'true';
  const transport = nodemailer.createTransport({
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    ...(parsed.username
      ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } }
      : {}),
    ignoreTLS: flag('ignoreTLS'),
    requireTLS: flag('requireTLS'),
    ...(parsed.searchParams.get('rejectUnauthorized') === 'false' ? { tls: { rejectUnauthorized: false } } : {}),
    // One connection per process, reused across messages; short timeouts, since the outbox retries anyway.
    pool: true,
    maxConnections: 1,
    maxMessages: 100,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(message) {
      await transport.sendMail({
        from: message.from,
        // An address object, never a string nodemailer would split on commas into several recipients.
        to: { name: '', address: message.to },
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
    close() {
      transport.close();
    },
  };
}

export interface SenderContext {
  db: Db;
  clock: Clock;
  log: Logger;
  config: { mailFrom: string };
  /** Counts what was sent (the app's Metrics port fits); named here so that src/mail never imports src/app. */
  metrics?: { mail(outcome: 'sent' | 'failed'): void };
}

/**
 * Sends the outbox: claims due messages (never the same message as another process), hands them to the mailer
 * one at a time and records each outcome. Runs on a timer that never throws and never keeps the process alive.
 */
export class OutboxSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly batchSize: number;

  constructor(
    private readonly app: SenderContext,
    private readonly mailer: Mailer,
    options: { batchSize?: number } = {},
  ) {
    this.batchSize = options.batchSize ?? 20;
  }

  start(intervalMs: number): void {
    clearTimeout(this.timer);
    this.stopped = false;
    const tick = () => {
      this.flush()
        .catch((error: unknown) =>
          this.app.log.error(
            { error: error instanceof Error ? error.message : String(error) },
            'outbox: sending failed',
          ),
        )
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, intervalMs);
          this.timer.unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for the message in hand; messages claimed but not yet tried go back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running.catch(() => undefined);
  }

  /** Sends every message due now. Calls are queued one after the other, never run side by side. */
  flush(): Promise<{ sent: number; failed: number }> {
    const run = this.running.catch(() => undefined).then(() => this.drain());
    this.running = run;
    return run;
  }

  private async drain(): Promise<{ sent: number; failed: number }> {
    const totals = { sent: 0, failed: 0 };
    while (!this.stopped) {
      const batch = await claimDue(this.app.db, this.batchSize, this.app.clock.now());
      for (const [i, message] of batch.entries()) {
        if (this.stopped) {
          await releaseClaims(
            this.app.db,
            batch.slice(i).map((m) => m.id),
          );
          return totals;
        }
        try {
          await this.mailer.send({
            to: message.to_email,
            from: this.app.config.mailFrom,
            subject: message.subject,
            text: message.text_body,
            html: message.html_body,
          });
        } catch (error) {
          totals.failed++;
          this.app.metrics?.mail('failed');
          // The message only: the error may carry the address, which the logs must not keep.
          this.app.log.warn({ outboxId: message.id, attempt: message.attempts + 1 }, 'outbox: message not sent');
          await markFailed(this.app.db, message.id, error);
          continue;
        }
        totals.sent++;
        this.app.metrics?.mail('sent');
        await markSent(this.app.db, message.id, this.app.clock.now());
      }
      if (batch.length < this.batchSize) break;
    }
    return totals;
  }
}
