/**
 * A foreign Open Badges 2.0 issuer on loopback, over real HTTPS: node:https with a throwaway self-signed
 * certificate for 127.0.0.1 (made with the openssl CLI), which a verifier trusts through the guarded fetcher's
 * `ca` option (BLASON_FETCH_CA_FILE for a service). It serves what OB 2.0 verification reads:
 * - the issuer Profile at `/issuer`, listing an RSA key (`/keys/rsa`) and a P-256 key (`/keys/ec`), both
 *   CryptographicKey documents owned by the issuer, and its RevocationList at `/revocations`;
 * - a BadgeClass at `/badges/1`;
 * - hosted assertions at `/assertions/<n>`, as the test serves them; any path can be served, changed or removed.
 * Several issuers can share one certificate: each has its own port, so its own origin.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { OB_V2 } from '../../src/engine/model/contexts.js';
import { identityHash } from '../../src/engine/model/identity-hash.js';
export { plainPng, withTextChunk } from './png.js';

type Json = Record<string, unknown>;

/** Whom this issuer's assertions are awarded to, unless overridden: a salted SHA-256 of the address. */
export const RECIPIENT_EMAIL = 'ana.martin@example.fr';
const RECIPIENT_SALT = 'deadsea';

export interface ThrowawayCertificate {
  /** PEM of the self-signed certificate: the only authority that vouches for it. */
  cert: string;
  key: string;
  /** A file holding `cert`, for BLASON_FETCH_CA_FILE. */
  file: string;
  remove(): void;
}

/** A self-signed certificate for 127.0.0.1, valid for a day. */
export function throwawayCertificate(): ThrowawayCertificate {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'blason-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    file: certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type Ob2Alg = 'RS256' | 'ES256';

/** A compact JWS of `payload`, signed with node:crypto as an OB 2.0 issuer would. */
export function signJws(payload: Json | string, key: KeyObject, alg: Ob2Alg | string, header: Json = {}): string {
  const encode = (value: Json | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
    .toString('base64url');
  const input = `${encode({ alg, ...header })}.${encode(payload)}`;
  const signature = alg === 'ES256'
    ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
    : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

interface Served {
  status: number;
  body: string;
}

export interface Ob2Issuer {
  /** `127.0.0.1:<port>`, for allow-lists. */
  host: string;
  /** `https://127.0.0.1:<port>`. */
  origin: string;
  issuerId: string;
  badgeClassId: string;
  rsaKeyId: string;
  ecKeyId: string;
  revocationListId: string;
  rsaKey: KeyObject;
  ecKey: KeyObject;
  url(pathname: string): string;
  /** Serves `body` (JSON unless a string) at `pathname`, replacing what was there. */
  serve(pathname: string, body: unknown, status?: number): void;
  remove(pathname: string): void;
  /** The issuer Profile as served, and a way to change it. */
  profile(): Json;
  updateProfile(changes: Json): void;
  /** A hosted assertion of this issuer's badge class (not yet served), with a new id. */
  assertion(overrides?: Json): Json;
  /** Serves an assertion at its own id, with this status. */
  publish(assertion: Json, status?: number): Json;
  /** A signed assertion: `verification` names the RSA key as creator unless overridden. */
  signedAssertion(overrides?: Json): Json;
  /** The JWS of a signed assertion, RS256 with the RSA key unless told otherwise. */
  sign(assertion: Json, options?: { alg?: Ob2Alg; key?: KeyObject }): string;
  /** Lists an assertion id in the RevocationList. */
  revoke(id: string, reason?: string): void;
  close(): Promise<void>;
}

/** The PEM of the public half of a key, as a CryptographicKey's publicKeyPem. */
export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

export async function startOb2Issuer(
  certificate: ThrowawayCertificate, options: { name?: string } = {},
): Promise<Ob2Issuer> {
  const documents = new Map<string, Served>();
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    const served = documents.get(req.url ?? '');
    if (!served) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(served.status, { 'content-type': 'application/ld+json', 'cache-control': 'no-store' });
    res.end(served.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const origin = `https://${host}`;
  const url = (pathname: string) => `${origin}${pathname}`;
  const serve = (pathname: string, body: unknown, status = 200) => {
    documents.set(pathname, { status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  };

  const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const issuerId = url('/issuer');
  const ids = {
    badgeClassId: url('/badges/1'),
    rsaKeyId: url('/keys/rsa'),
    ecKeyId: url('/keys/ec'),
    revocationListId: url('/revocations'),
  };
  let profile: Json = {
    '@context': OB_V2,
    type: 'Issuer',
    id: issuerId,
    name: options.name ?? 'Maison de l\'emploi de Lens',
    url: 'https://www.example.org',
    email: 'contact@example.org',
    publicKey: [ids.rsaKeyId, ids.ecKeyId],
    revocationList: ids.revocationListId,
  };
  const revoked: (string | Json)[] = [];
  const serveRevocations = () => serve('/revocations', {
    '@context': OB_V2, id: ids.revocationListId, type: 'RevocationList', issuer: issuerId, revokedAssertions: revoked,
  });
  const cryptographicKey = (id: string, key: KeyObject) => ({
    '@context': OB_V2, type: 'CryptographicKey', id, owner: issuerId, publicKeyPem: publicKeyPem(key),
  });
  serve('/issuer', profile);
  serve('/keys/rsa', cryptographicKey(ids.rsaKeyId, rsaKey));
  serve('/keys/ec', cryptographicKey(ids.ecKeyId, ecKey));
  serve('/badges/1', {
    '@context': OB_V2,
    type: 'BadgeClass',
    id: ids.badgeClassId,
    name: 'Accueil du public',
    description: 'Accueillir et orienter le public d\'une structure d\'insertion.',
    image: url('/badges/1/image.png'),
    criteria: { narrative: 'A accueilli le public pendant trois mois.' },
    issuer: issuerId,
  });
  serveRevocations();

  let next = 0;
  const assertion = (overrides: Json = {}): Json => ({
    '@context': OB_V2,
    type: 'Assertion',
    id: url(`/assertions/${++next}`),
    recipient: {
      type: 'email', hashed: true, salt: RECIPIENT_SALT, identity: identityHash(RECIPIENT_EMAIL, RECIPIENT_SALT),
    },
    badge: ids.badgeClassId,
    verification: { type: 'hosted' },
    issuedOn: '2026-01-15T09:00:00Z',
    ...overrides,
  });

  return {
    host,
    origin,
    issuerId,
    ...ids,
    rsaKey,
    ecKey,
    url,
    serve,
    remove: (pathname) => documents.delete(pathname),
    profile: () => profile,
    updateProfile: (changes) => {
      profile = { ...profile, ...changes };
      serve('/issuer', profile);
    },
    assertion,
    publish: (document, status = 200) => {
      serve(new URL(String(document.id)).pathname, document, status);
      return document;
    },
    signedAssertion: (overrides: Json = {}) => assertion({
      verification: { type: 'SignedBadge', creator: ids.rsaKeyId }, ...overrides,
    }),
    sign: (document, signOptions = {}) => {
      const alg = signOptions.alg ?? 'RS256';
      return signJws(document, signOptions.key ?? (alg === 'ES256' ? ecKey : rsaKey), alg);
    },
    revoke: (id, reason) => {
      revoked.push(reason ? { id, revocationReason: reason } : id);
      serveRevocations();
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** An SVG baked the OB 2.0 way: `<openbadges:assertion>` with a `verify` attribute (JWS or URL), or the JSON. */
export function ob2Svg(content: { verify: string } | { json: string }): string {
  const element = 'verify' in content
    ? `<openbadges:assertion verify="${content.verify}"></openbadges:assertion>`
    : `<openbadges:assertion><![CDATA[${content.json}]]></openbadges:assertion>`;
  const namespaces = 'xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"';
  return `<svg ${namespaces} viewBox="0 0 10 10">${element}<circle r="5"/></svg>`;
}
