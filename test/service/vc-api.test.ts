/**
 * The W3C VC API over a real server (issue 15 §2): verifying credentials and presentations (200 only when
 * verified, 400 for what cannot be read, 422 for what does not verify), signing a credential as the caller's
 * organisation, and revoking or suspending it through /credentials/status.
 */
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';
import { Bitstring } from '../../src/engine/status/bitstring.js';
import { achievementCredentialValidator } from '../../src/engine/verify/schema.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { achievement } from '../support/credentials.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { startInProcess, type InProcessService } from '../support/service.js';

interface Result {
  verified: boolean;
  verdict: string;
  checks: string[];
  warnings: { code: string }[];
  errors: { code: string; type: string }[];
  credentialResults?: Result[];
  holder?: string;
}

let service: InProcessService;
let admin: Api;
let anyone: Api;
let issuer: Awaited<ReturnType<typeof setUpIssuer>>;
let awarded: { id: string; url: string; credential: Record<string, unknown>; jwt: string };

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  anyone = apiClient(service.url);
  issuer = await setUpIssuer(admin, service.url);
  const res = await issuer.operator.post<typeof awarded>('/api/v1/credentials', {
    achievementId: issuer.achievementId,
    recipient: { email: 'ana.martin@example.fr' },
  });
  expect(res.status).toBe(201);
  awarded = res.body;
});
afterAll(() => service.stop());

const verifyCredential = (verifiableCredential: unknown, options?: object) =>
  anyone.post<Result>('/credentials/verify', { verifiableCredential, ...(options ? { options } : {}) });

/** A plain W3C credential (not an Open Badge), as a program connected to Blason would write it. */
function plainCredential(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential'],
    credentialSubject: { id: 'did:example:ebfeb1f712ebc6f1c276e12ec21', name: 'Ana Martin' },
    ...extra,
  };
}

function openBadge(): Record<string, unknown> {
  return {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: "De l'idée à l'opportunité",
    credentialSubject: {
      type: ['AchievementSubject'],
      id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
      achievement: achievement(),
    },
  };
}

async function issue(credential: Record<string, unknown>) {
  return issuer.operator.post<{ verifiableCredential: Record<string, unknown>; detail?: string; errors?: unknown[] }>(
    '/credentials/issue',
    { credential },
  );
}

describe('POST /credentials/verify', () => {
  test('answers 200 with verified true for a badge Blason awarded', async () => {
    const res = await verifyCredential(awarded.credential);
    expect(res.status).toBe(200);
    expect([res.body.verified, res.body.verdict, res.body.errors]).toEqual([true, 'valid', []]);
    expect(res.body.checks).toEqual(expect.arrayContaining(['proof', 'issuerKey', 'status']));
  });

  test('accepts the badge enveloped as a VC-JWT', async () => {
    const res = await verifyCredential({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['EnvelopedVerifiableCredential'],
      id: `data:application/vc+jwt,${awarded.jwt}`,
    });
    expect([res.status, res.body.verified]).toEqual([200, true]);
  });

  test('answers 422 with verified false and the reason for an altered badge', async () => {
    const res = await verifyCredential({ ...awarded.credential, name: 'Un autre badge' });
    expect(res.status).toBe(422);
    expect(res.body.verified).toBe(false);
    expect(res.body.errors.map((e) => e.code)).toContain('proof.signatureMismatch');
    expect(res.body.errors[0]!.type).toMatch(/^https:\/\/www\.w3\.org\/TR\/vc-data-model-2\.0\/#/);
  });

  test('answers 400 with verified false when the request holds no credential', async () => {
    const res = await anyone.post<Result>('/credentials/verify', { credential: awarded.credential });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.verified).toBe(false);
  });

  test('refuses an option it does not know (400)', async () => {
    const res = await verifyCredential(awarded.credential, { unknownOption: true });
    expect(res.status).toBe(400);
  });

  test('refuses a body above its limit before reading it (413)', async () => {
    const res = await anyone.post('/credentials/verify', 'x'.repeat(6 * 1024 * 1024), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(413);
  });
});

describe('POST /presentations/verify', () => {
  let holder: { did: string; sign(vp: object, challenge: string, domain?: string): Promise<Record<string, unknown>> };

  beforeAll(async () => {
    const keyPair = await Ed25519Multikey.generate();
    const did = `did:key:${keyPair.publicKeyMultibase}`;
    Object.assign(keyPair, { id: `${did}#${keyPair.publicKeyMultibase}`, controller: did });
    const signer = (keyPair as unknown as { signer(): never }).signer();
    holder = {
      did,
      sign: (vp, challenge, domain) =>
        vc.signPresentation({
          presentation: structuredClone(vp),
          suite: new DataIntegrityProof({ signer, cryptosuite: eddsaRdfc2022 }),
          challenge,
          ...(domain ? { domain } : {}),
          documentLoader: contextLoader,
        }),
    };
  });

  const presentation = (credentials: unknown[]) => ({
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    holder: holder.did,
    verifiableCredential: credentials,
  });

  test('answers 200 for a holder presenting a badge over the challenge and domain asked', async () => {
    const vp = await holder.sign(presentation([awarded.credential]), 'abc-123', 'employer.example.org');
    const res = await anyone.post<Result>('/presentations/verify', {
      verifiablePresentation: vp,
      options: { challenge: 'abc-123', domain: 'employer.example.org' },
    });
    expect(res.status).toBe(200);
    expect([res.body.verified, res.body.holder]).toEqual([true, holder.did]);
    expect(res.body.credentialResults!.map((r) => r.verified)).toEqual([true]);
  });

  test('answers 422 when the presentation answers another challenge', async () => {
    const vp = await holder.sign(presentation([awarded.credential]), 'old-challenge');
    const res = await anyone.post<Result>('/presentations/verify', {
      verifiablePresentation: vp,
      options: { challenge: 'abc-123' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e) => e.code)).toContain('presentation.challengeMismatch');
  });

  test('answers 422 for an unsigned presentation when a challenge was asked', async () => {
    const res = await anyone.post<Result>('/presentations/verify', {
      verifiablePresentation: presentation([awarded.credential]),
      options: { challenge: 'abc-123' },
    });
    expect([res.status, res.body.verified]).toEqual([422, false]);
  });

  test('answers 200 with a warning for an unsigned presentation when nothing was asked', async () => {
    const res = await anyone.post<Result>('/presentations/verify', {
      verifiablePresentation: presentation([awarded.credential]),
    });
    expect(res.status).toBe(200);
    expect(res.body.warnings.map((w) => w.code)).toContain('presentation.unsigned');
  });

  test('POST /api/v1/verify also takes a presentation, and reports each badge in it', async () => {
    const vp = await holder.sign(presentation([awarded.credential]), 'abc-123');
    for (const body of [vp, { presentation: vp }]) {
      const res = await anyone.post<{ verified: boolean; holder: string; credentials: { verdict: string }[] }>(
        '/api/v1/verify',
        body,
      );
      expect(res.status).toBe(200);
      expect([res.body.verified, res.body.holder]).toEqual([true, holder.did]);
      expect(res.body.credentials.map((c) => c.verdict)).toEqual(['valid']);
    }
  });

  test('answers 400 for a credential sent as a presentation', async () => {
    const res = await anyone.post<Result>('/presentations/verify', { verifiablePresentation: awarded.credential });
    expect([res.status, res.body.verified]).toEqual([400, false]);
  });
});

describe('POST /credentials/issue', () => {
  test('refuses a caller without a token (401)', async () => {
    const res = await anyone.post('/credentials/issue', { credential: plainCredential() });
    expect(res.status).toBe(401);
  });

  test('signs a plain W3C credential as the caller\'s organisation, with a status entry', async () => {
    const res = await issue(plainCredential());
    expect(res.status).toBe(201);
    const signed = res.body.verifiableCredential;
    expect(signed.issuer).toBe(issuer.did);
    expect(signed.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    expect((signed.proof as { cryptosuite: string }[])[0]!.cryptosuite).toBe('eddsa-rdfc-2022');
  });

  test('the credential it signs verifies with a third party\'s library alone', async () => {
    const signed = (await issue(plainCredential())).body.verifiableCredential;
    const didDocument = (await anyone.get<Record<string, unknown>>('/issuers/bge-hauts-de-france/did.json')).body;
    const outcome = await verifyIndependently(signed, [didDocument]);
    expect(outcome.error).toBeUndefined();
    expect(outcome.verified).toBe(true);
  });

  test('the credential it signs verifies through /credentials/verify, though it is not an Open Badge', async () => {
    const signed = (await issue(plainCredential())).body.verifiableCredential;
    const res = await verifyCredential(signed);
    expect([res.status, res.body.verified]).toEqual([200, true]);
    expect(res.body.warnings.map((w) => w.code)).toContain('context.notOpenBadge');
  });

  test('signs an Open Badge that conforms to the Open Badges 3.0 schema, with the organisation\'s profile', async () => {
    const res = await issue(openBadge());
    expect(res.status).toBe(201);
    const signed = res.body.verifiableCredential;
    expect((signed.issuer as { id: string }).id).toBe(issuer.did);
    expect(achievementCredentialValidator()(signed)).toBe(true);
    expect((await verifyCredential(signed)).body.verdict).toBe('valid');
  });

  test('refuses an Open Badge that breaks the Open Badges 3.0 schema (400)', async () => {
    const badge = openBadge();
    delete (badge.credentialSubject as Record<string, unknown>).achievement;
    const res = await issue(badge);
    expect(res.status).toBe(400);
    expect(String(res.body.detail)).toMatch(/Open Badges 3\.0 schema/);
  });

  test('refuses another issuer than the caller\'s organisation (400)', async () => {
    const res = await issue(plainCredential({ issuer: 'did:web:elsewhere.example.org' }));
    expect(res.status).toBe(400);
    expect(String(res.body.detail)).toContain(issuer.did);
  });

  test('refuses a credential that breaks the VC data model (400)', async () => {
    const res = await issue(plainCredential({ type: ['SomethingElse'], validFrom: 'yesterday' }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(2);
  });

  test('refuses a second credential with the same id (409)', async () => {
    const credential = plainCredential({ id: 'urn:uuid:6e8f1a5c-2f70-4d5c-9b0a-3c1f0f7b0001' });
    expect((await issue(credential)).status).toBe(201);
    expect((await issue(credential)).status).toBe(409);
  });

  test('refuses a body above its limit (413)', async () => {
    const res = await issuer.operator.post('/credentials/issue', {
      credential: plainCredential({ description: 'x'.repeat(300 * 1024) }),
    });
    expect(res.status).toBe(413);
  });
});

describe('the status entry, as the Bitstring Status List test suite reads it', () => {
  // The suite issues its validVc.json with the implementation's issuer id, then checks the entry and its list.
  test('the entry names a purpose, an integer index as a string, and a list that is a signed status list', async () => {
    const signed = (await issue(plainCredential({ issuer: issuer.did }))).body.verifiableCredential;
    const entry = signed.credentialStatus as Record<string, string>;
    expect(entry.id).not.toBe(entry.statusListCredential);
    expect(entry.statusListIndex).toMatch(/^\d+$/);
    const list = await anyone.get<Record<string, unknown>>(new URL(entry.statusListCredential!).pathname);
    expect(list.status).toBe(200);
    expect(list.body.type).toEqual(['VerifiableCredential', 'BitstringStatusListCredential']);
    const subject = list.body.credentialSubject as Record<string, string>;
    expect([subject.type, subject.statusPurpose]).toEqual(['BitstringStatusList', entry.statusPurpose]);
    expect(subject.encodedList!.startsWith('u')).toBe(true);
    expect(Bitstring.decode(subject.encodedList!).length).toBeGreaterThanOrEqual(131_072);
    expect((list.body.proof as unknown[]).length).toBeGreaterThan(0);
  });
});

describe('POST /credentials/status', () => {
  test('revokes a credential signed through the VC API: it then verifies as revoked', async () => {
    const signed = (await issue(plainCredential())).body.verifiableCredential;
    const res = await issuer.operator.post('/credentials/status', {
      credentialId: signed.id,
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' },
      status: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoked: true });
    const verified = await verifyCredential(signed);
    expect([verified.status, verified.body.verified, verified.body.verdict]).toEqual([422, false, 'revoked']);
  });

  test('suspends and reinstates a credential signed through the VC API', async () => {
    const signed = (await issue(plainCredential())).body.verifiableCredential;
    const change = (status: boolean) =>
      issuer.operator.post('/credentials/status', {
        credentialId: signed.id,
        credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'suspension' },
        status,
      });
    expect((await change(true)).status).toBe(200);
    expect((await verifyCredential(signed)).body.verdict).toBe('suspended');
    expect((await change(true)).status).toBe(409);
    expect((await change(false)).status).toBe(200);
    expect((await verifyCredential(signed)).body.verified).toBe(true);
  });

  test('revokes a badge Blason awarded through the same use case as the API (older list spelling)', async () => {
    const res = await issuer.operator.post<{ id: string; credential: Record<string, unknown> }>('/api/v1/credentials', {
      achievementId: issuer.achievementId,
      recipient: { email: 'leo.petit@example.fr' },
    });
    const changed = await issuer.operator.post('/credentials/status', {
      credentialId: res.body.credential.id,
      credentialStatus: [{ type: 'BitstringStatusListEntry', status: 'revoked' }],
    });
    expect(changed.status).toBe(200);
    expect((await verifyCredential(res.body.credential)).body.verdict).toBe('revoked');
    const view = await issuer.operator.get<{ state: string }>(`/api/v1/credentials/${res.body.id}`);
    expect(view.body.state).toBe('revoked');
  });

  test('refuses to undo a revocation (400)', async () => {
    const res = await issuer.operator.post('/credentials/status', {
      credentialId: awarded.credential.id,
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' },
      status: false,
    });
    expect(res.status).toBe(400);
  });

  test('does not find another organisation\'s credential (404)', async () => {
    const signed = (await issue(plainCredential())).body.verifiableCredential;
    const other = await setUpIssuer(admin, service.url, 'BGE Normandie');
    const res = await other.operator.post('/credentials/status', {
      credentialId: signed.id,
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' },
      status: true,
    });
    expect(res.status).toBe(404);
  });

  test('refuses a caller without a token (401)', async () => {
    const res = await anyone.post('/credentials/status', { credentialId: 'urn:uuid:x', credentialStatus: [] });
    expect(res.status).toBe(401);
  });
});
