import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import ipaddr from 'ipaddr.js';
import { FetchError, type FetchedDocument, type Fetcher, type FetchOptions } from '../engine/verify/fetcher.js';

/**
 * The only way Blason reaches another server while verifying: foreign DID documents, keys and status lists.
 * Issuer-controlled URLs are attacker-controlled input (security.md §6), so:
 * - HTTPS only, on the default port, unless the host is on the allow-list set by configuration;
 * - every resolved address must be public: the check runs in the socket's own DNS lookup, so what is
 *   checked is what is connected to (no DNS rebinding); loopback, private, link-local, CGNAT, unique-local
 *   and metadata addresses are refused unless allow-listed;
 * - redirects are followed by hand, at most 3, each hop checked again;
 * - a total timeout, a byte cap enforced while reading, no cookies or credentials sent.
 */
export interface GuardedFetchOptions {
  /** Hosts (`host` or `host:port`) that may be reached although private, on any port. Tests and intranets use it. */
  allowHosts?: string[];
  /**
   * Hosts reached over plain HTTP even when the URL says https (a did:web always does). For local test servers
   * without TLS only; never set in production.
   */
  insecureHttpHosts?: string[];
  timeoutMs?: number;
  maxRedirects?: number;
  /**
   * Certificate authorities (PEM) trusted besides Node's bundled roots: an intranet's own CA, or a test's
   * throwaway certificate. Only who is trusted for TLS changes; every other rule above still applies.
   */
  ca?: string[];
}

const PUBLIC_RANGES = new Set(['unicast']);

export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return PUBLIC_RANGES.has(parsed.range());
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const usable = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (usable.length === 0) {
        return callback(
          Object.assign(new Error(`${hostname} resolves only to private or reserved addresses`), { code: 'EBLOCKED' }),
          '',
          0,
        );
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

export function guardedFetcher(options: GuardedFetchOptions = {}): Fetcher {
  const allowHosts = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()));
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxRedirects = options.maxRedirects ?? 3;
  const isAllowed = (url: URL) => allowHosts.has(url.host.toLowerCase()) || allowHosts.has(url.hostname.toLowerCase());
  const insecure = new Set((options.insecureHttpHosts ?? []).map((h) => h.toLowerCase()));
  // Node's `ca` replaces its bundled roots: they are listed too, so that extra authorities only add trust.
  const ca = options.ca && options.ca.length > 0 ? [...rootCertificates, ...options.ca] : undefined;
  const downgrade = (url: URL): URL => {
    if (url.protocol !== 'https:' || !insecure.has(url.host.toLowerCase())) return url;
    const plain = new URL(url.href);
    plain.protocol = 'http:';
    return plain;
  };

  const check = (url: URL): void => {
    const allowed = isAllowed(url);
    if (url.protocol !== 'https:' && !(allowed && url.protocol === 'http:')) {
      throw new FetchError('blocked', `Only HTTPS URLs are fetched (${url.protocol}//${url.host} refused).`);
    }
    if (url.port !== '' && !allowed)
      throw new FetchError('blocked', `Only the default HTTPS port is allowed (${url.host} refused).`);
    if (url.username || url.password) throw new FetchError('blocked', 'URLs with credentials are refused.');
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(literal) && !allowed && !isPublicAddress(literal)) {
      throw new FetchError('blocked', `${url.hostname} is a private or reserved address.`);
    }
  };

  const once = (
    url: URL,
    fetchOptions: FetchOptions,
    deadline: number,
  ): Promise<{ response: IncomingMessage; body?: Buffer }> =>
    new Promise((resolve, reject) => {
      const client = url.protocol === 'https:' ? https : http;
      const remaining = Math.max(1, deadline - Date.now());
      const request = client.request(url, {
        method: 'GET',
        headers: { accept: fetchOptions.accept, 'user-agent': 'Blason-verifier/1 (+https://github.com/)' },
        lookup: guardedLookup(isAllowed(url)),
        timeout: remaining,
        agent: false,
        ...(ca && url.protocol === 'https:' ? { ca } : {}),
      });
      const timer = setTimeout(
        () => request.destroy(new FetchError('timeout', `${url.host} did not answer within ${timeoutMs} ms.`)),
        remaining,
      );
      request.on('timeout', () =>
        request.destroy(new FetchError('timeout', `${url.host} did not answer within ${timeoutMs} ms.`)),
      );
      request.on('error', (error: Error & { code?: string }) => {
        clearTimeout(timer);
        if (error instanceof FetchError) reject(error);
        else if (error.code === 'EBLOCKED') reject(new FetchError('blocked', error.message));
        else
          reject(new FetchError('unreachable', `${url.host} could not be reached (${error.code ?? error.message}).`));
      });
      request.on('response', (response) => {
        if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400) {
          clearTimeout(timer);
          response.resume();
          resolve({ response });
          return;
        }
        const declared = Number(response.headers['content-length'] ?? NaN);
        if (declared > fetchOptions.maxBytes) {
          clearTimeout(timer);
          request.destroy();
          reject(new FetchError('too-large', `${url.host} sent more than ${fetchOptions.maxBytes} bytes.`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > fetchOptions.maxBytes) {
            request.destroy(new FetchError('too-large', `${url.host} sent more than ${fetchOptions.maxBytes} bytes.`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ response, body: Buffer.concat(chunks) });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error instanceof FetchError ? error : new FetchError('unreachable', error.message));
        });
      });
      request.end();
    });

  return {
    fetch: async (rawUrl, fetchOptions): Promise<FetchedDocument> => {
      const deadline = Date.now() + timeoutMs;
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        throw new FetchError('blocked', `Not a URL: ${rawUrl}`);
      }
      for (let hop = 0; ; hop++) {
        check(url);
        const { response, body } = await once(downgrade(url), fetchOptions, deadline);
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          if (hop >= maxRedirects) throw new FetchError('blocked', `Too many redirects from ${rawUrl}.`);
          const location = response.headers.location;
          if (!location) throw new FetchError('http-error', `${url.host} redirected nowhere.`, status);
          url = new URL(location, url);
          continue;
        }
        if (status === 404 || status === 410)
          throw new FetchError('not-found', `${url.href} does not exist (HTTP ${status}).`, status);
        if (status < 200 || status >= 300)
          throw new FetchError('http-error', `${url.host} answered HTTP ${status}.`, status);
        return {
          url: url.href,
          contentType: String(response.headers['content-type'] ?? ''),
          body: body ?? Buffer.alloc(0),
        };
      }
    },
  };
}
