/**
 * The guarded fetcher's `ca` option (BLASON_FETCH_CA_FILE): a certificate authority given to it is trusted
 * besides the usual roots, and only by a fetcher given it.
 */
import { FetchError } from '../../src/engine/verify/fetcher.js';
import { guardedFetcher } from '../../src/net/guarded-fetch.js';
import {
  startOb2Issuer, throwawayCertificate, type Ob2Issuer, type ThrowawayCertificate,
} from '../support/ob2-issuer.js';

let certificate: ThrowawayCertificate;
let server: Ob2Issuer;

beforeAll(async () => {
  certificate = throwawayCertificate();
  server = await startOb2Issuer(certificate);
});

afterAll(async () => {
  await server.close();
  certificate.remove();
});

const options = { accept: 'application/json', maxBytes: 64 * 1024 };

test('an HTTPS server whose certificate the fetcher was given as an authority is fetched', async () => {
  const fetcher = guardedFetcher({ allowHosts: [server.host], ca: [certificate.cert] });
  const { body } = await fetcher.fetch(server.issuerId, options);
  expect(JSON.parse(body.toString('utf8'))).toMatchObject({ id: server.issuerId, type: 'Issuer' });
});

test('without that authority, the same server is unreachable: its certificate is not trusted', async () => {
  const fetcher = guardedFetcher({ allowHosts: [server.host] });
  await expect(fetcher.fetch(server.issuerId, options)).rejects.toMatchObject({ reason: 'unreachable' });
  await expect(fetcher.fetch(server.issuerId, options)).rejects.toBeInstanceOf(FetchError);
});
