/** The outbox repository behaves the same on SQLite and PostgreSQL, with several senders at once. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openStore, type Store } from '../../src/store/database.js';
import {
  claimDue, countOutbox, enqueue, eraseForCredential, listOutbox, markFailed, markSent, MAX_ATTEMPTS, RETRY_BASE_MS, SENDING_LEASE_MS, type NewOutboxMessage,
} from '../../src/store/repositories/outbox.js';
import { freshPostgresSchema } from '../support/service.js';

const T0 = new Date('2026-11-26T12:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

function message(i: number, extra: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return {
    organisation_id: 'org-a', to_email: `person${i}@example.org`, subject: `Subject ${i}`, text_body: `Text ${i}`, html_body: `<p>Html ${i}</p>`,
    credential_id: null, created_at: new Date(T0.getTime() + i).toISOString(), ...extra,
  };
}

describe.each(['sqlite', 'postgres'] as const)('outbox on %s', (kind) => {
  let store: Store;
  let second: Store;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (kind === 'sqlite') {
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'blason-outbox-')), 'test.db');
      store = openStore({ kind: 'sqlite', file });
      second = openStore({ kind: 'sqlite', file });
    } else {
      const schema = await freshPostgresSchema();
      dropSchema = schema.drop;
      store = openStore({ kind: 'postgres', url: schema.url });
      second = openStore({ kind: 'postgres', url: schema.url });
    }
    await migrate(store.db);
  });
  afterAll(async () => {
    await second.close();
    await store.close();
    await dropSchema?.();
  });
  beforeEach(async () => {
    await store.db.deleteFrom('outbox').execute();
  });

  const status = async (id: string) => (await store.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow());

  test('two senders claiming at once (two connections, as two processes would) share 50 messages without overlap', async () => {
    const ids = await enqueue(store.db, Array.from({ length: 50 }, (_, i) => message(i)));
    const drain = async (db: Store['db']) => {
      const got: string[] = [];
      for (;;) {
        const batch = await claimDue(db, 7, T0);
        if (batch.length === 0) return got;
        got.push(...batch.map((m) => m.id));
      }
    };
    const [a, b] = await Promise.all([drain(store.db), drain(second.db)]);
    const all = [...a, ...b];
    expect(all).toHaveLength(50);
    expect(new Set(all)).toEqual(new Set(ids));
    expect(await countOutbox(store.db, { status: 'sending' })).toBe(50);
  });

  test('a failed message is retried after a growing wait, then ends failed after 5 attempts', async () => {
    const [id] = await enqueue(store.db, message(1));
    let now = T0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const [claimed] = await claimDue(store.db, 10, now);
      expect(claimed?.id).toBe(id);
      await markFailed(store.db, id!, new Error(`connection refused #${attempt}`));
      const row = await status(id!);
      expect(row.attempts).toBe(attempt);
      expect(row.last_error).toBe(`connection refused #${attempt}`);
      expect(row.status).toBe(attempt < MAX_ATTEMPTS ? 'queued' : 'failed');
      // Not due again straight away, nor just before its wait is over.
      const wait = 2 ** attempt * RETRY_BASE_MS;
      expect(await claimDue(store.db, 10, new Date(now.getTime() + wait - 1_000))).toEqual([]);
      now = new Date(now.getTime() + wait);
    }
    expect(await claimDue(store.db, 10, later(86_400_000))).toEqual([]);
  });

  test('a message left sending by a process that died goes back to the queue after 10 minutes', async () => {
    const [id] = await enqueue(store.db, message(1));
    expect(await claimDue(store.db, 10, T0)).toHaveLength(1);
    expect(await claimDue(store.db, 10, later(SENDING_LEASE_MS - 1_000))).toEqual([]);
    const [again] = await claimDue(store.db, 10, later(SENDING_LEASE_MS + 1_000));
    expect(again?.id).toBe(id);
    expect(again?.attempts).toBe(1);
    expect(again?.last_error).toMatch(/interrupted/);
  });

  test('a sent message keeps its recipient and subject but not its bodies, which may hold private links', async () => {
    const [id] = await enqueue(store.db, message(1));
    await claimDue(store.db, 10, T0);
    await markSent(store.db, id!, later(1_000));
    expect(await status(id!)).toMatchObject({ status: 'sent', to_email: 'person1@example.org', subject: 'Subject 1', text_body: '', html_body: '', sent_at: later(1_000).toISOString() });
    expect(await claimDue(store.db, 10, later(86_400_000))).toEqual([]);
  });

  test('erasure blanks the holder\'s messages, which are then never sent, and leaves the others alone', async () => {
    const [mine, other] = await enqueue(store.db, [message(1, { credential_id: 'cred-1' }), message(2, { credential_id: 'cred-2' })]);
    await claimDue(store.db, 1, T0);
    await markFailed(store.db, mine!, new Error('550 person1@example.org: mailbox unavailable'));
    expect(await eraseForCredential(store.db, 'cred-1')).toBe(1);
    expect(await status(mine!)).toMatchObject({ status: 'erased', to_email: '', subject: '', text_body: '', html_body: '', last_error: null });
    expect(await status(other!)).toMatchObject({ status: 'queued', to_email: 'person2@example.org' });
    const claimed = await claimDue(store.db, 10, later(86_400_000));
    expect(claimed.map((m) => m.id)).toEqual([other]);
  });

  test('the console lists an organisation\'s messages by status, newest first', async () => {
    await enqueue(store.db, [message(1), message(2), message(3, { organisation_id: 'org-b' }), message(4, { organisation_id: null })]);
    const [first] = await claimDue(store.db, 1, T0);
    await markSent(store.db, first!.id, later(5_000));
    const queued = await listOutbox(store.db, { organisationId: 'org-a', status: 'queued', limit: 10, offset: 0 });
    expect(queued.map((m) => m.subject)).toEqual(['Subject 2']);
    expect(queued[0]).toMatchObject({ sent_at: null, last_attempt_at: null });
    const all = await listOutbox(store.db, { organisationId: 'org-a', limit: 10, offset: 0 });
    expect(all.map((m) => m.subject)).toEqual(['Subject 2', 'Subject 1']);
    expect(all[1]).toMatchObject({ status: 'sent', sent_at: later(5_000).toISOString() });
    expect(await countOutbox(store.db, {})).toBe(4);
    expect((await listOutbox(store.db, { limit: 2, offset: 2 })).map((m) => m.subject)).toEqual(['Subject 2', 'Subject 1']);
  });

  test('a large batch is queued in chunks, all of it or nothing', async () => {
    const ids = await enqueue(store.db, Array.from({ length: 450 }, (_, i) => message(i)));
    expect(new Set(ids).size).toBe(450);
    expect(await countOutbox(store.db, { status: 'queued' })).toBe(450);
    const broken = [...Array.from({ length: 300 }, (_, i) => message(1000 + i)), { ...message(2000), subject: null as unknown as string }];
    // Matched by message: better-sqlite3's error may come from another realm than this test's Error.
    await expect(enqueue(store.db, broken)).rejects.toHaveProperty('message', expect.stringMatching(/not.null/i));
    expect(await countOutbox(store.db, {})).toBe(450);
  });
});
