/**
 * The /verify page's use case (src/app/verify-page.ts), without HTTP: one box that takes a link, a pasted badge
 * or a file; an optional address checked against the badge's hashed recipient; the badge kept for a second
 * question. (The service is started only to award badges through the API.)
 */
import { linkIn, verifyForPage, type VerifiedOnPage, type VerifyPageOutcome } from '../../src/app/verify-page.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let badge: { id: string; url: string };
const app = () => service.running.app;

beforeAll(async () => {
  service = await startInProcess({ extra: { BLASON_FETCH_ALLOW_HOSTS: '', BLASON_FETCH_INSECURE_HTTP_HOSTS: '' } });
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  const res = await issuer.operator.post<{ id: string; url: string }>('/api/v1/credentials', {
    achievementId: issuer.achievementId, recipient: { email: 'ana.martin@example.fr', name: 'Ana Martin' },
  });
  badge = res.body;
}, 30_000);

afterAll(() => service?.stop());

function verified(outcome: VerifyPageOutcome): VerifiedOnPage {
  if (outcome.kind !== 'verified') throw new Error(`Expected a verification, got ${JSON.stringify(outcome)}`);
  return outcome;
}

const download = async (path: string) => new Uint8Array(await (await fetch(`${service.url}${path}`)).arrayBuffer());
const verificationsCounted = async () =>
  Number((await app().db.selectFrom('verification_counts').select((eb) => eb.fn.sum<number>('count').as('n'))
    .where('credential_id', '=', badge.id).executeTakeFirst())?.n ?? 0);

describe('one box', () => {
  test('a badge link typed in the box is verified as a link, and kept to be asked about again', async () => {
    const outcome = verified(await verifyForPage(app(), { text: ` ${badge.url} ` }));
    expect(outcome.report.verdict).toBe('valid');
    expect(outcome.report.standard).toBe('ob3');
    expect(outcome.kept).toEqual({ carried: badge.url, kind: 'link' });
  });

  test('a link inside a sentence, as copied from a message, is verified as that link', async () => {
    const outcome = verified(await verifyForPage(app(), { text: `Bonjour, voici mon badge : ${badge.url}.` }));
    expect(outcome.report.verdict).toBe('valid');
    expect(outcome.kept?.carried).toBe(badge.url);
  });

  test('a badge pasted as JSON is verified as pasted', async () => {
    const json = new TextDecoder().decode(await download(`/credentials/${badge.id}/credential.json`));
    const outcome = verified(await verifyForPage(app(), { text: json }));
    expect(outcome.report.verdict).toBe('valid');
    expect(outcome.kept).toEqual({ carried: json.trim(), kind: 'pasted' });
  });

  test('a file wins over the box, and the badge it carries is kept as text that verifies the same', async () => {
    const png = await download(`/credentials/${badge.id}/badge.png`);
    const first = verified(await verifyForPage(app(), { file: png, text: 'ignored' }));
    expect([first.report.verdict, first.report.format, first.kept?.kind]).toEqual(['valid', 'png', 'file']);
    const again = verified(await verifyForPage(app(), { carried: first.kept!.carried }));
    expect([again.report.verdict, again.report.credentialId]).toEqual(['valid', first.report.credentialId]);
  });

  test('nothing given: says so', async () => {
    expect(await verifyForPage(app(), { text: '  ', email: '' })).toEqual({ kind: 'nothing' });
  });

  test('a link that leads to no badge comes back to be corrected, with why in one word', async () => {
    const never = badge.url.replace(badge.id, '00000000-0000-4000-8000-000000000000');
    expect(await verifyForPage(app(), { text: never })).toEqual({ kind: 'unreachable', failure: 'not-found', link: never });
  });

  test('a PDF certificate is verified by the badge link it carries', async () => {
    const pdf = await download(`/credentials/${badge.id}/certificate.pdf?lang=fr`);
    const outcome = verified(await verifyForPage(app(), { file: pdf }));
    expect([outcome.report.verdict, outcome.kept]).toEqual(['valid', { carried: badge.url, kind: 'link' }]);
  });

  test('a PDF without a badge link is not a badge', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF');
    expect(await verifyForPage(app(), { file: pdf })).toEqual({ kind: 'pdf-without-link' });
  });
});

describe('does this badge belong to this person?', () => {
  test('the address it was issued to, typed in any case: yes, and the badge\'s verdict and checks are unchanged', async () => {
    const outcome = verified(await verifyForPage(app(), { text: badge.url, email: ' Ana.Martin@Example.FR ' }));
    expect(outcome.recipient).toBe('issued-to');
    expect(outcome.report.verdict).toBe('valid');
    expect(outcome.report.checks.map((check) => check.id)).not.toContain('recipient');
  });

  test('another address: no, and the badge stays valid', async () => {
    const outcome = verified(await verifyForPage(app(), { carried: badge.url, email: 'ana.martin@example.com' }));
    expect([outcome.recipient, outcome.report.verdict]).toEqual(['not-issued-to', 'valid']);
  });

  test('the Open Badges 2.0 PNG: its hashed recipient answers the same', async () => {
    const png = await download(`/ob2/assertions/${badge.id}/badge.png`);
    const right = verified(await verifyForPage(app(), { file: png, email: 'ana.martin@example.fr' }));
    const wrong = verified(await verifyForPage(app(), { file: png, email: 'bob@example.fr' }));
    expect([right.report.standard, right.recipient, wrong.recipient]).toEqual(['ob2', 'issued-to', 'not-issued-to']);
  });

  test('a badge that is not authentic proves nothing about its holder: no answer', async () => {
    const json = JSON.parse(new TextDecoder().decode(await download(`/credentials/${badge.id}/credential.json`)));
    const altered = JSON.stringify({ ...json, name: `${String(json.name)} (modifié)` });
    const outcome = verified(await verifyForPage(app(), { text: altered, email: 'ana.martin@example.fr' }));
    expect([outcome.report.verdict, outcome.recipient]).toEqual(['invalid', 'cannot-tell']);
  });

  test('something that is not an address is said to be so, and the badge is verified all the same', async () => {
    const outcome = verified(await verifyForPage(app(), { text: badge.url, email: 'ana.martin chez example' }));
    expect([outcome.report.verdict, outcome.recipient]).toEqual(['valid', 'not-an-address']);
  });

  test('asking about the kept badge again is not counted as another verification', async () => {
    await verifyForPage(app(), { text: badge.url });
    const before = await verificationsCounted();
    await verifyForPage(app(), { carried: badge.url, email: 'someone@example.org' });
    expect(await verificationsCounted()).toBe(before);
    await verifyForPage(app(), { text: badge.url });
    expect(await verificationsCounted()).toBe(before + 1);
  });

  test('the address typed is kept nowhere in the database', async () => {
    const typed = 'employeur-verifie-7f3a@example.org';
    await verifyForPage(app(), { text: badge.url, email: typed });
    const tables = (await app().db.introspection.getTables()).map((table) => table.name);
    for (const table of tables) {
      const rows = await app().db.selectFrom(table as never).selectAll().execute();
      expect({ table, found: JSON.stringify(rows).includes(typed) }).toEqual({ table, found: false });
    }
  });
});

describe('linkIn', () => {
  test.each([
    ['https://badges.example.org/credentials/1', 'https://badges.example.org/credentials/1'],
    ['badges.example.org/credentials/1', 'https://badges.example.org/credentials/1'],
    ['Mon badge : https://badges.example.org/credentials/1 !', 'https://badges.example.org/credentials/1'],
    ['(https://badges.example.org/credentials/1).', 'https://badges.example.org/credentials/1'],
  ])('reads %s as the link %s', (text, link) => {
    expect(linkIn(text)).toBe(link);
  });

  test.each([
    ['JSON that names links', '{"id": "https://badges.example.org/credentials/1"}'],
    ['a JWT', 'eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln'],
    ['a sentence with two links', 'https://a.example/1 ou https://b.example/2'],
    ['an SVG image', '<svg xmlns="http://www.w3.org/2000/svg"></svg>'],
  ])('does not read %s as a link', (_what, text) => {
    expect(linkIn(text)).toBeUndefined();
  });
});
