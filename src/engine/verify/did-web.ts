/**
 * did:web → the HTTPS URL of its DID document (did-method-web §3.2):
 * `did:web:example.com` → `https://example.com/.well-known/did.json`,
 * `did:web:example.com%3A8443:issuers:bge` → `https://example.com:8443/issuers/bge/did.json`.
 */
export function didWebToUrl(did: string): string {
  const [method, ...rest] = did.split('#')[0]!.split(':').slice(1);
  if (method !== 'web' || rest.length === 0 || rest.some((part) => part === ''))
    throw new TypeError(`Not a did:web DID: ${did}`);
  const [host, ...path] = rest.map((part) => decodeURIComponent(part));
  if (!host || /[/?#@\s]/.test(host)) throw new TypeError(`Not a valid did:web host: ${did}`);
  return path.length === 0
    ? `https://${host}/.well-known/did.json`
    : `https://${host}/${path.map(encodeURIComponent).join('/')}/did.json`;
}

/** The inverse, for Blason's own issuers: `https://host:port/issuers/bge` → `did:web:host%3Aport:issuers:bge`. */
export function urlToDidWeb(url: URL, pathSegments: string[]): string {
  return ['did', 'web', encodeURIComponent(url.host), ...pathSegments.map(encodeURIComponent)].join(':');
}
