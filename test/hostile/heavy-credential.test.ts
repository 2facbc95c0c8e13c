/**
 * A real credential made heavy (issue 10 §5): one the service issued, its achievement padded with 11,500
 * alignments to just under the 1 MB cap. Verifying it used to block the service for 19 s (`/health` answered
 * in 18.7 s meanwhile). Now it is refused before JSON-LD expansion, with a reason a person can act on; and
 * the heaviest credential the limits let through is verified on a worker thread while the service answers.
 */
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { failedCodes } from '../support/verification.js';
import { answerOrder, heaviestAllowed, withAlignments } from './support.js';

type Json = Record<string, unknown>;

let service: InProcessService;
let credential: Json;
const post = (body: string) =>
  apiClient(service.url).post<VerificationReport>('/api/v1/verify', body, { 'content-type': 'application/json' });

beforeAll(async () => {
  service = await startInProcess();
  const { operator, achievementId } = await setUpIssuer(apiClient(service.url, service.token), service.url);
  const recipient = { email: 'ana@example.fr' };
  const awarded = await operator.post<{ credential: Json }>('/api/v1/credentials', { achievementId, recipient });
  expect(awarded.status).toBe(201);
  credential = awarded.body.credential;
  // The worker threads start with the first verification: start them now, so that what follows is not about that.
  expect((await post(JSON.stringify(credential))).body.verdict).toBe('valid');
});
afterAll(() => service.stop());

test('padded with 11,500 alignments (970 KB), it is refused unread, naming the alignments and the limit', async () => {
  const body = JSON.stringify(withAlignments(credential, 11_500));
  expect(Buffer.byteLength(body)).toBeGreaterThan(900_000);
  expect(Buffer.byteLength(body)).toBeLessThan(1_000_000);
  const res = await post(body);
  expect(res.status).toBe(200);
  expect(res.body.verdict).toBe('invalid');
  // Refused on reading: nothing was expanded, no other check ran.
  expect(res.body.checks).toEqual([
    expect.objectContaining({ id: 'parse', outcome: 'failed', code: 'input.tooComplex' }),
  ]);
  expect(res.body.checks[0]!.params).toEqual({ measure: 'alignments', count: 11_500, limit: 250 });
  expect(res.body.checks[0]!.message).toMatch(/holds 11500 alignments, and Blason verifies .* at most 250\./);
});

test('with several padded ones in flight, /health answers, and the real credential still verifies after', async () => {
  const verifier = service.running.app.verifier!;
  const padded = [11_500, 11_000, 10_500, 10_000].map((count) => async () => {
    const res = await post(JSON.stringify(withAlignments(credential, count)));
    expect(failedCodes(res.body)).toEqual(['input.tooComplex']);
  });
  const { health } = await answerOrder(service.url, () => verifier.pending > 0, padded);
  // Refusing them costs a strict JSON parse and a count each, so /health has nothing to wait for.
  expect(health).toBe(200);
  expect((await post(JSON.stringify(credential))).body.verdict).toBe('valid');
});

test('the heaviest credential the limits let through is checked off the request thread: /health first', async () => {
  // Different sizes: each is a new shape, which the expansion cache has not seen.
  const variants = [0, 1].map((i) => {
    const heavy = heaviestAllowed(credential) as Json & { evidence: unknown[] };
    heavy.evidence = heavy.evidence.slice(i);
    return JSON.stringify(heavy);
  });
  const verifier = service.running.app.verifier!;
  const heavy = variants.map((body) => async () => {
    const res = await post(body);
    expect(res.body.verdict).toBe('invalid');
    // Padded after signing, the signature no longer holds; on a machine too busy, the computing limit stops it.
    const reason = expect.stringMatching(/^(proof\.signatureMismatch|input\.tooSlow)$/);
    expect(failedCodes(res.body)).toEqual(expect.arrayContaining([reason]));
  });
  const { order, health } = await answerOrder(service.url, () => verifier.pending === variants.length, heavy);
  expect(health).toBe(200);
  expect(order[0]).toBe('health');
});
