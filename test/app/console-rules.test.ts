/**
 * The console holds to the same rules as the API (issue 11 §2): one list of audit actions for the writer and the
 * filter, one limit on badge names, the outbox, audit and indicators scoped to the actor's organisation, and an
 * account, its first credential and its audit entry written together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAchievement } from '../../src/app/achievements.js';
import { AUDIT_ACTIONS } from '../../src/app/audit-actions.js';
import { auditActorEmails, listAudit } from '../../src/app/audit.js';
import { actorOf } from '../../src/app/auth.js';
import { inviteUser } from '../../src/app/accounts.js';
import { indicatorsFor } from '../../src/app/indicators.js';
import { createUser } from '../../src/app/issuers.js';
import { enqueueInvitationEmail, outboxMessages } from '../../src/app/notifications.js';
import type { Actor } from '../../src/app/policies.js';
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let admin: Api;
let orgA: { issuerId: string; operator: Api };
let orgB: { issuerId: string };
let operatorA: Actor;
let platformAdmin: Actor;

async function operatorOf(issuerId: string): Promise<Actor> {
  const users = await admin.get<{ users: { id: string; role: string }[] }>(`/api/v1/issuers/${issuerId}/users`);
  const user = users.body.users.find((u) => u.role === 'operator_admin')!;
  return actorOf({ id: user.id, role: 'operator_admin', organisation_id: issuerId });
}

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  orgA = await setUpIssuer(admin, service.url, 'Organisation A');
  orgB = await setUpIssuer(admin, service.url, 'Organisation B');
  operatorA = await operatorOf(orgA.issuerId);
  const adminRow = await service.running.app.db.selectFrom('users').select('id').where('role', '=', 'platform_admin')
    .executeTakeFirstOrThrow();
  platformAdmin = actorOf({ id: adminRow.id, role: 'platform_admin', organisation_id: null });
  // Something in each organisation's outbox: an invitation.
  for (const [issuerId, email] of [[orgA.issuerId, 'new-a@example.org'], [orgB.issuerId, 'new-b@example.org']] as const) {
    const invited = await inviteUser(service.running.app, platformAdmin, issuerId, { email, role: 'viewer' });
    await enqueueInvitationEmail(service.running.app, {
      email, organisationName: invited.organisationName, link: invited.link, language: 'fr', organisationId: issuerId,
    });
  }
}, 30_000);
afterAll(() => service.stop());

describe('audit actions', () => {
  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return sources(path);
      return e.name.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
    });
  }

  test('every action a use case writes is one the console filter offers', () => {
    const written = new Set<string>();
    for (const text of sources('src/app')) {
      for (const call of text.split('recordAudit(').slice(1)) {
        const head = call.slice(0, call.indexOf('});') + 1);
        for (const m of head.matchAll(/'([a-z]+(?:\.[a-z]+)+)'/g)) written.add(m[1]!);
      }
    }
    expect(written.size).toBeGreaterThan(15);
    expect([...written].filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))).toEqual([]);
  });

  test('no use case writes to the audit log except through the typed writer', () => {
    const direct = sources('src/app').filter((text) => text.includes('appendAudit(') && !text.includes('export function recordAudit'));
    expect(direct).toEqual([]);
  });

  test('the console filter offers the one list', () => {
    expect(readFileSync('src/http/console/record-routes.ts', 'utf8')).toMatch(/actions: AUDIT_ACTIONS/);
  });
});

describe('badge names', () => {
  const tooLong = 'N'.repeat(201);

  test('the API refuses a name over 200 characters', async () => {
    const res = await orgA.operator.post('/api/v1/achievements', {
      issuerId: orgA.issuerId, name: { fr: tooLong }, description: { fr: 'Une description' }, criteria: { fr: 'Des critères' },
    });
    expect(res.status).toBe(422);
  });

  test('the use case the console form calls refuses the same name, rather than cutting it', async () => {
    await expect(createAchievement(service.running.app, operatorA, {
      issuerId: orgA.issuerId, name: { fr: tooLong }, description: { fr: 'Une description' }, criteria: { fr: 'Des critères' },
    })).rejects.toMatchObject({ status: 422 });
  });

  test('a name of exactly 200 characters is accepted by both', async () => {
    const name = { fr: 'N'.repeat(200) };
    const res = await orgA.operator.post('/api/v1/achievements', { issuerId: orgA.issuerId, name, description: { fr: 'D' }, criteria: { fr: 'C' } });
    expect(res.status).toBe(201);
    const made = await createAchievement(service.running.app, operatorA, { issuerId: orgA.issuerId, name, description: { fr: 'D' }, criteria: { fr: 'C' } });
    expect(made.name.fr).toHaveLength(200);
  });
});

describe('scoping to the actor\'s organisation', () => {
  test('an operator of A sees only A\'s outbox, and asking for B\'s is "not found"', async () => {
    const app = service.running.app;
    const own = await outboxMessages(app, operatorA);
    expect(own.map((m) => m.to_email)).toContain('new-a@example.org');
    expect(own.map((m) => m.to_email)).not.toContain('new-b@example.org');
    await expect(outboxMessages(app, operatorA, orgB.issuerId)).rejects.toMatchObject({ status: 404 });
  });

  test('the platform admin sees every organisation\'s outbox', async () => {
    const all = (await outboxMessages(service.running.app, platformAdmin)).map((m) => m.to_email);
    expect(all).toEqual(expect.arrayContaining(['new-a@example.org', 'new-b@example.org']));
  });

  test('an operator of A cannot list B\'s audit entries', async () => {
    const app = service.running.app;
    await expect(listAudit(app, operatorA, { issuerId: orgB.issuerId })).rejects.toMatchObject({ status: 404 });
    const own = await listAudit(app, operatorA, {});
    expect(own.every((e) => e.issuerId === orgA.issuerId)).toBe(true);
  });

  test('the audit page names only the operator\'s own organisation\'s users', async () => {
    const app = service.running.app;
    const entriesOfB = await listAudit(app, platformAdmin, { issuerId: orgB.issuerId });
    const operatorB = await operatorOf(orgB.issuerId);
    const withB = [...entriesOfB, { ...entriesOfB[0]!, actorId: operatorB.userId }];
    expect([...(await auditActorEmails(app, operatorA, withB)).keys()]).not.toContain(operatorB.userId);
    expect([...(await auditActorEmails(app, platformAdmin, withB)).keys()]).toContain(operatorB.userId);
  });

  test('an operator of A cannot read B\'s indicators', async () => {
    const query = { from: '2026-01-01', to: '2027-01-01' };
    await expect(indicatorsFor(service.running.app, operatorA, { ...query, organisationId: orgB.issuerId }))
      .rejects.toMatchObject({ status: 404 });
    await expect(indicatorsFor(service.running.app, operatorA, query)).resolves.toBeDefined();
  });
});

describe('adding an account', () => {
  test('an API user and an invitation each come with their audit entry', async () => {
    const app = service.running.app;
    const { user } = await createUser(app, operatorA, orgA.issuerId, { email: 'api-a@example.org', role: 'issuer' });
    const invited = await inviteUser(app, operatorA, orgA.issuerId, { email: 'inv-a@example.org', role: 'viewer' });
    const actions = await listAudit(app, operatorA, { issuerId: orgA.issuerId });
    expect(actions.find((e) => e.targetId === user.id)?.action).toBe('user.created');
    expect(actions.find((e) => e.targetId === invited.user.id)?.action).toBe('user.invited');
  });

  test('both doors refuse an address already taken, with one message', async () => {
    const app = service.running.app;
    await expect(createUser(app, operatorA, orgA.issuerId, { email: 'INV-A@example.org', role: 'issuer' }))
      .rejects.toMatchObject({ status: 409 });
    await expect(inviteUser(app, operatorA, orgA.issuerId, { email: 'api-a@example.org', role: 'viewer' }))
      .rejects.toMatchObject({ status: 409 });
  });

  test('an operator of A cannot add an account to B', async () => {
    await expect(inviteUser(service.running.app, operatorA, orgB.issuerId, { email: 'x-b@example.org', role: 'viewer' }))
      .rejects.toMatchObject({ status: 404 });
  });
});
