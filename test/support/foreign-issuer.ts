/**
 * Another organisation's issuer, on loopback: a did:web issuer that Blason knows nothing about, whose DID
 * document and revocation list are served over plain HTTP by node:http, as a browser test's Blason service
 * reaches them (https → http downgrade for allow-listed loopback hosts).
 *
 * - `did:web:127.0.0.1%3A<port>:issuers:foreign`, its DID document at `/issuers/foreign/did.json`, with an
 *   Ed25519 Multikey `#ed-1` (Data Integrity) and a P-256 JsonWebKey2020 `#jwt-1` (VC-JWT), both for
 *   assertionMethod;
 * - a signed BitstringStatusListCredential at `/status/1` on a SEPARATE loopback server (its own port), so that
 *   the list can be made unreachable while the DID document still resolves: `stopStatusList()`. Stopping
 *   the issuer's whole server would make its key unresolvable, which is a different (invalid) outcome.
 *
 * A Blason service that verifies these badges must allow both hosts: pass `foreign.hosts` (comma-separated)
 * along with the service's own host in BLASON_FETCH_ALLOW_HOSTS and BLASON_FETCH_INSECURE_HTTP_HOSTS.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buildOpenBadgeCredential, type CredentialDraft } from '../../src/engine/model/build-credential.js';
import { buildEndorsementCredential } from '../../src/engine/model/build-endorsement.js';
import type {
  Achievement,
  EndorsementCredential,
  OpenBadgeCredential,
  Profile,
  SignedCredential,
} from '../../src/engine/model/types.js';
import { ed25519PublicKeyMultibase, publicJwk } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity, signJwt as signVcJwt } from '../../src/engine/proof/sign.js';
import { ed25519Signer, jwtSigner } from '../../src/engine/proof/signer.js';
import { Bitstring, MIN_STATUS_LIST_LENGTH } from '../../src/engine/status/bitstring.js';

export interface ForeignOverrides extends Partial<CredentialDraft> {
  /** Shortcut for the issuer profile's name (the profile id stays the foreign DID). */
  issuerName?: string;
  /** Shortcuts for the achievement's texts. */
  achievementName?: string;
  achievementDescription?: string;
  criteria?: string;
  /** Gives the credential a revocation entry at this index of the foreign list. */
  statusIndex?: number;
  /** Signs with this key and verification method instead of the published `#ed-1` (Data Integrity only). */
  signWith?: { key: KeyObject; verificationMethod: string };
}

export interface ForeignIssuer {
  /** `127.0.0.1:<port>` of the issuer's server (DID document). */
  host: string;
  /** `127.0.0.1:<port>` of the status list's server. */
  statusHost: string;
  /** Both hosts, comma-separated, for BLASON_FETCH_ALLOW_HOSTS / BLASON_FETCH_INSECURE_HTTP_HOSTS. */
  hosts: string;
  did: string;
  /** The URL a credential names for the list (https: a verifier downgrades it for allow-listed hosts). */
  statusListUrl: string;
  didDocument: Record<string, unknown>;
  /** The unsigned credential, as `sign` would sign it. */
  build(overrides?: ForeignOverrides): OpenBadgeCredential;
  /** A Data Integrity (eddsa-rdfc-2022) signed OpenBadgeCredential. */
  sign(overrides?: ForeignOverrides): Promise<SignedCredential>;
  /** A VC-JWT (ES256, `#jwt-1`) of the same credential, without embedded proof. */
  signJwt(overrides?: ForeignOverrides): Promise<string>;
  /** An EndorsementCredential about `subjectId`, signed with Data Integrity (`#ed-1`). */
  signEndorsement(options: ForeignEndorsement): Promise<SignedCredential<EndorsementCredential>>;
  /** The same endorsement as a VC-JWT (ES256, `#jwt-1`). */
  signEndorsementJwt(options: ForeignEndorsement): Promise<string>;
  /** Sets the revocation bit of an index; the list is re-signed on every request. */
  revoke(index: number): void;
  /** Stops the status list's server only: the DID document still resolves. */
  stopStatusList(): Promise<void>;
  close(): Promise<void>;
}

/** An endorsement "issued elsewhere": about a subject, with optional comment, status entry and end of validity. */
export interface ForeignEndorsement {
  subjectId: string;
  comment?: string;
  issuerName?: string;
  statusIndex?: number;
  validFrom?: Date;
  validUntil?: Date;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; host: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, host: `127.0.0.1:${port}` });
    });
  });
}

function stop(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

function sendJson(res: ServerResponse, type: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

function xsdSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function startForeignIssuer(options: { name?: string } = {}): Promise<ForeignIssuer> {
  const edKey = generateKeyPairSync('ed25519').privateKey;
  const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const bits = new Bitstring(MIN_STATUS_LIST_LENGTH);

  // The DID depends on the port, so the handlers read these once the servers listen.
  let did = '';
  let didDocument: Record<string, unknown> = {};
  let statusListUrl = '';

  const main = await listen((req, res) => {
    if (req.method === 'GET' && req.url === '/issuers/foreign/did.json') return sendJson(res, 'application/did+json', didDocument);
    return notFound(res);
  });
  const status = await listen((req, res) => {
    if (req.method !== 'GET' || req.url !== '/status/1') return notFound(res);
    const now = new Date();
    const unsigned = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: statusListUrl,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: did,
      validFrom: xsdSeconds(new Date(now.getTime() - 60_000)),
      validUntil: xsdSeconds(new Date(now.getTime() + 3_600_000)),
      credentialSubject: { id: `${statusListUrl}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: bits.encode() },
    };
    signDataIntegrity(unsigned, ed25519Signer(`${did}#ed-1`, edKey), now).then(
      (signed) => sendJson(res, 'application/vc+ld+json', signed),
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      },
    );
  });

  did = `did:web:${encodeURIComponent(main.host)}:issuers:foreign`;
  statusListUrl = `https://${status.host}/status/1`;
  didDocument = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: [
      { id: `${did}#ed-1`, type: 'Multikey', controller: did, publicKeyMultibase: await ed25519PublicKeyMultibase(edKey) },
      { id: `${did}#jwt-1`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicJwk(jwtKey) },
    ],
    assertionMethod: [`${did}#ed-1`, `${did}#jwt-1`],
  };

  const profile = (name: string): Profile => ({ id: did, type: ['Profile'], name, url: `https://${main.host}/`, email: 'contact@foreign.example' });

  const build = (overrides: ForeignOverrides = {}): OpenBadgeCredential => {
    const { issuerName, achievementName, achievementDescription, criteria, statusIndex, signWith: _signWith, ...draft } = overrides;
    const achievement: Achievement = {
      id: `https://${main.host}/achievements/pitch`,
      type: ['Achievement'],
      name: achievementName ?? 'Pitch devant un jury',
      description: achievementDescription ?? 'A présenté son projet devant un jury de financeurs.',
      criteria: { narrative: criteria ?? 'Présenter un projet en cinq minutes et répondre aux questions.' },
      achievementType: 'Competency',
    };
    return buildOpenBadgeCredential({
      id: `urn:uuid:${randomUUID()}`,
      issuer: profile(issuerName ?? options.name ?? 'Incubateur des Flandres'),
      achievement,
      recipient: { email: 'lea.dupont@example.fr', salt: 'sel-foreign' },
      validFrom: new Date(Date.now() - 86_400_000),
      ...(statusIndex !== undefined ? {
        credentialStatus: {
          id: `${statusListUrl}#${statusIndex}`,
          type: 'BitstringStatusListEntry',
          statusPurpose: 'revocation',
          statusListIndex: String(statusIndex),
          statusListCredential: statusListUrl,
        },
      } : {}),
      ...draft,
    });
  };

  const issuerDefaultName = options.name;
  const buildEndorsement = (endorsement: ForeignEndorsement): EndorsementCredential => {
    const built = buildEndorsementCredential({
      id: `urn:uuid:${randomUUID()}`,
      issuer: profile(endorsement.issuerName ?? issuerDefaultName ?? 'Incubateur des Flandres'),
      subjectId: endorsement.subjectId,
      ...(endorsement.comment !== undefined ? { comment: endorsement.comment } : {}),
      validFrom: endorsement.validFrom ?? new Date(Date.now() - 86_400_000),
      ...(endorsement.statusIndex !== undefined ? {
        credentialStatus: {
          id: `${statusListUrl}#${endorsement.statusIndex}`,
          type: 'BitstringStatusListEntry',
          statusPurpose: 'revocation',
          statusListIndex: String(endorsement.statusIndex),
          statusListCredential: statusListUrl,
        },
      } : {}),
    });
    return endorsement.validUntil ? { ...built, validUntil: xsdSeconds(endorsement.validUntil) } : built;
  };

  return {
    host: main.host,
    statusHost: status.host,
    hosts: `${main.host},${status.host}`,
    did,
    statusListUrl,
    didDocument,
    build,
    sign: (overrides = {}) => {
      const signer = overrides.signWith
        ? ed25519Signer(overrides.signWith.verificationMethod, overrides.signWith.key)
        : ed25519Signer(`${did}#ed-1`, edKey);
      return signDataIntegrity(build(overrides), signer);
    },
    signJwt: (overrides = {}) => signVcJwt(build(overrides), jwtSigner(`${did}#jwt-1`, 'ES256', jwtKey)),
    signEndorsement: (options) => signDataIntegrity(buildEndorsement(options), ed25519Signer(`${did}#ed-1`, edKey)),
    signEndorsementJwt: (options) =>
      signVcJwt(buildEndorsement(options), jwtSigner(`${did}#jwt-1`, 'ES256', jwtKey)),
    revoke: (index) => bits.set(index, true),
    stopStatusList: () => stop(status.server),
    close: async () => {
      await stop(status.server);
      await stop(main.server);
    },
  };
}
