/**
 * Peer recognition (issue 13 §2), through the use cases without HTTP: a holder recognises a peer with a personal
 * identity (did:web:<host>:people:<slug>) that publishes only her chosen name; the credential is an OB 3.0
 * OpenBadgeCredential marked ext:PeerRecognition, valid for Blason's verifier, for @digitalbazaar/vc and against the
 * official schema; the safety rules (daily limit, refuse, hide, the platform switch, revocation) hold.
 */
import { randomUUID } from 'node:crypto';
import { actorOf } from '../../src/app/auth.js';
import type { AppContext } from '../../src/app/context.js';
import { AppError, ValidationError } from '../../src/app/errors.js';
import { deleteHolderAccount } from '../../src/app/holders.js';
import {
  personDidDocument,
  personStatusList,
  publicRecognition,
  receivedRecognitions,
  recognitionsToModerate,
  recognitionForm,
  refuseRecognition,
  revokeRecognition,
  sendRecognition,
  setPeerRecognitionEnabled,
  setRecognitionHidden,
  type RecognitionInput,
} from '../../src/app/peer-recognition.js';
import { verifyAny } from '../../src/app/verify.js';
import type { HolderRow } from '../../src/store/schema.js';
import { testApp, type TestApp } from '../support/app-context.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { expectValid } from '../support/ob3-schemas.js';

let t: TestApp;
const app = (): AppContext => t.app;
let people = 0;

beforeAll(async () => {
  t = await testApp();
}, 60_000);
afterAll(() => t.close());

/** A holder as her space knows her (her row is made when she first signs in). */
async function holder(name = 'Léa Martin'): Promise<HolderRow> {
  people += 1;
  const row = { id: randomUUID(), email: `lea.${people}@example.fr`, name, created_at: new Date(0).toISOString() };
  await app().db.insertInto('holders').values(row).execute();
  return (await app().db.selectFrom('holders').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow());
}

function recognition(to: string, extra: Partial<RecognitionInput> = {}): RecognitionInput {
  return {
    displayName: 'Léa M.',
    email: to,
    competenceCode: '2.4',
    observation: 'Elle a convaincu trois partenaires de financer le projet de jardin partagé.',
    ...extra,
  };
}

function slugOf(did: string): string {
  return did.split(':').at(-1)!;
}

test('a recognition is an Open Badge signed by the sender’s personal identity, marked as peer recognition', async () => {
  const sender = await holder();
  const peer = await holder('Nadia Benali');
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  const issuer = sent.credential.issuer as { id: string; name: string };
  expect(issuer.id).toMatch(/^did:web:[^:]+:people:[0-9a-f]{20}$/);
  expect(sent.credential.credentialSubject.achievement.achievementType).toBe('ext:PeerRecognition');
  expect(sent.credential.credentialSubject.achievement.alignment?.[0]?.targetCode).toBe('2.4');
  expectValid('achievementcredential', sent.credential);
});

test('nothing about the sender but her chosen name is published', async () => {
  const sender = await holder('Léa Martin');
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email, { displayName: 'Léa du quartier' }));
  const issuer = sent.credential.issuer as unknown as Record<string, unknown>;
  expect(Object.keys(issuer).sort()).toEqual(['id', 'name', 'type']);
  expect(issuer.name).toBe('Léa du quartier');
  const published = JSON.stringify([sent.credential, await personDidDocument(app(), slugOf(issuer.id as string))]);
  expect(published).not.toContain(sender.email);
  expect(published).not.toContain('Martin');
});

test('Blason’s verifier finds a recognition valid, in both its forms', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  expect((await verifyAny(app(), { credential: sent.credential })).verdict).toBe('valid');
  expect((await verifyAny(app(), { text: sent.jwt })).verdict).toBe('valid');
});

test('an independent verifier (@digitalbazaar/vc) accepts its proof with the published DID document', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email, { competenceCode: undefined,
    ownCompetence: 'Animer un groupe de parole' }));
  const did = await personDidDocument(app(), slugOf((sent.credential.issuer as { id: string }).id));
  const result = await verifyIndependently(sent.credential, [did]);
  expect(result.error).toBeUndefined();
  expect(result.verified).toBe(true);
});

test('the peer receives an e-mail naming the sender by her chosen name, with the link to the recognition', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  const mail = await app().db.selectFrom('outbox').selectAll().where('to_email', '=', peer.email).executeTakeFirstOrThrow();
  expect(mail.subject).toContain('Léa M.');
  expect(mail.text_body).toContain(sent.url);
});

test('the peer sees what she received in her space', async () => {
  const sender = await holder();
  const peer = await holder();
  await sendRecognition(app(), sender, recognition(peer.email));
  const received = await receivedRecognitions(app(), peer);
  expect(received.map((r) => [r.sender, r.competence])).toEqual([['Léa M.', expect.any(String)]]);
});

test('a holder cannot recognise herself', async () => {
  const sender = await holder();
  await expect(sendRecognition(app(), sender, recognition(sender.email))).rejects.toBeInstanceOf(ValidationError);
});

test('a competence must be chosen or written', async () => {
  const sender = await holder();
  const peer = await holder();
  await expect(sendRecognition(app(), sender, recognition(peer.email, { competenceCode: undefined })))
    .rejects.toBeInstanceOf(ValidationError);
});

test('after the daily limit, a holder cannot send one more', async () => {
  const sender = await holder();
  const limit = app().config.peerRecognition.dailyLimit;
  for (let i = 0; i < limit; i++) await sendRecognition(app(), sender, recognition((await holder()).email));
  expect((await recognitionForm(app(), sender)).remaining).toBe(0);
  await expect(sendRecognition(app(), sender, recognition((await holder()).email))).rejects.toMatchObject({
    status: 429,
    type: 'too-many-recognitions',
  });
});

test('a refused recognition leaves the recipient’s space and no longer verifies', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  await refuseRecognition(app(), peer, sent.id);
  expect(await receivedRecognitions(app(), peer)).toEqual([]);
  expect((await verifyAny(app(), { credential: sent.credential })).verdict).not.toBe('valid');
  await expect(publicRecognition(app(), sent.id)).rejects.toMatchObject({ status: 404 });
});

test('a hidden recognition stays valid but its public page is withdrawn', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  await setRecognitionHidden(app(), peer, sent.id, true);
  expect((await receivedRecognitions(app(), peer))[0]!.hidden).toBe(true);
  await expect(publicRecognition(app(), sent.id)).rejects.toMatchObject({ status: 404 });
  expect((await verifyAny(app(), { credential: sent.credential })).verdict).toBe('valid');
});

test('only the recipient may refuse or hide a recognition', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  await expect(refuseRecognition(app(), sender, sent.id)).rejects.toMatchObject({ status: 404 });
  await expect(setRecognitionHidden(app(), sender, sent.id, true)).rejects.toMatchObject({ status: 404 });
});

test('when the platform administrator turns peer recognition off, nobody can send one', async () => {
  const sender = await holder();
  const peer = await holder();
  await setPeerRecognitionEnabled(app(), t.admin, false);
  try {
    await expect(sendRecognition(app(), sender, recognition(peer.email))).rejects.toMatchObject({
      status: 403,
      type: 'recognition-off',
    });
    expect((await recognitionForm(app(), sender)).enabled).toBe(false);
  } finally {
    await setPeerRecognitionEnabled(app(), t.admin, true);
  }
  const actions = await app().db.selectFrom('audit_log').select('action')
    .where('action', 'in', ['recognition.disabled', 'recognition.enabled']).execute();
  expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['recognition.disabled', 'recognition.enabled']));
});

test('an operator of an organisation cannot turn peer recognition off', async () => {
  const operator = actorOf({ id: randomUUID(), role: 'operator_admin', organisation_id: randomUUID() });
  await expect(setPeerRecognitionEnabled(app(), operator, false)).rejects.toBeInstanceOf(AppError);
  await expect(setPeerRecognitionEnabled(app(), operator, false)).rejects.toMatchObject({ status: 403 });
});

test('the platform administrator revokes an abusive recognition: its status says so, and the log says why', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  await revokeRecognition(app(), t.admin, sent.id, 'Message insultant signalé');
  const report = await verifyAny(app(), { credential: sent.credential });
  expect(report.checks.map((c) => c.code)).toContain('status.revoked');
  const entry = await app().db.selectFrom('audit_log').selectAll().where('target_id', '=', sent.id)
    .where('action', '=', 'recognition.revoked').executeTakeFirstOrThrow();
  expect(entry.reason).toBe('Message insultant signalé');
});

test('the sender’s revocation list is signed by her own identity', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  const did = (sent.credential.issuer as { id: string }).id;
  const list = await personStatusList(app(), slugOf(did));
  expect(list.issuer).toBe(did);
  expect([list.proof].flat()).toEqual([expect.objectContaining({ verificationMethod: expect.stringMatching(`^${did}#`) })]);
});

test('when the recipient deletes her account, her address is forgotten and the recognition’s page withdrawn', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  await deleteHolderAccount(app(), peer);
  const row = await app().db.selectFrom('peer_recognitions').selectAll().where('id', '=', sent.id)
    .executeTakeFirstOrThrow();
  expect(row.recipient_email).not.toContain(peer.email);
  await expect(publicRecognition(app(), sent.id)).rejects.toMatchObject({ status: 404 });
});

test('when the sender deletes her account, what she sent keeps verifying', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  await deleteHolderAccount(app(), sender);
  expect((await verifyAny(app(), { credential: sent.credential })).verdict).toBe('valid');
});

test('the moderation list shows what was said and by which name, with the recipient’s address masked', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email, { displayName: 'Léa la modérée' }));
  const { recognitions } = await recognitionsToModerate(app(), t.admin);
  const line = recognitions.find((r) => r.id === sent.id)!;
  expect(line).toMatchObject({ sender: 'Léa la modérée', recipient: `l•••@example.fr`, revoked: false });
  expect(line.observation).toContain('jardin partagé');
  expect(JSON.stringify(recognitions)).not.toContain(peer.email);
});

test('a withdrawn recognition is listed with the reason the administrator gave', async () => {
  const sender = await holder();
  const peer = await holder();
  const sent = await sendRecognition(app(), sender, recognition(peer.email));
  await revokeRecognition(app(), t.admin, sent.id, 'Propos hors sujet');
  const line = (await recognitionsToModerate(app(), t.admin)).recognitions.find((r) => r.id === sent.id)!;
  expect(line).toMatchObject({ revoked: true, revocationReason: 'Propos hors sujet' });
});

test('an operator of an organisation cannot see the moderation list', async () => {
  const operator = actorOf({ id: randomUUID(), role: 'operator_admin', organisation_id: randomUUID() });
  await expect(recognitionsToModerate(app(), operator)).rejects.toMatchObject({ status: 403 });
});
