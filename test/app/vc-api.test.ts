/**
 * The VC API's signing and status use cases without HTTP: who may sign, the audit entry written with the row,
 * and status changes published in the organisation's status lists (revocation, and suspension at the same index).
 */
import { actorOf } from '../../src/app/auth.js';
import { createIssuer, createUser } from '../../src/app/issuers.js';
import type { Actor, Role } from '../../src/app/policies.js';
import { statusListCredential } from '../../src/app/status-lists.js';
import { issueCredentialVcApi, updateStatusVcApi } from '../../src/app/vc-api.js';
import { Bitstring } from '../../src/engine/status/bitstring.js';
import { refusal, testApp, type TestApp } from '../support/app-context.js';

let t: TestApp;
let organisationId: string;
let operator: Actor;

async function member(role: Exclude<Role, 'platform_admin'>): Promise<Actor> {
  const email = `${role}-${organisationId.slice(0, 8)}@example.org`;
  const { user } = await createUser(t.app, t.admin, organisationId, { email, role });
  return actorOf({ id: user.id, role, organisation_id: organisationId });
}


const credential = () => ({
  credential: {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential'],
    credentialSubject: { id: 'did:example:ebfeb1f712ebc6f1c276e12ec21' },
  },
});

/** Whether the credential's bit is set in the list of that purpose (the suspension twin shares the index). */
async function bit(signed: Record<string, unknown>, purpose: 'revocation' | 'suspension'): Promise<boolean> {
  const entry = signed.credentialStatus as { statusListCredential: string; statusListIndex: string };
  let listId = entry.statusListCredential.split('/').at(-1)!;
  if (purpose === 'suspension') {
    const twin = await t.app.db
      .selectFrom('status_lists')
      .select('id')
      .where('twin_id', '=', listId)
      .executeTakeFirstOrThrow();
    listId = twin.id;
  }
  const list = JSON.parse((await statusListCredential(t.app, listId)).json) as {
    credentialSubject: { encodedList: string };
  };
  return Bitstring.decode(list.credentialSubject.encodedList).get(Number(entry.statusListIndex));
}

beforeAll(async () => {
  t = await testApp();
  organisationId = (await createIssuer(t.app, t.admin, { name: 'BGE Littoral' })).id;
  operator = await member('operator_admin');
});
afterAll(() => t.close());

describe('signing a credential through the VC API', () => {
  test('writes its row and its audit entry together', async () => {
    const { verifiableCredential } = await issueCredentialVcApi(t.app, operator, credential());
    const row = await t.app.db
      .selectFrom('vc_api_credentials')
      .selectAll()
      .where('credential_id', '=', verifiableCredential.id as string)
      .executeTakeFirstOrThrow();
    const audit = await t.app.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect([audit.action, audit.organisation_id, audit.actor_id]).toEqual([
      'vcapi.credential.signed',
      organisationId,
      operator.userId,
    ]);
  });

  test('is refused to a viewer (403)', async () => {
    const viewer = await member('viewer');
    expect((await refusal(issueCredentialVcApi(t.app, viewer, credential()))).status).toBe(403);
  });

  test('is refused to the platform administrator, who belongs to no organisation (403)', async () => {
    expect((await refusal(issueCredentialVcApi(t.app, t.admin, credential()))).status).toBe(403);
  });

  test('refuses a credential that already carries its own status entry (400)', async () => {
    const body = credential();
    const withStatus = { credential: { ...body.credential, credentialStatus: { type: 'BitstringStatusListEntry' } } };
    expect((await refusal(issueCredentialVcApi(t.app, operator, withStatus))).status).toBe(400);
  });
});

describe('changing its status', () => {
  test('revocation sets its bit in the revocation list', async () => {
    const { verifiableCredential } = await issueCredentialVcApi(t.app, operator, credential());
    expect(await bit(verifiableCredential, 'revocation')).toBe(false);
    await updateStatusVcApi(t.app, operator, {
      credentialId: verifiableCredential.id,
      credentialStatus: [{ type: 'BitstringStatusListEntry', status: 'revoked' }],
    });
    expect(await bit(verifiableCredential, 'revocation')).toBe(true);
  });

  test('suspension sets, and reinstatement clears, its bit in the suspension list', async () => {
    const { verifiableCredential } = await issueCredentialVcApi(t.app, operator, credential());
    const change = (status: boolean) =>
      updateStatusVcApi(t.app, operator, {
        credentialId: verifiableCredential.id,
        credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'suspension' },
        status,
      });
    await change(true);
    expect(await bit(verifiableCredential, 'suspension')).toBe(true);
    await change(false);
    expect(await bit(verifiableCredential, 'suspension')).toBe(false);
  });

  test('is refused once revoked (409)', async () => {
    const { verifiableCredential } = await issueCredentialVcApi(t.app, operator, credential());
    const revoke = () =>
      updateStatusVcApi(t.app, operator, {
        credentialId: verifiableCredential.id,
        credentialStatus: [{ type: 'BitstringStatusListEntry', status: 'revoked' }],
      });
    await revoke();
    expect((await refusal(revoke())).status).toBe(409);
  });

  test('of an unknown credential answers 404', async () => {
    const missing = updateStatusVcApi(t.app, operator, {
      credentialId: 'urn:uuid:00000000-0000-4000-8000-000000000000',
      credentialStatus: [{ type: 'BitstringStatusListEntry', status: 'suspended' }],
    });
    expect((await refusal(missing)).status).toBe(404);
  });
});
