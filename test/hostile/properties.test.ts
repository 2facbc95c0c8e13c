/**
 * Properties over HTTP (security.md §4 controls, §10, §11 API4): whatever arrives at POST /api/v1/verify (JSON,
 * a compact JWT, a PNG, an SVG) or at the spreadsheet award endpoint, the service answers with a 4xx problem
 * that says what is wrong, or a 200 whose report is "invalid" and says why; never a 5xx. It stays up, and its
 * memory does not balloon.
 *
 * One in-process service on PostgreSQL, the stricter of the two databases (it refuses NUL in text, for one).
 * The seed is fixed (FC_SEED overrides it); fast-check prints it with any counterexample.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { apiClient, setUpIssuer, type Api, type ApiResponse } from '../support/api.js';
import { freshPostgresSchema, startInProcess, type InProcessService } from '../support/service.js';
import { expectHandled, iTXtData, pngChunk, PNG_SIGNATURE, propertyOptions } from './support.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

let service: InProcessService;
let dropSchema: () => Promise<void>;
let anyone: Api;
let operator: Api;
let achievementId: string;
/** A credential the service issued, in every form: the starting point of the mutations. */
let issued: { credential: { [key: string]: Json }; jwt: string; png: Buffer; svg: string };
let rssBefore: number;
let heapBefore: number;
let externalBefore: number;

/**
 * A full garbage collection, so that memory is compared between two clean states rather than whenever V8 last
 * collected. (--expose-gc switched on at run time; the `gc` function appears in new contexts.)
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

beforeAll(async () => {
  const schema = await freshPostgresSchema();
  dropSchema = schema.drop;
  service = await startInProcess({ databaseUrl: schema.url });
  anyone = apiClient(service.url);
  ({ operator, achievementId } = await setUpIssuer(apiClient(service.url, service.token), service.url));
  const res = await operator.post<{ url: string; credential: { [key: string]: Json }; jwt: string }>('/api/v1/credentials', { achievementId, recipient: { email: 'ana@example.fr', name: 'Ana' } });
  expect(res.status).toBe(201);
  const png = Buffer.from(await (await fetch(`${res.body.url}/badge.png`)).arrayBuffer());
  const svg = await (await fetch(`${res.body.url}/badge.svg`)).text();
  issued = { credential: res.body.credential, jwt: res.body.jwt, png, svg };
  // Memory is measured from a warm service: the first verification of each kind grows the heap once.
  for (const [type, body] of [['application/json', JSON.stringify(issued.credential)], ['text/plain', issued.jwt], ['image/png', png], ['image/svg+xml', svg]] as const) {
    await anyone.post('/api/v1/verify', body, { 'content-type': type });
  }
  collectGarbage();
  rssBefore = process.memoryUsage().rss;
  heapBefore = process.memoryUsage().heapUsed;
  externalBefore = process.memoryUsage().external;
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await dropSchema?.();
});

/** The service is still up after a property. */
async function expectHealthy(): Promise<void> {
  expect((await fetch(`${service.url}/health`)).status).toBe(200);
}

async function verifyAs(type: string, body: string | Uint8Array): Promise<void> {
  expectHandled(await anyone.post('/api/v1/verify', body, { 'content-type': type }) as ApiResponse<unknown>);
}

// ——— JSON ———————————————————————————————————————————————————————————————————————————————————————————————————

const KEYS = ['@context', 'id', 'type', 'issuer', 'credentialSubject', 'proof', 'name', 'credential', 'url', '@id', '@type', 'a'];
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 }));
const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 4_000 }).map((d) => d.replace(/^0+(?=\d)/, ''));

/** JSON *text*, written by hand so that it can hold what JSON.stringify never writes. */
const rawString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => JSON.stringify(s)),
  // Lone surrogates, NUL and a valid pair, as escapes.
  fc.constantFrom('"\\ud800"', '"x\\udc00"', '"\\ud83d"', '"\\u0000"', '"\\uDBFF\\uDFFF"', '"\\\\ud800"'),
);
const rawNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  digits,
  digits.map((d) => `-${d}.${d}e${d.slice(0, 6)}`),
  fc.constantFrom('1e999999', '-1e-999999', '-0', '1E+400', '123456789012345678901234567890'),
);
const { value: rawValue } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, rawString, rawNumber, fc.constantFrom('true', 'false', 'null'), tie('object'), tie('array')),
  // Keys drawn from a short list repeat often: duplicate keys come naturally.
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  array: fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
}));
const rawObject = fc.array(fc.tuple(key, rawValue), { maxLength: 6 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
const duplicateKeys = fc.tuple(key, rawValue, rawValue, rawObject).map(([k, a, b, rest]) => `{${JSON.stringify(k)}:${a},${rest.slice(1, -1)}${rest.length > 2 ? ',' : ''}${JSON.stringify(k)}:${b}}`);
const deepNesting = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('{"a":', '[', '{"credential":', '{"a":[')).map(([depth, open]) => {
  const close = open.replace(/[^[{]/g, '').split('').reverse().map((c) => (c === '{' ? '}' : ']')).join('');
  return `{"n":${open.repeat(depth)}1${close.repeat(depth)}}`;
});

/** Every path to a value in a JSON document. */
function pathsOf(root: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [prefix];
  if (Array.isArray(root)) root.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  else if (root && typeof root === 'object') for (const [k, v] of Object.entries(root)) paths.push(...pathsOf(v, [...prefix, k]));
  return paths;
}

/** The issued credential with one value replaced, removed or added somewhere (never left as it was). */
function mutatedCredential(): fc.Arbitrary<string> {
  const original = JSON.stringify(issued.credential);
  const paths = pathsOf(issued.credential).filter((p) => p.length > 0);
  // null and empty arrays are no-ops in JSON-LD (nothing is signed for them): adding one leaves the badge valid.
  const value = fc.jsonValue({ maxDepth: 3 }).filter((v) => JSON.stringify(v).replace(/[[\],\s]|null/g, '') !== '');
  return fc.tuple(fc.constantFrom(...paths), value, fc.constantFrom('replace', 'delete', 'add'), key).map(([path, value, operation, newKey]) => {
    const copy = JSON.parse(original) as { [key: string]: Json };
    const parent = path.slice(0, -1).reduce<Json>((node, k) => (node as Record<string | number, Json>)[k]!, copy) as Record<string | number, Json>;
    const last = path[path.length - 1]!;
    if (operation === 'replace') parent[last] = value as Json;
    else if (operation === 'delete') delete parent[last];
    else {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target)) target[newKey] = value as Json;
      else parent[last] = [target ?? null, value as Json];
    }
    return JSON.stringify(copy);
  }).filter((text) => text !== original);
}

describe('JSON to POST /api/v1/verify', () => {
  test('any JSON text, hand-written (duplicate keys, lone surrogates, huge numbers), is refused with a reason', async () => {
    const text = fc.oneof(rawObject, rawValue, duplicateKeys, fc.json(), rawObject.map((o) => `{"credential":${o}}`));
    await fc.assert(fc.asyncProperty(text, fc.constantFrom('application/json', 'application/ld+json', 'application/vc+ld+json'), (body, type) => verifyAs(type, body)), propertyOptions(300));
    await expectHealthy();
  }, 60_000);

  test('any nesting depth up to 20,000 is refused with a reason', async () => {
    await fc.assert(fc.asyncProperty(deepNesting, (body) => verifyAs('application/json', body)), propertyOptions(100));
    await expectHealthy();
  }, 60_000);

  test('an issued credential with any value replaced, removed or added, bare or wrapped, is invalid with a reason', async () => {
    const body = fc.tuple(mutatedCredential(), fc.boolean()).map(([text, wrapped]) => (wrapped ? `{"credential":${text}}` : text));
    await fc.assert(fc.asyncProperty(body, (text) => verifyAs('application/json', text)), propertyOptions(200));
    await expectHealthy();
  }, 60_000);
});

// ——— JWT ———————————————————————————————————————————————————————————————————————————————————————————————————

const b64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

describe('compact JWTs to POST /api/v1/verify', () => {
  const types = fc.constantFrom('text/plain', 'application/jwt', 'application/vc+jwt');

  test('any string with two dots, or any run of base64url segments, is refused with a reason', async () => {
    const segment = fc.oneof(fc.base64String({ maxLength: 200 }).map((s) => s.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')), fc.string({ maxLength: 20 }), fc.json().map(b64url));
    const text = fc.oneof(
      fc.tuple(fc.string(), fc.string(), fc.string()).map((parts) => parts.join('.')),
      fc.array(segment, { minLength: 2, maxLength: 6 }).map((parts) => parts.join('.')),
    );
    await fc.assert(fc.asyncProperty(text, types, (body, type) => verifyAs(type, body)), propertyOptions(200));
    await expectHealthy();
  }, 60_000);

  test('any header (alg none, HMAC, foreign keys, huge) on any payload and signature is refused with a reason', async () => {
    const [realHeader, realPayload, realSignature] = issued.jwt.split('.') as [string, string, string];
    const header = fc.record({
      alg: fc.oneof(fc.constantFrom('none', 'None', 'HS256', 'ES256', 'EdDSA', 'RS256', 'PS256', ''), fc.string()),
      kid: fc.oneof(fc.constant((JSON.parse(Buffer.from(realHeader, 'base64url').toString()) as { kid?: string }).kid ?? ''), fc.constantFrom('did:web:169.254.169.254#k', 'http://127.0.0.1:1/k'), fc.string()),
      typ: fc.constantFrom('JWT', 'vc+jwt', 'JOSE', 'vc+ld+json+jwt'),
      jku: fc.constant('http://169.254.169.254/jwks.json'),
      jwk: fc.jsonValue({ maxDepth: 2 }),
      zip: fc.constant('DEF'),
      crit: fc.array(fc.string(), { maxLength: 3 }),
      b64: fc.boolean(),
      padding: fc.string({ minLength: 1_000, maxLength: 20_000 }),
    }, { requiredKeys: ['alg'] }).map((h) => b64url(JSON.stringify(h)));
    const payload = fc.oneof(fc.constant(realPayload), fc.jsonValue({ maxDepth: 3 }).map((v) => b64url(JSON.stringify(v))), fc.string({ maxLength: 40 }).map(b64url));
    const signature = fc.oneof(fc.constant(realSignature), fc.base64String({ minLength: 4, maxLength: 400 }).map((s) => s.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')).filter((s) => s.length > 0));
    const jwt = fc.tuple(header, payload, signature).map((parts) => parts.join('.')).filter((text) => text !== issued.jwt);
    await fc.assert(fc.asyncProperty(jwt, types, (body, type) => verifyAs(type, body)), propertyOptions(200));
    await expectHealthy();
  }, 60_000);

  test('the issued JWT with any one character changed is invalid with a reason', async () => {
    const jwt = issued.jwt;
    // The last character of a base64url segment carries unused bits: changing only those changes no byte, and
    // the token stays valid. Such edits are left out.
    const decoded = (token: string) => token.split('.').map((part) => Buffer.from(part, 'base64url').toString('hex')).join('.');
    const edit = fc.record({ at: fc.nat({ max: jwt.length - 1 }), char: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+/=') })
      .filter(({ at, char }) => jwt[at] !== char && decoded(jwt.slice(0, at) + char + jwt.slice(at + 1)) !== decoded(jwt));
    await fc.assert(fc.asyncProperty(edit, ({ at, char }) => verifyAs('text/plain', jwt.slice(0, at) + char + jwt.slice(at + 1))), propertyOptions(150));
    await expectHealthy();
  }, 60_000);
});

// ——— PNG ———————————————————————————————————————————————————————————————————————————————————————————————————

describe('PNG files to POST /api/v1/verify', () => {
  const HUGE_LENGTHS = [0x80000000, 0xffffffff, 0x7fffffff, 0x7ffffff0];

  function chunkArbitrary(credentialTexts: string[]): fc.Arbitrary<Buffer> {
    const type = fc.oneof(fc.constantFrom('IHDR', 'IDAT', 'IEND', 'iTXt', 'tEXt', 'zTXt', 'PLTE'), fc.string({ unit: 'binary-ascii', minLength: 4, maxLength: 4 }));
    const text = fc.oneof(fc.constantFrom(...credentialTexts), fc.string({ unit: 'binary', maxLength: 200 }));
    const data = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      fc.tuple(fc.constantFrom('openbadgecredential', 'openbadges', 'Comment', ''), text).map(([keyword, t]) => iTXtData(keyword, t)),
    );
    return fc.record({
      type, data,
      crc: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 0xffffffff })),
      length: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...HUGE_LENGTHS), fc.integer({ min: 0, max: 0xffffffff })) }),
    }).map(({ type: t, data: d, crc, length }) => pngChunk(t, d, { ...(crc === undefined ? {} : { crc }), ...(length === undefined ? {} : { length }) }));
  }

  test('a PNG signature followed by random chunks (wrong CRCs, lying lengths, many iTXt) and maybe truncated is refused with a reason', async () => {
    const text = JSON.stringify(issued.credential);
    // Credential texts that can never verify: one changed character, or only the JWT's header.
    const credentialTexts = [text.replace('"name":"', '"name":"X'), `${issued.jwt.split('.')[0]!}..x`];
    const png = fc.record({
      chunks: fc.array(chunkArbitrary(credentialTexts), { maxLength: 12 }),
      manyTextChunks: fc.nat({ max: 150 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    }).map(({ chunks, manyTextChunks, cut }) => {
      const many = Array.from({ length: manyTextChunks }, (_, i) => pngChunk('iTXt', iTXtData(`k${i}`, 'x')));
      const bytes = Buffer.concat([PNG_SIGNATURE, ...many, ...chunks]);
      return cut === undefined ? bytes : bytes.subarray(0, 8 + (cut % (bytes.length - 7)));
    });
    await fc.assert(fc.asyncProperty(png, (bytes) => verifyAs('image/png', bytes)), propertyOptions(200));
    await expectHealthy();
  }, 60_000);

  test('the issued baked PNG with any byte changed, or cut anywhere, is refused or invalid with a reason', async () => {
    const original = issued.png;
    const change = fc.oneof(
      fc.record({ at: fc.nat({ max: original.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }).map(({ at, xor }) => {
        const copy = Buffer.from(original);
        copy[at] = copy[at]! ^ xor;
        return copy;
      }),
      fc.nat({ max: original.length - 1 }).map((at) => original.subarray(0, at)),
    );
    const start = original.indexOf('iTXt', 8, 'latin1') - 4;
    const end = start + 12 + original.readUInt32BE(start);
    await fc.assert(fc.asyncProperty(change, async (bytes) => {
      const res = await anyone.post<{ verdict: string }>('/api/v1/verify', bytes, { 'content-type': 'image/png' });
      // A byte changed outside the credential chunk (in the pixels, in IEND's CRC) breaks only a CRC that is not
      // checked outside text chunks: the badge may still verify. Anything else must be refused with a reason.
      if (res.status === 200 && res.body.verdict === 'valid') {
        expect(bytes.length >= end && bytes.subarray(start, end).equals(original.subarray(start, end))).toBe(true);
        return;
      }
      expectHandled(res as ApiResponse<unknown>);
    }), propertyOptions(150));
    await expectHealthy();
  }, 60_000);
});

// ——— SVG ———————————————————————————————————————————————————————————————————————————————————————————————————

describe('SVG files to POST /api/v1/verify', () => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const OB3_NS = 'https://purl.imsglobal.org/ob/v3p0';

  function svgArbitrary(credentialTexts: string[]): fc.Arbitrary<string> {
    const name = fc.oneof(fc.constantFrom('g', 'openbadges:credential', 'openbadges:assertion', 'text', 'script', 'foreignObject', 'x:y', 'credential'), fc.stringMatching(/^[a-zA-Z_][\w.-]{0,8}$/), fc.string({ maxLength: 6 }));
    const attribute = fc.tuple(
      fc.oneof(fc.constantFrom('xmlns', 'xmlns:openbadges', 'verify', 'onload', 'href', 'xlink:href'), fc.stringMatching(/^[a-z]{1,6}$/)),
      fc.oneof(fc.constantFrom(SVG_NS, OB3_NS, 'http://openbadges.org', issued.jwt, '&x;', '&lol9;', 'javascript:alert(1)'), fc.string({ maxLength: 20 })),
    ).map(([k, v]) => `${k}="${v}"`);
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom(...credentialTexts),
      fc.constantFrom('&x;', '&lol9;', '&amp;', '&#0;', '&#x110000;', '&undefined;', '%p;', ']]>'),
    );
    const { element } = fc.letrec<{ element: string; node: string }>((tie) => ({
      element: fc.tuple(name, fc.array(attribute, { maxLength: 3 }), fc.array(tie('node'), { maxLength: 4 })).map(([n, attrs, children]) => `<${n}${attrs.map((a) => ` ${a}`).join('')}>${children.join('')}</${n}>`),
      node: fc.oneof({ depthSize: 'small' }, text, text.map((t) => `<![CDATA[${t}]]>`), text.map((t) => `<!--${t}-->`), fc.constant('<?php x ?>'), tie('element')),
    }));
    const doctype = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 10 })).map(([levels, fanout]) => {
        const entities = ['<!ENTITY lol0 "lol">'];
        for (let i = 1; i <= levels; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(fanout)}">`);
        return `<!DOCTYPE svg [${entities.join('')}]>`;
      }),
      fc.constantFrom('file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:1/x').map((url) => `<!DOCTYPE svg [<!ENTITY x SYSTEM "${url}">]>`),
      fc.constant('<!DOCTYPE svg [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'),
      fc.constant('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'),
      fc.string({ maxLength: 30 }).map((s) => `<!DOCTYPE ${s}>`),
    );
    return fc.record({
      declaration: fc.constantFrom('', '<?xml version="1.0"?>\n', '<?xml version="1.1" encoding="ISO-8859-1"?>'),
      doctype: fc.option(doctype, { nil: '' }),
      comments: fc.nat({ max: 50 }),
      children: fc.array(element, { maxLength: 4 }),
      close: fc.boolean(),
    }).map(({ declaration, doctype: d, comments, children, close }) => `${declaration}${'<!-- c -->'.repeat(comments)}${d}<svg xmlns="${SVG_NS}" xmlns:openbadges="${OB3_NS}">${children.join('')}${close ? '</svg>' : ''}`);
  }

  test('random XML (entities, billion laughs, external entities, bad nesting) in an SVG is refused with a reason', async () => {
    const credentialTexts = [JSON.stringify(issued.credential).replace('"name":"', '"name":"X'), `${issued.jwt}x`];
    await fc.assert(fc.asyncProperty(svgArbitrary(credentialTexts), fc.constantFrom('image/svg+xml', 'text/plain'), (svg, type) => verifyAs(type, svg)), propertyOptions(200));
    await expectHealthy();
  }, 60_000);

  test('the issued baked SVG with anything inserted anywhere is refused or invalid with a reason', async () => {
    const original = issued.svg;
    const credentialStart = original.indexOf('<openbadges:credential');
    const credentialEnd = original.indexOf('</openbadges:credential>');
    // Only insertions inside the credential element are sure to change it; elsewhere the badge may stay valid.
    const insertion = fc.record({ at: fc.integer({ min: credentialStart + 1, max: credentialEnd }), text: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.constantFrom('&x;', '<g>', ']]>', '"', '\0')) });
    await fc.assert(fc.asyncProperty(insertion, ({ at, text }) => verifyAs('image/svg+xml', original.slice(0, at) + text + original.slice(at))), propertyOptions(150));
    await expectHealthy();
  }, 60_000);
});

// ——— CSV ———————————————————————————————————————————————————————————————————————————————————————————————————

describe('spreadsheets to POST /api/v1/credentials/bulk', () => {
  const cell = fc.oneof(
    fc.tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\uFF1D', ' ='), fc.string({ maxLength: 20 })).map(([sign, rest]) => sign + rest),
    fc.emailAddress(),
    fc.constantFrom('ana@example.fr', 'Ana Martin <ana@example.fr>', 'a@b', '', '"', '""', '"a"b"', '\0', 'a\0b@example.fr', 'Léa d’Œuvre', '=HYPERLINK("https://evil","x")'),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  const encoding = fc.constantFrom('utf8', 'latin1', 'mixed', 'bom');
  const csvBytes = (rows: string[][], separator: string, newline: string, header: boolean, how: string): Buffer => {
    const lines = [...(header ? [['email', 'nom', 'preuve']] : []), ...rows].map((row) => row.join(separator));
    const text = lines.join(newline);
    if (how === 'latin1') return Buffer.from(text, 'latin1');
    if (how === 'bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    if (how === 'mixed') return Buffer.concat(lines.map((line, i) => Buffer.from(line + newline, i % 2 ? 'latin1' : 'utf8')));
    return Buffer.from(text, 'utf8');
  };
  const spreadsheet = (maxRows: number) => fc.record({
    rows: fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: maxRows }),
    separator: fc.constantFrom(';', ',', '\t'),
    newline: fc.constantFrom('\n', '\r\n', '\r'),
    header: fc.boolean(),
    how: encoding,
  }).map(({ rows, separator, newline, header, how }) => csvBytes(rows, separator, newline, header, how));
  const bulk = async (bytes: Uint8Array, dryRun: boolean) => {
    const res = await operator.post(`/api/v1/credentials/bulk?achievementId=${achievementId}&dryRun=${dryRun}`, bytes, { 'content-type': 'text/csv' });
    expectHandled(res as ApiResponse<unknown>, 'json');
  };

  test('any cells (formula signs, tabs, quotes, NUL, Latin-1 and UTF-8 mixed) in a dry run are answered, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(spreadsheet(20), (bytes) => bulk(bytes, true)), propertyOptions(150));
    await expectHealthy();
  }, 60_000);

  test('a line of up to 100,000 columns is answered, never a 5xx', async () => {
    const wide = fc.tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom(';', ',')).map(([columns, separator]) => Buffer.from(`ana@example.fr${`${separator}x`.repeat(columns)}\n`));
    await fc.assert(fc.asyncProperty(wide, (bytes) => bulk(bytes, true)), propertyOptions(20));
    await expectHealthy();
  }, 60_000);

  test('any cells awarded for real are stored or refused row by row, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(spreadsheet(4), (bytes) => bulk(bytes, false)), propertyOptions(40));
    await expectHealthy();
  }, 60_000);
});

test('the process memory did not balloon (heap and buffers under 100 MB more than before the properties, resident memory under 1 GB more)', () => {
  collectGarbage();
  const { rss, heapUsed, external } = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  if (process.env.FC_RUNS_FACTOR) console.log(`rss grew by ${mb(rss - rssBefore)} MB, the heap by ${mb(heapUsed - heapBefore)} MB, buffers by ${mb(external - externalBefore)} MB`);
  // What a leak would grow: the heap and the buffers outside it, both measured after a full collection.
  expect(mb(heapUsed - heapBefore)).toBeLessThan(100);
  expect(mb(external - externalBefore)).toBeLessThan(100);
  // Resident memory keeps pages that V8 and malloc have freed, and this process also runs the generators and
  // the client, so it is only a guard against a blow-up (a decompression bomb would take gigabytes).
  expect(mb(rss - rssBefore)).toBeLessThan(1024);
});
