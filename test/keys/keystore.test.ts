import { statSync, readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileKeyStore } from '../../src/keys/keystore.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'blason-keys-'));

test('a private key file is readable by its owner only (0600)', async () => {
  const folder = dir();
  const { file } = await fileKeyStore(folder).create('ed25519', 'k1');
  expect(statSync(path.join(folder, file)).mode & 0o777).toBe(0o600);
});

test('a key reads back identical to the one created', async () => {
  const store = fileKeyStore(dir());
  const { privateKey, file } = await store.create('p256', 'k2');
  const loaded = await store.load(file);
  expect(loaded.export({ format: 'jwk' })).toEqual(privateKey.export({ format: 'jwk' }));
});

test('with a passphrase the file is encrypted and unreadable without it', async () => {
  const folder = dir();
  const { file } = await fileKeyStore(folder, 'correct horse battery staple').create('ed25519', 'k3');
  expect(readFileSync(path.join(folder, file), 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
  await expect(fileKeyStore(folder).load(file)).rejects.toThrow();
  await expect(fileKeyStore(folder, 'correct horse battery staple').load(file)).resolves.toBeDefined();
});

test('an existing key file is never overwritten', async () => {
  const store = fileKeyStore(dir());
  await store.create('ed25519', 'same');
  await expect(store.create('ed25519', 'same')).rejects.toThrow();
});

test('a key file name cannot escape the keys folder', async () => {
  await expect(fileKeyStore(dir()).load('../../etc/passwd')).rejects.toThrow(/outside/);
});
