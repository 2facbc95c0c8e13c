/**
 * One loopback HTTP server that misbehaves in a different way under each first path segment, so that a
 * credential can name it as its issuer's did:web host (`did:web:127.0.0.1%3A<port>:<behaviour>` →
 * `/<behaviour>/did.json`) or as its status list host (`https://127.0.0.1:<port>/<behaviour>/status`):
 *
 * - `silent`: accepts the request and never answers;
 * - `late`: answers (an empty JSON object) only after `lateMs`, when a verifier should have given up;
 * - `sluggish`: answers an empty JSON object after `sluggishMs`, just before a verifier gives up;
 * - `drip`: sends its headers at once, then one byte every 100 ms, forever (a slow-loris body);
 * - `huge`: streams JSON-looking bytes without a Content-Length until the client goes away (up to 1 GB);
 * - `huge-declared`: the same, but announced with a Content-Length of 1 GB;
 * - `redirect-loop`: redirects to itself;
 * - `invalid-json`: a truncated JSON document as application/json;
 * - `png`: binary PNG bytes as image/png;
 * - `html`: an HTML error page as text/html with status 200.
 *
 * It counts the requests and the bytes it managed to write for each behaviour, and knows when the
 * connections that asked for a behaviour have all been closed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const BEHAVIOURS = ['silent', 'late', 'sluggish', 'drip', 'huge', 'huge-declared', 'redirect-loop', 'invalid-json', 'png', 'html'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface HostileHost {
  /** `127.0.0.1:<port>`, for BLASON_FETCH_ALLOW_HOSTS and BLASON_FETCH_INSECURE_HTTP_HOSTS. */
  host: string;
  /** A did:web whose DID document is served with this behaviour (`name` tells several apart). */
  did(behaviour: Behaviour, name?: string): string;
  /** A status list URL served with this behaviour (`name` tells several apart). */
  statusListUrl(behaviour: Behaviour, name?: string): string;
  requests(behaviour: Behaviour): number;
  /** Bytes of body written (accepted by the socket) for this behaviour so far. */
  bytesSent(behaviour: Behaviour): number;
  /** Resolves once every connection that asked for this behaviour has been closed. */
  idle(behaviour: Behaviour): Promise<void>;
  close(): Promise<void>;
}

const ONE_GB = 1024 ** 3;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

export async function startHostileHost(options: { lateMs: number; sluggishMs: number }): Promise<HostileHost> {
  const requests = new Map<Behaviour, number>();
  const bytes = new Map<Behaviour, number>();
  const open = new Map<Behaviour, Set<Socket>>();
  const timers = new Set<NodeJS.Timeout>();
  const count = (behaviour: Behaviour, n: number) => bytes.set(behaviour, (bytes.get(behaviour) ?? 0) + n);
  const later = (ms: number, work: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  };

  /**
   * Writes until the client goes away, or `limit` bytes are out: 16 KB a millisecond or so, waiting for the
   * socket to drain each time, so that what the count says was sent is close to what the client read (not
   * megabytes parked in loopback socket buffers).
   */
  const stream = (behaviour: Behaviour, res: ServerResponse, limit: number) => {
    const chunk = Buffer.from(`[${'"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",'.repeat(600)}`.slice(0, 16 * 1024));
    let sent = 0;
    const pump = () => {
      if (res.destroyed) return;
      if (sent >= limit) return void res.end();
      sent += chunk.length;
      count(behaviour, chunk.length);
      if (res.write(chunk)) later(1, pump);
      else res.once('drain', () => later(1, pump));
    };
    pump();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const behaviour = (req.url ?? '').split('/')[1] as Behaviour;
    if (!BEHAVIOURS.includes(behaviour)) return void res.writeHead(404).end();
    requests.set(behaviour, (requests.get(behaviour) ?? 0) + 1);
    const mine = open.get(behaviour) ?? new Set<Socket>();
    open.set(behaviour, mine);
    if (!req.socket.destroyed) {
      mine.add(req.socket);
      req.socket.once('close', () => mine.delete(req.socket));
    }
    const send = (status: number, type: string, body: Buffer | string) => {
      count(behaviour, Buffer.byteLength(body));
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
    };
    switch (behaviour) {
      case 'silent':
        return;
      case 'late':
        return later(options.lateMs, () => send(200, 'application/json', '{}'));
      case 'sluggish':
        return later(options.sluggishMs, () => send(200, 'application/json', '{}'));
      case 'drip': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const tick = () => {
          if (res.destroyed) return;
          count(behaviour, 1);
          res.write(' ');
          later(100, tick);
        };
        return tick();
      }
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/json' });
        return stream(behaviour, res, ONE_GB);
      case 'huge-declared':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': ONE_GB });
        return stream(behaviour, res, ONE_GB);
      case 'redirect-loop':
        return void res.writeHead(302, { location: req.url }).end();
      case 'invalid-json':
        return send(200, 'application/json', '{"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:web:');
      case 'png':
        return send(200, 'image/png', PNG);
      case 'html':
        return send(200, 'text/html; charset=utf-8', '<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    host,
    did: (behaviour, name) => `did:web:${encodeURIComponent(host)}:${behaviour}${name ? `:${name}` : ''}`,
    statusListUrl: (behaviour, name) => `https://${host}/${behaviour}/status${name ? `/${name}` : ''}`,
    requests: (behaviour) => requests.get(behaviour) ?? 0,
    bytesSent: (behaviour) => bytes.get(behaviour) ?? 0,
    idle: async (behaviour) => {
      while ((open.get(behaviour)?.size ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    close: () => new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
