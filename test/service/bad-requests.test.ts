/** Bad and oversized input gets a clear 4xx problem response; nothing is half-done; no stack trace leaks. */
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let operator: Api;
let achievementId: string;

beforeAll(async () => {
  service = await startInProcess();
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  operator = issuer.operator;
  achievementId = issuer.achievementId;
});
afterAll(() => service.stop());

function expectProblem(res: { status: number; type: string; body: unknown }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.type).toContain('application/problem+json');
  const body = res.body as { status: number; detail: string; title: string };
  expect(body.status).toBe(status);
  expect(body.detail.length).toBeGreaterThan(10);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

test('malformed JSON is 400', async () => {
  expectProblem(await operator.post('/api/v1/credentials', '{"achievementId": ', { 'content-type': 'application/json' }), 400);
});

test('a body over 256 KB is 413', async () => {
  expectProblem(await operator.post('/api/v1/credentials', { achievementId, recipient: { email: 'a@example.fr', name: 'x'.repeat(300_000) } }), 413);
});

test('a missing field is 422 and names the field', async () => {
  const res = await operator.post('/api/v1/credentials', { achievementId });
  expectProblem(res, 422);
  expect(res.body.errors).toEqual([{ field: 'recipient', message: 'is required', keyword: 'required' }]);
});

test('an invalid email is 422', async () => {
  expectProblem(await operator.post('/api/v1/credentials', { achievementId, recipient: { email: 'not an email' } }), 422);
});

test('a validUntil in the past is 422', async () => {
  expectProblem(await operator.post('/api/v1/credentials', { achievementId, recipient: { email: 'a@example.fr' }, validUntil: '2001-01-01T00:00:00Z' }), 422);
});

test('an evidence link that is not https is 422', async () => {
  expectProblem(await operator.post('/api/v1/credentials', { achievementId, recipient: { email: 'a@example.fr' }, evidence: [{ id: 'javascript:alert(1)' }] }), 422);
});

test('an unknown EntreComp competence is 422', async () => {
  const res = await operator.post('/api/v1/achievements', { issuerId: (await operator.get<{ issuers: { id: string }[] }>('/api/v1/issuers')).body.issuers[0]!.id, name: { fr: 'X' }, description: { fr: 'X' }, criteria: { fr: 'X' }, competences: [{ code: '3.9', level: 1 }] });
  expectProblem(res, 422);
});

test('an unknown id is 404, and an id that is not a UUID too', async () => {
  expectProblem(await operator.get('/api/v1/credentials/00000000-0000-4000-8000-000000000000'), 404);
  expectProblem(await operator.get("/api/v1/credentials/1' OR '1'='1"), 404);
});

test('an unknown route is 404', async () => {
  expectProblem(await operator.get('/api/v1/nothing-here'), 404);
});

test('a spreadsheet over 5 MB is 413', async () => {
  expectProblem(await operator.post(`/api/v1/credentials/bulk?achievementId=${achievementId}`, 'email\n' + 'a@example.fr\n'.repeat(500_000), { 'content-type': 'text/csv' }), 413);
});

test('an empty spreadsheet is 400', async () => {
  expectProblem(await operator.post(`/api/v1/credentials/bulk?achievementId=${achievementId}`, '', { 'content-type': 'text/csv' }), 400);
});

test('an Excel workbook sent as the spreadsheet is 422, saying to save it as CSV', async () => {
  const xlsx = Buffer.concat([Buffer.from('504b0304140006000800', 'hex'), Buffer.alloc(200)]);
  const res = await operator.post(`/api/v1/credentials/bulk?achievementId=${achievementId}&dryRun=false`, xlsx, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  expectProblem(res, 422);
  expect((res.body as { detail: string }).detail).toMatch(/workbook.*CSV UTF-8/);
});

test('a spreadsheet without achievementId is 400', async () => {
  expectProblem(await operator.post('/api/v1/credentials/bulk', 'email\na@example.fr', { 'content-type': 'text/csv' }), 400);
});

test('verify: an unsupported media type is 415', async () => {
  expectProblem(await apiClient(service.url).post('/api/v1/verify', 'x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
});

test('verify: an empty body is 400', async () => {
  expectProblem(await apiClient(service.url).post('/api/v1/verify', '', { 'content-type': 'application/json' }), 400);
});

test('verify: garbage is not an error but an invalid verdict with a reason', async () => {
  const res = await apiClient(service.url).post<{ verdict: string; checks: { outcome: string; message: string }[] }>('/api/v1/verify', '{"hello": "world"}', { 'content-type': 'application/json' });
  expect(res.status).toBe(200);
  expect(res.body.verdict).toBe('invalid');
  expect(res.body.checks.find((c) => c.outcome === 'failed')?.message).toBeTruthy();
});

test('verify: a body over 5 MB is 413', async () => {
  expectProblem(await apiClient(service.url).post('/api/v1/verify', new Uint8Array(6_000_000), { 'content-type': 'image/png' }), 413);
});

test('verify: a URL to a private address is refused without being fetched', async () => {
  const res = await apiClient(service.url).post('/api/v1/verify', { url: 'http://169.254.169.254/latest/meta-data/' });
  expectProblem(res, 422);
});

test('a failed award changes nothing: the same person can still be awarded afterwards', async () => {
  await operator.post('/api/v1/credentials', { achievementId, recipient: { email: 'later@example.fr' }, validUntil: 'not a date' });
  expect((await operator.post('/api/v1/credentials', { achievementId, recipient: { email: 'later@example.fr' } })).status).toBe(201);
});

describe('client mistakes on the pages are 4xx, never 500', () => {
  test('a cookie that is not valid percent-encoding (lang=%zz) is ignored: the page still answers', async () => {
    const res = await fetch(`${service.url}/verify`, { headers: { cookie: 'lang=%zz' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html');
  });

  test('a missing static asset is 404, and the answer does not reveal where files live', async () => {
    const res = await fetch(`${service.url}/assets/nothing-here.css`);
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).not.toContain(process.cwd());
    expect(body).not.toMatch(/ENOENT|stat /);
  });

  test('a form upload with a file in an unexpected field is 400 and says so', async () => {
    const form = new FormData();
    form.append('surprise', new Blob(['{}'], { type: 'application/json' }), 'x.json');
    const res = await fetch(`${service.url}/verify`, { method: 'POST', body: form });
    expect(res.status).toBe(400);
  });
});
