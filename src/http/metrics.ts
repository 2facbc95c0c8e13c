import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../app/metrics.js';
import { VERDICTS, type Verdict } from '../engine/verify/report.js';
import { sendProblem } from './problem.js';

/**
 * GET /metrics in the Prometheus text format (prom-client): request durations by route, awards, verifications by
 * verdict, e-mails, the database pool and how full each status list is, plus Node's own process metrics. Off
 * unless BLASON_METRICS_TOKEN is set, and then only for whoever sends that token: the counts say how the service
 * is used, which is nobody else's business.
 */

/**
 * Where the gauges read from, passed in by the composition root (src/main.ts): src/http never reaches the store.
 * `statusLists` is the use case statusListFill (src/app/operations.ts); `pool` the PostgreSQL pool's counts.
 */
export interface MetricsSources {
  statusLists: () => Promise<{ list: string; purpose: string; ratio: number }[]>;
  pool?: () => { open: number; idle: number; waiting: number; max: number };
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<'method' | 'route' | 'status'>;
  private readonly awards: Counter;
  private readonly verifications: Counter<'verdict'>;
  private readonly emails: Counter<'outcome'>;

  constructor(source: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Histogram({
      name: 'blason_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.awards = new Counter({ name: 'blason_awards_total', help: 'Credentials awarded.', registers });
    this.verifications = new Counter({
      name: 'blason_verifications_total',
      help: 'Verifications asked for on the page or the API, by verdict.',
      labelNames: ['verdict'],
      registers,
    });
    this.emails = new Counter({
      name: 'blason_emails_total',
      help: 'E-mails queued in the outbox, sent, or failed (to be retried).',
      labelNames: ['outcome'],
      registers,
    });
    // Every series from the start, at 0: a rate over a counter that appears late misses its first increase.
    for (const verdict of VERDICTS) this.verifications.inc({ verdict }, 0);
    for (const outcome of ['queued', 'sent', 'failed']) this.emails.inc({ outcome }, 0);

    const { pool } = source;
    if (pool) {
      new Gauge({
        name: 'blason_database_pool_connections',
        help: 'PostgreSQL pool: connections open, idle and at most, and queries waiting for one.',
        labelNames: ['state'],
        registers,
        collect() {
          const stats = pool();
          for (const state of ['open', 'idle', 'waiting', 'max'] as const) this.set({ state }, stats[state]);
        },
      });
    }
    new Gauge({
      name: 'blason_status_list_fill_ratio',
      help: 'Share of the indexes of each status list already given to credentials (a full list cannot take more).',
      labelNames: ['list', 'purpose'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const { list, purpose, ratio } of await source.statusLists()) this.set({ list, purpose }, ratio);
        } catch {
          // The database is unavailable: the other metrics are still worth having (and /health says why).
        }
      },
    });
  }

  awarded(count: number): void {
    if (count > 0) this.awards.inc(count);
  }

  verified(verdict: Verdict): void {
    this.verifications.inc({ verdict });
  }

  mail(outcome: 'queued' | 'sent' | 'failed', count = 1): void {
    if (count > 0) this.emails.inc({ outcome }, count);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method: METHODS.has(method) ? method : 'other', route, status: String(status) };
    this.requests.observe(labels, seconds);
  }
}

/**
 * Times every request, labelled with the route pattern that answered it (`/credentials/:id`), never the URL
 * itself: its ids would make a series per credential. Requests no route answered count under their router's
 * mount path (`/assets/*`, `/oauth/*`) or as `unmatched`.
 */
export function observeRequests(metrics: PrometheusMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let route: unknown;
    let pattern: string | undefined;
    // Express sets req.route when a route matches, while req.baseUrl is still the mount path of that route's
    // router; an error leaving the router restores baseUrl, so the whole pattern is taken now.
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (value: { path?: unknown } | undefined) => {
        route = value;
        if (typeof value?.path === 'string') pattern = `${req.baseUrl}${value.path}`;
      },
    });
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const label = pattern ?? (req.baseUrl ? `${req.baseUrl}/*` : 'unmatched');
      metrics.observeRequest(req.method, label, res.statusCode, seconds);
    });
    next();
  };
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** GET /metrics for the bearer of `token` (compared in constant time); 401 for anyone else. */
export function metricsEndpoint(metrics: PrometheusMetrics, token: string): RequestHandler {
  const expected = digest(token);
  return async (req, res) => {
    const given = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    res.setHeader('Cache-Control', 'no-store');
    if (!given || !timingSafeEqual(digest(given), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="Blason metrics"');
      const detail = 'The metrics need the token set in BLASON_METRICS_TOKEN (Authorization: Bearer).';
      return sendProblem(res, 401, 'unauthorized', detail);
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
