/**
 * The service under load from autocannon, at 1, 10 and 100 concurrent connections: `GET /credentials/{id}` (what
 * a LinkedIn click or a verifier fetch costs) and `POST /api/v1/verify` (full verification of a signed badge),
 * next to `GET /health` on the same server as the reference: the floor of this HTTP stack (Express, security
 * headers, request logging). Autocannon runs in this process, on the same 2 cores as the server, so absolute
 * figures understate a real deployment; the ratios are what to compare from run to run.
 */
import autocannon from 'autocannon';
import { apiClient, setUpIssuer } from '../test/support/api.js';
import { startBenchServer } from './server.js';

export interface LoadResult {
  endpoint: string;
  connections: number;
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** Requests per second relative to GET /health at the same concurrency. */
  ratioToHealth?: number;
}

interface Target {
  endpoint: string;
  path: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

function run(url: string, target: Target, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: `${url}${target.path}`,
      method: target.method,
      connections,
      duration: seconds,
      ...(target.headers ? { headers: target.headers } : {}),
      ...(target.body ? { body: target.body } : {}),
    }, (error, result) => {
      if (error) return reject(error);
      resolve({
        endpoint: target.endpoint,
        connections,
        requestsPerSecond: Math.round(result.requests.average),
        p50ms: result.latency.p50,
        p99ms: result.latency.p99,
        errors: result.errors + result.timeouts + result.non2xx,
      });
    });
  });
}

export async function httpLoad(seconds: number): Promise<LoadResult[]> {
  // Rate limits measure abuse, not capacity: lifted for the benchmark.
  const server = await startBenchServer('sqlite', { BLASON_PUBLIC_RATE_LIMIT: '100000000' });
  try {
    const issuer = await setUpIssuer(apiClient(server.url, server.adminToken), server.url);
    const awarded = await issuer.operator.post<{ id: string; credential: unknown }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'charge@example.fr' } });
    if (awarded.status !== 201) throw new Error(`award: ${awarded.status}`);
    const targets: Target[] = [
      { endpoint: 'GET /health (reference)', path: '/health', method: 'GET' },
      { endpoint: 'GET /credentials/{id}', path: `/credentials/${awarded.body.id}`, method: 'GET', headers: { accept: 'application/vc+ld+json' } },
      { endpoint: 'POST /api/v1/verify', path: '/api/v1/verify', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(awarded.body.credential) },
    ];
    const results: LoadResult[] = [];
    for (const connections of [1, 10, 100]) {
      const health = await run(server.url, targets[0]!, connections, seconds);
      results.push(health);
      for (const target of targets.slice(1)) {
        const result = await run(server.url, target, connections, seconds);
        results.push({ ...result, ratioToHealth: Number((result.requestsPerSecond / health.requestsPerSecond).toFixed(2)) });
      }
    }
    return results;
  } finally {
    await server.stop();
  }
}
