/**
 * The holder's own space, without HTTP (issue 12): the name question (asked until she answers, prefilled with the
 * name her operator typed, stored, audited, and applied to her badges, later ones included), her hidden badge's
 * page (hers to see, nobody else's), and the printable certificate (who gets the name, what is refused, what the
 * PDF says, read back with pdf.js). The service runs only to award badges through the API.
 */
import type { AppContext } from '../../src/app/context.js';
import { holderCertificate, publicCertificate } from '../../src/app/certificate.js';
import { lookupPublicCredential } from '../../src/app/credential-files.js';
import {
  findHolder, nameQuestion, requestHolderCode, setCredentialPublic, setHolderName, verifyHolderLink, type HolderRow,
} from '../../src/app/holders.js';
import { publicViewOf } from '../../src/app/visibility.js';
import { findCredential } from '../../src/store/repositories/credentials.js';
import { renderCertificatePdf } from '../../src/views/certificate-pdf.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { readPdf } from '../support/pdf.js';
import { startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let operator: Api;
let badges: string[];
let people = 0;

const app = (): AppContext => service.running.app;

beforeAll(async () => {
  service = await startInProcess();
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  operator = issuer.operator;
  badges = [issuer.achievementId];
  for (const catalogueKey of ['pitch', 'modele-economique']) {
    const res = await operator.post<{ id: string }>('/api/v1/achievements', { issuerId: issuer.issuerId, catalogueKey });
    badges.push(res.body.id);
  }
}, 60_000);
afterAll(() => service.stop());

/** A new person for each test: her address, and the name the operator typed. */
function person(name = 'Inès Ballard') {
  people += 1;
  return { email: `ines.${people}@example.fr`, name };
}

async function award(email: string, badge: number, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await operator.post<{ id: string }>('/api/v1/credentials', {
    achievementId: badges[badge], recipient: { email, ...extra },
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id;
}

/** Signs in as she would, with the link of the e-mail she receives (read from the outbox). */
async function signIn(email: string): Promise<HolderRow> {
  await requestHolderCode(app(), email, 'fr');
  const sent = await app().db.selectFrom('outbox').select('text_body').where('to_email', '=', email)
    .orderBy('created_at', 'desc').execute();
  const link = sent.map((m) => /\/holder\/verify\?link=([\w-]+)/.exec(m.text_body)?.[1]).find(Boolean)!;
  return (await verifyHolderLink(app(), link)).holder;
}

async function shownName(credentialId: string): Promise<string | undefined> {
  return (await publicViewOf(app(), (await findCredential(app().db, credentialId))!)).holderName;
}

describe('the name question', () => {
  test('is asked on her first visit, with the name her operator typed prefilled', async () => {
    const { email, name } = person();
    await award(email, 0, { name, showName: false });
    const holder = await signIn(email);
    expect(await nameQuestion(app(), holder)).toEqual({ ask: true, suggestedName: name });
  });

  test('is not asked again once she answered, and the name she typed is the one kept', async () => {
    const { email } = person();
    await award(email, 0, { name: 'Ines Balard' });
    const holder = await signIn(email);
    await setHolderName(app(), holder, { name: 'Inès Ballard', show: true });
    const after = (await findHolder(app(), holder.id))!;
    expect(after.name_chosen_at).not.toBeNull();
    expect(await nameQuestion(app(), after)).toEqual({ ask: false, suggestedName: 'Inès Ballard' });
  });

  test('"yes" puts her name on the public pages of all her badges', async () => {
    const { email, name } = person();
    const first = await award(email, 0, { name, showName: false });
    const second = await award(email, 1);
    const holder = await signIn(email);
    expect([await shownName(first), await shownName(second)]).toEqual([undefined, undefined]);
    await setHolderName(app(), holder, { name, show: true });
    expect([await shownName(first), await shownName(second)]).toEqual([name, name]);
  });

  test('"no" takes her name off pages where the operator had shown it', async () => {
    const { email, name } = person();
    const id = await award(email, 0, { name, showName: true });
    const holder = await signIn(email);
    expect(await shownName(id)).toBe(name);
    await setHolderName(app(), holder, { name, show: false });
    expect(await shownName(id)).toBeUndefined();
  });

  test('each badge whose page changes gets an entry in its issuer\'s audit log, with no personal data', async () => {
    const { email, name } = person();
    const first = await award(email, 0, { name });
    const second = await award(email, 1, { name });
    const holder = await signIn(email);
    await setHolderName(app(), holder, { name, show: true });
    const entries = await app().db.selectFrom('audit_log').selectAll().where('action', '=', 'holder.name.chosen')
      .where('target_id', 'in', [first, second]).execute();
    expect(entries.map((e) => e.target_id).sort()).toEqual([first, second].sort());
    for (const entry of entries) {
      expect(entry.actor_id).toBeNull();
      expect(JSON.parse(entry.details!)).toEqual({ nameShown: true });
      expect(JSON.stringify(entry)).not.toContain(email);
      expect(JSON.stringify(entry)).not.toContain('Ballard');
    }
  });

  test('a badge awarded after her answer follows it from her next sign-in', async () => {
    const { email, name } = person();
    await award(email, 0, { name });
    await setHolderName(app(), await signIn(email), { name, show: true });
    const later = await award(email, 1, { name: 'I. Ballard', showName: false });
    expect(await shownName(later)).toBeUndefined();
    await signIn(email);
    expect(await shownName(later)).toBe(name);
  });
});

describe('her hidden badge', () => {
  test('its page is hers to see when signed in, marked hidden; the public and other holders get nothing', async () => {
    const her = person();
    const other = person('Autre Personne');
    const id = await award(her.email, 0, { name: her.name });
    await award(other.email, 0);
    const holder = await signIn(her.email);
    const stranger = await signIn(other.email);
    await setCredentialPublic(app(), holder, id, false);

    const hers = await lookupPublicCredential(app(), id, holder);
    expect(hers.kind === 'shown' && hers.owner).toEqual({ hidden: true });
    expect((await lookupPublicCredential(app(), id)).kind).toBe('hidden');
    expect((await lookupPublicCredential(app(), id, stranger)).kind).toBe('hidden');
  });
});

describe('the printable certificate', () => {
  test('carries her name on the copy she downloads, even when her pages do not show it', async () => {
    const { email, name } = person();
    const id = await award(email, 0, { name, showName: false });
    const holder = await signIn(email);
    expect((await holderCertificate(app(), holder, id, 'fr')).holderName).toBe(name);
    expect((await publicCertificate(app(), id, 'fr')).holderName).toBeUndefined();
  });

  test('carries her name for anyone once she chose to show it', async () => {
    const { email, name } = person();
    const id = await award(email, 0, { name });
    await setHolderName(app(), await signIn(email), { name, show: true });
    expect((await publicCertificate(app(), id, 'en')).holderName).toBe(name);
  });

  test('of a hidden badge is hers only: the public gets 404', async () => {
    const { email } = person();
    const id = await award(email, 0);
    const holder = await signIn(email);
    await setCredentialPublic(app(), holder, id, false);
    await expect(publicCertificate(app(), id, 'fr')).rejects.toMatchObject({ status: 404 });
    expect((await holderCertificate(app(), holder, id, 'fr')).badgeName).toBe("De l'idée à l'opportunité");
  });

  test('is refused for a revoked badge, with a reason a person understands', async () => {
    const { email } = person();
    const id = await award(email, 0);
    expect((await operator.post(`/api/v1/credentials/${id}/revoke`, { reason: 'erreur' })).status).toBe(200);
    await expect(publicCertificate(app(), id, 'fr')).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/withdrawn/) });
  });

  test('is a one-page PDF in French with the badge, issuer, holder, date, criteria, competences and its link', async () => {
    const { email, name } = person('Zoé Œillet-Dupré');
    const id = await award(email, 0, { name, showName: true });
    const facts = await publicCertificate(app(), id, 'fr');
    const pdf = await renderCertificatePdf(facts);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const read = await readPdf(pdf);
    expect(read.pages).toBe(1);
    expect(read.title).toBe("Certificat de badge numérique — De l'idée à l'opportunité");
    for (const expected of [
      "De l'idée à l'opportunité", 'Décerné à', 'Zoé Œillet-Dupré', 'Délivré par BGE Hauts-de-France le',
      "Critères d'obtention", 'Repérer les opportunités — niveau 3 (Expérimenter)', 'Vérifier ce badge',
    ]) expect(read.text).toContain(expected);
    expect(read.links).toEqual([`${service.url}/credentials/${id}`]);
  });

  test('speaks English when asked, and names nobody when the name is not to be shown', async () => {
    const { email } = person();
    const id = await award(email, 0, { name: 'Nobody Shown', showName: false });
    const read = await readPdf(await renderCertificatePdf(await publicCertificate(app(), id, 'en')));
    expect(read.text).toContain('Issued by BGE Hauts-de-France on');
    expect(read.text).toContain('Check this badge');
    expect(read.text).not.toContain('Awarded to');
    expect(read.text).not.toContain('Nobody Shown');
  });
});
