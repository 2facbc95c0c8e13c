/**
 * A TCP proxy on loopback that forwards to another address (the shared PostgreSQL server), so that a test can
 * cut a service off its database without touching the database itself:
 * - `up()`: connections are accepted and forwarded (the initial state);
 * - `down()`: every proxied connection is destroyed and new ones are refused (the port stops listening);
 * - `blackhole()`: every proxied connection is destroyed and new ones are accepted but never answered, as a
 *   server behind a dead network link would behave.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  up(): Promise<void>;
  down(): Promise<void>;
  blackhole(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let mode: 'up' | 'blackhole' = 'up';
  let accepted = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    accepted++;
    track(client);
    if (mode === 'blackhole') return;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as { port: number }).port;
  const cut = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const stopListening = () => new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  return {
    port,
    connections: () => accepted,
    up: async () => {
      mode = 'up';
      if (!server.listening) await listen(port);
    },
    down: async () => {
      const closed = stopListening();
      cut();
      await closed;
    },
    blackhole: async () => {
      mode = 'blackhole';
      cut();
      if (!server.listening) await listen(port);
    },
    close: async () => {
      const closed = stopListening();
      cut();
      await closed;
    },
  };
}
