/**
 * GET /metrics, for the operator's Prometheus: absent unless a token is configured, then only for its bearer.
 * It counts awards, verifications by verdict and e-mails, times requests by route pattern (never by URL, whose
 * ids would make a series per credential), and says how full the status lists are.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config.js';
import { requestHolderCode } from '../../src/app/holders.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';

const TOKEN = randomBytes(24).toString('hex');

/** The value of one series in the exposition text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The count of requests answered with `status` by the route `route`. */
const answered = (method: string, route: string, status: number) =>
  `blason_http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`;
const emails = (outcome: string) => `blason_emails_total{outcome="${outcome}"}`;

async function scrape(service: InProcessService, token = TOKEN): Promise<string> {
  const res = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.text();
}

describe('without BLASON_METRICS_TOKEN', () => {
  let service: InProcessService;
  beforeAll(async () => {
    service = await startInProcess();
  }, 30_000);
  afterAll(() => service.stop());

  test('there are no metrics: /metrics is not found, token or not', async () => {
    expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});

test('a metrics token too short to be a secret stops the start, naming the variable', () => {
  expect(() => loadConfig({ BLASON_METRICS_TOKEN: 'metrics' })).toThrow(ConfigError);
  expect(() => loadConfig({ BLASON_METRICS_TOKEN: 'metrics' })).toThrow(/BLASON_METRICS_TOKEN/);
});

describe('with BLASON_METRICS_TOKEN', () => {
  let service: InProcessService;
  let smtp: SmtpCapture;
  let credential: { id: string; url: string; credential: object };

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    service = await startInProcess({ extra: { BLASON_METRICS_TOKEN: TOKEN, SMTP_URL: smtp.url } });
    const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
    const award = { achievementId: issuer.achievementId, recipient: { email: 'nadia.roux@example.fr' } };
    const awarded = await issuer.operator.post<typeof credential>('/api/v1/credentials', award);
    expect(awarded.status).toBe(201);
    credential = awarded.body;
    const verified = await apiClient(service.url).post<{ verdict: string }>('/api/v1/verify', credential.credential);
    expect(verified.body.verdict).toBe('valid');
  }, 30_000);
  afterAll(async () => {
    await service?.stop();
    await smtp?.close();
  });

  test('without a bearer token: 401 with a Bearer challenge, and no metrics', async () => {
    const res = await fetch(`${service.url}/metrics`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.text()).not.toContain('blason_');
  });

  test('with another token: 401', async () => {
    const other = randomBytes(24).toString('hex');
    expect((await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(401);
  });

  test('with the token: 200 in the Prometheus text format', async () => {
    const res = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE blason_http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
  });

  test('one award and one verification show in their counters, the verification under its verdict', async () => {
    const text = await scrape(service);
    expect(sample(text, 'blason_awards_total')).toBe(1);
    expect(sample(text, 'blason_verifications_total{verdict="valid"}')).toBe(1);
    expect(sample(text, 'blason_verifications_total{verdict="invalid"}')).toBe(0);
  });

  test('requests are timed by route pattern, never by their URL', async () => {
    expect((await fetch(credential.url, { headers: { accept: 'application/json' } })).status).toBe(200);
    const text = await scrape(service);
    expect(sample(text, answered('POST', '/api/v1/credentials', 201))).toBe(1);
    expect(sample(text, answered('POST', '/api/v1/verify', 200))).toBe(1);
    expect(sample(text, answered('GET', '/credentials/:id', 200))).toBe(1);
    const uuid = credential.url.split('/').pop()!;
    expect(text.split('\n').filter((l) => l.startsWith('blason_http_') && l.includes(uuid))).toEqual([]);
  });

  test('the status list the award used shows how full it is', async () => {
    const lines = (await scrape(service)).split('\n').filter((l) => l.startsWith('blason_status_list_fill_ratio{'));
    const fill = lines.map((l) => Number(l.split(' ').pop()));
    expect(fill.length).toBeGreaterThan(0);
    expect(Math.max(...fill)).toBeGreaterThan(0);
    expect(Math.max(...fill)).toBeLessThanOrEqual(1);
  });

  test('an e-mail is counted when queued, then when sent', async () => {
    const before = await scrape(service);
    await requestHolderCode(service.running.app, 'nadia.roux@example.fr', 'fr');
    await smtp.waitFor(1);
    // The outbox marks the message sent just after the SMTP server took it: wait for the counter, not a delay.
    let text = await scrape(service);
    for (let i = 0; i < 50 && sample(text, emails('sent')) === sample(before, emails('sent')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await scrape(service);
    }
    expect(sample(text, emails('queued'))).toBe(sample(before, emails('queued'))! + 1);
    expect(sample(text, emails('sent'))).toBe(sample(before, emails('sent'))! + 1);
    expect(sample(text, emails('failed'))).toBe(0);
  });
});
