/**
 * Status lists (security.md §7, test plan T6): the bit order is the one the W3C Bitstring Status List fixes
 * (index 0 is the left-most bit), lists cannot be inflated into memory bombs, and a credential's status is
 * read only from a list its own issuer signed. When the list cannot be trusted the verdict is
 * "status-unknown", never "valid".
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { OB_V3P0_EXTENSIONS, VC_V2 } from '../../src/engine/model/contexts.js';
import type { BitstringStatusListEntry } from '../../src/engine/model/types.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { Bitstring, MIN_STATUS_LIST_LENGTH } from '../../src/engine/status/bitstring.js';
import { staticFetcher, type Fetcher } from '../../src/engine/verify/fetcher.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { draft, signedCredential, testIssuer, type TestIssuer } from '../support/credentials.js';
import { fixtureJson } from '../support/fixtures.js';
import { failedCodes, warningCodes } from '../support/verification.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const LIST_URL = 'https://badges.example.org/status/revocation/1';
const SUSPENSION_LIST_URL = 'https://badges.example.org/status/suspension/1';
const REVOCATION_LIST_URL = 'https://badges.example.org/revocations.json';
const REVOKED_INDEX = 94_567;
const UNTOUCHED_INDEX = 1_234;

type Json = Record<string, unknown>;

/** Written from the specification, sharing nothing with Bitstring: multibase `u`, base64url, GZIP, MSB first. */
function independentlyDecodedSetIndexes(encodedList: string): number[] {
  expect(encodedList.startsWith('u')).toBe(true);
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  const set: number[] = [];
  for (let byte = 0; byte < bytes.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      if ((bytes[byte]! >> (7 - bit)) & 1) set.push(byte * 8 + bit);
    }
  }
  return set;
}

describe('the bitstring encoding', () => {
  test('index 0 is the left-most bit: an independent decoder reads back exactly the indexes set (0, 7, 8, 131071)', () => {
    const bits = new Bitstring(MIN_STATUS_LIST_LENGTH);
    for (const index of [0, 7, 8, 131_071]) bits.set(index, true);
    expect(independentlyDecodedSetIndexes(bits.encode())).toEqual([0, 7, 8, 131_071]);
  });

  test('the bytes behind those indexes are 0x81, 0x80 … 0x01', () => {
    const bits = new Bitstring(MIN_STATUS_LIST_LENGTH);
    for (const index of [0, 7, 8, 131_071]) bits.set(index, true);
    const bytes = gunzipSync(Buffer.from(bits.encode().slice(1), 'base64url'));
    expect(bytes.length).toBe(16_384);
    expect([bytes[0], bytes[1], bytes[2], bytes[16_383]]).toEqual([0x81, 0x80, 0x00, 0x01]);
  });

  test('encoding then decoding gives back the same list', () => {
    const bits = new Bitstring(MIN_STATUS_LIST_LENGTH);
    const indexes = [3, 64, 999, 65_536, 100_003, 131_070];
    for (const index of indexes) bits.set(index, true);
    const decoded = Bitstring.decode(bits.encode());
    expect(decoded.length).toBe(MIN_STATUS_LIST_LENGTH);
    expect(Buffer.from(decoded.bytes).equals(Buffer.from(bits.bytes))).toBe(true);
    expect(indexes.every((index) => decoded.get(index))).toBe(true);
    expect(decoded.get(4)).toBe(false);
  });

  test('clearing a bit sets it back to zero without touching its neighbours', () => {
    const bits = new Bitstring(MIN_STATUS_LIST_LENGTH);
    for (const index of [6, 7, 8]) bits.set(index, true);
    bits.set(7, false);
    expect(independentlyDecodedSetIndexes(bits.encode())).toEqual([6, 8]);
  });

  test('a gzip bomb (50 MB of zeros) is refused instead of inflated', () => {
    const bomb = `u${gzipSync(Buffer.alloc(50 * 1024 * 1024)).toString('base64url')}`;
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => Bitstring.decode(bomb)).toThrow();
  });

  test('a list that is not base64url is refused', () => {
    expect(() => Bitstring.decode('u!!!not-base64!!!')).toThrow(RangeError);
  });

  test('1EdTech\'s fixture list has bit 23 set, and only that bit', () => {
    const list = fixtureJson<{ credentialSubject: { encodedList: string } }>('ob30', 'bit-string-list', 'testlist');
    const { encodedList } = list.credentialSubject;
    expect(Bitstring.decode(encodedList).get(23)).toBe(true);
    expect(independentlyDecodedSetIndexes(encodedList)).toEqual([23]);
  });
});

describe('checking a credential against a signed status list', () => {
  let issuer: TestIssuer;
  let other: TestIssuer;

  beforeAll(async () => {
    issuer = await testIssuer();
    other = await testIssuer({ host: 'other.example.net', slug: 'rival' });
  });

  interface ListOptions {
    url?: string;
    purpose?: 'revocation' | 'suspension';
    set?: number[];
    signedBy?: TestIssuer;
    validUntil?: string;
    encodedList?: string;
  }

  function listCredential(options: ListOptions = {}): Json {
    const url = options.url ?? LIST_URL;
    const bits = new Bitstring(MIN_STATUS_LIST_LENGTH);
    for (const index of options.set ?? []) bits.set(index, true);
    return {
      '@context': [VC_V2],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: (options.signedBy ?? issuer).did,
      validFrom: '2026-11-01T00:00:00Z',
      ...(options.validUntil ? { validUntil: options.validUntil } : {}),
      credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: options.purpose ?? 'revocation', encodedList: options.encodedList ?? bits.encode() },
    };
  }

  async function signedList(options: ListOptions = {}): Promise<Json> {
    const signer = options.signedBy ?? issuer;
    return signDataIntegrity(listCredential(options), ed25519Signer(`${signer.did}#ed-1`, signer.edKey));
  }

  function entry(index: number, purpose: 'revocation' | 'suspension' = 'revocation', url = purpose === 'revocation' ? LIST_URL : SUSPENSION_LIST_URL): BitstringStatusListEntry {
    return { id: `${url}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: purpose, statusListIndex: String(index), statusListCredential: url };
  }

  /** Serves the lists, and the DID documents of both issuers. */
  function serving(lists: Record<string, Json>): Fetcher {
    return staticFetcher(lists, {
      fetch: (url, options) => (url.startsWith('https://other.example.net/') ? other.fetcher : issuer.fetcher).fetch(url, options),
    });
  }

  async function verifyWith(status: BitstringStatusListEntry, lists: Record<string, Json>): Promise<VerificationReport> {
    const credential = await signedCredential(issuer, { credentialStatus: status });
    return verifyCredential({ credential }, { fetcher: serving(lists), now: NOW });
  }

  function statusCheck(report: VerificationReport) {
    return report.checks.find((c) => c.id === 'status');
  }

  test('a credential whose index is not set is valid and reported as not revoked', async () => {
    const report = await verifyWith(entry(UNTOUCHED_INDEX), { [LIST_URL]: await signedList({ set: [REVOKED_INDEX] }) });
    expect(failedCodes(report)).toEqual([]);
    expect(warningCodes(report)).toEqual([]);
    expect(report.verdict).toBe('valid');
    expect(statusCheck(report)).toMatchObject({ outcome: 'passed', code: 'status.notRevoked' });
    expect(report.status).toEqual({ method: 'BitstringStatusListEntry', purpose: 'revocation', revoked: false });
  });

  test('a credential whose index is set is revoked', async () => {
    const report = await verifyWith(entry(REVOKED_INDEX), { [LIST_URL]: await signedList({ set: [REVOKED_INDEX] }) });
    expect(report.verdict).toBe('revoked');
    expect(statusCheck(report)).toMatchObject({ outcome: 'failed', code: 'status.revoked' });
    expect(report.status).toMatchObject({ revoked: true });
  });

  test('the bit order matters end to end: the neighbours of a revoked index stay valid', async () => {
    const lists = { [LIST_URL]: await signedList({ set: [REVOKED_INDEX] }) };
    expect((await verifyWith(entry(REVOKED_INDEX - 1), lists)).verdict).toBe('valid');
    expect((await verifyWith(entry(REVOKED_INDEX + 1), lists)).verdict).toBe('valid');
  });

  test('a credential whose index is set on a suspension list is suspended', async () => {
    const report = await verifyWith(entry(REVOKED_INDEX, 'suspension'), {
      [SUSPENSION_LIST_URL]: await signedList({ url: SUSPENSION_LIST_URL, purpose: 'suspension', set: [REVOKED_INDEX] }),
    });
    expect(report.verdict).toBe('suspended');
    expect(statusCheck(report)).toMatchObject({ outcome: 'failed', code: 'status.suspended' });
  });

  test('a credential not set on a suspension list is valid and reported as not suspended', async () => {
    const report = await verifyWith(entry(UNTOUCHED_INDEX, 'suspension'), {
      [SUSPENSION_LIST_URL]: await signedList({ url: SUSPENSION_LIST_URL, purpose: 'suspension', set: [REVOKED_INDEX] }),
    });
    expect(report.verdict).toBe('valid');
    expect(statusCheck(report)).toMatchObject({ outcome: 'passed', code: 'status.notSuspended' });
  });

  test('a list tampered with after signing (a revoked bit cleared) gives status-unknown, not valid', async () => {
    const list = await signedList({ set: [REVOKED_INDEX] });
    const subject = list.credentialSubject as Json;
    const bits = Bitstring.decode(subject.encodedList as string);
    bits.set(REVOKED_INDEX, false);
    subject.encodedList = bits.encode();
    const report = await verifyWith(entry(REVOKED_INDEX), { [LIST_URL]: list });
    expect(report.verdict).toBe('status-unknown');
    expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.badSignature' });
  });

  test('an unsigned list gives status-unknown', async () => {
    const report = await verifyWith(entry(UNTOUCHED_INDEX), { [LIST_URL]: listCredential() });
    expect(report.verdict).toBe('status-unknown');
    expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.unsigned' });
  });

  test('an expired list gives status-unknown', async () => {
    const report = await verifyWith(entry(UNTOUCHED_INDEX), { [LIST_URL]: await signedList({ validUntil: '2026-11-25T00:00:00Z' }) });
    expect(report.verdict).toBe('status-unknown');
    expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.listExpired' });
  });

  test('an unreachable list gives status-unknown', async () => {
    const report = await verifyWith(entry(UNTOUCHED_INDEX), {});
    expect(report.verdict).toBe('status-unknown');
    expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.unreachable' });
  });

  test('a list issued and signed by another issuer gives status-unknown', async () => {
    const report = await verifyWith(entry(UNTOUCHED_INDEX), { [LIST_URL]: await signedList({ signedBy: other }) });
    expect(report.verdict).toBe('status-unknown');
    expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.otherIssuer' });
  });

  test('a list naming the issuer but signed with another issuer\'s key gives status-unknown', async () => {
    const forged = await signDataIntegrity(listCredential(), ed25519Signer(`${other.did}#ed-1`, other.edKey));
    const report = await verifyWith(entry(UNTOUCHED_INDEX), { [LIST_URL]: forged });
    expect(report.verdict).toBe('status-unknown');
    expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.badSignature' });
  });

  test('an index beyond the end of the list gives status-unknown', async () => {
    const report = await verifyWith(entry(MIN_STATUS_LIST_LENGTH), { [LIST_URL]: await signedList() });
    expect(report.verdict).toBe('status-unknown');
    expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.badIndex' });
  });

  test('a signed list whose encodedList is a gzip bomb gives status-unknown instead of being inflated', async () => {
    const bomb = `u${gzipSync(Buffer.alloc(50 * 1024 * 1024)).toString('base64url')}`;
    const report = await verifyWith(entry(UNTOUCHED_INDEX), { [LIST_URL]: await signedList({ encodedList: bomb }) });
    expect(report.verdict).toBe('status-unknown');
    expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.malformed' });
  });

  describe('a list already verified (remembered by its bytes, for the same fetcher)', () => {
    /** A fetcher serving `lists` and the DID documents, counting the DID document fetches. */
    function countingFetcher(lists: Record<string, Json>): Fetcher & { didFetches: () => number } {
      const inner = serving(lists);
      let count = 0;
      return {
        fetch: (url, options) => {
          if (url.endsWith('/did.json')) count++;
          return inner.fetch(url, options);
        },
        didFetches: () => count,
      };
    }

    test('a second badge checked against the same list does not verify the list again', async () => {
      const fetcher = countingFetcher({ [LIST_URL]: await signedList({ set: [REVOKED_INDEX] }) });
      const verify = async (index: number) => verifyCredential({ credential: await signedCredential(issuer, { credentialStatus: entry(index) }) }, { fetcher, now: NOW });
      expect((await verify(UNTOUCHED_INDEX)).verdict).toBe('valid');
      const first = fetcher.didFetches();
      expect((await verify(REVOKED_INDEX)).verdict).toBe('revoked');
      // The badge's own key is resolved again; the list's is not.
      expect(fetcher.didFetches() - first).toBeLessThan(first);
    });

    test('a revocation shows at once: the list with the bit set is new bytes, verified afresh', async () => {
      const lists: Record<string, Json> = { [LIST_URL]: await signedList() };
      const fetcher = serving(lists);
      const credential = await signedCredential(issuer, { credentialStatus: entry(REVOKED_INDEX) });
      expect((await verifyCredential({ credential }, { fetcher, now: NOW })).verdict).toBe('valid');
      lists[LIST_URL] = await signedList({ set: [REVOKED_INDEX] });
      expect((await verifyCredential({ credential }, { fetcher, now: NOW })).verdict).toBe('revoked');
    });

    test('a remembered list is still checked against each badge: another issuer\'s badge pointing at it gets status-unknown', async () => {
      const fetcher = serving({ [LIST_URL]: await signedList() });
      expect((await verifyCredential({ credential: await signedCredential(issuer, { credentialStatus: entry(UNTOUCHED_INDEX) }) }, { fetcher, now: NOW })).verdict).toBe('valid');
      const foreign = await signedCredential(other, { credentialStatus: entry(UNTOUCHED_INDEX) });
      const report = await verifyCredential({ credential: foreign }, { fetcher, now: NOW });
      expect(report.verdict).toBe('status-unknown');
      expect(statusCheck(report)).toMatchObject({ outcome: 'warning', code: 'status.otherIssuer' });
    });

    test('what one fetcher verified is trusted only through fetchers of its scope: any other verifies the list again', async () => {
      const lists = { [LIST_URL]: await signedList() };
      const credential = await signedCredential(issuer, { credentialStatus: entry(UNTOUCHED_INDEX) });
      const first = countingFetcher(lists);
      expect((await verifyCredential({ credential }, { fetcher: first, now: NOW })).verdict).toBe('valid');
      const unrelated = countingFetcher(lists);
      expect((await verifyCredential({ credential }, { fetcher: unrelated, now: NOW })).verdict).toBe('valid');
      expect(unrelated.didFetches()).toBe(first.didFetches());
      // A per-verification wrapper around the first fetcher (as the service makes) shares its scope.
      const wrapper = countingFetcher(lists);
      const sameScope: Fetcher = { scope: first, fetch: (url, options) => wrapper.fetch(url, options) };
      expect((await verifyCredential({ credential }, { fetcher: sameScope, now: NOW })).verdict).toBe('valid');
      expect(wrapper.didFetches()).toBeLessThan(first.didFetches());
    });
  });

  describe('the 1EdTech Revocation List', () => {
    async function revocableCredential(): Promise<Json> {
      const built = buildOpenBadgeCredential(draft(issuer)) as unknown as Json;
      expect(built['@context']).toContain(OB_V3P0_EXTENSIONS);
      return signDataIntegrity({ ...built, credentialStatus: { id: REVOCATION_LIST_URL, type: '1EdTechRevocationList' } }, ed25519Signer(`${issuer.did}#ed-1`, issuer.edKey));
    }

    test('a credential the list names is revoked', async () => {
      const credential = await revocableCredential();
      const list = { id: REVOCATION_LIST_URL, issuer: issuer.did, revokedCredential: [{ id: credential.id, revocationReason: 'Délivré par erreur.' }] };
      const report = await verifyCredential({ credential }, { fetcher: serving({ [REVOCATION_LIST_URL]: list }), now: NOW });
      expect(report.verdict).toBe('revoked');
      expect(report.status).toEqual({ method: '1EdTechRevocationList', purpose: 'revocation', revoked: true });
    });

    test('a credential the list does not name is valid', async () => {
      const credential = await revocableCredential();
      const list = { id: REVOCATION_LIST_URL, issuer: issuer.did, revokedCredential: [{ id: 'urn:uuid:00000000-0000-4000-8000-000000000000' }] };
      const report = await verifyCredential({ credential }, { fetcher: serving({ [REVOCATION_LIST_URL]: list }), now: NOW });
      expect(failedCodes(report)).toEqual([]);
      expect(report.verdict).toBe('valid');
    });
  });
});

describe('StatusList2021 (the draft before Bitstring Status List, still on many VCDM 1.1 badges)', () => {
  const VC_V1 = 'https://www.w3.org/2018/credentials/v1';
  const STATUS_2021 = 'https://w3id.org/vc/status-list/2021/v1';
  const DI_V2 = 'https://w3id.org/security/data-integrity/v2';
  const LIST_2021_URL = 'https://badges.example.org/status/2021/1';
  let issuer2021: TestIssuer;

  beforeAll(async () => {
    issuer2021 = await testIssuer();
  });

  const sign = (document: Json) => signDataIntegrity(document, ed25519Signer(`${issuer2021.did}#ed-1`, issuer2021.edKey));

  /** A signed StatusList2021Credential whose "base-64" is plain base64 without a multibase prefix. */
  async function list2021(revoked: number[]): Promise<Json> {
    const bits = new Bitstring(MIN_STATUS_LIST_LENGTH);
    for (const index of revoked) bits.set(index, true);
    return sign({
      '@context': [VC_V1, STATUS_2021, DI_V2], id: LIST_2021_URL, type: ['VerifiableCredential', 'StatusList2021Credential'],
      issuer: issuer2021.did, issuanceDate: '2026-01-01T00:00:00Z',
      credentialSubject: { id: `${LIST_2021_URL}#list`, type: 'StatusList2021', statusPurpose: 'revocation', encodedList: gzipSync(bits.bytes).toString('base64') },
    });
  }

  async function credentialAt(index: number): Promise<Json> {
    return sign({
      '@context': [VC_V1, STATUS_2021, DI_V2], id: 'urn:uuid:7c0e', type: ['VerifiableCredential'], issuer: issuer2021.did,
      issuanceDate: '2026-01-15T09:00:00Z', credentialSubject: { id: 'did:example:ana' },
      credentialStatus: { id: `${LIST_2021_URL}#${index}`, type: 'StatusList2021Entry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: LIST_2021_URL },
    });
  }

  async function verify2021(index: number, revoked: number[]): Promise<VerificationReport> {
    const fetcher = staticFetcher({ [LIST_2021_URL]: await list2021(revoked) }, issuer2021.fetcher);
    return verifyCredential({ credential: await credentialAt(index) }, { fetcher, now: NOW });
  }

  test('an entry whose bit is set is revoked', async () => {
    const report = await verify2021(REVOKED_INDEX, [REVOKED_INDEX]);
    expect(report.verdict).toBe('revoked');
    expect(report.status).toMatchObject({ method: 'StatusList2021Entry', revoked: true });
  });

  test('an entry whose bit is clear is not revoked (the credential is a plain W3C one: not an Open Badge)', async () => {
    const report = await verify2021(UNTOUCHED_INDEX, [REVOKED_INDEX]);
    expect(report.checks.find((c) => c.id === 'status')?.code).toBe('status.notRevoked');
    expect(report.verdict).toBe('nonconformant');
  });
});
