/**
 * Reminders for badges whose holder never opened them: sent through the outbox on the organisation's days (7 and
 * 21 by default), each once, never after she followed a link of the e-mail or signed into her space, never when
 * the organisation turned them off, never for a withdrawn badge. The clock is the test's.
 */
import { updateAwardMessage } from '../../src/app/award-messages.js';
import { revokeCredential, setSuspended } from '../../src/app/credentials.js';
import { recordEmailOpened } from '../../src/app/email-links.js';
import { requestHolderCode, verifyHolderLink } from '../../src/app/holders.js';
import { enqueueAwardEmails, type AwardEmail } from '../../src/app/notifications.js';
import { sendDueReminders } from '../../src/app/reminders.js';
import { translator } from '../../src/views/i18n.js';
import { DAY, mailWorld, T0, type MailWorld } from './mail-world.js';

const fr = translator('fr');
let world: MailWorld;
let org: { issuerId: string; achievementId: string };

beforeAll(async () => {
  world = await mailWorld();
  org = await world.organisation('Initiative Lille Métropole');
}, 30_000);
afterAll(() => world.close());
beforeEach(() => world.setNow(T0));

/** A badge awarded and e-mailed now. */
async function awarded(overrides: Parameters<MailWorld['award']>[1] = {}, to = org): Promise<AwardEmail> {
  const a = await world.award(to, overrides);
  expect(await enqueueAwardEmails(world.app, [a])).toBe(1);
  return a;
}

/** Runs the reminders at `days` after T0 (plus a minute), as the service's timer would. */
async function runAt(days: number): Promise<void> {
  world.setNow(new Date(T0.getTime() + days * DAY + 60_000));
  await sendDueReminders(world.app);
}

/** The reminders queued for one badge, oldest first. */
async function remindersOf(a: AwardEmail) {
  const rows = await world.app.db
    .selectFrom('outbox')
    .selectAll()
    .where('credential_id', '=', a.credentialId)
    .orderBy('created_at')
    .execute();
  return rows.filter((r) => r.subject === fr('email.reminder.subject', { badge: a.badgeName }));
}

/** The token of the award e-mail's links, as the holder's click would carry it. */
async function tokenOf(a: AwardEmail): Promise<string> {
  const award = await world.app.db
    .selectFrom('outbox')
    .select('text_body')
    .where('credential_id', '=', a.credentialId)
    .orderBy('created_at')
    .executeTakeFirstOrThrow();
  return /\/credentials\/[0-9a-f-]{36}\?open=([A-Za-z0-9_-]+)/.exec(award.text_body)![1]!;
}

test('a badge never opened gets a first reminder after 7 days and a last one after 21, each once', async () => {
  const a = await awarded();
  await runAt(6);
  expect(await remindersOf(a)).toHaveLength(0);
  await runAt(7);
  await runAt(7);
  const [first] = await remindersOf(a);
  expect(await remindersOf(a)).toHaveLength(1);
  expect(first!.to_email).toBe(a.email);
  expect(first!.text_body).not.toContain(fr('email.reminder.last'));
  await runAt(20);
  expect(await remindersOf(a)).toHaveLength(1);
  await runAt(21);
  await runAt(22);
  await runAt(90);
  const both = await remindersOf(a);
  expect(both).toHaveLength(2);
  expect(both[1]!.text_body).toContain(fr('email.reminder.last'));
});

test("a reminder's buttons lead to the badge, LinkedIn and her space, with the award e-mail's own token", async () => {
  const a = await awarded();
  const token = await tokenOf(a);
  await runAt(7);
  const [reminder] = await remindersOf(a);
  expect(reminder!.text_body).toContain(`${a.url}?open=${token}`);
  expect(reminder!.text_body).toContain(`${a.url}/linkedin?open=${token}`);
  expect(reminder!.text_body).toContain(`${world.app.ids.origin}/holder?open=${token}`);
  // Her private management link is only ever in the award e-mail.
  expect(reminder!.text_body).not.toContain('/manage');
});

test('no reminder once the holder followed a link of the e-mail', async () => {
  const a = await awarded();
  await runAt(2);
  await recordEmailOpened(world.app, await tokenOf(a));
  await runAt(7);
  await runAt(21);
  expect(await remindersOf(a)).toHaveLength(0);
});

test('no further reminder once the holder opened the badge after the first reminder', async () => {
  const a = await awarded();
  await runAt(7);
  await recordEmailOpened(world.app, await tokenOf(a));
  await runAt(21);
  expect(await remindersOf(a)).toHaveLength(1);
});

test('no reminder once the holder signed into her space', async () => {
  const a = await awarded({ email: 'lea.signin@example.org' });
  await requestHolderCode(world.app, a.email, 'fr');
  const codeMail = await world.app.db
    .selectFrom('outbox')
    .select('text_body')
    .where('to_email', '=', a.email)
    .where('credential_id', 'is', null)
    .executeTakeFirstOrThrow();
  const link = /\/holder\/verify\?link=([A-Za-z0-9_-]+)/.exec(codeMail.text_body)![1]!;
  await verifyHolderLink(world.app, link);
  await runAt(7);
  await runAt(21);
  expect(await remindersOf(a)).toHaveLength(0);
});

test('a token that is not one, or belongs to no badge, changes nothing', async () => {
  const a = await awarded();
  await recordEmailOpened(world.app, 'not-a-token');
  await recordEmailOpened(world.app, 'A'.repeat(22));
  await runAt(7);
  expect(await remindersOf(a)).toHaveLength(1);
});

test('no reminder for a revoked badge, nor for a suspended one', async () => {
  const revoked = await awarded();
  const suspended = await awarded();
  await revokeCredential(world.app, world.admin, revoked.credentialId, 'erreur de saisie');
  await setSuspended(world.app, world.admin, suspended.credentialId, true);
  await runAt(7);
  await runAt(21);
  expect(await remindersOf(revoked)).toHaveLength(0);
  expect(await remindersOf(suspended)).toHaveLength(0);
});

test('no reminder when the organisation turned reminders off', async () => {
  const quiet = await world.organisation('Atelier sans rappels');
  await updateAwardMessage(world.app, world.admin, quiet.issuerId, {
    fr: {},
    en: {},
    firstReminderDays: null,
    secondReminderDays: null,
  });
  const a = await awarded({}, quiet);
  await runAt(7);
  await runAt(21);
  expect(await remindersOf(a)).toHaveLength(0);
});

test("one reminder only, on the organisation's own day, when it set no second one", async () => {
  const once = await world.organisation('Atelier un seul rappel');
  await updateAwardMessage(world.app, world.admin, once.issuerId, {
    fr: {},
    en: {},
    firstReminderDays: 3,
    secondReminderDays: null,
  });
  const a = await awarded({}, once);
  await runAt(2);
  expect(await remindersOf(a)).toHaveLength(0);
  await runAt(3);
  await runAt(21);
  const reminders = await remindersOf(a);
  expect(reminders).toHaveLength(1);
  expect(reminders[0]!.text_body).toContain(fr('email.reminder.last'));
});

test('after a pause past both days, only the last reminder is sent, once', async () => {
  const a = await awarded();
  await runAt(22);
  await runAt(23);
  const reminders = await remindersOf(a);
  expect(reminders).toHaveLength(1);
  expect(reminders[0]!.text_body).toContain(fr('email.reminder.last'));
});

test('two runs at the same moment (two processes) send each reminder once', async () => {
  const a = await awarded();
  world.setNow(new Date(T0.getTime() + 7 * DAY + 60_000));
  await Promise.all([sendDueReminders(world.app), sendDueReminders(world.app)]);
  expect(await remindersOf(a)).toHaveLength(1);
});

test('a reminder is written in the holder\'s language and leaves through SMTP', async () => {
  const a = await awarded({ language: 'en', name: 'Sam Taylor' });
  await runAt(7);
  world.capture.messages.length = 0;
  await world.sender.flush();
  const en = translator('en');
  const mail = world.capture.messages.find((m) => m.subject === en('email.reminder.subject', { badge: a.badgeName }));
  expect(mail?.to).toEqual([a.email]);
  expect(mail!.text).toContain('Hello Sam Taylor,');
  expect(mail!.html).toContain('<html lang="en">');
});
