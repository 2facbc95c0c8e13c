/**
 * Open Badges 2.0 for backpacks that only speak 2.0, over a real server (SQLite): every credential is also a hosted
 * 2.0 Assertion with its BadgeClass and Issuer, JSON-LD that expands in safe mode with the bundled 2.0 context,
 * baked into a PNG, linked both ways with the 3.0 documents, gone (410) once revoked, absent once erased.
 */
import jsonld from 'jsonld';
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { OB2_PNG_KEYWORD, readPngTexts, unbakePng } from '../../src/engine/bake/png.js';
import { bundledContexts } from '../../src/engine/jsonld/bundled-contexts.js';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { OB_V2 } from '../../src/engine/model/contexts.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

type Doc = Record<string, unknown>;
interface Awarded { id: string; url: string; credential: Doc }

let service: InProcessService;
let admin: Api;
let issuer: Awaited<ReturnType<typeof setUpIssuer>>;
let awarded: Awarded;
const validUntil = new Date(Math.floor(Date.now() / 1000) * 1000 + 2 * 365 * 86_400_000).toISOString();
const evidence = [
  { id: 'https://example.org/portfolio/ana-martin', name: 'Dossier de projet', description: 'Le dossier remis au jury' },
  { narrative: 'A présenté son projet devant le comité.' },
];

async function award(email: string, extra: Doc = {}): Promise<Awarded> {
  const res = await issuer.operator.post<Awarded>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email }, ...extra });
  if (res.status !== 201) throw new Error(`award: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const ob2 = {
  assertion: (id: string) => `${service.url}/ob2/assertions/${id}`,
  png: (id: string) => `${service.url}/ob2/assertions/${id}/badge.png`,
};

/** GET a JSON document the way a 2.0 backpack does. */
async function getLd(url: string): Promise<{ status: number; type: string; headers: Headers; body: Doc }> {
  const res = await fetch(url, { headers: { accept: 'application/ld+json, application/json' } });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, headers: res.headers, body: JSON.parse(await res.text()) as Doc };
}

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  issuer = await setUpIssuer(admin, service.url);
  awarded = await award('Ana.Martin@Example.fr', { validUntil, evidence });
}, 20_000);
afterAll(() => service.stop());

describe('the hosted Open Badges 2.0 assertion', () => {
  test('is an OB 2.0 Assertion at its own URL, verified by hosting, pointing to its badge class and its baked image', async () => {
    const { status, body } = await getLd(ob2.assertion(awarded.id));
    expect(status).toBe(200);
    expect(body['@context']).toBe('https://w3id.org/openbadges/v2');
    expect(body).toMatchObject({
      type: 'Assertion',
      id: `${service.url}/ob2/assertions/${awarded.id}`,
      verification: { type: 'hosted' },
      badge: `${service.url}/ob2/badges/${issuer.achievementId}`,
      image: `${service.url}/ob2/assertions/${awarded.id}/badge.png`,
      issuedOn: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    });
    expect(body).not.toHaveProperty('revoked');
  });

  test('names the recipient by a salted SHA-256 of the awarded email, as OB 2.0 hashes it (sha256(email + salt)), never in clear', async () => {
    const { body } = await getLd(ob2.assertion(awarded.id));
    const recipient = body.recipient as { type: string; hashed: boolean; salt: string; identity: string };
    expect(recipient).toEqual({ type: 'email', hashed: true, salt: expect.stringMatching(/^[0-9a-f]{32}$/), identity: expect.stringMatching(/^sha256\$[0-9a-f]{64}$/) });
    const expected = createHash('sha256').update(`ana.martin@example.fr${recipient.salt}`, 'utf8').digest('hex');
    expect(recipient.identity).toBe(`sha256$${expected}`);
    // The same salted hash as the signed 3.0 credential: one identity, two formats.
    const subject = awarded.credential.credentialSubject as { identifier: { identityHash: string; salt: string }[] };
    expect(subject.identifier[0]).toMatchObject({ identityHash: recipient.identity, salt: recipient.salt });
    expect(JSON.stringify(body).toLowerCase()).not.toContain('ana.martin@example.fr');
  });

  test('carries the evidence and the expiry date of the credential', async () => {
    const { body } = await getLd(ob2.assertion(awarded.id));
    expect(body.expires).toBe(awarded.credential.validUntil);
    expect(Date.parse(String(body.expires))).toBe(Date.parse(validUntil));
    expect(body.evidence).toEqual(evidence);
  });
});

describe('JSON-LD expansion in safe mode, offline, with the bundled OB 2.0 context', () => {
  const context = (bundledContexts().get(OB_V2) as { '@context': Record<string, string | { '@id': string }> })['@context'];
  const VOCABULARIES = ['https://w3id.org/openbadges#', 'http://schema.org/', 'http://purl.org/dc/terms/', 'https://w3id.org/security#'];

  /** The IRI the OB 2.0 context gives a term ("obi:badge" → "https://w3id.org/openbadges#badge"). */
  const iriOf = (term: string): string => {
    const definition = context[term];
    const id = typeof definition === 'string' ? definition : definition?.['@id'];
    if (!id) throw new Error(`"${term}" is not a term of the OB 2.0 context: it would be dropped`);
    if (id.startsWith('@')) return id;
    const [prefix, ...rest] = id.split(':');
    const namespace = context[prefix!];
    return typeof namespace === 'string' && !rest.join(':').startsWith('//') ? `${namespace}${rest.join(':')}` : id;
  };

  /** Every property of `compact`, at any depth, is in `expanded` under its context IRI, with the same value. */
  function expectNothingDropped(compact: Doc, expanded: Doc, path: string): number {
    const terms = Object.keys(compact).filter((k) => k !== '@context');
    expect({ path, keys: Object.keys(expanded).sort() }).toEqual({ path, keys: terms.map(iriOf).sort() });
    let count = terms.length;
    for (const term of terms) {
      const iri = iriOf(term);
      const values = [compact[term]].flat();
      const expandedValues = [expanded[iri]].flat() as unknown[];
      expect({ path: `${path}.${term}`, n: expandedValues.length }).toEqual({ path: `${path}.${term}`, n: values.length });
      values.forEach((value, i) => {
        const target = expandedValues[i];
        if (iri === '@type') {
          expect(typeof target === 'string' && VOCABULARIES.some((v) => target.startsWith(v))).toBe(true);
        } else if (iri === '@id') {
          expect(target).toBe(value);
        } else if (value && typeof value === 'object') {
          count += expectNothingDropped(value as Doc, target as Doc, `${path}.${term}[${i}]`);
        } else {
          const node = target as { '@id'?: unknown; '@value'?: unknown };
          expect(node['@id'] ?? node['@value']).toBe(value);
        }
      });
    }
    return count;
  }

  const documents: [string, () => string][] = [
    ['Assertion', () => ob2.assertion(awarded.id)],
    ['BadgeClass', () => `${service.url}/ob2/badges/${issuer.achievementId}`],
    ['Issuer', () => `${service.url}/ob2/issuers/bge-hauts-de-france`],
  ];

  test.each(documents)('the %s expands without dropping or renaming any property, into Open Badges, schema.org and Dublin Core IRIs', async (type, url) => {
    const { body } = await getLd(url());
    expect(body.type).toBe(type);
    const expanded = await jsonld.expand(body as never, { documentLoader: contextLoader, safe: true, base: null } as never) as unknown as Doc[];
    expect(expanded).toHaveLength(1);
    expect(expanded[0]!['@type']).toEqual([`https://w3id.org/openbadges#${type}`]);
    const count = expectNothingDropped(body, expanded[0]!, type);
    expect(count).toBeGreaterThanOrEqual(type === 'Issuer' ? 5 : 10);
    const iris = JSON.stringify(expanded).match(/"(https?:[^"]+)":/g) ?? [];
    for (const iri of iris) expect(VOCABULARIES.some((v) => iri.startsWith(`"${v}`))).toBe(true);
  });
});

describe('following the links a 2.0 backpack follows', () => {
  test('the assertion\'s badge URL answers the BadgeClass, whose issuer URL answers the Issuer, all public JSON-LD', async () => {
    const assertion = await getLd(ob2.assertion(awarded.id));
    const badge = await getLd(String(assertion.body.badge));
    const issuerDoc = await getLd(String(badge.body.issuer));
    for (const [doc, type] of [[assertion, 'Assertion'], [badge, 'BadgeClass'], [issuerDoc, 'Issuer']] as const) {
      expect(doc.status).toBe(200);
      expect(doc.type).toContain('application/ld+json');
      expect(doc.headers.get('access-control-allow-origin')).toBe('*');
      expect(doc.body).toMatchObject({ '@context': OB_V2, type });
    }
    expect(badge.body.id).toBe(assertion.body.badge);
    expect(badge.body).toMatchObject({ name: expect.any(String), description: expect.any(String), criteria: { narrative: expect.any(String) } });
    expect(issuerDoc.body).toMatchObject({ id: badge.body.issuer, name: 'BGE Hauts-de-France', url: 'https://www.example.org', email: 'contact@example.org' });
    // OB 2.0 default hosted-verification policy: the assertion lives on the origin of the issuer's id.
    expect(new URL(String(assertion.body.id)).origin).toBe(new URL(String(issuerDoc.body.id)).origin);
  });

  test('an issuer that gave no e-mail address has the platform\'s contact address (OB 2.0 requires one)', async () => {
    const created = await admin.post('/api/v1/issuers', { name: 'Couveuse sans adresse', slug: 'sans-adresse' });
    expect(created.status).toBe(201);
    const issuerDoc = await getLd(`${service.url}/ob2/issuers/sans-adresse`);
    expect(issuerDoc.status).toBe(200);
    expect(issuerDoc.body.email).toBe(service.running.app.config.contactEmail);
    expect(issuerDoc.body.email).toMatch(/^[^@\s]+@[^@\s]+$/);
  });

  test('the BadgeClass image is a PNG', async () => {
    const { body } = await getLd(`${service.url}/ob2/badges/${issuer.achievementId}`);
    const res = await fetch(String(body.image));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
  });
});

describe('the language of the credential', () => {
  test('an English credential\'s assertion points to the English BadgeClass, named as in the signed credential', async () => {
    const english = await award('english@example.fr', { language: 'en' });
    const { body } = await getLd(ob2.assertion(english.id));
    const badge = await getLd(String(body.badge));
    expect(badge.status).toBe(200);
    expect(badge.body.id).toBe(body.badge);
    const signed = (english.credential.credentialSubject as { achievement: { name: string } }).achievement;
    expect(badge.body.name).toBe(signed.name);
    expect(badge.body.name).not.toBe((await getLd(`${service.url}/ob2/badges/${issuer.achievementId}`)).body.name);
  });
});

describe('links between the 2.0 and 3.0 documents', () => {
  test('the assertion names its OB 3.0 credential in a Link header (rel="alternate"), and that URL answers the signed credential', async () => {
    const { headers } = await getLd(ob2.assertion(awarded.id));
    expect(headers.get('link')).toBe(`<${awarded.url}>; rel="alternate"; type="application/vc+ld+json"`);
    const credential = await getLd(awarded.url);
    expect(credential.status).toBe(200);
    expect(credential.body.id).toBe(awarded.url);
  });

  test('the BadgeClass names its OB 3.0 achievement in `related`, and the achievement names the BadgeClass back', async () => {
    const badge = await getLd(`${service.url}/ob2/badges/${issuer.achievementId}`);
    const achievementUrl = `${service.url}/achievements/${issuer.achievementId}`;
    expect(badge.body.related).toEqual([{ id: achievementUrl, version: 'Open Badges v3p0' }]);
    const achievement = await getLd(achievementUrl);
    expect(achievement.status).toBe(200);
    expect(achievement.type).toContain('application/ld+json');
    expect(achievement.body).toMatchObject({ id: achievementUrl, type: ['Achievement'] });
    expect(achievement.body.related).toEqual([{ id: badge.body.id, type: ['Related', 'https://w3id.org/openbadges#BadgeClass'], version: 'Open Badges v2p0' }]);
  });

  test('the signed credential\'s achievement carries the same link to the BadgeClass', () => {
    const achievement = (awarded.credential.credentialSubject as { achievement: Doc }).achievement;
    expect(achievement.related).toEqual([{ id: `${service.url}/ob2/badges/${issuer.achievementId}`, type: ['Related', 'https://w3id.org/openbadges#BadgeClass'], version: 'Open Badges v2p0' }]);
  });

  test('the OB 3.0 issuer profile, public and in the credential, names its OB 2.0 Issuer in otherIdentifier', async () => {
    const ob2IssuerUrl = `${service.url}/ob2/issuers/bge-hauts-de-france`;
    const link = [{ type: 'IdentifierEntry', identifier: ob2IssuerUrl, identifierType: 'identifier' }];
    const profile = await getLd(`${service.url}/issuers/bge-hauts-de-france`);
    expect(profile.status).toBe(200);
    expect(profile.body.otherIdentifier).toEqual(link);
    expect((awarded.credential.issuer as Doc).otherIdentifier).toEqual(link);
    expect((await getLd(ob2IssuerUrl)).status).toBe(200);
  });
});

/** The chunks of a PNG, checked as a decoder would check them (signature, CRCs, IHDR first, IEND last, IDAT inflates). */
function expectValidPng(png: Buffer): void {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const types: string[] = [];
  const idat: Buffer[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const crc = createCrc(png.subarray(offset + 4, offset + 8 + length));
    expect({ type, crc }).toEqual({ type, crc: png.readUInt32BE(offset + 8 + length) });
    types.push(type);
    if (type === 'IDAT') idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  expect(offset).toBe(png.length);
  expect(types[0]).toBe('IHDR');
  expect(types.at(-1)).toBe('IEND');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect(width).toBeGreaterThan(0);
  expect(inflateSync(Buffer.concat(idat)).length).toBeGreaterThanOrEqual(height * (1 + width));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function createCrc(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

describe('the baked Open Badges 2.0 PNG', () => {
  test('is a valid PNG whose one "openbadges" iTXt chunk holds exactly the hosted assertion', async () => {
    const res = await fetch(ob2.png(awarded.id));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="badge-ob2-${awarded.id.slice(0, 8)}.png"`);
    const png = Buffer.from(await res.arrayBuffer());
    expectValidPng(png);
    const texts = readPngTexts(png);
    expect(texts.map((t) => [t.chunk, t.keyword])).toEqual([['iTXt', OB2_PNG_KEYWORD]]);
    expect(OB2_PNG_KEYWORD).toBe('openbadges');
    expect(unbakePng(png)?.version).toBe('ob2');
    expect(JSON.parse(texts[0]!.text)).toEqual((await getLd(ob2.assertion(awarded.id))).body);
  });
});

describe('revoked, erased, hidden, unknown', () => {
  test('a revoked credential\'s assertion answers 410 Gone with revoked: true and no reason, and its badge class still answers', async () => {
    const revoked = await award('revoked@example.fr');
    expect((await issuer.operator.post(`/api/v1/credentials/${revoked.id}/revoke`, { reason: 'attribué par erreur' })).status).toBe(200);
    const res = await getLd(ob2.assertion(revoked.id));
    expect(res.status).toBe(410);
    expect(res.type).toContain('application/ld+json');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.body).toMatchObject({ type: 'Assertion', id: ob2.assertion(revoked.id), revoked: true });
    expect(res.body).not.toHaveProperty('revocationReason');
    expect(JSON.stringify(res.body)).not.toContain('erreur');
    expect((await getLd(String(res.body.badge))).status).toBe(200);
  });

  test('a credential whose holder data was erased has no assertion and no baked 2.0 PNG (404 problem)', async () => {
    const erased = await award('erased@example.fr');
    expect((await issuer.operator.post(`/api/v1/credentials/${erased.id}/erase`, {})).status).toBe(200);
    for (const url of [ob2.assertion(erased.id), ob2.png(erased.id)]) {
      const res = await fetch(url, { headers: { accept: 'application/ld+json' } });
      expect({ url, status: res.status, type: res.headers.get('content-type') }).toEqual({ url, status: 404, type: expect.stringContaining('application/problem+json') });
    }
  });

  test('a credential its holder made private has no assertion and no baked 2.0 PNG (404 problem)', async () => {
    const hidden = await award('hidden@example.fr');
    expect((await getLd(ob2.assertion(hidden.id))).status).toBe(200);
    await service.running.app.db.updateTable('credentials').set({ holder_hidden: 1 }).where('id', '=', hidden.id).execute();
    for (const url of [ob2.assertion(hidden.id), ob2.png(hidden.id)]) {
      const res = await fetch(url, { headers: { accept: 'application/ld+json' } });
      expect({ url, status: res.status, type: res.headers.get('content-type') }).toEqual({ url, status: 404, type: expect.stringContaining('application/problem+json') });
    }
  });

  const unknown = '00000000-0000-4000-8000-000000000000';
  test.each([
    `/ob2/assertions/${unknown}`, `/ob2/assertions/${unknown}/badge.png`, `/ob2/badges/${unknown}`, '/ob2/issuers/nobody',
    '/ob2/assertions/not-an-id', '/ob2/assertions/not-an-id/badge.png', '/ob2/badges/not-an-id',
    `/ob2/assertions/${'-'.repeat(36)}`, `/ob2/badges/${'-'.repeat(36)}`, `/ob2/assertions/${unknown.toUpperCase()}`,
    `/ob2/assertions/${'a'.repeat(300)}`, '/ob2/assertions/%00', `/ob2/issuers/${encodeURIComponent("x' OR '1'='1")}`,
  ])('%s answers 404 problem+json', async (path) => {
    const res = await fetch(`${service.url}${path}`, { headers: { accept: 'application/ld+json' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(await res.text())).toMatchObject({ status: 404 });
  });
});

describe('the badge page and Blason\'s own verifier', () => {
  test('the badge page offers the Open Badges 2.0 download', async () => {
    const res = await fetch(awarded.url, { headers: { accept: 'text/html', 'accept-language': 'en' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain(`<a href="${ob2.png(awarded.id)}" download data-download="ob2">Open Badges 2.0 badge (older backpacks)</a>`);
  });

  const forms: [string, () => Promise<{ body: unknown; type: string }>][] = [
    ['the assertion JSON', async () => ({ body: JSON.stringify((await getLd(ob2.assertion(awarded.id))).body), type: 'application/ld+json' })],
    ['the baked 2.0 PNG', async () => ({ body: new Uint8Array(await (await fetch(ob2.png(awarded.id))).arrayBuffer()), type: 'image/png' })],
    ['the hosted assertion URL', async () => ({ body: { url: ob2.assertion(awarded.id) }, type: 'application/json' })],
  ];

  test.each(forms)('POST /api/v1/verify with %s verifies it as a valid Open Badges 2.0 badge', async (_form, make) => {
    const { body, type } = await make();
    type Report = { verdict: string; verified: boolean; standard: string; checks: { code: string; outcome: string }[] };
    const res = await apiClient(service.url).post<Report>('/api/v1/verify', body, { 'content-type': type });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'valid', verified: true, standard: 'ob2' });
    expect(res.body.checks.filter((c) => c.outcome === 'failed')).toEqual([]);
  });
});
