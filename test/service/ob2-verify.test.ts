/**
 * Blason verifies Open Badges 2.0 badges through POST /api/v1/verify, over a real server: its own (the baked
 * 2.0 PNG it serves, its hosted assertions) and a foreign 2.0 issuer's, served over HTTPS on 127.0.0.1 with a
 * throwaway certificate that the service trusts through BLASON_FETCH_CA_FILE.
 */
import { bakePng } from '../../src/engine/bake/png.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import {
  plainPng, startOb2Issuer, throwawayCertificate, type Ob2Issuer, type ThrowawayCertificate,
} from '../support/ob2-issuer.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';

interface Report {
  verdict: string;
  verified: boolean;
  standard?: string;
  credentialId?: string;
  checks: { code: string; outcome: string; message: string }[];
  display: Record<string, unknown>;
}

let certificate: ThrowawayCertificate;
let foreign: Ob2Issuer;
let service: InProcessService;
let issuer: Awaited<ReturnType<typeof setUpIssuer>>;

beforeAll(async () => {
  certificate = throwawayCertificate();
  foreign = await startOb2Issuer(certificate);
  const port = await freePort();
  service = await startInProcess({
    port,
    extra: { BLASON_FETCH_ALLOW_HOSTS: `127.0.0.1:${port},${foreign.host}`, BLASON_FETCH_CA_FILE: certificate.file },
  });
  issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
}, 30_000);

afterAll(async () => {
  await service.stop();
  await foreign.close();
  certificate.remove();
});

async function award(operator: Api, email: string): Promise<string> {
  const body = { achievementId: issuer.achievementId, recipient: { email } };
  const res = await operator.post<{ id: string }>('/api/v1/credentials', body);
  if (res.status !== 201) throw new Error(`award: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function verify(body: unknown, type: string): Promise<Report> {
  const res = await apiClient(service.url).post<Report>('/api/v1/verify', body, { 'content-type': type });
  expect(res.status).toBe(200);
  return res.body;
}

async function ownPng(id: string): Promise<Uint8Array> {
  const res = await fetch(`${service.url}/ob2/assertions/${id}/badge.png`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

const failed = (report: Report) => report.checks.filter((c) => c.outcome === 'failed').map((c) => c.code);

describe('Blason\'s own Open Badges 2.0 badges', () => {
  test('the baked 2.0 PNG of a badge it issued is a valid Open Badges 2.0 badge, naming its issuer', async () => {
    const id = await award(issuer.operator, 'ana.martin@example.fr');
    const report = await verify(await ownPng(id), 'image/png');
    expect(failed(report)).toEqual([]);
    const credentialId = `${service.url}/ob2/assertions/${id}`;
    expect(report).toMatchObject({ verdict: 'valid', verified: true, standard: 'ob2', credentialId });
    const issuerId = `${service.url}/ob2/issuers/bge-hauts-de-france`;
    expect(report.display).toMatchObject({ trusted: true, issuerName: 'BGE Hauts-de-France', issuerId });
    expect(report.display.achievementName).toEqual(expect.any(String));
  });

  test('once the badge is revoked, its baked 2.0 PNG verifies as revoked', async () => {
    const id = await award(issuer.operator, 'revoked@example.fr');
    const png = await ownPng(id);
    expect((await issuer.operator.post(`/api/v1/credentials/${id}/revoke`, { reason: 'erreur' })).status).toBe(200);
    const report = await verify(png, 'image/png');
    expect(report.verdict).toBe('revoked');
    expect(failed(report)).toEqual(['ob2.revoked']);
  });
});

describe('a foreign Open Badges 2.0 issuer over HTTPS', () => {
  test('its signed badge baked in a PNG is valid: its profile and key are read over trusted HTTPS', async () => {
    const png = bakePng(plainPng(), foreign.sign(foreign.signedAssertion()), 'openbadges');
    const report = await verify(png, 'image/png');
    expect(failed(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'valid', standard: 'ob2' });
    expect(report.checks.map((c) => c.code)).toEqual(expect.arrayContaining(['ob2.keyConfirmed', 'ob2.signatureOk']));
  });

  test('its hosted assertion, given by its link, is valid', async () => {
    const assertion = foreign.publish(foreign.assertion());
    const report = await verify({ url: assertion.id }, 'application/json');
    expect(failed(report)).toEqual([]);
    expect(report).toMatchObject({ verdict: 'valid', standard: 'ob2', credentialId: assertion.id });
  });

  test('its hosted assertion answering 410 Gone, given by its link, is revoked', async () => {
    const assertion = foreign.publish(foreign.assertion(), 410);
    const report = await verify({ url: assertion.id }, 'application/json');
    expect(report.verdict).toBe('revoked');
    expect(failed(report)).toEqual(['ob2.revoked']);
  });
});
