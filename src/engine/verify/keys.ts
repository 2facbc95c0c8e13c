import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { resolveDidKey } from '../jsonld/document-loader.js';
import { didWebToUrl } from './did-web.js';
import { FetchError, type Fetcher } from './fetcher.js';
import { parseStrictJson } from './strict-json.js';

/**
 * Finding the key that made a proof, and deciding whether the issuer stands behind it.
 *
 * `binding` is the answer to "does the issuer publish this key?":
 * - `confirmed`: the key came from the issuer's own DID document, controller document or key set,
 *   or the issuer *is* the key (did:key);
 * - `unconfirmed`: the credential names its own key (a `#z6Mk…` fragment or a `jwk` header) and the issuer's
 *   documents could not be reached to confirm it. The signature is still checked; the report warns.
 */
export type KeyBinding = 'confirmed' | 'unconfirmed';

export class KeyResolutionError extends Error {
  constructor(readonly code: string, message: string) {
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
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FetchError('bad-content', `${url} did not return a JSON object.`);
  if (parsedDocuments.size >= MAX_PARSED_DOCUMENTS) parsedDocuments.delete(parsedDocuments.keys().next().value!);
  parsedDocuments.set(text, deepFreeze(value as Record<string, unknown>));
  return value as Record<string, unknown>;
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return undefined;
}

function asArray(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Absolute id of a method listed in a controller document (`#key-1` is relative to the document id). */
function absoluteId(id: string, documentId: string): string {
  return id.startsWith('#') ? `${documentId}${id}` : id;
}

/** Finds a verification method by id in a DID or controller document, embedded or referenced. */
export function findMethod(document: Record<string, unknown>, methodId: string): Record<string, unknown> | undefined {
  const documentId = typeof document.id === 'string' ? document.id : '';
  const candidates = [...asArray(document.verificationMethod), ...asArray(document.assertionMethod), ...asArray(document.publicKey)];
  for (const candidate of candidates) {
    if (!candidate || typeof candidate !== 'object') continue;
    const id = idOf(candidate);
    if (id && absoluteId(id, documentId) === methodId) return { ...(candidate as Record<string, unknown>), id: methodId };
  }
  return undefined;
}

export function listsAsAssertionMethod(document: Record<string, unknown>, methodId: string): boolean {
  const documentId = typeof document.id === 'string' ? document.id : '';
  return asArray(document.assertionMethod).some((entry) => {
    const id = idOf(entry);
    return id !== undefined && absoluteId(id, documentId) === methodId;
  });
}

export type KeyFlavour = 'Multikey' | 'Ed25519VerificationKey2020';

/** A method listed in a controller's document must say that controller controls it, if it says anything. */
function assertControlledBy(method: Record<string, unknown>, controllerId: string): void {
  const controller = method.controller;
  if (controller !== undefined && controller !== controllerId) {
    throw new KeyResolutionError('key.controllerMismatch', `The key ${String(method.id)} is listed by ${controllerId} but declares another controller (${String(controller)}).`);
  }
}

/** The shape each suite's verifier expects for an Ed25519 public key given as multibase. */
function ed25519Method(id: string, controller: string, publicKeyMultibase: string, flavour: KeyFlavour): Record<string, unknown> {
  return flavour === 'Multikey'
    ? { '@context': 'https://w3id.org/security/multikey/v1', id, type: 'Multikey', controller, publicKeyMultibase }
    : { '@context': 'https://w3id.org/security/suites/ed25519-2020/v1', id, type: 'Ed25519VerificationKey2020', controller, publicKeyMultibase };
}

function controllerDocument(controllerId: string, methodId: string): Record<string, unknown> {
  return { '@context': 'https://www.w3.org/ns/did/v1', id: controllerId, assertionMethod: [methodId] };
}

function normalizeMethod(method: Record<string, unknown>, flavour: KeyFlavour, controllerId: string, id = String(method.id)): Record<string, unknown> {
  assertControlledBy(method, controllerId);
  const multibase = method.publicKeyMultibase;
  if (typeof multibase === 'string' && MULTIKEY_ED25519.test(multibase)) {
    return ed25519Method(id, typeof method.controller === 'string' ? method.controller : controllerId, multibase, flavour);
  }
  throw new KeyResolutionError('key.unsupported', `The verification method ${String(method.id)} is not an Ed25519 key (Multikey or Ed25519VerificationKey2020).`);
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
    throw new KeyResolutionError('key.didUnresolvable', `The issuer's DID ${did} could not be resolved: ${(error as Error).message}`);
  }
  if (document.id !== did) throw new KeyResolutionError('key.didMismatch', `The DID document at ${url} is about ${String(document.id)}, not ${did}.`);
  return document;
}

/**
 * Resolves a Data Integrity `verificationMethod` to an Ed25519 key and its controller document.
 * Patterns, as the 1EdTech validator resolves them (ob3-spec.md §5.3): did:key, did:web, an HTTPS URL whose
 * fragment is the multibase key itself, and an HTTPS key or controller document.
 */
export async function resolveVerificationMethod(methodId: string, fetcher: Fetcher, flavour: KeyFlavour): Promise<ResolvedVerificationMethod> {
  if (methodId.startsWith('did:key:')) {
    const did = stripFragment(methodId);
    let method: Record<string, unknown>;
    try {
      method = (await resolveDidKey(methodId.includes('#') ? methodId : `${did}#${did.slice('did:key:'.length)}`)) as Record<string, unknown>;
    } catch {
      throw new KeyResolutionError('key.badDidKey', `${methodId} is not a valid Ed25519 did:key.`);
    }
    return { method: normalizeMethod(method, flavour, did, methodId), controller: controllerDocument(did, methodId), controllerId: did, binding: 'confirmed' };
  }
  if (methodId.startsWith('did:web:')) {
    const did = stripFragment(methodId);
    const document = await resolveDidWeb(did, fetcher);
    const method = findMethod(document, methodId);
    if (!method) throw new KeyResolutionError('key.notPublished', `The issuer's DID document does not contain the key ${methodId}.`);
    if (!listsAsAssertionMethod(document, methodId)) {
      throw new KeyResolutionError('key.notForAssertion', `The key ${methodId} is not listed for assertionMethod in the DID document: it may not sign credentials.`);
    }
    return { method: normalizeMethod(method, flavour, did), controller: controllerDocument(did, methodId), controllerId: did, binding: 'confirmed' };
  }
  if (methodId.startsWith('did:')) {
    throw new KeyResolutionError('key.unsupportedDidMethod', `The DID method of ${methodId} is not supported (did:key and did:web are).`);
  }
  let url: URL;
  try {
    url = new URL(methodId);
  } catch {
    throw new KeyResolutionError('key.badMethodId', `The verification method "${methodId}" is not a URL or a DID.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KeyResolutionError('key.badMethodId', `The verification method "${methodId}" uses an unsupported scheme (${url.protocol}).`);
  }
  const controllerId = stripFragment(methodId);
  const fragment = url.hash.slice(1);
  let published: Record<string, unknown> | undefined;
  try {
    published = await fetchJson(fetcher, controllerId, 'application/ld+json, application/json');
  } catch {
    published = undefined;
  }
  if (published && (published.verificationMethod !== undefined || published.assertionMethod !== undefined)) {
    const method = findMethod(published, methodId);
    if (!method || !listsAsAssertionMethod(published, methodId)) {
      throw new KeyResolutionError('key.notPublished', `The issuer's document at ${controllerId} does not list the key ${methodId} for signing credentials.`);
    }
    return { method: normalizeMethod(method, flavour, controllerId), controller: controllerDocument(controllerId, methodId), controllerId, binding: 'confirmed' };
  }
  if (published && published.id === methodId && typeof published.controller === 'string') {
    // A key document: the key, and who controls it.
    const method = normalizeMethod(published, flavour, published.controller);
    return { method, controller: controllerDocument(published.controller, methodId), controllerId: published.controller, binding: 'confirmed' };
  }
  if (MULTIKEY_ED25519.test(fragment)) {
    const keyPair = await Ed25519Multikey.from({ type: 'Multikey', publicKeyMultibase: fragment }).catch(() => undefined);
    if ((keyPair as { publicKey?: Uint8Array } | undefined)?.publicKey?.length !== 32) {
      throw new KeyResolutionError('key.malformed', `The verification method ${methodId} names a key that is not a valid Ed25519 public key.`);
    }
    return {
      method: ed25519Method(methodId, controllerId, fragment, flavour),
      controller: controllerDocument(controllerId, methodId),
      controllerId,
      binding: 'unconfirmed',
    };
  }
  throw new KeyResolutionError('key.unresolvable', `The issuer key ${methodId} could not be found.`);
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
}

/** A public JWK for an Ed25519 Multikey, so a JWT signed with EdDSA can name a Multikey method. */
async function multikeyToJwk(publicKeyMultibase: string): Promise<JWK> {
  const keyPair = await Ed25519Multikey.from({ type: 'Multikey', publicKeyMultibase });
  return (await Ed25519Multikey.toJwk({ keyPair })) as JWK;
}

async function jwkOfMethod(method: Record<string, unknown>): Promise<JWK> {
  const jwk = method.publicKeyJwk;
  if (jwk && typeof jwk === 'object') {
    if (hasPrivateMembers(jwk as Record<string, unknown>)) throw new KeyResolutionError('jwt.privateKeyPublished', 'The published key contains private key material.');
    return jwk as JWK;
  }
  if (typeof method.publicKeyMultibase === 'string' && MULTIKEY_ED25519.test(method.publicKeyMultibase)) return multikeyToJwk(method.publicKeyMultibase);
  throw new KeyResolutionError('key.unsupported', `The key ${String(method.id)} has no usable public key (publicKeyJwk or Ed25519 publicKeyMultibase).`);
}

/** All keys a DID document or JWKS offers, as JWKs, for comparing with an embedded `jwk`. */
async function keysOf(document: Record<string, unknown>): Promise<JWK[]> {
  if (Array.isArray(document.keys)) return document.keys.filter((k): k is JWK => !!k && typeof k === 'object');
  const keys: JWK[] = [];
  for (const method of [...asArray(document.verificationMethod), ...asArray(document.assertionMethod)]) {
    if (!method || typeof method !== 'object') continue;
    try {
      keys.push(await jwkOfMethod(method as Record<string, unknown>));
    } catch {
      // a key we cannot use cannot match either
    }
  }
  return keys;
}

/** Resolves a JOSE `kid` to a JWK the issuer publishes: a DID URL, or an HTTPS URL serving a JWK or a JWKS. */
export async function resolveKid(kid: string, fetcher: Fetcher): Promise<ResolvedJwk> {
  if (kid.startsWith('did:')) {
    const did = stripFragment(kid);
    let document: Record<string, unknown>;
    if (did.startsWith('did:web:')) document = await resolveDidWeb(did, fetcher);
    else if (did.startsWith('did:key:')) {
      try {
        document = (await resolveDidKey(did)) as Record<string, unknown>;
      } catch {
        throw new KeyResolutionError('key.badDidKey', `${kid} is not a valid Ed25519 did:key.`);
      }
    } else throw new KeyResolutionError('key.unsupportedDidMethod', `The DID method of ${kid} is not supported (did:key and did:web are).`);
    const methodId = kid.includes('#') ? kid : undefined;
    const method = methodId ? findMethod(document, methodId) : undefined;
    if (!method) throw new KeyResolutionError('key.notPublished', `The issuer's DID document does not contain the key ${kid}.`);
    if (!listsAsAssertionMethod(document, kid)) throw new KeyResolutionError('key.notForAssertion', `The key ${kid} is not listed for assertionMethod: it may not sign credentials.`);
    assertControlledBy(method, did);
    return { jwk: await jwkOfMethod(method), controllerId: did, binding: 'confirmed' };
  }
  let url: URL;
  try {
    url = new URL(kid);
  } catch {
    throw new KeyResolutionError('key.badKid', `The JWT key id "${kid}" is neither a URL nor a DID.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KeyResolutionError('key.badKid', `The JWT key id "${kid}" uses an unsupported scheme.`);
  let document: Record<string, unknown>;
  try {
    document = await fetchJson(fetcher, kid, 'application/jwk+json, application/jwk-set+json, application/json');
  } catch (error) {
    throw new KeyResolutionError('key.unresolvable', `The issuer key ${kid} could not be retrieved: ${(error as Error).message}`);
  }
  const jwk = Array.isArray(document.keys)
    ? (document.keys as Record<string, unknown>[]).find((k) => k.kid === kid || k.kid === url.hash.slice(1)) ?? (document.keys.length === 1 ? document.keys[0] as Record<string, unknown> : undefined)
    : document;
  if (!jwk || typeof jwk.kty !== 'string') throw new KeyResolutionError('key.unresolvable', `${kid} does not serve a JWK.`);
  if (hasPrivateMembers(jwk)) throw new KeyResolutionError('jwt.privateKeyPublished', 'The published key contains private key material.');
  return { jwk: jwk as JWK, controllerId: `${url.origin}`, binding: 'confirmed' };
}

/**
 * An embedded `jwk` header proves nothing by itself: anyone can sign with their own key. It is accepted only
 * as one of the issuer's keys: from its DID document (did:web, did:key), or its JWKS at
 * `https://{issuer host}/.well-known/jwks.json` (the 1EdTech implementation guide's convention).
 */
export async function confirmEmbeddedJwk(jwk: Record<string, unknown>, issuerId: string, fetcher: Fetcher): Promise<ResolvedJwk> {
  if (hasPrivateMembers(jwk)) throw new KeyResolutionError('jwt.privateKeyInHeader', 'The JWT header carries a private key. It must only ever carry a public key.');
  const thumbprint = await calculateJwkThumbprint(jwk as JWK).catch(() => {
    throw new KeyResolutionError('jwt.badJwk', 'The JWT header carries a malformed key.');
  });
  let keySet: JWK[] | undefined;
  try {
    if (issuerId.startsWith('did:web:')) keySet = await keysOf(await resolveDidWeb(issuerId, fetcher));
    else if (issuerId.startsWith('did:key:')) keySet = await keysOf((await resolveDidKey(issuerId)) as Record<string, unknown>);
    else if (/^https?:\/\//.test(issuerId)) {
      const origin = new URL(issuerId).origin;
      keySet = await keysOf(await fetchJson(fetcher, `${origin}/.well-known/jwks.json`, 'application/jwk-set+json, application/json'));
    }
  } catch (error) {
    if (error instanceof KeyResolutionError && error.code !== 'key.didUnresolvable') throw error;
    keySet = undefined;
  }
  if (!keySet) return { jwk: jwk as JWK, controllerId: issuerId, binding: 'unconfirmed' };
  for (const candidate of keySet) {
    if (await calculateJwkThumbprint(candidate).then((t) => t === thumbprint, () => false)) {
      return { jwk: jwk as JWK, controllerId: issuerId, binding: 'confirmed' };
    }
  }
  throw new KeyResolutionError('key.notPublished', 'The key embedded in the JWT header is not one the issuer publishes.');
}
