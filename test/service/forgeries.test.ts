/**
 * Forgeries of Blason's own badges, verified by Blason's own service (issue 10 §1): an attacker's key presented
 * as the platform issuer's, once through a key document on the attacker's host that names Blason's DID as its
 * controller, once as a `…/issuers/{slug}#z6Mk…` method on Blason's own issuer. Both are not authentic.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ed25519PublicKeyMultibase } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { apiClient, setUpIssuer } from '../support/api.js';
import { newEd25519 } from '../support/keys.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';

type Json = Record<string, unknown>;
interface Report { verdict: string; checks: { code: string; outcome: string }[] }

const attackerKey = newEd25519();
let attackerMultibase: string;
let attacker: Server;
let attackerHost: string;
let service: InProcessService;
let serviceHost: string;
let issuerDid: string;
let genuine: Json;

beforeAll(async () => {
  attackerMultibase = await ed25519PublicKeyMultibase(attackerKey);
  attacker = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      '@context': 'https://w3id.org/security/multikey/v1', id: `https://${attackerHost}${req.url}`, type: 'Multikey',
      controller: issuerDid, publicKeyMultibase: attackerMultibase,
    }));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerHost = `127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  const port = await freePort();
  serviceHost = `127.0.0.1:${port}`;
  const hosts = [serviceHost, attackerHost].join(',');
  service = await startInProcess({ port, extra: { BLASON_FETCH_ALLOW_HOSTS: hosts, BLASON_FETCH_INSECURE_HTTP_HOSTS: hosts } });
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  issuerDid = issuer.did;
  const res = await issuer.operator.post<{ credential: Json }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email: 'lea@example.fr' } });
  genuine = res.body.credential;
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await new Promise((resolve) => attacker?.close(resolve));
});

async function verify(credential: Json): Promise<Report> {
  return (await apiClient(service.url).post<Report>('/api/v1/verify', credential)).body;
}

/** The genuine badge's content, issued by `issuerId`, signed with the attacker's key named `method`. */
async function forged(issuerId: string, method: string): Promise<Json> {
  const { proof: _proof, ...content } = genuine;
  const issuer = { ...(content.issuer as Json), id: issuerId };
  return signDataIntegrity({ ...content, issuer }, ed25519Signer(method, attackerKey)) as unknown as Promise<Json>;
}

test('the genuine badge verifies as valid on the same service', async () => {
  expect((await verify(genuine)).verdict).toBe('valid');
});

test('a key document on the attacker\'s host claiming Blason\'s issuer as its controller: invalid', async () => {
  const report = await verify(await forged(issuerDid, `https://${attackerHost}/keys/1`));
  expect(report.verdict).toBe('invalid');
  expect(report.checks.filter((c) => c.outcome === 'failed').map((c) => c.code)).toContain('key.controllerNotListing');
});

test('an attacker\'s key named as a fragment of Blason\'s own issuer profile: invalid, not a mere warning', async () => {
  const slug = issuerDid.split(':').pop()!;
  const profile = `https://${serviceHost}/issuers/${slug}`;
  const report = await verify(await forged(profile, `${profile}#${attackerMultibase}`));
  expect(report.verdict).toBe('invalid');
  expect(report.checks.some((c) => c.outcome === 'failed' && c.code.startsWith('key.'))).toBe(true);
});
