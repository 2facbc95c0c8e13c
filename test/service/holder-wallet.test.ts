/**
 * "Ajouter à mon portefeuille" in the holder's space (issue 15 §1): the signed-in holder gets a page with the
 * QR code and link of an OpenID4VCI offer for her badge, the six-digit code shown beside them and never inside,
 * and a wallet (the @openid4vc/openid4vci client) takes the badge with them. Nobody else's badge can be offered.
 */
import { apiClient, setUpIssuer } from '../support/api.js';
import { CookieJar, hiddenField, signInHolder } from '../support/holder.js';
import { freshDidKey, takeOffer } from '../support/oid4vci-wallet.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';

const ANA = 'ana.martin@example.fr';
const BOB = 'bob.durand@example.fr';

let smtp: SmtpCapture;
let service: InProcessService;
let anaBadge: { id: string };
let bobBadge: { id: string };
const ana = new CookieJar();

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_SIGNIN_RATE_LIMIT: '1000' } });
  const issuer = await setUpIssuer(apiClient(service.url, service.token), service.url);
  const award = async (email: string) =>
    (await issuer.operator.post<{ id: string }>('/api/v1/credentials', { achievementId: issuer.achievementId, recipient: { email } })).body;
  anaBadge = await award(ANA);
  bobBadge = await award(BOB);
  await signInHolder(ana, service.url, smtp, ANA);
}, 30_000);

afterAll(async () => {
  await service?.stop();
  await smtp?.close();
});

async function askForOffer(credentialId: string): Promise<Response> {
  const space = await (await ana.fetch(`${service.url}/holder`)).text();
  return ana.post(`${service.url}/holder/credentials/${credentialId}/wallet`, { _csrf: hiddenField(space, '_csrf') });
}

test('her badge has an "Ajouter à mon portefeuille" button', async () => {
  const space = await (await ana.fetch(`${service.url}/holder`)).text();
  expect(space).toContain(`action="/holder/credentials/${anaBadge.id}/wallet"`);
  expect(space).toContain('Ajouter à mon portefeuille');
});

test('the page shows a QR code and an offer link, with the six-digit code beside them and not inside', async () => {
  const res = await askForOffer(anaBadge.id);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const page = await res.text();
  expect(page).toContain('<svg');
  const link = /href="(openid-credential-offer:\/\/[^"]+)"/.exec(page)![1]!.replaceAll('&amp;', '&');
  const txCode = /data-tx-code>(\d{6})</.exec(page)![1]!;
  expect(decodeURIComponent(link)).not.toContain(txCode);
  expect(page).toContain('Votre code à 6 chiffres');
});

test('a wallet takes the badge with the link and the code from her page', async () => {
  const page = await (await askForOffer(anaBadge.id)).text();
  const link = /href="(openid-credential-offer:\/\/[^"]+)"/.exec(page)![1]!.replaceAll('&amp;', '&');
  const txCode = /data-tx-code>(\d{6})</.exec(page)![1]!;
  const key = await freshDidKey();
  const { credential } = await takeOffer({ offer: link.replaceAll('&#x3D;', '='), tx_code: txCode }, key);
  expect((credential as { credentialSubject: { id: string } }).credentialSubject.id).toBe(key.did);
});

test('the page also gives the VC API interaction URL, which names the same offer as the QR code', async () => {
  const page = await (await askForOffer(anaBadge.id)).text();
  expect(page).toContain('Autre lien (VC API)');
  const link = /href="(openid-credential-offer:\/\/[^"]+)"/.exec(page)![1]!.replaceAll('&amp;', '&');
  const interaction = /value="([^"]+)"\s+data-wallet-interaction/.exec(page)![1]!.replaceAll('&#x3D;', '=');
  expect(interaction).toMatch(new RegExp(`^${service.url}/interactions/[A-Za-z0-9_-]{43}\\?iuv=1$`));
  const answer = (await (await fetch(interaction)).json()) as { protocols: { OID4VCI: string } };
  expect(answer.protocols.OID4VCI).toBe(link.replaceAll('&#x3D;', '='));
});

test("someone else's badge cannot be offered from her space", async () => {
  const res = await askForOffer(bobBadge.id);
  expect(res.status).toBe(404);
});
