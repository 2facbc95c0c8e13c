/**
 * Every file a badge page offers for download verifies on Blason's own /verify page, with the verdict the badge
 * page itself shows. The service runs as in production: its own address is NOT among the hosts its fetcher may
 * reach (tests usually allow it), so a file whose verification needed to fetch one of Blason's own documents over
 * the network (the hosted Open Badges 2.0 assertion of the 2.0 PNG, above all) would fail here as it would on a
 * real host behind a proxy. The files are found on the page as an employer's browser would, not listed by hand.
 */
import { apiClient, setUpIssuer } from '../support/api.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let issuer: Awaited<ReturnType<typeof setUpIssuer>>;

beforeAll(async () => {
  const port = await freePort();
  service = await startInProcess({ port, extra: { BLASON_FETCH_ALLOW_HOSTS: '', BLASON_FETCH_INSECURE_HTTP_HOSTS: '' } });
  issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
}, 30_000);

afterAll(() => service?.stop());

async function award(email: string, body: Record<string, unknown> = {}): Promise<{ id: string; url: string }> {
  const res = await issuer.operator.post<{ id: string; url: string }>('/api/v1/credentials', {
    achievementId: issuer.achievementId, recipient: { email, name: 'Ana Martin', showName: true }, ...body,
  });
  if (res.status !== 201) throw new Error(`award: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Every download the badge page offers, as [kind, absolute URL]. */
async function offeredFiles(url: string): Promise<[string, string][]> {
  const page = await (await fetch(`${url}?lang=fr`, { headers: { accept: 'text/html' } })).text();
  const links = [...page.matchAll(/<a href="([^"]+)" download data-download="([\w-]+)"/g)];
  return links.map((m) => [m[2]!, new URL(m[1]!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '='), url).href]);
}

/** Posts a file to the /verify page as its form does; returns the verdict it shows and the first reason. */
async function verifyOnPage(bytes: Buffer, name: string): Promise<{ verdict?: string; reason?: string; problem?: string }> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${service.url}/verify`, { method: 'POST', body: form, headers: { 'accept-language': 'fr' } });
  const html = await res.text();
  return {
    ...(html.match(/data-verdict="([^"]+)"/) ? { verdict: html.match(/data-verdict="([^"]+)"/)![1] } : {}),
    ...(html.match(/data-reason>([^<]*)/) ? { reason: html.match(/data-reason>([^<]*)/)![1] } : {}),
    ...(html.match(/role="alert">([^<]*)/) ? { problem: html.match(/role="alert">([^<]*)/)![1] } : {}),
  };
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

test('the badge page offers the badge files: baked PNG and SVG, JSON-LD, JWT and the Open Badges 2.0 PNG', async () => {
  const { url } = await award('offered@example.fr');
  const kinds = (await offeredFiles(url)).map(([kind]) => kind);
  expect(kinds).toEqual(expect.arrayContaining(['png', 'svg', 'json', 'jwt', 'ob2']));
});

test('every file the page offers, downloaded and given to /verify, is valid', async () => {
  const { url } = await award('valid@example.fr');
  const files = await offeredFiles(url);
  const verdicts: Record<string, unknown> = {};
  for (const [kind, link] of files) verdicts[kind] = (await verifyOnPage(await download(link), kind)).verdict;
  expect(verdicts).toEqual(Object.fromEntries(files.map(([kind]) => [kind, 'valid'])));
});

test('files downloaded before the badge was revoked are shown revoked on /verify, the revocation as first reason', async () => {
  const { id, url } = await award('revoked@example.fr');
  const files = await offeredFiles(url);
  const downloaded = await Promise.all(files.map(async ([kind, link]) => [kind, await download(link)] as const));
  expect((await issuer.operator.post(`/api/v1/credentials/${id}/revoke`, { reason: 'Attribué par erreur' })).status)
    .toBe(200);
  for (const [kind, bytes] of downloaded) {
    const shown = await verifyOnPage(bytes, kind);
    expect({ kind, verdict: shown.verdict, reason: shown.reason })
      .toEqual({ kind, verdict: 'revoked', reason: 'L&#x27;émetteur a révoqué ce badge.' });
  }
});
