/**
 * Self-service claims at a workshop: a participant asks for the session's badge on their phone, in their
 * language; once the operator approves, the badge and its e-mail come in that language.
 */
import { actorOf } from '../../src/app/auth.js';
import type { Actor } from '../../src/app/policies.js';
import { createWorkshop, decideClaim, listClaimRequests, setClaimOpen } from '../../src/app/workshops.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

let service: InProcessService;
let actor: Actor;
let workshopId: string;
let claimCode: string;

beforeAll(async () => {
  service = await startInProcess();
  const admin = apiClient(service.url, service.token);
  const issuer = await setUpIssuer(admin, service.url);
  const users = await admin.get<{ users: { id: string; role: string }[] }>(`/api/v1/issuers/${issuer.issuerId}/users`);
  const user = users.body.users.find((u) => u.role === 'operator_admin')!;
  actor = actorOf({ id: user.id, role: 'operator_admin', organisation_id: issuer.issuerId });
  const app = service.running.app;
  const session = await createWorkshop(app, actor, { issuerId: issuer.issuerId, title: 'Atelier pitch', workshopType: 'PITCH', heldOn: '2026-11-20', achievementIds: [issuer.achievementId] });
  workshopId = session.id;
  claimCode = session.claimCode;
  await setClaimOpen(app, actor, workshopId, true);
}, 30_000);
afterAll(() => service.stop());

async function claim(email: string, lang: 'fr' | 'en'): Promise<number> {
  const res = await fetch(`${service.url}/claim/${claimCode}?lang=${lang}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name: 'Sam Taylor', email }).toString(),
  });
  return res.status;
}

async function approve(email: string) {
  const app = service.running.app;
  const request = (await listClaimRequests(app, actor, workshopId)).find((r) => r.email === email)!;
  await decideClaim(app, actor, workshopId, request.id, true);
  const credential = await app.db.selectFrom('credentials').select(['id', 'language']).where('claim_request_id', '=', request.id).executeTakeFirstOrThrow();
  const mail = await app.db.selectFrom('outbox').select('subject').where('to_email', '=', email).executeTakeFirstOrThrow();
  return { credential, mail };
}

test('a participant who asked in English gets the badge and its e-mail in English', async () => {
  expect(await claim('sam@example.org', 'en')).toBe(200);
  const { credential, mail } = await approve('sam@example.org');
  expect(credential.language).toBe('en');
  expect(mail.subject).toMatch(/^Your badge "/);
});

test('a participant who asked in French gets them in French', async () => {
  expect(await claim('lea@example.org', 'fr')).toBe(200);
  const { credential, mail } = await approve('lea@example.org');
  expect(credential.language).toBe('fr');
  expect(mail.subject).toMatch(/^Votre badge « /);
});
