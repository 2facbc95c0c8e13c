import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pino } from 'pino';
import { loadConfig, type Config } from './config.js';
import { ensurePlatformAdmin, recipientSecret } from './app/bootstrap.js';
import { loadCatalogue } from './app/catalogue.js';
import { seedDefaults } from './app/seed.js';
import { startReminders } from './app/reminders.js';
import { systemClock, type Clock } from './shared/clock.js';
import type { AppContext } from './app/context.js';
import { localFirstFetcher } from './app/local-fetcher.js';
import { statusListFill } from './app/operations.js';
import { SigningPool } from './engine/proof/signing-pool.js';
import { VerifyPool } from './engine/verify/verify-pool.js';
import { createHttpApp } from './http/server.js';
import { htmlPages } from './http/pages.js';
import { PrometheusMetrics } from './http/metrics.js';
import { requestIdMixin } from './http/request-id.js';
import { createOAuthProvider } from './oauth/provider.js';
import { Identifiers } from './keys/identity.js';
import { IssuerKeys } from './keys/issuer-keys.js';
import { fileKeyStore } from './keys/keystore.js';
import { PersonalKeys } from './keys/personal-keys.js';
import { OutboxSender, smtpMailer } from './mail/mailer.js';
import { guardedFetcher } from './net/guarded-fetch.js';
import { migrate, openStore, type Store } from './store/database.js';
import { emailRenderer } from './views/emails.js';

/** How often each process looks for reminders to send (they are counted in days). */
const REMINDER_INTERVAL_MS = 10 * 60_000;

export interface Running {
  app: AppContext;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Builds the application context: database (migrated), keys, fetchers, signing pool. */
export async function createApp(
  config: Config,
  clock: Clock = systemClock,
): Promise<{ app: AppContext; store: Store }> {
  const log = pino({
    level: config.logLevel,
    base: undefined,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    // Lines written while answering a request carry its id (src/http/request-id.ts).
    mixin: requestIdMixin,
  });
  const store = openStore(config.database);
  await migrate(store.db);
  const keyStore = fileKeyStore(config.keysDir, config.keysPassphrase);
  const keys = new IssuerKeys(store.db, keyStore, clock);
  const remote = guardedFetcher({
    allowHosts: config.fetchAllowHosts,
    insecureHttpHosts: config.fetchInsecureHttpHosts,
    ...(config.fetchCaFile ? { ca: [readFileSync(config.fetchCaFile, 'utf8')] } : {}),
  });
  const base = {
    config,
    db: store.db,
    dbKind: store.kind,
    clock,
    log,
    keys,
    personalKeys: new PersonalKeys(store.db, keyStore, clock),
    ids: new Identifiers(config.baseUrl),
    recipientSecret: await recipientSecret(store.db),
    catalogue: loadCatalogue(),
    emails: emailRenderer,
    ...(config.signingWorkers > 0 ? { pool: new SigningPool(config.signingWorkers) } : {}),
    // Its threads start with the first verification: most processes (CLI commands, tests) never verify.
    ...(config.verifyWorkers > 0
      ? { verifier: new VerifyPool({ size: config.verifyWorkers, cpuLimitMs: config.verifyCpuLimitMs }) }
      : {}),
    ...(config.smtpUrl ? { mailer: smtpMailer(config.smtpUrl) } : {}),
    ...(config.metricsToken
      ? {
          metrics: new PrometheusMetrics({
            statusLists: () => statusListFill(store),
            ...(store.poolStats ? { pool: store.poolStats } : {}),
          }),
        }
      : {}),
  };
  const app: AppContext = { ...base, fetcher: localFirstFetcher(base, remote) };
  return { app, store };
}

/** Starts the service: migrations, admin bootstrap, HTTP. Stops gracefully: in-flight requests finish. */
export async function start(config: Config = loadConfig(), clock?: Clock): Promise<Running> {
  const { app, store } = await createApp(config, clock);
  await seedDefaults(app);
  const { generatedToken, passwordLink } = await ensurePlatformAdmin(app);
  if (generatedToken) {
    // Printed once, on the very first start; only its hash is stored.
    console.log(`\nPlatform administrator API token (shown once, keep it safe):\n  ${generatedToken}\n`);
    if (passwordLink)
      console.log(
        `Choose the administrator's console password (${config.adminEmail}), link valid 7 days:\n  ${passwordLink}\n`,
      );
  }
  const http = createHttpApp(app, htmlPages(app), await createOAuthProvider(app));
  const server = createServer(http);
  server.keepAliveTimeout = 5_000;
  // A client has a minute to send its whole request (the largest, a 5 MB spreadsheet, needs seconds): a body
  // dripped byte by byte cannot hold a connection for Node's default five minutes.
  server.requestTimeout = 60_000;
  // Requests still being answered when a stop begins: their responses say "Connection: close", so that the
  // client does not send another request on a connection that is about to go (see stop()).
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  // Without SMTP there is no sender: messages wait in the outbox, where the console shows them.
  const sender = app.mailer ? new OutboxSender(app, app.mailer) : undefined;
  sender?.start(2_000);
  if (sender) app.sendMailSoon = () => void sender.flush().catch(() => undefined);
  // Reminders for badges never opened go to the outbox, with or without SMTP; a run never repeats one.
  const reminders = startReminders(app, REMINDER_INTERVAL_MS);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  app.log.info({ url, baseUrl: config.baseUrl.origin, database: store.kind }, 'Blason is listening');
  let stopping: Promise<void> | undefined;
  // Graceful: stop listening (new connections are refused), let in-flight requests finish, and close each
  // keep-alive connection as soon as it is idle; server.close() alone would wait for the clients to hang up.
  const stop = () =>
    (stopping ??= (async () => {
      closing = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(sweeper);
      await reminders.stop();
      await sender?.stop();
      app.mailer?.close?.();
      await app.pool?.close();
      await app.verifier?.close();
      await store.close();
    })());
  return { app, server, url, stop };
}

/**
 * Runs the service as a process (`node dist/main.js`, `blason serve`): configured by the environment, stopped
 * gracefully by SIGTERM or SIGINT, exiting 1 when it cannot start.
 */
export function runService(): void {
  start().then(
    (running) => {
      const shutdown = (signal: string) => {
        running.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
        setTimeout(() => process.exit(1), 15_000).unref();
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    },
    (error: Error) => {
      console.error(`Blason could not start: ${error.message}`);
      process.exit(1);
    },
  );
}

const isEntryPoint =
  import.meta.url === `file://${process.argv[1]}` ||
  process.argv[1]?.endsWith('/main.js') ||
  process.argv[1]?.endsWith('/main.ts');
if (isEntryPoint) runService();
