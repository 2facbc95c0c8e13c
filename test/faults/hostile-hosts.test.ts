/**
 * POST /api/v1/verify on credentials whose issuer's did:web host, or whose status list host, misbehaves: never
 * answers, answers too late, drips, streams without end, redirects in a loop, or sends garbage. Every
 * verification ends within the fetch timeout (5 s) plus a margin, with a 200 report (never a 500 or a hang):
 * - a key host that does not answer in time leaves the issuer unconfirmed ("try again later"); one that answers
 *   garbage, too much, or redirects for ever makes the credential invalid, the issuer's key "could not be resolved";
 * - a broken status host leaves the credential not revoked, its status "could not be checked";
 * and a huge answer is cut off near the size cap, not read to its end.
 */
import { generateKeyPairSync } from 'node:crypto';
import { apiClient, type Api } from '../support/api.js';
import { startForeignIssuer, type ForeignIssuer } from '../support/foreign-issuer.js';
import { startHostileHost, type Behaviour, type HostileHost } from '../support/hostile-hosts.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';

/** The guarded fetcher's timeout (src/net/guarded-fetch.ts), the service's default. */
const FETCH_TIMEOUT_MS = 5_000;
// Generous: a loaded 2-core CI machine runs three slow verifications side by side through the worker threads.
const MARGIN_MS = 5_000;
/** All the fetches of one verification share this much time (src/app/verify.ts). */
const VERIFICATION_BUDGET_MS = 8_000;
/** The size caps of a DID document (src/engine/verify/keys.ts) and of a status list (src/engine/verify/status.ts). */
const DID_DOCUMENT_CAP = 256 * 1024;
const STATUS_LIST_CAP = 512 * 1024;
/** What the hostile server may write (about 16 KB a millisecond) while the client's close reaches it. */
const SLACK = 256 * 1024;

let service: InProcessService;
let foreign: ForeignIssuer;
let hostile: HostileHost;
let anyone: Api;

beforeAll(async () => {
  foreign = await startForeignIssuer();
  hostile = await startHostileHost({ lateMs: FETCH_TIMEOUT_MS + 1_000, sluggishMs: FETCH_TIMEOUT_MS - 1_000 });
  const port = await freePort();
  const hosts = [`127.0.0.1:${port}`, foreign.hosts, hostile.host].join(',');
  service = await startInProcess({ port, extra: { BLASON_FETCH_ALLOW_HOSTS: hosts, BLASON_FETCH_INSECURE_HTTP_HOSTS: hosts } });
  anyone = apiClient(service.url);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await hostile?.close();
  await foreign?.close();
});

interface Report {
  verdict: string;
  status?: { revoked?: boolean };
  checks: { id: string; outcome: string; code: string; message: string }[];
}

async function verify(credential: object): Promise<{ status: number; report: Report; ms: number }> {
  const started = Date.now();
  const res = await anyone.post<Report>('/api/v1/verify', credential);
  return { status: res.status, report: res.body, ms: Date.now() - started };
}

/** A credential signed by a key said to be published by the hostile host's did:web. */
function withBrokenKeyHost(behaviour: Behaviour, name?: string) {
  const did = hostile.did(behaviour, name);
  return foreign.sign({
    issuer: { id: did, type: ['Profile'], name: 'Organisme inconnu' },
    signWith: { key: generateKeyPairSync('ed25519').privateKey, verificationMethod: `${did}#ed-1` },
  });
}

/** A credential of a well-behaved issuer whose revocation entry points at the hostile host. */
function withBrokenStatusHost(behaviour: Behaviour) {
  const list = hostile.statusListUrl(behaviour);
  return foreign.sign({
    credentialStatus: { id: `${list}#7`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: list },
  });
}

function expectKeyUnresolved(result: Awaited<ReturnType<typeof verify>>): void {
  expect(result.status).toBe(200);
  expect(result.report.verdict).toBe('invalid');
  const key = result.report.checks.find((check) => check.id === 'issuerKey');
  expect(key).toMatchObject({ outcome: 'failed', code: 'key.didUnresolvable' });
  expect(key!.message).toMatch(/could not be resolved/);
}

function expectKeyUnreached(result: Awaited<ReturnType<typeof verify>>): void {
  expect(result.status).toBe(200);
  expect(result.report.verdict).toBe('issuer-unconfirmed');
  const key = result.report.checks.find((check) => check.id === 'issuerKey');
  expect(key).toMatchObject({ outcome: 'failed', code: 'key.issuerUnreachable' });
  expect(key!.message).toMatch(/could not be reached.*trying again later may succeed/s);
}

function expectStatusUnchecked(result: Awaited<ReturnType<typeof verify>>): void {
  expect(result.status).toBe(200);
  expect(result.report.verdict).toBe('status-unknown');
  expect(result.report.status?.revoked).not.toBe(true);
  expect(result.report.checks.find((check) => check.id === 'proof')).toMatchObject({ outcome: 'passed' });
  const status = result.report.checks.find((check) => check.id === 'status');
  expect(status).toMatchObject({ outcome: 'warning', code: 'status.unreachable' });
  expect(status!.message).toMatch(/could not be checked/);
}

test('the well-behaved issuer and status list used below verify as valid', async () => {
  const result = await verify(await foreign.sign({ statusIndex: 7 }));
  expect(result.report.verdict).toBe('valid');
});

// The slow hosts each cost a full timeout: they run side by side.
const SLOW: [string, Behaviour][] = [['never answers', 'silent'], ['answers after the timeout', 'late'], ['drips its body a byte at a time', 'drip']];

describe('the issuer\'s did:web host', () => {
  test.concurrent.each(SLOW)('%s: issuer unconfirmed, within the timeout', async (_what, behaviour) => {
    const result = await verify(await withBrokenKeyHost(behaviour));
    expectKeyUnreached(result);
    expect(result.ms).toBeGreaterThanOrEqual(FETCH_TIMEOUT_MS - 100);
    expect(result.ms).toBeLessThan(FETCH_TIMEOUT_MS + MARGIN_MS);
  }, 20_000);

  test.each([['huge'], ['huge-declared']] as [Behaviour][])('streams more than the cap (%s): invalid at once, and the download stops near the cap', async (behaviour) => {
    const result = await verify(await withBrokenKeyHost(behaviour));
    expectKeyUnresolved(result);
    expect(result.report.checks.find((check) => check.id === 'issuerKey')!.message).toMatch(/more than/);
    expect(result.ms).toBeLessThan(MARGIN_MS);
    await hostile.idle(behaviour);
    expect(hostile.bytesSent(behaviour)).toBeLessThan(DID_DOCUMENT_CAP + SLACK);
  }, 20_000);

  test('redirects in a loop: invalid at once, after at most 3 redirects', async () => {
    const result = await verify(await withBrokenKeyHost('redirect-loop'));
    expectKeyUnresolved(result);
    expect(result.ms).toBeLessThan(MARGIN_MS);
    expect(hostile.requests('redirect-loop')).toBeLessThanOrEqual(4);
  });

  test.each([['invalid JSON', 'invalid-json'], ['a PNG image', 'png'], ['an HTML page', 'html']] as [string, Behaviour][])('answers %s: invalid at once', async (_what, behaviour) => {
    const result = await verify(await withBrokenKeyHost(behaviour));
    expectKeyUnresolved(result);
    expect(result.ms).toBeLessThan(MARGIN_MS);
  });
});

describe('the status list host', () => {
  test.concurrent.each(SLOW)('%s: not revoked, status could not be checked, within the timeout', async (_what, behaviour) => {
    const result = await verify(await withBrokenStatusHost(behaviour));
    expectStatusUnchecked(result);
    expect(result.ms).toBeGreaterThanOrEqual(FETCH_TIMEOUT_MS - 100);
    expect(result.ms).toBeLessThan(FETCH_TIMEOUT_MS + MARGIN_MS);
  }, 20_000);

  test.each([['huge'], ['huge-declared']] as [Behaviour][])('streams more than the cap (%s): status could not be checked, and the download stops near the cap', async (behaviour) => {
    const before = hostile.bytesSent(behaviour);
    const result = await verify(await withBrokenStatusHost(behaviour));
    expectStatusUnchecked(result);
    expect(result.ms).toBeLessThan(MARGIN_MS);
    await hostile.idle(behaviour);
    expect(hostile.bytesSent(behaviour) - before).toBeLessThan(STATUS_LIST_CAP + SLACK);
  }, 20_000);

  test('redirects in a loop: status could not be checked, after at most 3 redirects', async () => {
    const before = hostile.requests('redirect-loop');
    const result = await verify(await withBrokenStatusHost('redirect-loop'));
    expectStatusUnchecked(result);
    expect(result.ms).toBeLessThan(MARGIN_MS);
    expect(hostile.requests('redirect-loop') - before).toBeLessThanOrEqual(4);
  });

  test.each([['invalid JSON', 'invalid-json'], ['a PNG image', 'png'], ['an HTML page', 'html']] as [string, Behaviour][])('answers %s: status could not be checked, at once', async (_what, behaviour) => {
    const result = await verify(await withBrokenStatusHost(behaviour));
    expectStatusUnchecked(result);
    expect(result.ms).toBeLessThan(MARGIN_MS);
  });
});

describe('several slow hosts in one credential', () => {
  test.concurrent('schemas on a host that answers each just before the timeout: the verification still ends within its budget', async () => {
    const credential = await foreign.sign({ statusIndex: 7 }) as unknown as { credentialSchema: { id: string; type: string }[] };
    // Any number of schemas may be declared, and foreign ones are fetched one after the other.
    const schemas = [1, 2, 3].map((n) => ({ id: `https://${hostile.host}/sluggish/schema-${n}.json`, type: '1EdTechJsonSchemaValidator2019' }));
    const result = await verify({ ...credential, credentialSchema: [...credential.credentialSchema, ...schemas] });
    expect(result.status).toBe(200);
    expect(result.report.verdict).not.toBe('valid');
    expect(result.ms).toBeLessThan(VERIFICATION_BUDGET_MS + MARGIN_MS);
  }, 40_000);

  test.concurrent('endorsements whose issuers’ hosts never answer: the verification still ends within its budget', async () => {
    const endorsements = await Promise.all([1, 2, 3].map((n) => withBrokenKeyHost('silent', `endosseur-${n}`)));
    const credential = await foreign.sign({ statusIndex: 7 });
    const result = await verify({ ...credential, endorsement: endorsements });
    expect(result.status).toBe(200);
    // Endorsements that cannot be verified are a warning on them, not a failure of the badge.
    expect(result.report.checks.find((check) => check.id === 'endorsements')?.code).toBe('endorsements.someInvalid');
    expect(result.ms).toBeLessThan(VERIFICATION_BUDGET_MS + MARGIN_MS);
  }, 40_000);
});
