import path from 'node:path';

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
  /** Hosts the verifier may fetch from although they are private (tests, intranets). */
  fetchAllowHosts: string[];
  /** Hosts fetched over plain HTTP although the URL says https (local test servers only). */
  fetchInsecureHttpHosts: string[];
  /** Hosts whose OAuth clients may register plain-HTTP redirect URIs (local test backpacks only). */
  oauthInsecureRedirectHosts: string[];
  /** Lifetime of OAuth access tokens, in seconds (OB 3.0 recommends one hour). */
  oauthAccessTokenTtl: number;
  logLevel: string;
  smtpUrl?: string;
  mailFrom: string;
  /** Requests per minute per client on public endpoints (verify, pages). */
  publicRateLimit: number;
  /** Sign-in attempts (console and holder space) a minute per client address. */
  signInRateLimit: number;
  /** Size of the signing worker pool; 0 signs in the request's own thread. */
  signingWorkers: number;
  /** Seed the default EntreComp catalogue on start. */
  seedCatalogue: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function integer(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer ≥ ${min} (got "${value}")`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer('PORT', env.PORT, 3000);
  let baseUrl: URL;
  try {
    baseUrl = new URL(env.BLASON_BASE_URL ?? `http://localhost:${port}`);
  } catch {
    throw new ConfigError(`BLASON_BASE_URL is not a URL: ${env.BLASON_BASE_URL}`);
  }
  if (baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash) throw new ConfigError('BLASON_BASE_URL must be an origin, without a path (e.g. https://badges.example.org)');
  const dataDir = path.resolve(env.BLASON_DATA_DIR ?? './data');
  const databaseUrl = env.DATABASE_URL;
  let database: Config['database'];
  if (!databaseUrl) database = { kind: 'sqlite', file: path.join(dataDir, 'blason.db') };
  else if (/^postgres(ql)?:\/\//.test(databaseUrl)) database = { kind: 'postgres', url: databaseUrl };
  else if (databaseUrl.startsWith('sqlite:')) database = { kind: 'sqlite', file: path.resolve(databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '')) };
  else throw new ConfigError('DATABASE_URL must start with postgres:// or sqlite:');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    baseUrl,
    database,
    dataDir,
    keysDir: path.resolve(env.BLASON_KEYS_DIR ?? './keys'),
    ...(env.BLASON_KEYS_PASSPHRASE ? { keysPassphrase: env.BLASON_KEYS_PASSPHRASE } : {}),
    ...(env.BLASON_ADMIN_TOKEN ? { adminToken: env.BLASON_ADMIN_TOKEN } : {}),
    adminEmail: (env.BLASON_ADMIN_EMAIL ?? 'admin@blason.local').trim().toLowerCase(),
    ...(env.BLASON_ADMIN_PASSWORD ? { adminPassword: env.BLASON_ADMIN_PASSWORD } : {}),
    fetchAllowHosts: list(env.BLASON_FETCH_ALLOW_HOSTS),
    fetchInsecureHttpHosts: list(env.BLASON_FETCH_INSECURE_HTTP_HOSTS),
    oauthInsecureRedirectHosts: list(env.BLASON_OAUTH_INSECURE_REDIRECT_HOSTS),
    oauthAccessTokenTtl: integer('BLASON_OAUTH_ACCESS_TOKEN_TTL', env.BLASON_OAUTH_ACCESS_TOKEN_TTL, 3600, 1),
    logLevel: env.LOG_LEVEL ?? 'info',
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    mailFrom: env.BLASON_MAIL_FROM ?? `Blason <no-reply@${baseUrl.hostname}>`,
    publicRateLimit: integer('BLASON_PUBLIC_RATE_LIMIT', env.BLASON_PUBLIC_RATE_LIMIT, 300, 1),
    signInRateLimit: integer('BLASON_SIGNIN_RATE_LIMIT', env.BLASON_SIGNIN_RATE_LIMIT, 30, 1),
    signingWorkers: integer('BLASON_SIGNING_WORKERS', env.BLASON_SIGNING_WORKERS, 2),
    seedCatalogue: env.BLASON_SEED_CATALOGUE !== 'false',
  };
}
