#!/usr/bin/env node
/**
 * The `blason` command line:
 *   blason serve                                                     run the service (configured by the environment)
 *   blason verify <file-or-url> [--json] [--offline] [--allow-host host:port]   verify any Open Badges 3.0 credential
 *   blason keys generate [--type ed25519|p256] [--out dir]           make a signing key pair
 * Exit code of `verify`: 0 only when the credential is valid; 1 otherwise; 2 for usage errors.
 * `serve` runs until SIGTERM or SIGINT, as `node dist/main.js` does.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyCredential } from '../engine/verify/verify-credential.js';
import { offlineFetcher } from '../engine/verify/fetcher.js';
import { ed25519PublicKeyMultibase, publicJwk } from '../engine/proof/key-formats.js';
import { guardedFetcher } from '../net/guarded-fetch.js';
import { formatReport } from './format-report.js';

const USAGE = `Usage:
  blason serve
      runs the service; configured by environment variables (PORT, BLASON_BASE_URL, BLASON_DATA_DIR, ...)
  blason verify <file-or-url> [--json] [--offline] [--allow-host host:port]
      --offline: fetch nothing (issuer documents and status lists are then reported as unreachable)
  blason keys generate [--type ed25519|p256] [--out dir]`;

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      offline: { type: 'boolean' },
      'allow-host': { type: 'string', multiple: true },
    },
  });
  const target = positionals[0];
  if (!target) {
    console.error(USAGE);
    return 2;
  }
  const allowHosts = values['allow-host'] ?? [];
  const fetcher = values.offline ? offlineFetcher : guardedFetcher({ allowHosts, insecureHttpHosts: allowHosts });
  let bytes: Buffer;
  if (/^https?:\/\//.test(target)) {
    if (values.offline) {
      console.error('blason: --offline cannot fetch a URL');
      return 2;
    }
    bytes = (
      await fetcher.fetch(target, {
        accept: 'application/vc+ld+json, application/ld+json, application/json, text/plain, image/png, image/svg+xml',
        maxBytes: 5_000_000,
      })
    ).body;
  } else {
    bytes = await readFile(target);
  }
  const report = await verifyCredential({ bytes }, { fetcher });
  const { credential: _credential, ...summary } = report;
  console.log(values.json ? JSON.stringify(summary, null, 2) : formatReport(report));
  return report.verified ? 0 : 1;
}

async function generateKeys(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { type: { type: 'string', default: 'ed25519' }, out: { type: 'string' } },
  });
  const type = values.type;
  if (type !== 'ed25519' && type !== 'p256') {
    console.error(USAGE);
    return 2;
  }
  const { privateKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const description = {
    type,
    publicKeyJwk: publicJwk(privateKey),
    ...(type === 'ed25519' ? { publicKeyMultibase: await ed25519PublicKeyMultibase(privateKey) } : {}),
  };
  if (values.out) {
    await mkdir(values.out, { recursive: true, mode: 0o700 });
    const file = path.join(values.out, `${type}-${Date.now()}.pem`);
    await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    console.error(`Private key written to ${file} (mode 0600).`);
  } else {
    console.error('No --out given: the private key is not saved anywhere. Only the public key is printed.');
  }
  console.log(JSON.stringify(description, null, 2));
  return 0;
}

/** Undefined: the command keeps running (the service), and the process must not exit now. */
async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command === 'serve' && rest.length === 0) {
    // Loaded only here: the other commands need none of the service (HTTP, database, OAuth).
    const { runService } = await import('../main.js');
    runService();
    return undefined;
  }
  if (command === 'verify') return verify(rest);
  if (command === 'keys' && rest[0] === 'generate') return generateKeys(rest.slice(1));
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: Error) => {
    console.error(`blason: ${error.message}`);
    process.exit(2);
  },
);
