/**
 * The administrator's API token as people generate one (`openssl rand -hex 32`) works; a weak one stops the
 * service at start with a message naming the variable, instead of being stored and answered 401 for ever.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config.js';
import { apiClient } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';

const HEX_TOKEN = randomBytes(32).toString('hex');

test('a 64-hexadecimal-character token is accepted as it is', () => {
  expect(loadConfig({ BLASON_ADMIN_TOKEN: HEX_TOKEN }).adminToken).toBe(HEX_TOKEN);
});

test.each([['too short', 'secret'], ['with a space', `${HEX_TOKEN.slice(0, 40)} ${HEX_TOKEN.slice(40)}`]])('a token %s stops the start, naming the variable', (_what, token) => {
  expect(() => loadConfig({ BLASON_ADMIN_TOKEN: token })).toThrow(ConfigError);
  expect(() => loadConfig({ BLASON_ADMIN_TOKEN: token })).toThrow(/BLASON_ADMIN_TOKEN.*openssl rand -hex 32/);
});

describe('a service started with a hexadecimal admin token', () => {
  let service: InProcessService;
  beforeAll(async () => {
    service = await startInProcess({ extra: { BLASON_ADMIN_TOKEN: HEX_TOKEN } });
  }, 30_000);
  afterAll(() => service.stop());

  test('answers the administrator who presents it', async () => {
    expect((await apiClient(service.url, HEX_TOKEN).get('/api/v1/issuers')).status).toBe(200);
  });

  test('still answers 401 to a token it does not know', async () => {
    expect((await apiClient(service.url, randomBytes(32).toString('hex')).get('/api/v1/issuers')).status).toBe(401);
  });
});
