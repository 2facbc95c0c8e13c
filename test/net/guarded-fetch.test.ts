/**
 * The verifier's only way out (security.md §6): it never reaches a private, loopback or link-local address unless
 * configuration allows that host, follows at most 3 redirects (each checked again), stops at its size cap and
 * its timeout. A local server counts every connection it receives, to prove that refused requests never connect.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchError } from '../../src/engine/verify/fetcher.js';
import { guardedFetcher, isPublicAddress } from '../../src/net/guarded-fetch.js';

let server: Server;
let host: string;
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ok') return void res.end('{"ok":true}');
    if (url.pathname === '/huge') {
      res.setHeader('content-type', 'application/json');
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return void pump();
    }
    if (url.pathname === '/slow') return void setTimeout(() => res.end('{}'), 5_000);
    if (url.pathname === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    if (url.pathname === '/to-private') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (url.pathname === '/to-localhost') return void res.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/ok` }).end();
    if (url.pathname === '/missing') return void res.writeHead(404).end();
    res.writeHead(500).end();
  });
  server.on('connection', () => { connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = { accept: 'application/json', maxBytes: 256 * 1024 };
async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'fetched';
  } catch (error) {
    return error instanceof FetchError ? error.reason : `unexpected: ${(error as Error).message}`;
  }
}

describe('without an allow-list', () => {
  const fetcher = guardedFetcher({ timeoutMs: 1_000 });

  test.each([
    ['loopback', () => `http://${host}/ok`],
    ['loopback over https', () => `https://${host}/ok`],
    ['a name that resolves to loopback', () => `https://localhost:${host.split(':')[1]}/ok`],
    ['IPv6 loopback', () => 'https://[::1]/ok'],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private network', () => 'https://10.0.0.1/x'],
    ['carrier-grade NAT', () => 'https://100.64.0.1/x'],
    ['an IPv4-mapped IPv6 loopback', () => 'https://[::ffff:127.0.0.1]/x'],
    ['a file URL', () => 'file:///etc/passwd'],
    ['plain http to a public name', () => 'http://example.org/x'],
    ['a non-default port', () => 'https://example.org:8443/x'],
    ['credentials in the URL', () => 'https://user:pass@example.org/x'],
  ])('refuses %s without connecting', async (_what, url) => {
    const before = connections;
    expect(await reason(fetcher.fetch(url(), options))).toBe('blocked');
    expect(connections).toBe(before);
  });
});

describe('with the test server allow-listed', () => {
  const fetcher = () => guardedFetcher({ allowHosts: [host], timeoutMs: 1_000 });

  test('fetches from it', async () => {
    const doc = await fetcher().fetch(`http://${host}/ok`, options);
    expect(JSON.parse(doc.body.toString())).toEqual({ ok: true });
  });

  test('stops reading past the size cap', async () => {
    expect(await reason(fetcher().fetch(`http://${host}/huge`, options))).toBe('too-large');
  });

  test('gives up at the timeout', async () => {
    expect(await reason(fetcher().fetch(`http://${host}/slow`, options))).toBe('timeout');
  });

  test('stops a redirect loop', async () => {
    expect(await reason(fetcher().fetch(`http://${host}/loop`, options))).toBe('blocked');
  });

  test('refuses a redirect to a private address that is not allowed', async () => {
    expect(await reason(fetcher().fetch(`http://${host}/to-private`, options))).toBe('blocked');
  });

  test('refuses a redirect to another name for loopback', async () => {
    expect(await reason(fetcher().fetch(`http://${host}/to-localhost`, options))).toBe('blocked');
  });

  test('reports a missing document as not found', async () => {
    expect(await reason(fetcher().fetch(`http://${host}/missing`, options))).toBe('not-found');
  });

  test('reaches a plain-HTTP test server for an https URL only when told to', async () => {
    expect(await reason(guardedFetcher({ allowHosts: [host], insecureHttpHosts: [host] }).fetch(`https://${host}/ok`, options))).toBe('fetched');
  });
});

test.each([
  ['8.8.8.8', true], ['2001:4860:4860::8888', true], ['127.0.0.1', false], ['10.1.2.3', false], ['172.16.0.1', false],
  ['192.168.1.1', false], ['169.254.169.254', false], ['100.64.0.1', false], ['::1', false], ['fe80::1', false], ['fc00::1', false],
  ['::ffff:10.0.0.1', false], ['0.0.0.0', false], ['not an ip', false],
])('%s is public: %s', (address, expected) => {
  expect(isPublicAddress(address)).toBe(expected);
});
