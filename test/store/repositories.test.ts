/** The repositories behave the same on SQLite and on PostgreSQL. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openStore, type Store } from '../../src/store/database.js';
import { countAttempt, lockAttempts } from '../../src/store/repositories/attempt-locks.js';
import { appendAudit, queryAudit } from '../../src/store/repositories/audit.js';
import { holdersOf, insertCredentials, setIndexes, type NewCredential } from '../../src/store/repositories/credentials.js';
import { activeKeys, insertKeyIfNoneActive } from '../../src/store/repositories/issuer-keys.js';
import { insertOrganisation } from '../../src/store/repositories/organisations.js';
import { hit } from '../../src/store/repositories/rate-limits.js';
import { getOrInitSetting } from '../../src/store/repositories/settings.js';
import { allocateIndexes, bumpVersion, countAllocations, findStatusList, insertStatusList } from '../../src/store/repositories/status-lists.js';
import { freshPostgresSchema } from '../support/service.js';

const AT = '2026-11-26T12:00:00.000Z';

describe.each(['sqlite', 'postgres'] as const)('on %s', (kind) => {
  let store: Store;
  let dropSchema: (() => Promise<void>) | undefined;
  const orgId = '11111111-1111-4111-8111-111111111111';
  const listId = '22222222-2222-4222-8222-222222222222';
  const achievementId = '33333333-3333-4333-8333-333333333333';

  beforeAll(async () => {
    if (kind === 'sqlite') {
      store = openStore({ kind: 'sqlite', file: path.join(mkdtempSync(path.join(os.tmpdir(), 'blason-store-')), 'test.db') });
    } else {
      const schema = await freshPostgresSchema();
      dropSchema = schema.drop;
      store = openStore({ kind: 'postgres', url: schema.url });
    }
    await migrate(store.db);
    await insertOrganisation(store.db, { id: orgId, slug: 'org', name: 'Org', url: null, email: null, description: null, logo_image_id: null, linkedin_org_id: null, created_at: AT, updated_at: AT });
    await insertStatusList(store.db, { id: listId, organisation_id: orgId, purpose: 'revocation', twin_id: null, size: 131_072, created_at: AT });
    await store.db.insertInto('achievements').values({
      id: achievementId, organisation_id: orgId, catalogue_key: null, name_fr: 'A', name_en: 'A', description_fr: 'A', description_en: 'A',
      criteria_fr: 'A', criteria_en: 'A', achievement_type: 'Badge', competences: '[]', tags: '[]', template: 'blason', colour: '#000000',
      validity_days: null, archived_at: null, created_at: AT, updated_at: AT,
    }).execute();
  });
  afterAll(async () => {
    await store.close();
    await dropSchema?.();
  });

  test('migrating twice is harmless', async () => {
    await expect(migrate(store.db)).resolves.toBeUndefined();
  });

  test('of two keys inserted at once for one issuer and purpose, exactly one becomes active', async () => {
    const key = (id: string) => ({
      id, organisation_id: orgId, key_id: `k-${id}`, purpose: 'jwt' as const, algorithm: 'ES256', public_jwk: '{}',
      public_multibase: null, status: 'active' as const,
      private_key_file: `${id}.pem`, created_at: AT, retired_at: null,
    });
    const results = await Promise.all([insertKeyIfNoneActive(store.db, key('a')), insertKeyIfNoneActive(store.db, key('b'))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await activeKeys(store.db, orgId)).filter((k) => k.purpose === 'jwt')).toHaveLength(1);
  });

  test('concurrent allocations never hand out the same status index twice', async () => {
    const batches = await Promise.all(Array.from({ length: 8 }, () => allocateIndexes(store.db, listId, 131_072, 300)));
    const all = batches.flat();
    expect(all).toHaveLength(2400);
    expect(new Set(all).size).toBe(2400);
  });

  test('a list counts what it handed out, even under concurrent allocations', async () => {
    expect(await countAllocations(store.db, listId)).toBe(2400);
  });

  test('allocations fill a small list completely, then refuse', async () => {
    const small = '44444444-4444-4444-8444-444444444444';
    await insertStatusList(store.db, { id: small, organisation_id: orgId, purpose: 'revocation', twin_id: null, size: 16, created_at: AT });
    const all = await allocateIndexes(store.db, small, 16, 16);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    await expect(allocateIndexes(store.db, small, 16, 1)).rejects.toThrow(/no room/);
  });

  const credential = (id: string, key: string, index: number): NewCredential => ({
    id, organisation_id: orgId, achievement_id: achievementId, credential_json: '{}', jwt: 'a.b.c', language: 'fr', issued_at: AT,
    valid_from: AT, valid_until: null, recipient_key: key, show_name: 0, status_list_id: listId, status_index: index, revoked_at: null,
    revocation_reason: null, suspended_at: null, suspension_reason: null, erased_at: null, batch_id: null, created_by: null,
  });

  test('a second live credential for the same holder and badge is skipped, not an error', async () => {
    const first = await insertCredentials(store.db, [credential('55555555-5555-4555-8555-000000000001', 'holder-1', 1)], [{ credential_id: '55555555-5555-4555-8555-000000000001', email: 'h@example.fr', name: null, created_at: AT }]);
    const second = await insertCredentials(store.db, [credential('55555555-5555-4555-8555-000000000002', 'holder-1', 2), credential('55555555-5555-4555-8555-000000000003', 'holder-2', 3)], [
      { credential_id: '55555555-5555-4555-8555-000000000002', email: 'h@example.fr', name: null, created_at: AT },
      { credential_id: '55555555-5555-4555-8555-000000000003', email: 'i@example.fr', name: null, created_at: AT },
    ]);
    expect([...first]).toEqual(['55555555-5555-4555-8555-000000000001']);
    expect([...second]).toEqual(['55555555-5555-4555-8555-000000000003']);
    expect((await holdersOf(store.db, achievementId, ['holder-1', 'holder-2', 'nobody'])).size).toBe(2);
    const recipients = await store.db.selectFrom('recipients').select('credential_id').execute();
    expect(recipients.map((r) => r.credential_id).sort()).toEqual(['55555555-5555-4555-8555-000000000001', '55555555-5555-4555-8555-000000000003']);
  });

  test('after revocation the same holder can be awarded again', async () => {
    await store.db.updateTable('credentials').set({ revoked_at: AT }).where('id', '=', '55555555-5555-4555-8555-000000000001').execute();
    const again = await insertCredentials(store.db, [credential('55555555-5555-4555-8555-000000000004', 'holder-1', 4)], []);
    expect(again.size).toBe(1);
    expect(await setIndexes(store.db, listId, 'revocation')).toEqual([1]);
  });

  test('bumping a list version is seen by the next read', async () => {
    const before = (await findStatusList(store.db, listId))!.version;
    await bumpVersion(store.db, [listId]);
    expect((await findStatusList(store.db, listId))!.version).toBe(before + 1);
  });

  test('rate-limit hits count up within a window, across concurrent callers', async () => {
    const counts = await Promise.all(Array.from({ length: 20 }, () => hit(store.db, 'test:client', 1000)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await hit(store.db, 'test:client', 1060)).toBe(1);
  });

  test('sign-in attempts counted at once each get their own number', async () => {
    const counted = await Promise.all(Array.from({ length: 20 }, () => countAttempt(store.db, 'test:attempts', AT)));
    expect(counted.map((c) => c.attempts).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('a lock is set once and never extended; once it has ended, counting starts again', async () => {
    await countAttempt(store.db, 'test:lock', AT);
    const later = '2026-11-26T12:15:00.000Z';
    expect(await lockAttempts(store.db, 'test:lock', AT, later)).toEqual({ until: later, set: true });
    const again = await lockAttempts(store.db, 'test:lock', AT, '2026-11-26T13:00:00.000Z');
    expect(again).toEqual({ until: later, set: false });
    expect(await countAttempt(store.db, 'test:lock', AT)).toEqual({ attempts: 2, lockedUntil: later });
    expect(await countAttempt(store.db, 'test:lock', later)).toEqual({ attempts: 1, lockedUntil: null });
  });

  test('a setting initialised by two callers at once keeps the first value for both', async () => {
    const [a, b] = await Promise.all([getOrInitSetting(store.db, 'race', () => 'a'), getOrInitSetting(store.db, 'race', () => 'b')]);
    expect(a).toBe(b);
  });

  test('the audit log is filtered by organisation and action, newest first', async () => {
    await appendAudit(store.db, { at: '2026-01-01T00:00:00Z', actorId: null, organisationId: orgId, action: 'issuer.created', targetType: 't', targetId: '1' });
    await appendAudit(store.db, { at: '2026-01-02T00:00:00Z', actorId: null, organisationId: orgId, action: 'keys.rotated', targetType: 't', targetId: '2' });
    await appendAudit(store.db, { at: '2026-01-03T00:00:00Z', actorId: null, organisationId: 'other', action: 'keys.rotated', targetType: 't', targetId: '3' });
    const rows = await queryAudit(store.db, { organisationId: orgId, limit: 10, offset: 0 });
    expect(rows.map((r) => r.target_id)).toEqual(['2', '1']);
    expect((await queryAudit(store.db, { action: 'keys.rotated', limit: 10, offset: 0 })).map((r) => r.target_id)).toEqual(['3', '2']);
  });
});

describe('several processes starting on an empty PostgreSQL database', () => {
  test('all migrate it, once, without any of them failing', async () => {
    const schema = await freshPostgresSchema();
    const stores = Array.from({ length: 4 }, () => openStore({ kind: 'postgres', url: schema.url }));
    try {
      await Promise.all(stores.map((s) => migrate(s.db)));
      const applied = await stores[0]!.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
      expect(applied.length).toBeGreaterThanOrEqual(4);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await schema.drop();
    }
  });
});
