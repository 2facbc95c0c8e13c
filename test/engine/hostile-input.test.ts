/**
 * Hostile input (security.md §4 controls, §3 test 3): every reader (JSON, JWT, PNG, SVG) refuses what it
 * cannot safely read with a stable reason, and the verifier never throws: whatever it is given ends up as an
 * "invalid" report.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { bakePng } from '../../src/engine/bake/png.js';
import { bakeSvg, unbakeSvg } from '../../src/engine/bake/svg.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { OB2_ASSERTION, signedCredential, testIssuer, type TestIssuer } from '../support/credentials.js';
import { PNG_SIGNATURE, plainPng, pngChunk } from '../support/png.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="5"/></svg>';


/** The report has exactly one check: the input could not be read, for this reason. */
function expectUnreadable(report: VerificationReport, code: string): void {
  expect(report.verdict).toBe('invalid');
  expect(report.checks).toEqual([expect.objectContaining({ id: 'parse', outcome: 'failed', code })]);
  expect(report.display.trusted).toBe(false);
}

let issuer: TestIssuer;
let credentialText: string;

beforeAll(async () => {
  issuer = await testIssuer();
  credentialText = JSON.stringify(await signedCredential(issuer));
});

function verify(input: { text: string } | { bytes: Uint8Array } | { credential: object }): Promise<VerificationReport> {
  return verifyCredential(input, { fetcher: issuer.fetcher, now: NOW });
}

describe('JSON', () => {
  test('nesting 10,000 levels deep is refused as too deep', async () => {
    expectUnreadable(await verify({ text: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}` }), 'input.tooDeep');
  });

  test('nesting 10,000 arrays deep inside an object is refused as too deep', async () => {
    expectUnreadable(await verify({ text: `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}` }), 'input.tooDeep');
  });

  // JSON.parse (and so express.json()) happily builds such objects, and JSON.stringify would overflow the stack on
  // them: the depth is measured before anything serializes the object.
  test('an already-parsed object nested 10,000 levels deep is refused as too deep, without throwing', async () => {
    const deep = JSON.parse(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`) as object;
    expectUnreadable(await verify({ credential: deep }), 'input.tooDeep');
  });

  test('a lone surrogate escape (\\ud800) in a string is refused as bad text', async () => {
    const text = credentialText.replace('"name":"', '"name":"\\ud800');
    expect(text).toContain('\\ud800');
    expectUnreadable(await verify({ text }), 'input.badText');
  });

  test('a lone surrogate escape in a property name is refused as bad text', async () => {
    expectUnreadable(await verify({ text: '{"\\udc00":1}' }), 'input.badText');
  });

  test('2 MB of JSON is refused as too large', async () => {
    expectUnreadable(await verify({ text: `{"name":"${'a'.repeat(2_000_000)}"}` }), 'input.tooLarge');
  });

  test('a 6 MB upload is refused as too large before it is read', async () => {
    expectUnreadable(await verify({ bytes: Buffer.alloc(6_000_000, 0x20) }), 'input.tooLarge');
  });

  test('text that starts like JSON but is not valid JSON is refused', async () => {
    expectUnreadable(await verify({ text: '{"a":1} trailing' }), 'input.badJson');
  });
});

describe('JWT', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  test('a JWT whose header is not base64url-encoded JSON is refused', async () => {
    expectUnreadable(await verify({ text: `bm90IGpzb24.${encode({})}.c2ln` }), 'input.badJson');
  });

  test('a JWT whose payload is not base64url-encoded JSON is refused', async () => {
    expectUnreadable(await verify({ text: `${encode({ alg: 'ES256' })}.____.c2ln` }), 'input.badJson');
  });

  test('a JWT whose header is JSON but not an object is refused', async () => {
    expectUnreadable(await verify({ text: `${encode([])}.${encode({})}.c2ln` }), 'jwt.malformed');
  });

  test('a JWT with a 100 KB header is refused as too large', async () => {
    const header = encode({ alg: 'ES256', typ: 'JWT', padding: 'x'.repeat(100_000) });
    expectUnreadable(await verify({ text: `${header}.${encode({})}.c2ln` }), 'jwt.tooLarge');
  });

  test('a JWT over 1 MB is refused as too large', async () => {
    const payload = Buffer.alloc(1_000_000, 'a').toString('base64url');
    expectUnreadable(await verify({ text: `${encode({ alg: 'ES256' })}.${payload}.c2ln` }), 'jwt.tooLarge');
  });
});

describe('PNG', () => {
  function iTXtOffset(png: Buffer): number {
    const type = png.indexOf('iTXt', 8, 'latin1');
    expect(type).toBeGreaterThan(8);
    return type - 4;
  }

  test('a baked PNG cut in half is refused as truncated', async () => {
    const png = bakePng(plainPng(), credentialText);
    expectUnreadable(await verify({ bytes: png.subarray(0, Math.floor(png.length / 2)) }), 'png.truncated');
  });

  test('a PNG that stops right after its signature and a partial chunk header is refused as truncated', async () => {
    expectUnreadable(await verify({ bytes: Buffer.concat([PNG_SIGNATURE, Buffer.from([0, 0, 0])]) }), 'png.truncated');
  });

  test('a PNG without IEND is refused as truncated', async () => {
    const png = plainPng();
    expectUnreadable(await verify({ bytes: png.subarray(0, png.length - 12) }), 'png.truncated');
  });

  test('a PNG whose credential chunk fails its CRC is refused as corrupted', async () => {
    const png = Buffer.from(bakePng(plainPng(), credentialText));
    const start = iTXtOffset(png);
    const crcAt = start + 8 + png.readUInt32BE(start);
    png[crcAt] = png[crcAt]! ^ 0xff;
    expectUnreadable(await verify({ bytes: png }), 'png.badCrc');
  });

  test('a PNG whose credential text was changed without fixing the CRC is refused as corrupted', async () => {
    const png = Buffer.from(bakePng(plainPng(), credentialText));
    const name = png.indexOf('"name":"', iTXtOffset(png), 'latin1') + '"name":"'.length;
    png[name] = png[name]! ^ 0x01;
    expectUnreadable(await verify({ bytes: png }), 'png.badCrc');
  });

  test('a PNG with 100 text chunks is refused', async () => {
    let png: Buffer = plainPng();
    for (let i = 0; i < 100; i++) png = bakePng(png, 'x', `comment${i}`);
    expectUnreadable(await verify({ bytes: png }), 'png.tooManyTextChunks');
  });

  test('a PNG with no credential is reported as not baked', async () => {
    expectUnreadable(await verify({ bytes: plainPng() }), 'png.notBaked');
  });

  test('a PNG whose credential chunk is compressed is refused', async () => {
    const data = Buffer.concat([Buffer.from('openbadgecredential\0', 'latin1'), Buffer.from([1, 0, 0, 0]), deflateSync(Buffer.from(credentialText))]);
    const png = plainPng();
    const baked = Buffer.concat([png.subarray(0, png.length - 12), pngChunk('iTXt', data), png.subarray(png.length - 12)]);
    expectUnreadable(await verify({ bytes: baked }), 'png.compressedText');
  });
});

describe('SVG', () => {
  const PASSWD_FIRST_LINE = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;

  function billionLaughs(): string {
    const entities = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    return `<?xml version="1.0"?>\n<!DOCTYPE svg [\n${entities.join('\n')}\n]>\n`
      + '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
      + '<openbadges:credential>&lol9;</openbadges:credential></svg>';
  }

  function externalEntity(): string {
    return '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
      + '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
      + '<openbadges:credential>&x;</openbadges:credential></svg>';
  }

  test('the SVG reader refuses a billion-laughs entity as malformed instead of expanding it', () => {
    expect(() => unbakeSvg(billionLaughs())).toThrow(expect.objectContaining({ code: 'svg.malformed' }));
  });

  test('a billion-laughs SVG is refused at the parse step and nothing is expanded', async () => {
    const report = await verify({ text: billionLaughs() });
    expect(report.verdict).toBe('invalid');
    expect(report.checks).toHaveLength(1);
    // The DOCTYPE's internal subset keeps the input from being recognised as an SVG at all
    // (input.unknownFormat); once recognised, the reader refuses it (svg.malformed). Either way: refused.
    expect(report.checks[0]).toMatchObject({ id: 'parse', outcome: 'failed', code: expect.stringMatching(/^(svg\.malformed|input\.unknownFormat)$/) });
    expect(JSON.stringify(report)).not.toContain('lollol');
  });

  test('the SVG reader refuses an external entity as malformed and never reads the file', () => {
    let error: unknown;
    try {
      unbakeSvg(externalEntity());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'svg.malformed' });
    expect(String((error as Error).message)).not.toContain(PASSWD_FIRST_LINE);
  });

  test('an SVG with an external entity is refused and /etc/passwd never appears in the report', async () => {
    for (const input of [{ text: externalEntity() }, { bytes: Buffer.from(externalEntity()) }]) {
      const report = await verify(input);
      expect(report.verdict).toBe('invalid');
      expect(report.checks[0]).toMatchObject({ id: 'parse', outcome: 'failed' });
      expect(JSON.stringify(report)).not.toContain(PASSWD_FIRST_LINE);
    }
  });

  test('an SVG whose DOCTYPE names an external DTD is read without loading it', async () => {
    const svg = `<?xml version="1.0"?>\n<!DOCTYPE svg SYSTEM "file:///etc/passwd">\n${SVG}`;
    const report = await verify({ text: svg });
    expectUnreadable(report, 'svg.notBaked');
    expect(JSON.stringify(report)).not.toContain(PASSWD_FIRST_LINE);
  });

  test('an SVG that is not well-formed XML is refused as malformed', async () => {
    expectUnreadable(await verify({ text: '<svg xmlns="http://www.w3.org/2000/svg"><openbadges:credential>' }), 'svg.malformed');
  });

  test('a baked SVG with a credential verifies, for comparison', async () => {
    expect((await verify({ text: bakeSvg(SVG, { json: credentialText }) })).verdict).toBe('valid');
  });
});

describe('Open Badges 2.0', () => {
  const assertion = OB2_ASSERTION;

  /** Read as an OB 2.0 hosted badge, whose issuer's copy is then fetched: offline here, so it stays unconfirmed. */
  function expectHostedOb2(report: VerificationReport): void {
    expect(report).toMatchObject({ standard: 'ob2', verdict: 'issuer-unconfirmed' });
    expect(report.checks.filter((c) => c.outcome === 'failed').map((c) => c.code)).toEqual(['ob2.hostedUnreachable']);
  }

  test('an Open Badges 2.0 assertion in JSON is recognised and verified as OB 2.0', async () => {
    expectHostedOb2(await verify({ text: JSON.stringify(assertion) }));
  });

  test('an Open Badges 2.0 assertion passed as an object is recognised and verified as OB 2.0', async () => {
    expectHostedOb2(await verify({ credential: assertion }));
  });

  test('a PNG baked the OB 2.0 way (iTXt "openbadges") is recognised and verified as OB 2.0', async () => {
    expectHostedOb2(await verify({ bytes: bakePng(plainPng(), JSON.stringify(assertion), 'openbadges') }));
  });

  test('a PNG baked the OB 2.0 way with a hosted assertion URL is recognised and verified as OB 2.0', async () => {
    expectHostedOb2(await verify({ bytes: bakePng(plainPng(), assertion.id, 'openbadges') }));
  });

  test('an SVG baked the OB 2.0 way is recognised and verified as OB 2.0', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="${assertion.id}"></openbadges:assertion></svg>`;
    expectHostedOb2(await verify({ text: svg }));
  });
});

describe('whatever it is given, the verifier answers "invalid" and never throws', () => {
  const options = { numRuns: 200 };
  const expectInvalid = async (input: { text: string } | { bytes: Uint8Array }) => {
    const report = await verifyCredential(input, { fetcher: issuer.fetcher, now: NOW });
    expect(report.verdict).toBe('invalid');
  };

  test('any string', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), (text) => expectInvalid({ text })), options);
  });

  test('any bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), (bytes) => expectInvalid({ bytes })), options);
  });

  test('any bytes after a PNG signature', async () => {
    const bytes = fc.uint8Array({ maxLength: 4096 }).map((tail) => Buffer.concat([PNG_SIGNATURE, tail]));
    await fc.assert(fc.asyncProperty(bytes, (png) => expectInvalid({ bytes: png })), options);
  });

  test('any three base64url segments, as a JWT', async () => {
    const segment = fc.oneof(fc.base64String().map((s) => s.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')), fc.json().map((j) => Buffer.from(j).toString('base64url')));
    const jwt = fc.tuple(segment, segment, segment).filter((parts) => parts[0] !== '' && parts[2] !== '').map((parts) => parts.join('.'));
    await fc.assert(fc.asyncProperty(jwt, (text) => expectInvalid({ text })), options);
  });

  // An edit of the key's DID names a host nobody can reach here: that is "issuer unconfirmed", never valid.
  test('a signed credential with one character replaced anywhere is invalid, or its issuer unconfirmed', async () => {
    const edit = fc.record({ at: fc.nat({ max: credentialText.length - 1 }), char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) })
      .filter(({ at, char }) => credentialText[at] !== char);
    await fc.assert(fc.asyncProperty(edit, async ({ at, char }) => {
      const text = credentialText.slice(0, at) + char + credentialText.slice(at + 1);
      const report = await verifyCredential({ text }, { fetcher: issuer.fetcher, now: NOW });
      expect(['invalid', 'issuer-unconfirmed']).toContain(report.verdict);
    }), options);
  });
});
