import { availableParallelism } from 'node:os';
import path from 'node:path';
import { DEFAULT_VERIFY_CPU_LIMIT_MS } from './engine/verify/verify-pool.js';

/**
 * Every environment variable Blason reads, parsed and checked in one place. Nothing else reads process.env.
 */
export interface Config {
  port: number;
  host: string;
  /** Public origin used in every identifier (DIDs, credential ids, links). No trailing slash. */
  baseUrl: URL;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  dataDir: string;
  keysDir: string;
  /** Optional passphrase: private keys are then written encrypted (PKCS#8, AES-256-CBC). */
  keysPassphrase?: string;
  adminToken?: string;
  /** The platform administrator's sign-in email, and optionally their console password (else a link is printed). */
  adminEmail: string;
  adminPassword?: string;
  /**
   * The platform's contact address, given where a standard requires one and the organisation has none (an Open
   * Badges 2.0 Issuer must have an email). Defaults to the administrator's.
   */
  contactEmail: string;
  /** Hosts the verifier may fetch from although they are private (tests, intranets). */
  fetchAllowHosts: string[];
  /** Hosts fetched over plain HTTP although the URL says https (local test servers only). */
  fetchInsecureHttpHosts: string[];
  /** A PEM file of certificate authorities the verifier trusts besides the usual roots (intranets, tests). */
  fetchCaFile?: string;
  /** Hosts whose OAuth clients may register plain-HTTP redirect URIs (local test backpacks only). */
  oauthInsecureRedirectHosts: string[];
  /** Lifetime of OAuth access tokens, in seconds (OB 3.0 recommends one hour). */
  oauthAccessTokenTtl: number;
  logLevel: string;
  /** BLASON_TRUST_PROXY=true: behind one reverse proxy, whose X-Forwarded-* headers are believed. */
  trustProxy: boolean;
  smtpUrl?: string;
  mailFrom: string;
  /** Requests per minute per client on public endpoints (verify, pages). */
  publicRateLimit: number;
  /** Sign-in attempts (console and holder space) a minute per client address. */
  signInRateLimit: number;
  /** OAuth client registrations a minute per client (unauthenticated, as OB 3.0 requires). */
  registrationRateLimit: number;
  /** Size of the signing worker pool; 0 signs in the request's own thread. */
  signingWorkers: number;
  /**
   * Threads that verify credentials (started when first needed), so that a hostile one cannot stall the service;
   * 0 verifies in the request's own thread, without any time limit.
   */
  verifyWorkers: number;
  /** Computing time, in ms, one verification may use on its thread before it is stopped and refused. */
  verifyCpuLimitMs: number;
  /** Seed the default EntreComp catalogue on start. */
  seedCatalogue: boolean;
  /** The bearer token GET /metrics requires; without one, there are no metrics at all (404). */
  metricsToken?: string;
  /**
   * Peer recognition (holders recognising each other): BLASON_PEER_RECOGNITION=false turns it off for the whole
   * platform (the platform administrator can also turn it off in the console); at most dailyLimit sent a day by
   * one person (BLASON_PEER_RECOGNITION_DAILY_LIMIT, 5 by default).
   */
  peerRecognition: { enabled: boolean; dailyLimit: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function integer(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer ≥ ${min} (got "${value}")`);
  return n;
}

/**
 * The administrator's own API token: any strong secret as people make one (`openssl rand -hex 32`, a password
 * manager's). Refused at start, naming the variable, rather than accepted and then answered 401 for ever.
 */
function adminToken(value: string): string {
  if (!/^[\x21-\x7e]{32,200}$/.test(value)) {
    throw new ConfigError(
      'BLASON_ADMIN_TOKEN must be 32 to 200 printable characters without spaces (for example the output of ' +
        '"openssl rand -hex 32")',
    );
  }
  return value;
}

/** Like the administrator's token, a secret that cannot be guessed; it only lets one read the metrics. */
function metricsToken(value: string): string {
  if (!/^[\x21-\x7e]{16,200}$/.test(value)) {
    throw new ConfigError(
      'BLASON_METRICS_TOKEN must be 16 to 200 printable characters without spaces ' +
        '(for example the output of "openssl rand -hex 32")',
    );
  }
  return value;
}

/** A published address: refused at start when it is not one, rather than shown in every OB 2.0 Issuer. */
function contactEmail(value: string | undefined, fallback: string): string {
  const email = (value ?? '').trim();
  if (!email) return fallback;
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email) || email.length > 254) {
    throw new ConfigError(`BLASON_CONTACT_EMAIL is not an e-mail address: ${email}`);
  }
  return email;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer('PORT', env.PORT, 3000);
  let baseUrl: URL;
  try {
    baseUrl = new URL(env.BLASON_BASE_URL ?? `http://localhost:${port}`);
  } catch {
    throw new ConfigError(`BLASON_BASE_URL is not a URL: ${env.BLASON_BASE_URL}`);
  }
  const adminEmail = (env.BLASON_ADMIN_EMAIL ?? 'admin@blason.local').trim().toLowerCase();
  if (baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash)
    throw new ConfigError('BLASON_BASE_URL must be an origin, without a path (e.g. https://badges.example.org)');
  const dataDir = path.resolve(env.BLASON_DATA_DIR ?? './data');
  const databaseUrl = env.DATABASE_URL;
  let database: Config['database'];
  if (!databaseUrl) database = { kind: 'sqlite', file: path.join(dataDir, 'blason.db') };
  else if (/^postgres(ql)?:\/\//.test(databaseUrl)) database = { kind: 'postgres', url: databaseUrl };
  else if (databaseUrl.startsWith('sqlite:'))
    database = { kind: 'sqlite', file: path.resolve(databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '')) };
  else throw new ConfigError('DATABASE_URL must start with postgres:// or sqlite:');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    baseUrl,
    database,
    dataDir,
    keysDir: path.resolve(env.BLASON_KEYS_DIR ?? './keys'),
    ...(env.BLASON_KEYS_PASSPHRASE ? { keysPassphrase: env.BLASON_KEYS_PASSPHRASE } : {}),
    ...(env.BLASON_ADMIN_TOKEN ? { adminToken: adminToken(env.BLASON_ADMIN_TOKEN) } : {}),
    adminEmail,
    ...(env.BLASON_ADMIN_PASSWORD ? { adminPassword: env.BLASON_ADMIN_PASSWORD } : {}),
    contactEmail: contactEmail(env.BLASON_CONTACT_EMAIL, adminEmail),
    fetchAllowHosts: list(env.BLASON_FETCH_ALLOW_HOSTS),
    fetchInsecureHttpHosts: list(env.BLASON_FETCH_INSECURE_HTTP_HOSTS),
    ...(env.BLASON_FETCH_CA_FILE ? { fetchCaFile: path.resolve(env.BLASON_FETCH_CA_FILE) } : {}),
    oauthInsecureRedirectHosts: list(env.BLASON_OAUTH_INSECURE_REDIRECT_HOSTS),
    oauthAccessTokenTtl: integer('BLASON_OAUTH_ACCESS_TOKEN_TTL', env.BLASON_OAUTH_ACCESS_TOKEN_TTL, 3600, 1),
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: env.BLASON_TRUST_PROXY === 'true',
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    mailFrom: env.BLASON_MAIL_FROM ?? `Blason <no-reply@${baseUrl.hostname}>`,
    publicRateLimit: integer('BLASON_PUBLIC_RATE_LIMIT', env.BLASON_PUBLIC_RATE_LIMIT, 300, 1),
    signInRateLimit: integer('BLASON_SIGNIN_RATE_LIMIT', env.BLASON_SIGNIN_RATE_LIMIT, 30, 1),
    registrationRateLimit: integer('BLASON_REGISTRATION_RATE_LIMIT', env.BLASON_REGISTRATION_RATE_LIMIT, 10, 1),
    signingWorkers: integer('BLASON_SIGNING_WORKERS', env.BLASON_SIGNING_WORKERS, 2),
    verifyWorkers: integer('BLASON_VERIFY_WORKERS', env.BLASON_VERIFY_WORKERS, Math.min(2, availableParallelism())),
    verifyCpuLimitMs: integer(
      'BLASON_VERIFY_CPU_LIMIT_MS',
      env.BLASON_VERIFY_CPU_LIMIT_MS,
      DEFAULT_VERIFY_CPU_LIMIT_MS,
      1,
    ),
    seedCatalogue: env.BLASON_SEED_CATALOGUE !== 'false',
    ...(env.BLASON_METRICS_TOKEN ? { metricsToken: metricsToken(env.BLASON_METRICS_TOKEN) } : {}),
    peerRecognition: {
      enabled: env.BLASON_PEER_RECOGNITION !== 'false',
      dailyLimit: integer('BLASON_PEER_RECOGNITION_DAILY_LIMIT', env.BLASON_PEER_RECOGNITION_DAILY_LIMIT, 5, 1),
    },
  };
}
