import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { resolveDidKeyOffline } from './did-key.js';
import { didWebToUrl } from './did-web.js';
import { FetchError, type Fetcher } from './fetcher.js';
import { parseStrictJson } from './strict-json.js';
import { asArray } from '../util.js';
import type { CheckCode } from './check-codes.js';

/**
 * Finding the key that made a proof, and deciding whether the issuer stands behind it.
 *
 * A key counts only when it is confirmed as its controller's: the controller *is* the key (did:key), or the
 * controller's own DID document, controller document or key set lists it for assertion. A key document's own
 * `controller` claim is never proof (anyone can write one on their own host naming any controller).
 *
 * `binding` is the answer to "does the issuer publish this key?":
 * - `confirmed`: as above;
 * - `unconfirmed`: the credential names its own key (a `#z6Mk…` fragment or a `jwk` header) and the documents
 *   that could confirm it could not be reached (`unreachable` says which). The signature is still checked, and
 *   the verdict is `issuer-unconfirmed`, never `valid`.
 */
export type KeyBinding = 'confirmed' | 'unconfirmed';

/**
 * Why a key could not be found or trusted. `unreachable` is set when the answer is "not now" (the issuer's
 * documents could not be fetched: offline, timeout, server error) rather than "no" (not published, malformed):
 * the verifier then says `issuer-unconfirmed` and that trying again later may succeed.
 */
export class KeyResolutionError extends Error {
  constructor(
    readonly code: CheckCode,
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'KeyResolutionError';
  }
}

const DOCUMENT_LIMIT = 256 * 1024;
const MULTIKEY_ED25519 = /^z6Mk[1-9A-HJ-NP-Za-km-z]{40,50}$/;

export interface ResolvedVerificationMethod {
  /** The verification method as jsonld-signatures loads it. */
  method: Record<string, unknown>;
  /** The controller document, with `assertionMethod` listing the method. */
  controller: Record<string, unknown>;
  controllerId: string;
  binding: KeyBinding;
  /** When unconfirmed: the document that could not be reached. */
  unreachable?: string;
}

function stripFragment(url: string): string {
  return url.split('#')[0]!;
}

/**
 * Issuer documents by their exact text, parsed: the same bytes always give the same document, and a verifier
 * meets the same few issuers' documents over and over (the strict parse costs more than the signature check).
 * Only the parsing is remembered, never the fetch: a changed document is seen at once. Frozen, as it is shared.
 */
const parsedDocuments = new Map<string, Record<string, unknown>>();
const MAX_PARSED_DOCUMENTS = 256;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

async function fetchJson(fetcher: Fetcher, url: string, accept: string): Promise<Record<string, unknown>> {
  const { body } = await fetcher.fetch(url, { accept, maxBytes: DOCUMENT_LIMIT });
  const text = body.toString('utf8');
  const known = parsedDocuments.get(text);
  if (known) return known;
  const value = parseStrictJson(text, { maxBytes: DOCUMENT_LIMIT, maxDepth: 16 });
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new FetchError('bad-content', `${url} did not return a JSON object.`);
  if (parsedDocuments.size >= MAX_PARSED_DOCUMENTS) parsedDocuments.delete(parsedDocuments.keys().next().value!);
  parsedDocuments.set(text, deepFreeze(value as Record<string, unknown>));
  return value as Record<string, unknown>;
}

/**
 * "Not now" rather than "no": the document could not be fetched (offline, no answer in time, 5xx, 429). A 404,
 * a document that is not JSON or too large, or a host the fetcher will never reach (a private address, a
 * redirect loop) is a final answer.
 */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof FetchError)) return false;
  if (error.reason === 'http-error') return error.status === undefined || error.status >= 500 || error.status === 429;
  return error.reason === 'unreachable' || error.reason === 'timeout';
}

function unreachableError(what: string, url: string, error: unknown): KeyResolutionError {
  return new KeyResolutionError(
    'key.issuerUnreachable',
    `${what} (${url}) could not be reached: ${(error as Error).message} ` +
      "The signing key cannot be confirmed as the issuer's for now; trying again later may succeed.",
    true,
  );
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string')
    return (value as { id: string }).id;
  return undefined;
}

/**
 * Does an id listed in a controller document name `methodId`? A relative id (`#key-1`) is read against the
 * document's own id and, for a document fetched over HTTPS, against the URL it came from: platforms publish
 * `…/issuers/42?v=3_0` whose `id` drops the query. Either base is the fetched document's own, so an attacker's
 * document cannot make a method of another address its own.
 */
function namesMethod(id: string, methodId: string, bases: string[]): boolean {
  return id.startsWith('#') ? bases.some((base) => `${base}${id}` === methodId) : id === methodId;
}

function basesOf(document: Record<string, unknown>, fetchedFrom?: string): string[] {
  return [typeof document.id === 'string' ? document.id : '', ...(fetchedFrom ? [fetchedFrom] : [])];
}

/** Finds a verification method by id in a DID or controller document, embedded or referenced. */
export function findMethod(
  document: Record<string, unknown>,
  methodId: string,
  fetchedFrom?: string,
): Record<string, unknown> | undefined {
  const bases = basesOf(document, fetchedFrom);
  const candidates = [
    ...asArray(document.verificationMethod),
    ...asArray(document.assertionMethod),
    ...asArray(document.publicKey),
  ];
  for (const candidate of candidates) {
    if (!candidate || typeof candidate !== 'object') continue;
    const id = idOf(candidate);
    if (id && namesMethod(id, methodId, bases)) return { ...(candidate as Record<string, unknown>), id: methodId };
  }
  return undefined;
}

export function listsAsAssertionMethod(
  document: Record<string, unknown>,
  methodId: string,
  fetchedFrom?: string,
): boolean {
  const bases = basesOf(document, fetchedFrom);
  return asArray(document.assertionMethod).some((entry) => {
    const id = idOf(entry);
    return id !== undefined && namesMethod(id, methodId, bases);
  });
}

export type KeyFlavour = 'Multikey' | 'Ed25519VerificationKey2020';

/** A method listed in a controller's document must say that controller controls it, if it says anything. */
function assertControlledBy(method: Record<string, unknown>, controllerId: string): void {
  const controller = method.controller;
  if (controller !== undefined && controller !== controllerId) {
    throw new KeyResolutionError(
      'key.controllerMismatch',
      `The key ${String(method.id)} is listed by ${controllerId} but declares another controller ` +
        `(${String(controller)}).`,
    );
  }
}

/** The shape each suite's verifier expects for an Ed25519 public key given as multibase. */
function ed25519Method(
  id: string,
  controller: string,
  publicKeyMultibase: string,
  flavour: KeyFlavour,
): Record<string, unknown> {
  return flavour === 'Multikey'
    ? { '@context': 'https://w3id.org/security/multikey/v1', id, type: 'Multikey', controller, publicKeyMultibase }
    : {
        '@context': 'https://w3id.org/security/suites/ed25519-2020/v1',
        id,
        type: 'Ed25519VerificationKey2020',
        controller,
        publicKeyMultibase,
      };
}

function controllerDocument(controllerId: string, methodId: string): Record<string, unknown> {
  return { '@context': 'https://www.w3.org/ns/did/v1', id: controllerId, assertionMethod: [methodId] };
}

/**
 * The method as the suites read it: an Ed25519 key given as multibase, or as a JWK (`JsonWebKey2020`, as some
 * platforms publish their Ed25519 keys), which is the same key written another way.
 */
export async function normalizeMethod(
  method: Record<string, unknown>,
  flavour: KeyFlavour,
  controllerId: string,
  id = String(method.id),
): Promise<Record<string, unknown>> {
  assertControlledBy(method, controllerId);
  const controller = typeof method.controller === 'string' ? method.controller : controllerId;
  const multibase = method.publicKeyMultibase;
  if (typeof multibase === 'string' && MULTIKEY_ED25519.test(multibase))
    return ed25519Method(id, controller, multibase, flavour);
  const jwk = method.publicKeyJwk as Record<string, unknown> | undefined;
  if (jwk && typeof jwk === 'object' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && !hasPrivateMembers(jwk)) {
    const keyPair = await Ed25519Multikey.fromJwk({ jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } }).catch(
      () => undefined,
    );
    if (keyPair?.publicKeyMultibase) return ed25519Method(id, controller, keyPair.publicKeyMultibase, flavour);
  }
  throw new KeyResolutionError(
    'key.unsupported',
    `The verification method ${String(method.id)} is not an Ed25519 key (Multikey, Ed25519VerificationKey2020 or ` +
      `an Ed25519 JWK).`,
  );
}

/** did:web → its DID document, checked to be about that DID. */
export async function resolveDidWeb(did: string, fetcher: Fetcher): Promise<Record<string, unknown>> {
  let url: string;
  try {
    url = didWebToUrl(did);
  } catch (error) {
    throw new KeyResolutionError('key.badDid', (error as Error).message);
  }
  let document: Record<string, unknown>;
  try {
    document = await fetchJson(fetcher, url, 'application/did+json, application/did+ld+json, application/json');
  } catch (error) {
    if (isUnreachable(error)) throw unreachableError(`The DID document of ${did}`, url, error);
    throw new KeyResolutionError(
      'key.didUnresolvable',
      `The issuer's DID ${did} could not be resolved: ${(error as Error).message}`,
    );
  }
  if (document.id !== did)
    throw new KeyResolutionError(
      'key.didMismatch',
      `The DID document at ${url} is about ${String(document.id)}, not ${did}.`,
    );
  return document;
}

/** The Ed25519 public key (multibase) a did:key URL is made of; only Ed25519 did:keys sign Data Integrity here. */
export async function didKeyMultibase(methodId: string): Promise<string> {
  try {
    const key = await resolveDidKeyOffline(methodId);
    if (key.type !== 'Ed25519') throw new Error('not Ed25519');
    return key.publicKeyMultibase;
  } catch {
    throw new KeyResolutionError('key.badDidKey', `${methodId} is not a valid Ed25519 did:key.`);
  }
}

/**
 * Resolves a Data Integrity `verificationMethod` to an Ed25519 key and its controller document.
 * Patterns, as the 1EdTech validator resolves them (ob3-spec.md §5.3): did:key, did:web, an HTTPS URL whose
 * fragment is the multibase key itself, and an HTTPS key or controller document.
 */
export async function resolveVerificationMethod(
  methodId: string,
  fetcher: Fetcher,
  flavour: KeyFlavour,
): Promise<ResolvedVerificationMethod> {
  if (methodId.startsWith('did:key:')) {
    const did = stripFragment(methodId);
    const method = ed25519Method(methodId, did, await didKeyMultibase(methodId), flavour);
    return { method, controller: controllerDocument(did, methodId), controllerId: did, binding: 'confirmed' };
  }
  if (methodId.startsWith('did:web:')) {
    const did = stripFragment(methodId);
    const document = await resolveDidWeb(did, fetcher);
    const method = findMethod(document, methodId);
    if (!method)
      throw new KeyResolutionError(
        'key.notPublished',
        `The issuer's DID document does not contain the key ${methodId}.`,
      );
    if (!listsAsAssertionMethod(document, methodId)) {
      throw new KeyResolutionError(
        'key.notForAssertion',
        `The key ${methodId} is not listed for assertionMethod in the DID document: it may not sign credentials.`,
      );
    }
    return {
      method: await normalizeMethod(method, flavour, did),
      controller: controllerDocument(did, methodId),
      controllerId: did,
      binding: 'confirmed',
    };
  }
  if (methodId.startsWith('did:')) {
    throw new KeyResolutionError(
      'key.unsupportedDidMethod',
      `The DID method of ${methodId} is not supported (did:key and did:web are).`,
    );
  }
  return resolveHttpsMethod(methodId, fetcher, flavour);
}

function httpUrl(id: string, code: CheckCode, what: string): URL {
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    throw new KeyResolutionError(code, `${what} "${id}" is not a URL or a DID.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KeyResolutionError(code, `${what} "${id}" uses an unsupported scheme (${url.protocol}).`);
  }
  return url;
}

function isControllerDocument(document: Record<string, unknown>): boolean {
  return document.verificationMethod !== undefined || document.assertionMethod !== undefined;
}

/** An HTTPS method: `https://issuer/profile#key` in a controller document, or a key document of its own. */
async function resolveHttpsMethod(
  methodId: string,
  fetcher: Fetcher,
  flavour: KeyFlavour,
): Promise<ResolvedVerificationMethod> {
  const url = httpUrl(methodId, 'key.badMethodId', 'The verification method');
  const documentUrl = stripFragment(methodId);
  const fragment = url.hash.slice(1);
  let published: Record<string, unknown> | undefined;
  let unreachable: unknown;
  try {
    published = await fetchJson(fetcher, documentUrl, 'application/ld+json, application/json');
  } catch (error) {
    if (isUnreachable(error)) unreachable = error;
  }
  if (published && isControllerDocument(published)) {
    const method = findMethod(published, methodId, documentUrl);
    if (!method || !listsAsAssertionMethod(published, methodId, documentUrl)) {
      throw new KeyResolutionError(
        'key.notPublished',
        `The issuer's document at ${documentUrl} does not list the key ${methodId} for signing credentials.`,
      );
    }
    return {
      method: await normalizeMethod(method, flavour, documentUrl),
      controller: controllerDocument(documentUrl, methodId),
      controllerId: documentUrl,
      binding: 'confirmed',
    };
  }
  if (published && published.id === methodId && typeof published.controller === 'string') {
    // A key document says who controls it; only that controller's own document can confirm it.
    const controllerId = published.controller;
    await confirmListedByController(controllerId, methodId, fetcher);
    const method = await normalizeMethod(published, flavour, controllerId);
    return { method, controller: controllerDocument(controllerId, methodId), controllerId, binding: 'confirmed' };
  }
  if (!MULTIKEY_ED25519.test(fragment)) {
    if (unreachable) throw unreachableError('The issuer key document', documentUrl, unreachable);
    throw new KeyResolutionError('key.unresolvable', `The issuer key ${methodId} could not be found.`);
  }
  // The method names its own key (`…#z6Mk…`): usable to check the signature, but only the controller's
  // document, if reachable, can say the key is the issuer's. Reached and silent about it: the answer is no.
  const keyPair = await Ed25519Multikey.from({ type: 'Multikey', publicKeyMultibase: fragment }).catch(() => undefined);
  if ((keyPair as { publicKey?: Uint8Array } | undefined)?.publicKey?.length !== 32) {
    throw new KeyResolutionError(
      'key.malformed',
      `The verification method ${methodId} names a key that is not a valid Ed25519 public key.`,
    );
  }
  if (!unreachable) {
    throw new KeyResolutionError(
      'key.notPublished',
      `The issuer's document at ${documentUrl} does not publish the key ${fragment}: it is not the issuer's key.`,
    );
  }
  return {
    method: ed25519Method(methodId, documentUrl, fragment, flavour),
    controller: controllerDocument(documentUrl, methodId),
    controllerId: documentUrl,
    binding: 'unconfirmed',
    unreachable: `${documentUrl} (${(unreachable as Error).message})`,
  };
}

/** The controller's own document (DID document or HTTPS profile) must list the method for assertion. */
async function confirmListedByController(controllerId: string, methodId: string, fetcher: Fetcher): Promise<void> {
  let document: Record<string, unknown>;
  if (controllerId.startsWith('did:web:')) {
    document = await resolveDidWeb(controllerId, fetcher);
  } else if (controllerId.startsWith('did:')) {
    throw new KeyResolutionError(
      'key.controllerNotListing',
      `The key ${methodId} claims ${controllerId} as its controller, whose DID cannot list it.`,
    );
  } else {
    httpUrl(controllerId, 'key.controllerNotListing', "The key's controller");
    try {
      document = await fetchJson(fetcher, controllerId, 'application/ld+json, application/json');
    } catch (error) {
      if (isUnreachable(error))
        throw unreachableError(`The document of the key's controller ${controllerId}`, controllerId, error);
      throw new KeyResolutionError(
        'key.controllerNotListing',
        `The key ${methodId} claims ${controllerId} as its controller, whose document cannot be read.`,
      );
    }
  }
  if (!listsAsAssertionMethod(document, methodId, controllerId.startsWith('did:') ? undefined : controllerId)) {
    throw new KeyResolutionError(
      'key.controllerNotListing',
      `The key ${methodId} claims ${controllerId} as its controller, but ${controllerId} does not list it for ` +
        `signing credentials.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// JWT keys

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

export function hasPrivateMembers(jwk: Record<string, unknown>): boolean {
  return PRIVATE_JWK_MEMBERS.some((member) => member in jwk);
}

export interface ResolvedJwk {
  jwk: JWK;
  controllerId: string;
  binding: KeyBinding;
  /** When unconfirmed: what could not be reached. */
  unreachable?: string;
}

/** A public JWK for an Ed25519 Multikey, so a JWT signed with EdDSA can name a Multikey method. */
async function multikeyToJwk(publicKeyMultibase: string): Promise<JWK> {
  const keyPair = await Ed25519Multikey.from({ type: 'Multikey', publicKeyMultibase });
  return (await Ed25519Multikey.toJwk({ keyPair })) as JWK;
}

async function jwkOfMethod(method: Record<string, unknown>): Promise<JWK> {
  const jwk = method.publicKeyJwk;
  if (jwk && typeof jwk === 'object') {
    if (hasPrivateMembers(jwk as Record<string, unknown>))
      throw new KeyResolutionError('jwt.privateKeyPublished', 'The published key contains private key material.');
    return jwk as JWK;
  }
  if (typeof method.publicKeyMultibase === 'string' && MULTIKEY_ED25519.test(method.publicKeyMultibase))
    return multikeyToJwk(method.publicKeyMultibase);
  throw new KeyResolutionError(
    'key.unsupported',
    `The key ${String(method.id)} has no usable public key (publicKeyJwk or Ed25519 publicKeyMultibase).`,
  );
}

/** The keys a DID document, controller document or JWKS offers for signing, as JWKs. */
async function keysOf(document: Record<string, unknown>): Promise<JWK[]> {
  if (Array.isArray(document.keys)) return document.keys.filter((k): k is JWK => !!k && typeof k === 'object');
  const documentId = typeof document.id === 'string' ? document.id : '';
  const keys: JWK[] = [];
  for (const entry of asArray(document.assertionMethod)) {
    const id = idOf(entry);
    const method =
      entry && typeof entry === 'object'
        ? (entry as Record<string, unknown>)
        : id
          ? findMethod(document, id.startsWith('#') ? `${documentId}${id}` : id)
          : undefined;
    if (!method) continue;
    try {
      keys.push(await jwkOfMethod(method));
    } catch {
      // a key we cannot use cannot match either
    }
  }
  return keys;
}

async function didKeyJwk(kid: string): Promise<ResolvedJwk> {
  try {
    const key = await resolveDidKeyOffline(kid);
    return { jwk: key.jwk, controllerId: key.did, binding: 'confirmed' };
  } catch (error) {
    throw new KeyResolutionError('key.badDidKey', (error as Error).message);
  }
}

/** Resolves a JOSE `kid` to a JWK the issuer publishes: a DID URL, or an HTTPS URL serving a JWK or a JWKS. */
export async function resolveKid(kid: string, fetcher: Fetcher): Promise<ResolvedJwk> {
  if (kid.startsWith('did:key:')) return didKeyJwk(kid);
  if (kid.startsWith('did:')) {
    const did = stripFragment(kid);
    if (!did.startsWith('did:web:')) {
      throw new KeyResolutionError(
        'key.unsupportedDidMethod',
        `The DID method of ${kid} is not supported (did:key and did:web are).`,
      );
    }
    const document = await resolveDidWeb(did, fetcher);
    const method = kid.includes('#') ? findMethod(document, kid) : undefined;
    if (!method)
      throw new KeyResolutionError('key.notPublished', `The issuer's DID document does not contain the key ${kid}.`);
    if (!listsAsAssertionMethod(document, kid))
      throw new KeyResolutionError(
        'key.notForAssertion',
        `The key ${kid} is not listed for assertionMethod: it may not sign credentials.`,
      );
    assertControlledBy(method, did);
    return { jwk: await jwkOfMethod(method), controllerId: did, binding: 'confirmed' };
  }
  const url = httpUrl(kid, 'key.badKid', 'The JWT key id');
  let document: Record<string, unknown>;
  try {
    document = await fetchJson(fetcher, kid, 'application/jwk+json, application/jwk-set+json, application/json');
  } catch (error) {
    if (isUnreachable(error)) throw unreachableError('The issuer key', kid, error);
    throw new KeyResolutionError(
      'key.unresolvable',
      `The issuer key ${kid} could not be retrieved: ${(error as Error).message}`,
    );
  }
  const jwk = Array.isArray(document.keys)
    ? ((document.keys as Record<string, unknown>[]).find((k) => k.kid === kid || k.kid === url.hash.slice(1)) ??
      (document.keys.length === 1 ? (document.keys[0] as Record<string, unknown>) : undefined))
    : document;
  if (!jwk || typeof jwk.kty !== 'string')
    throw new KeyResolutionError('key.unresolvable', `${kid} does not serve a JWK.`);
  if (hasPrivateMembers(jwk))
    throw new KeyResolutionError('jwt.privateKeyPublished', 'The published key contains private key material.');
  return { jwk: jwk as JWK, controllerId: `${url.origin}`, binding: 'confirmed' };
}

/** Where an issuer publishes the keys it signs JWTs with, and what each location yields. */
async function publishedKeySets(issuerId: string, fetcher: Fetcher): Promise<{ keys: JWK[]; unreachable: string[] }> {
  if (issuerId.startsWith('did:key:')) return { keys: [(await didKeyJwk(issuerId)).jwk], unreachable: [] };
  if (issuerId.startsWith('did:web:')) {
    try {
      return { keys: await keysOf(await resolveDidWeb(issuerId, fetcher)), unreachable: [] };
    } catch (error) {
      if (error instanceof KeyResolutionError && error.unreachable) return { keys: [], unreachable: [error.message] };
      throw error;
    }
  }
  if (issuerId.startsWith('did:')) {
    throw new KeyResolutionError(
      'key.unsupportedDidMethod',
      `The issuer's DID method (${issuerId}) is not supported (did:key and did:web are).`,
    );
  }
  if (!/^https?:\/\//.test(issuerId)) {
    // urn:uuid and the like publish nothing: the key can never be tied to such an issuer.
    return { keys: [], unreachable: [`the issuer ${issuerId} is an identifier that cannot be looked up`] };
  }
  // The 1EdTech implementation guide's JWKS location, and the issuer's profile (a controller document).
  const locations = [`${new URL(issuerId).origin}/.well-known/jwks.json`, issuerId];
  const keys: JWK[] = [];
  const unreachable: string[] = [];
  for (const location of locations) {
    try {
      keys.push(
        ...(await keysOf(
          await fetchJson(fetcher, location, 'application/jwk-set+json, application/ld+json, application/json'),
        )),
      );
    } catch (error) {
      if (isUnreachable(error)) unreachable.push(`${location} (${(error as Error).message})`);
    }
  }
  return { keys, unreachable };
}

/**
 * An embedded `jwk` header proves nothing by itself: anyone can sign with their own key. It counts only as one
 * of the issuer's keys: the issuer's did:key itself, its DID document (did:web), or its published key set
 * (`https://{issuer host}/.well-known/jwks.json`, the 1EdTech implementation guide's convention, or the
 * issuer's profile). Found in none of the documents that could be reached: refused. Nothing could be reached:
 * unconfirmed, never valid.
 */
export async function confirmEmbeddedJwk(
  jwk: Record<string, unknown>,
  issuerId: string,
  fetcher: Fetcher,
): Promise<ResolvedJwk> {
  if (hasPrivateMembers(jwk))
    throw new KeyResolutionError(
      'jwt.privateKeyInHeader',
      'The JWT header carries a private key. It must only ever carry a public key.',
    );
  const thumbprint = await calculateJwkThumbprint(jwk as JWK).catch(() => {
    throw new KeyResolutionError('jwt.badJwk', 'The JWT header carries a malformed key.');
  });
  const { keys, unreachable } = await publishedKeySets(issuerId, fetcher);
  for (const candidate of keys) {
    if (
      await calculateJwkThumbprint(candidate).then(
        (t) => t === thumbprint,
        () => false,
      )
    ) {
      return { jwk: jwk as JWK, controllerId: issuerId, binding: 'confirmed' };
    }
  }
  if (unreachable.length > 0)
    return { jwk: jwk as JWK, controllerId: issuerId, binding: 'unconfirmed', unreachable: unreachable.join('; ') };
  throw new KeyResolutionError(
    'key.notPublished',
    `The key embedded in the JWT header is not one the issuer ${issuerId} publishes: it is not the issuer's key.`,
  );
}
