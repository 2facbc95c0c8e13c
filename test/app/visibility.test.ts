/**
 * The one visibility rule (src/app/visibility.ts), without HTTP: what the public may see of a credential, and the
 * use cases that ask it. (The service is started only to award badges through the API; the rule is then called.)
 */
import { publicCredentialFile } from '../../src/app/credential-files.js';
import { heldCredentials } from '../../src/app/holders.js';
import { verifyLink, withoutHolderName } from '../../src/app/verify-link.js';
import {
  filesCarryName, publicViewOf, shownPublicly, signedFilesOf, visibilityOf, type VisibilityRow,
} from '../../src/app/visibility.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';
import { findCredential } from '../../src/store/repositories/credentials.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

const AT = '2026-03-01T10:00:00.000Z';
const row = (over: Partial<VisibilityRow> = {}): VisibilityRow => ({
  erased_at: null, holder_hidden: 0, show_name: 1, revoked_at: null, ...over,
});

describe('visibilityOf', () => {
  test('a badge whose holder shows her name is public, name included', () => {
    expect(visibilityOf(row())).toBe('public');
  });

  test('a badge whose holder does not show her name is public without it', () => {
    expect(visibilityOf(row({ show_name: 0 }))).toBe('public-without-name');
  });

  test('a revoked badge never shows the name, even when its holder chose to show it', () => {
    expect(visibilityOf(row({ revoked_at: AT }))).toBe('public-without-name');
  });

  test('a badge its holder made private is hidden, whatever her name choice or its status', () => {
    expect(visibilityOf(row({ holder_hidden: 1 }))).toBe('hidden');
    expect(visibilityOf(row({ holder_hidden: 1, show_name: 0 }))).toBe('hidden');
    expect(visibilityOf(row({ holder_hidden: 1, revoked_at: AT }))).toBe('hidden');
  });

  test('erasure wins over everything: nothing personal is left to show', () => {
    expect(visibilityOf(row({ erased_at: AT, holder_hidden: 1, revoked_at: AT }))).toBe('erased');
    expect(visibilityOf(row({ erased_at: AT, show_name: 0 }))).toBe('erased');
  });

  test('only public badges, with or without the name, may be seen to exist', () => {
    expect(['public', 'public-without-name', 'hidden', 'erased'].filter((v) => shownPublicly(v as never)))
      .toEqual(['public', 'public-without-name']);
  });
});

describe('signedFilesOf', () => {
  test.each([
    ['public', true, 'public'],
    ['public', false, 'public'],
    ['public-without-name', false, 'public'],
    ['public-without-name', true, 'holder-only'],
    ['hidden', false, 'holder-only'],
    ['hidden', true, 'holder-only'],
    ['erased', false, 'gone'],
  ] as const)('a %s badge whose files carry the name: %s → %s', (visibility, carriesName, expected) => {
    expect(signedFilesOf(visibility, carriesName)).toBe(expected);
  });
});

describe('filesCarryName', () => {
  const credential = (subject: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id: 'urn:x', credentialSubject: { type: ['AchievementSubject'], ...subject }, ...extra });

  test('a subject name is the holder\'s name', () => {
    expect(filesCarryName(credential({ name: 'Ana Martin' }), null)).toBe(true);
  });

  test('a credential without a subject name does not carry it', () => {
    expect(filesCarryName(credential({}), 'Ana Martin')).toBe(false);
  });

  test('the recorded name written anywhere else (evidence) counts too', () => {
    const told = credential({}, { evidence: [{ narrative: 'Ana Martin a présenté son projet.' }] });
    expect(filesCarryName(told, 'Ana Martin')).toBe(true);
  });

  test('an unreadable copy is treated as naming the holder', () => {
    expect(filesCarryName('{not json', null)).toBe(true);
  });
});

describe('withoutHolderName', () => {
  test('takes the name and the signed copy out of a report, and keeps the verdict and the checks', () => {
    const report: VerificationReport = {
      verdict: 'revoked', verified: false, warnings: 0,
      checks: [{ id: 'status', outcome: 'failed', code: 'status.revoked', message: 'Revoked.' }],
      endorsements: [], display: { trusted: true, achievementName: 'Pitch', recipientName: 'Ana Martin' },
      credential: { credentialSubject: { name: 'Ana Martin' } }, jwt: 'a.b.c',
    };
    const redacted = withoutHolderName(report);
    expect(JSON.stringify(redacted)).not.toContain('Ana Martin');
    expect(redacted).toEqual({
      verdict: 'revoked', verified: false, warnings: 0, checks: report.checks, endorsements: [],
      display: { trusted: true, achievementName: 'Pitch' },
    });
  });
});

describe('the use cases that ask the rule, on stored credentials', () => {
  const NAME = 'Ana Martin';
  let service: InProcessService;
  let named: { id: string; url: string };
  let unnamed: { id: string; url: string };

  beforeAll(async () => {
    service = await startInProcess();
    const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
    const award = async (email: string, showName: boolean) => (await issuer.operator.post<{ id: string; url: string }>(
      '/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email, name: NAME, showName } },
    )).body;
    named = await award('ana@example.fr', true);
    unnamed = await award('bob@example.fr', false);
  }, 30_000);

  afterAll(() => service?.stop());

  const app = () => service.running.app;
  const set = (id: string, values: { show_name?: number; holder_hidden?: number }) =>
    app().db.updateTable('credentials').set(values).where('id', '=', id).execute();
  const view = async (id: string) => publicViewOf(app(), (await findCredential(app().db, id))!);

  test('a shown name is public, with the recorded name and the signed files', async () => {
    expect(await view(named.id)).toEqual({ visibility: 'public', signedFiles: 'public', holderName: NAME });
  });

  test('a hidden name keeps the badge public and its signed files (which carry it) for the holder', async () => {
    await set(named.id, { show_name: 0 });
    try {
      expect(await view(named.id))
        .toEqual({ visibility: 'public-without-name', signedFiles: 'holder-only', holderName: undefined });
      await expect(publicCredentialFile(app(), named.id, 'json'))
        .rejects.toMatchObject({ status: 403, type: 'holder-only' });
      const verified = await verifyLink(app(), named.url);
      expect(verified.ok && verified.report.verdict).toBe('valid');
      expect(JSON.stringify(verified)).not.toContain(NAME);
    } finally {
      await set(named.id, { show_name: 1 });
    }
  });

  test('files that never carried the name stay public when the name is hidden', async () => {
    expect(await view(unnamed.id))
      .toEqual({ visibility: 'public-without-name', signedFiles: 'public', holderName: undefined });
    expect((await publicCredentialFile(app(), unnamed.id, 'json')).body).not.toContain(NAME);
  });

  test('a hidden badge: no file, and verifying its link says what it says of a badge never issued', async () => {
    await set(named.id, { holder_hidden: 1 });
    try {
      await expect(publicCredentialFile(app(), named.id, 'png')).rejects.toMatchObject({ status: 404 });
      const never = '00000000-0000-4000-8000-000000000000';
      const hidden = await verifyLink(app(), named.url);
      const unknown = await verifyLink(app(), named.url.replace(named.id, never));
      expect(hidden).toEqual({ ok: false, failure: 'not-found', reason: `${named.url} does not exist.` });
      expect(unknown).toEqual({ ok: false, failure: 'not-found', reason: `${named.url.replace(named.id, never)} does not exist.` });
    } finally {
      await set(named.id, { holder_hidden: 0 });
    }
  });

  test('her own apps (OB 3.0 API) read her hidden badges too: the listing is hers, not public', async () => {
    await set(named.id, { holder_hidden: 1 });
    try {
      const holder = { id: 'h', email: 'ana@example.fr', name: null, show_name: 0, created_at: '', name_chosen_at: null };
      expect((await heldCredentials(app(), holder)).map((h) => h.kind === 'issued' && h.row.id)).toEqual([named.id]);
    } finally {
      await set(named.id, { holder_hidden: 0 });
    }
  });
});
