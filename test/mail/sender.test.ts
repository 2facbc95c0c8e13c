/** E-mails leave through the outbox to a real SMTP server (a capturing one), in each person's language. */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { awardCredential } from '../../src/app/award.js';
import { createAchievement } from '../../src/app/achievements.js';
import { openToken, withOpenToken } from '../../src/app/email-links.js';
import { createIssuer } from '../../src/app/issuers.js';
import type { Actor } from '../../src/app/policies.js';
import Handlebars from 'handlebars';
import type { AppContext } from '../../src/app/context.js';
import { enqueueAwardEmails, enqueueInvitationEmail, enqueuePasswordResetEmail, type AwardEmail } from '../../src/app/notifications.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/main.js';
import { OutboxSender, smtpMailer } from '../../src/mail/mailer.js';
import type { Store } from '../../src/store/database.js';
import { allStrings, translator } from '../../src/views/i18n.js';
import { fromRoot } from '../../src/shared/paths.js';
import { freePort, serviceEnv, startInProcess } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';

const FROM = 'Blason <badges@example.org>';
const T0 = new Date('2026-11-26T12:00:00.000Z');

let now = T0;
const clock = { now: () => now };
let capture: SmtpCapture;
let app: AppContext;
let store: Store;
let sender: OutboxSender;
let org: { id: string; achievementId: string };
const admin: Actor = { kind: 'user', userId: randomUUID(), role: 'platform_admin', organisationId: null };

beforeAll(async () => {
  capture = await startSmtpCapture();
  const env = await serviceEnv({ extra: { SMTP_URL: capture.url, BLASON_MAIL_FROM: FROM } });
  ({ app, store } = await createApp(loadConfig(env), clock));
  sender = new OutboxSender(app, app.mailer!);
  const issuer = await createIssuer(app, admin, { name: "L'Atelier des possibles" });
  const badge = await createAchievement(app, admin, { issuerId: issuer.id, catalogueKey: 'de-l-idee-a-l-opportunite' });
  org = { id: issuer.id, achievementId: badge.id };
});
afterAll(async () => {
  await sender.stop();
  app.mailer?.close?.();
  await store.close();
  await capture.close();
});
beforeEach(async () => {
  now = T0;
  capture.messages.length = 0;
  await app.db.deleteFrom('outbox').execute();
});

/** A badge really awarded (the e-mail's notice refers to it), with the facts its e-mail states. */
async function award(overrides: Partial<AwardEmail> = {}): Promise<AwardEmail> {
  const awarded = await awardCredential(app, admin, { achievementId: org.achievementId, recipient: { email: `p-${randomUUID()}@example.org` } });
  return {
    credentialId: awarded.id, url: awarded.url, holderUrl: awarded.holderUrl, email: 'camille@example.org', name: 'Camille Martin',
    badgeName: 'Oser entreprendre', issuerName: "L'Atelier des possibles", language: 'fr', organisationId: org.id, ...overrides,
  };
}

/** A link of the e-mail: the page's address with the token that records the holder followed it. */
const tracked = (a: AwardEmail, url: string) => withOpenToken(url, openToken(app, a.credentialId));

/** What an href or a text node holds once HTML-escaped (`=` becomes &#x3D;). */
const escaped = (text: string) => Handlebars.escapeExpression(text);

async function outboxRow(credentialId: string) {
  return app.db.selectFrom('outbox').selectAll().where('credential_id', '=', credentialId).executeTakeFirstOrThrow();
}

test('each recipient gets one message in their own language, with the badge page and their private link', async () => {
  const fr = await award();
  const en = await award({ email: 'sam@example.org', name: 'Sam Smith', badgeName: 'Dare to start', language: 'en' });
  expect(await enqueueAwardEmails(app, [fr, en])).toBe(2);
  expect(await sender.flush()).toEqual({ sent: 2, failed: 0 });

  expect(capture.messages).toHaveLength(2);
  for (const a of [fr, en]) {
    const t = translator(a.language);
    const mails = capture.messages.filter((m) => m.to.includes(a.email));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.from).toBe('badges@example.org');
    expect(mail.subject).toBe(t('email.award.subject', { badge: a.badgeName, issuer: a.issuerName }));
    expect(mail.text).toContain(tracked(a, a.url));
    expect(mail.text).toContain(tracked(a, a.holderUrl));
    expect(mail.text).toContain(t('email.award.holderKeep'));
    expect(mail.html).toContain(`href="${escaped(tracked(a, a.url))}"`);
    expect(mail.html).toContain(`href="${escaped(tracked(a, a.holderUrl))}"`);
    expect(mail.html).toContain(escaped(t('email.award.share.linkedin')));
    expect(mail.html).toContain(`<html lang="${a.language}">`);
    expect((await outboxRow(a.credentialId)).status).toBe('sent');
  }
  // Plain text is not HTML: the apostrophe of the issuer stays an apostrophe.
  expect(capture.messages.find((m) => m.to.includes(fr.email))!.text).toContain("L'Atelier des possibles vous a délivré");
});

test('names and badge names chosen by others are escaped in the HTML', async () => {
  const a = await award({ name: '<script>alert(1)</script>', badgeName: '<img src=x onerror=alert(2)>', issuerName: 'Org "<b>bold</b>"' });
  await enqueueAwardEmails(app, [a]);
  await sender.flush();
  const [mail] = await capture.waitFor(1);
  expect(mail!.html).not.toMatch(/<script|<b>/i);
  // The only images are Blason's own (the badge's), whatever the names hold.
  const images = [...mail!.html.matchAll(/<img\b[^>]*>/gi)].map((m) => m[0]);
  expect(images.length).toBeGreaterThan(0);
  for (const image of images) expect(image).toMatch(new RegExp(`^<img src="${app.ids.origin}/`));
  expect(mail!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(mail!.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
  expect(mail!.subject).toContain('<img src=x onerror=alert(2)>');
});

test('an address that is really a list of addresses is not queued', async () => {
  const queued = await enqueueAwardEmails(app, [await award({ email: 'me@example.org, victim@example.net' }), await award({ email: 'ok@example.org' })]);
  expect(queued).toBe(1);
  await sender.flush();
  expect(capture.messages.map((m) => m.to)).toEqual([['ok@example.org']]);
});

test('while the mail server is down the message waits, with the error, and a later flush delivers it', async () => {
  const port = await freePort();
  const mailer = smtpMailer(`smtp://127.0.0.1:${port}`);
  const downSender = new OutboxSender(app, mailer);
  const a = await award();
  await enqueueAwardEmails(app, [a]);
  try {
    expect(await downSender.flush()).toEqual({ sent: 0, failed: 1 });
    const row = await outboxRow(a.credentialId);
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);

    const back = await startSmtpCapture({ port });
    try {
      // Not straight away: the next try waits a minute after a failure.
      expect(await downSender.flush()).toEqual({ sent: 0, failed: 0 });
      now = new Date(T0.getTime() + 61_000);
      expect(await downSender.flush()).toEqual({ sent: 1, failed: 0 });
      const [mail] = await back.waitFor(1);
      expect(mail!.text).toContain(tracked(a, a.holderUrl));
      expect(await outboxRow(a.credentialId)).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    } finally {
      mailer.close?.();
      await back.close();
    }
  } finally {
    mailer.close?.();
  }
}, 20_000);

test('invitation and reset e-mails carry their one-time link and how long it works', async () => {
  const link = 'http://127.0.0.1/console/password?token=abc';
  expect(await enqueueInvitationEmail(app, { email: 'new@example.org', name: 'Nour', organisationName: 'CCI Test', link, language: 'fr' })).toBe(1);
  // The console knows no organisation for a reset asked from the sign-in page.
  expect(await enqueuePasswordResetEmail(app, { email: 'old@example.org', organisationName: '', link, language: 'en' })).toBe(1);
  expect(await sender.flush()).toEqual({ sent: 2, failed: 0 });
  const invitation = capture.messages.find((m) => m.to.includes('new@example.org'))!;
  expect(invitation.subject).toBe('CCI Test vous invite sur Blason');
  expect(invitation.text).toContain(link);
  expect(invitation.text).toContain('Bonjour Nour,');
  expect(invitation.text).toContain('valable 7 jours');
  expect(invitation.html).toContain(`href="${escaped(link)}"`);
  const reset = capture.messages.find((m) => m.to.includes('old@example.org'))!;
  expect(reset.subject).toBe(translator('en')('email.reset.subject'));
  expect(reset.text).toContain('Hello,');
  expect(reset.text).toContain(translator('en')('email.reset.intro.plain'));
  expect(reset.text).not.toContain('()');
  expect(reset.text).toContain('valid for 2 hours');
  expect(reset.html).toContain(`href="${escaped(link)}"`);
});

test('every e-mail string exists in French and in English, and every key the templates use is defined', () => {
  const keys = (lang: 'fr' | 'en') => Object.keys(allStrings(lang)).filter((k) => k.startsWith('email.')).sort();
  expect(keys('en')).toEqual(keys('fr'));
  const dir = fromRoot('src', 'views', 'templates', 'emails');
  const used = readdirSync(dir).flatMap((file) => [...readFileSync(`${dir}/${file}`, 'utf8').matchAll(/\(?t "([^"]+)"/g)].map((m) => m[1]!));
  expect(used.length).toBeGreaterThan(20);
  for (const key of used) expect(keys('fr')).toContain(key);
});

test('without SMTP the service has no mailer and messages wait in the outbox', async () => {
  const service = await startInProcess();
  try {
    expect(service.running.app.mailer).toBeUndefined();
    const link = `${service.url}/console/password?token=${randomUUID()}`;
    await enqueueInvitationEmail(service.running.app, { email: 'waiting@example.org', organisationName: 'CCI Test', link, language: 'fr' });
    await new Promise((r) => setTimeout(r, 2_500));
    const row = await service.running.app.db.selectFrom('outbox').selectAll().where('to_email', '=', 'waiting@example.org').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'queued', attempts: 0, last_error: null });
    expect(row.html_body).toContain(escaped(link));
  } finally {
    await service.stop();
  }
}, 20_000);

test('with SMTP_URL the running service sends queued messages on its own, and stops cleanly', async () => {
  const service = await startInProcess({ extra: { SMTP_URL: capture.url } });
  try {
    await enqueueInvitationEmail(service.running.app, { email: 'auto@example.org', organisationName: 'CCI Test', link: `${service.url}/console/password?token=x`, language: 'fr' });
    const [mail] = await capture.waitFor(1, 10_000);
    expect(mail!.to).toEqual(['auto@example.org']);
  } finally {
    await service.stop();
  }
}, 20_000);
