/**
 * POST /api/v1/verify on credentials whose issuer's did:web host, or whose status list host, misbehaves: never
 * answers, answers too late, drips, streams without end, redirects in a loop, or sends garbage. Every
 * verification ends with a 200 report (never a 500 or a hang), and the service hangs up on the host:
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
/**
 * No assertion here is about wall-clock time (a loaded CI machine makes those flaky): that a fetch was cut short
 * shows in the verdict (a late answer, had it been waited for, would have changed it) and in the hostile host's
 * own record (its connections closed by us, the bytes it managed to send, what it answered before we were done).
 * A verification that hung would exceed the test's own time limit.
 */
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

async function verify(credential: object): Promise<{ status: number; report: Report }> {
  const res = await anyone.post<Report>('/api/v1/verify', credential);
  return { status: res.status, report: res.body };
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
  // "Unconfirmed" rather than "invalid" shows the wait was cut short: the late host's eventual answer ("{}") is
  // not a DID document and would have made the key unresolvable. The service then hangs up on the host.
  test.concurrent.each(SLOW)('%s: issuer unconfirmed, and the connection closed', async (_what, behaviour) => {
    const result = await verify(await withBrokenKeyHost(behaviour));
    expectKeyUnreached(result);
    await hostile.idle(behaviour);
  }, 20_000);

  test.each([['huge'], ['huge-declared']] as [Behaviour][])('streams more than the cap (%s): invalid at once, and the download stops near the cap', async (behaviour) => {
    const result = await verify(await withBrokenKeyHost(behaviour));
    expectKeyUnresolved(result);
    expect(result.report.checks.find((check) => check.id === 'issuerKey')!.message).toMatch(/more than/);
    await hostile.idle(behaviour);
    expect(hostile.bytesSent(behaviour)).toBeLessThan(DID_DOCUMENT_CAP + SLACK);
  }, 20_000);

  test('redirects in a loop: invalid at once, after at most 3 redirects', async () => {
    const result = await verify(await withBrokenKeyHost('redirect-loop'));
    expectKeyUnresolved(result);
    expect(hostile.requests('redirect-loop')).toBeLessThanOrEqual(4);
  });

  test.each([['invalid JSON', 'invalid-json'], ['a PNG image', 'png'], ['an HTML page', 'html']] as [string, Behaviour][])('answers %s: invalid at once', async (_what, behaviour) => {
    const result = await verify(await withBrokenKeyHost(behaviour));
    expectKeyUnresolved(result);
  });
});

describe('the status list host', () => {
  test.concurrent.each(SLOW)('%s: not revoked, status could not be checked, and the connection closed', async (_what, behaviour) => {
    const result = await verify(await withBrokenStatusHost(behaviour));
    expectStatusUnchecked(result);
    await hostile.idle(behaviour);
  }, 20_000);

  test.each([['huge'], ['huge-declared']] as [Behaviour][])('streams more than the cap (%s): status could not be checked, and the download stops near the cap', async (behaviour) => {
    const before = hostile.bytesSent(behaviour);
    const result = await verify(await withBrokenStatusHost(behaviour));
    expectStatusUnchecked(result);
    await hostile.idle(behaviour);
    expect(hostile.bytesSent(behaviour) - before).toBeLessThan(STATUS_LIST_CAP + SLACK);
  }, 20_000);

  test('redirects in a loop: status could not be checked, after at most 3 redirects', async () => {
    const before = hostile.requests('redirect-loop');
    const result = await verify(await withBrokenStatusHost('redirect-loop'));
    expectStatusUnchecked(result);
    expect(hostile.requests('redirect-loop') - before).toBeLessThanOrEqual(4);
  });

  test.each([['invalid JSON', 'invalid-json'], ['a PNG image', 'png'], ['an HTML page', 'html']] as [string, Behaviour][])('answers %s: status could not be checked, at once', async (_what, behaviour) => {
    const result = await verify(await withBrokenStatusHost(behaviour));
    expectStatusUnchecked(result);
  });
});

describe('several slow hosts in one credential', () => {
  // Each schema alone is answered within the fetch timeout; the three, fetched one after the other, take longer
  // than the verification's shared budget (8 s, src/app/verify.ts), which ends the verification before the host
  // has answered them all.
  test.concurrent('schemas on a host that answers each just before the timeout: the shared budget ends the verification first', async () => {
    const credential = await foreign.sign({ statusIndex: 7 }) as unknown as { credentialSchema: { id: string; type: string }[] };
    const answered = hostile.bytesSent('sluggish');
    const schemas = [1, 2, 3].map((n) => ({ id: `https://${hostile.host}/sluggish/schema-${n}.json`, type: '1EdTechJsonSchemaValidator2019' }));
    const result = await verify({ ...credential, credentialSchema: [...credential.credentialSchema, ...schemas] });
    expect(result.status).toBe(200);
    expect(result.report.verdict).not.toBe('valid');
    // Each answer is "{}" (2 bytes): when the report came back, the third had not been answered.
    expect(hostile.bytesSent('sluggish') - answered).toBeLessThan(3 * 2);
  }, 40_000);

  test.concurrent('endorsements whose issuers’ hosts never answer: the verification still ends, and hangs up on them', async () => {
    const endorsements = await Promise.all([1, 2, 3].map((n) => withBrokenKeyHost('silent', `endosseur-${n}`)));
    const credential = await foreign.sign({ statusIndex: 7 });
    const result = await verify({ ...credential, endorsement: endorsements });
    expect(result.status).toBe(200);
    // Endorsements that cannot be verified are a warning on them, not a failure of the badge.
    expect(result.report.checks.find((check) => check.id === 'endorsements')?.code).toBe('endorsements.someInvalid');
    await hostile.idle('silent');
  }, 40_000);
});
