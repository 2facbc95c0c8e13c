/** Everything issued survives a restart of the server, a graceful one or a SIGKILL, and still verifies. */
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { apiClient, csvOf, setUpIssuer } from '../support/api.js';
import { loopbackFetcher, serviceEnv, startChild, type ChildService, type ServiceEnv } from '../support/service.js';

let env: ServiceEnv;
let service: ChildService | undefined;

beforeAll(async () => {
  env = await serviceEnv({ extra: { BLASON_SIGNING_WORKERS: '1' } });
});
afterAll(async () => {
  await service?.kill();
});

async function allCredentials(token: string): Promise<{ id: string; url: string; state: string }[]> {
  const res = await apiClient(env.BLASON_BASE_URL!, token).get<{ credentials: { id: string; url: string; state: string }[] }>('/api/v1/credentials?limit=500');
  return res.body.credentials;
}

test('credentials issued before a SIGKILL and a SIGTERM are all still there after restart, and verify', async () => {
  service = await startChild(env);
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  const bulk = await issuer.operator.post<{ summary: { issued: number } }>(`/api/v1/credentials/bulk?achievementId=${issuer.achievementId}&dryRun=false`, csvOf(40), { 'content-type': 'text/csv' });
  expect(bulk.body.summary.issued).toBe(40);
  const revoked = (await allCredentials(issuer.operatorToken))[0]!;
  await issuer.operator.post(`/api/v1/credentials/${revoked.id}/revoke`, { reason: 'test' });
  const before = await allCredentials(issuer.operatorToken);

  await service.kill();
  service = await startChild(env);
  expect(await allCredentials(issuer.operatorToken)).toEqual(before);

  expect(await service.stop()).toBe(0);
  service = await startChild(env);
  const after = await allCredentials(issuer.operatorToken);
  expect(after).toEqual(before);

  const fetcher = loopbackFetcher(env);
  for (const credential of after) {
    const json = await (await fetch(credential.url, { headers: { accept: 'application/ld+json' } })).text();
    const report = await verifyCredential({ text: json }, { fetcher });
    expect(report.verdict).toBe(credential.id === revoked.id ? 'revoked' : 'valid');
  }
  // The keys on disk survived too: a new award after restart is signed by the same key.
  const fresh = await issuer.operator.post<{ credential: { proof: { verificationMethod: string }[] } }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'after-restart@example.fr' } });
  const old = await (await fetch(before[1]!.url, { headers: { accept: 'application/json' } })).json() as { proof: { verificationMethod: string }[] };
  expect(fresh.body.credential.proof[0]!.verificationMethod).toBe(old.proof[0]!.verificationMethod);
}, 120_000);

test('the first start on an empty folder creates the database, keys and catalogue, and prints an admin token once', async () => {
  const fresh = await serviceEnv();
  delete fresh.BLASON_ADMIN_TOKEN;
  const first = await startChild(fresh);
  const token = /blsn_[A-Za-z0-9_-]{20,}/.exec(first.output())?.[0];
  expect(token).toBeDefined();
  expect((await apiClient(first.url, token).get('/api/v1/issuers')).status).toBe(200);
  expect((await fetch(`${first.url}/issuers/mel/did.json`)).status).toBe(200);
  const catalogue = await apiClient(first.url, token).get<{ achievements: unknown[] }>('/api/v1/achievements');
  expect(catalogue.body.achievements).toHaveLength(24);
  expect(await first.stop()).toBe(0);
  const again = await startChild(fresh);
  expect(again.output()).not.toContain('blsn_');
  expect((await apiClient(again.url, token).get('/api/v1/issuers')).status).toBe(200);
  await again.stop();
}, 120_000);
