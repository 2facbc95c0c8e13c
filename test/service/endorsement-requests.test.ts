/**
 * Endorsement requests over a real server (issue 13): the platform creates a partner organisation; an operator asks
 * it, with its own token, to endorse a badge definition; the partner lists what it received, accepts with its token
 * and gets the signed endorsement, which verifies independently; a decline needs a message; a third organisation
 * sees nothing of it. Errors are problem documents.
 */
import { apiClient, setUpIssuer, type Api } from '../support/api.js';
import { verifyIndependently } from '../support/independent-vc.js';
import { startInProcess, type InProcessService } from '../support/service.js';

interface RequestView {
  id: string;
  status: string;
  requester: { id: string; name: string };
  partner: { id: string; name: string };
  achievement: { id: string; url: string };
  endorsement: { id: string; url: string } | null;
  answerMessage: string | null;
}

let service: InProcessService;
let admin: Api;
let operator: Awaited<ReturnType<typeof setUpIssuer>>;
let partner: { id: string; slug: string; kind: string; api: Api };
let stranger: Api;

async function organisation(body: Record<string, unknown>, email: string) {
  const created = await admin.post<{ id: string; slug: string; kind: string }>('/api/v1/issuers', body);
  expect(created.status).toBe(201);
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${created.body.id}/users`, {
    email,
    role: 'operator_admin',
  });
  return { ...created.body, api: apiClient(service.url, user.body.token) };
}

async function newBadge(): Promise<string> {
  const res = await operator.operator.post<{ id: string }>('/api/v1/achievements', {
    issuerId: operator.issuerId,
    catalogueKey: 'de-l-idee-a-l-opportunite',
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  service = await startInProcess();
  admin = apiClient(service.url, service.token);
  operator = await setUpIssuer(admin, service.url);
  partner = await organisation(
    { name: 'France Travail Hauts-de-France', kind: 'partner', email: 'partenariats@francetravail.example' },
    'paul@francetravail.example',
  );
  stranger = (await organisation({ name: 'Région Sud' }, 'admin@regionsud.example')).api;
}, 30_000);
afterAll(() => service.stop());

describe('a partner organisation', () => {
  test('is created with kind "partner", which its API view shows', async () => {
    expect(partner.kind).toBe('partner');
    const read = await partner.api.get<{ kind: string; did: string }>(`/api/v1/issuers/${partner.id}`);
    expect(read.body.kind).toBe('partner');
    expect(read.body.did).toMatch(/^did:web:/);
  });

  test('cannot create a badge definition: 409 with the reason', async () => {
    const res = await partner.api.post<{ type: string; detail: string }>('/api/v1/achievements', {
      issuerId: partner.id,
      catalogueKey: 'de-l-idee-a-l-opportunite',
    });
    expect(res.status).toBe(409);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/partner organisation/);
  });

  test('an unknown kind is refused', async () => {
    const res = await admin.post('/api/v1/issuers', { name: 'Autre', kind: 'sponsor' });
    expect(res.status).toBe(422);
  });
});

describe('the request round trip', () => {
  test('ask (201), the partner lists it, accepts (200) and gets an endorsement that verifies', async () => {
    const achievementId = await newBadge();
    const asked = await operator.operator.post<RequestView>('/api/v1/endorsement-requests', {
      partnerId: partner.id,
      achievementId,
      message: 'Vos conseillers orientent déjà vers cet atelier.',
    });
    expect(asked.status).toBe(201);
    expect(asked.body.status).toBe('pending');

    const received = await partner.api.get<{ requests: RequestView[] }>('/api/v1/endorsement-requests?direction=received');
    expect(received.status).toBe(200);
    expect(received.body.requests.map((r) => r.id)).toContain(asked.body.id);
    const sent = await operator.operator.get<{ requests: RequestView[] }>('/api/v1/endorsement-requests?direction=sent');
    expect(sent.body.requests.map((r) => r.id)).toContain(asked.body.id);

    const accepted = await partner.api.post<{
      request: RequestView;
      endorsement: { id: string; url: string; jwt: string; credential: { credentialSubject: { id: string } } };
    }>(`/api/v1/endorsement-requests/${asked.body.id}/accept`, { comment: 'Nos conseillers reconnaissent ce badge.' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.request.status).toBe('accepted');
    expect(accepted.body.request.endorsement?.url).toBe(accepted.body.endorsement.url);
    expect(accepted.body.endorsement.credential.credentialSubject.id).toBe(
      `${service.url}/achievements/${achievementId}`,
    );
    expect(accepted.body.endorsement.jwt.split('.')).toHaveLength(3);
    const did = (await apiClient(service.url).get<Record<string, unknown>>(`/issuers/${partner.slug}/did.json`)).body;
    expect((await verifyIndependently(accepted.body.endorsement.credential, [did])).verified).toBe(true);

    // The endorsement is now part of the badge definition's public document.
    const achievement = await apiClient(service.url).get<{ endorsement?: { id: string }[] }>(
      `/achievements/${achievementId}`,
      { accept: 'application/ld+json' },
    );
    expect(achievement.body.endorsement?.map((e) => e.id)).toContain(accepted.body.endorsement.url);
  });

  test('a decline without a message is refused (422), with one it is recorded (200)', async () => {
    const asked = await operator.operator.post<RequestView>('/api/v1/endorsement-requests', {
      partnerId: partner.id,
      achievementId: await newBadge(),
    });
    const empty = await partner.api.post(`/api/v1/endorsement-requests/${asked.body.id}/decline`, {});
    expect(empty.status).toBe(422);
    const declined = await partner.api.post<RequestView>(`/api/v1/endorsement-requests/${asked.body.id}/decline`, {
      message: 'Nous ne recommandons que des ateliers que nous avons observés.',
    });
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    expect(declined.body.answerMessage).toBe('Nous ne recommandons que des ateliers que nous avons observés.');
  });

  test('a second pending request for the same badge and partner answers 409', async () => {
    const achievementId = await newBadge();
    const body = { partnerId: partner.id, achievementId };
    expect((await operator.operator.post('/api/v1/endorsement-requests', body)).status).toBe(201);
    expect((await operator.operator.post('/api/v1/endorsement-requests', body)).status).toBe(409);
  });

  test('another organisation neither sees nor answers the request; the requester cannot answer it', async () => {
    const asked = await operator.operator.post<RequestView>('/api/v1/endorsement-requests', {
      partnerId: partner.id,
      achievementId: await newBadge(),
    });
    const theirs = await stranger.get<{ requests: RequestView[] }>('/api/v1/endorsement-requests?direction=received');
    expect(theirs.body.requests.map((r) => r.id)).not.toContain(asked.body.id);
    const url = `/api/v1/endorsement-requests/${asked.body.id}/accept`;
    expect((await stranger.post(url, { comment: 'Oui.' })).status).toBe(404);
    expect((await operator.operator.post(url, { comment: 'Oui.' })).status).toBe(403);
  });

  test('the requester withdraws a waiting request (200); the partner cannot (403)', async () => {
    const asked = await operator.operator.post<RequestView>('/api/v1/endorsement-requests', {
      partnerId: partner.id,
      achievementId: await newBadge(),
    });
    const url = `/api/v1/endorsement-requests/${asked.body.id}/withdraw`;
    expect((await partner.api.post(url)).status).toBe(403);
    const withdrawn = await operator.operator.post<RequestView>(url);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('withdrawn');
  });

  test('an unknown direction and a request without a token are refused', async () => {
    expect((await partner.api.get('/api/v1/endorsement-requests?direction=sideways')).status).toBe(400);
    expect((await apiClient(service.url).get('/api/v1/endorsement-requests')).status).toBe(401);
  });
});
