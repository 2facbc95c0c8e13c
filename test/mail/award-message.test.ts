/**
 * Each organisation's award e-mail: its own subject, introduction and signature (French and English), checked by
 * one schema, audited, previewed before saving, escaped in the HTML, and used for the e-mails it sends (read back
 * from a capturing SMTP server). Without HTTP: the use cases themselves.
 */
import { randomUUID } from 'node:crypto';
import Handlebars from 'handlebars';
import {
  awardMessageSettings,
  previewAwardEmail,
  updateAwardMessage,
  type AwardMessageInput,
} from '../../src/app/award-messages.js';
import { AppError, ValidationError } from '../../src/app/errors.js';
import { enqueueAwardEmails, type AwardEmail } from '../../src/app/notifications.js';
import type { Actor } from '../../src/app/policies.js';
import { translator } from '../../src/views/i18n.js';
import { mailWorld, type MailWorld } from './mail-world.js';

let world: MailWorld;

beforeAll(async () => {
  world = await mailWorld();
}, 30_000);
afterAll(() => world.close());
beforeEach(() => {
  world.capture.messages.length = 0;
});

const escaped = (text: string) => Handlebars.escapeExpression(text);

function message(overrides: Partial<AwardMessageInput> = {}): AwardMessageInput {
  return {
    fr: {
      subject: 'Bravo pour « {badge} » !',
      intro: "Merci d'avoir participé à notre atelier du jeudi.\n\nVotre badge « {badge} » est à vous.",
      signature: "Nadia Benali\nChargée d'accompagnement",
    },
    en: { subject: 'Well done: {badge}', intro: 'Thank you for coming to our workshop.', signature: 'Nadia Benali' },
    firstReminderDays: 7,
    secondReminderDays: 21,
    ...overrides,
  };
}

/** Awards to each person, sends the e-mails and returns them as the SMTP server received them. */
async function sent(awards: AwardEmail[]) {
  expect(await enqueueAwardEmails(world.app, awards)).toBe(awards.length);
  await world.sender.flush();
  return Promise.all(awards.map(async (a) => (await world.capture.waitFor(1)).find((m) => m.to.includes(a.email))!));
}

function operatorOf(issuerId: string, role: 'operator_admin' | 'issuer' | 'viewer'): Actor {
  return { kind: 'user', userId: randomUUID(), role, organisationId: issuerId };
}

test("the award e-mail says the organisation's own words, in the holder's language", async () => {
  const org = await world.organisation('Initiative Lille Métropole');
  await updateAwardMessage(world.app, world.admin, org.issuerId, message());
  const frAward = await world.award(org);
  const enAward = await world.award(org, { language: 'en', name: 'Sam Taylor' });
  const [fr, en] = await sent([frAward, enAward]);

  expect(fr!.subject).toBe(`Bravo pour « ${frAward.badgeName} » !`);
  expect(fr!.text).toContain("Merci d'avoir participé à notre atelier du jeudi.");
  expect(fr!.text).toContain(`Votre badge « ${frAward.badgeName} » est à vous.`);
  expect(fr!.text).toContain("Nadia Benali\nChargée d'accompagnement");
  expect(fr!.html).toContain(`${escaped("Merci d'avoir participé à notre atelier du jeudi.")}</p>`);
  expect(fr!.html).toContain(`Nadia Benali<br>${escaped("Chargée d'accompagnement")}`);
  // Blason's own introduction gives way to the organisation's.
  expect(fr!.text).not.toContain(translator('fr')('email.award.intro', { issuer: 'Initiative Lille Métropole' }));

  expect(en!.subject).toBe(`Well done: ${enAward.badgeName}`);
  expect(en!.text).toContain('Hello Sam Taylor,');
  expect(en!.text).toContain('Thank you for coming to our workshop.');
});

test("a language the organisation left empty keeps Blason's wording", async () => {
  const org = await world.organisation('Réseau Entreprendre Nord');
  await updateAwardMessage(world.app, world.admin, org.issuerId, message({ en: {} }));
  const a = await world.award(org, { language: 'en' });
  const [mail] = await sent([a]);
  const en = translator('en');
  expect(mail!.subject).toBe(en('email.award.subject', { badge: a.badgeName, issuer: 'Réseau Entreprendre Nord' }));
  expect(mail!.text).toContain(en('email.award.intro', { issuer: 'Réseau Entreprendre Nord' }));
  expect(mail!.text).toContain(en('email.award.signature', { issuer: 'Réseau Entreprendre Nord' }));
});

test("the organisation's words cannot add markup to the e-mail", async () => {
  const org = await world.organisation('Atelier balisé');
  const hostile = '<a href="https://evil.example">Cliquez</a> <img src=x onerror=alert(1)> <b>gras</b>';
  await updateAwardMessage(
    world.app,
    world.admin,
    org.issuerId,
    message({ fr: { subject: '<i>Objet</i>', intro: hostile, signature: '<script>alert(2)</script>' } }),
  );
  const [mail] = await sent([await world.award(org)]);
  expect(mail!.html).not.toMatch(/<a href="https:\/\/evil|<img src=x|<b>|<script|<i>/);
  expect(mail!.html).toContain(escaped(hostile));
  expect(mail!.html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
  // Plain text stays as typed: a mail client shows it as text.
  expect(mail!.text).toContain(hostile);
  expect(mail!.subject).toBe('<i>Objet</i>');
});

test('the text part carries every button as a full link, and no markup', async () => {
  const org = await world.organisation('Atelier texte');
  const a = await world.award(org);
  const [mail] = await sent([a]);
  const fr = translator('fr');
  for (const label of ['email.button.view', 'email.button.linkedin', 'email.button.space'])
    expect(mail!.text).toContain(fr(label));
  expect(mail!.text).toMatch(new RegExp(`\\n${a.url}\\?open=[\\w-]{22}\\n`));
  expect(mail!.text).toMatch(new RegExp(`\\n${a.url}/linkedin\\?open=[\\w-]{22}\\n`));
  expect(mail!.text).toMatch(new RegExp(`\\n${world.app.ids.origin}/holder\\?open=[\\w-]{22}\\n`));
  expect(mail!.text).not.toMatch(/<[a-z]/i);
});

test('saving is checked by one schema: lengths, a subject on one line, the second reminder after the first', async () => {
  const org = await world.organisation('Atelier trop long');
  const refused = async (input: AwardMessageInput): Promise<string[]> => {
    const error = await updateAwardMessage(world.app, world.admin, org.issuerId, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors.map((e) => e.field);
  };
  expect(await refused(message({ fr: { subject: 'x'.repeat(151) } }))).toEqual(['fr.subject']);
  expect(await refused(message({ en: { subject: 'Line one\nline two' } }))).toEqual(['en.subject']);
  expect(await refused(message({ fr: { intro: 'x'.repeat(1201) } }))).toEqual(['fr.intro']);
  expect(await refused(message({ en: { signature: 'x'.repeat(301) } }))).toEqual(['en.signature']);
  expect(await refused(message({ firstReminderDays: 0 }))).toEqual(['firstReminderDays']);
  expect(await refused(message({ firstReminderDays: 10, secondReminderDays: 5 }))).toEqual(['secondReminderDays']);
  expect(await refused(message({ firstReminderDays: null, secondReminderDays: 5 }))).toEqual(['secondReminderDays']);
  // Nothing was saved: the organisation still has Blason's defaults.
  expect(await awardMessageSettings(world.app, world.admin, org.issuerId)).toMatchObject({
    isDefault: true,
    firstReminderDays: 7,
    secondReminderDays: 21,
  });
});

test('a saved message is in the audit log, with who saved it', async () => {
  const org = await world.organisation('Atelier audité');
  const admin = operatorOf(org.issuerId, 'operator_admin');
  await updateAwardMessage(world.app, admin, org.issuerId, message());
  const entry = await world.app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('organisation_id', '=', org.issuerId)
    .where('action', '=', 'issuer.awardMessage.updated')
    .executeTakeFirstOrThrow();
  expect(entry.actor_id).toBe(admin.userId);
  expect(await awardMessageSettings(world.app, admin, org.issuerId)).toMatchObject({
    isDefault: false,
    fr: message().fr,
  });
});

test("an issuer or a viewer may read the message but not change it; another organisation's operator sees nothing", async () => {
  const org = await world.organisation('Atelier des rôles');
  const other = await world.organisation('Autre organisation');
  for (const role of ['issuer', 'viewer'] as const) {
    const actor = operatorOf(org.issuerId, role);
    await expect(awardMessageSettings(world.app, actor, org.issuerId)).resolves.toMatchObject({ isDefault: true });
    await expect(updateAwardMessage(world.app, actor, org.issuerId, message())).rejects.toMatchObject({ status: 403 });
  }
  const stranger = operatorOf(other.issuerId, 'operator_admin');
  const error = await updateAwardMessage(world.app, stranger, org.issuerId, message()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).status).toBe(404);
});

test('the preview shows a draft as holders would receive it, without saving it', async () => {
  const org = await world.organisation('Atelier aperçu');
  const draft = message({ fr: { subject: 'Brouillon pour {badge}', intro: 'Un mot du jeudi.' } });
  const preview = await previewAwardEmail(world.app, world.admin, org.issuerId, 'fr', draft);
  expect(preview.subject).toMatch(/^Brouillon pour /);
  expect(preview.html).toContain('Un mot du jeudi.');
  expect(preview.html).toContain(translator('fr')('email.button.view'));
  expect(await awardMessageSettings(world.app, world.admin, org.issuerId)).toMatchObject({ isDefault: true });
  await expect(
    previewAwardEmail(world.app, world.admin, org.issuerId, 'fr', message({ fr: { subject: 'x'.repeat(200) } })),
  ).rejects.toBeInstanceOf(ValidationError);
});
