/** The `blason` command: verify prints the report and exits 0 only for a valid credential; keys generate. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildOpenBadgeCredential } from '../../src/engine/model/build-credential.js';
import { ed25519PublicKeyMultibase } from '../../src/engine/proof/key-formats.js';
import { signDataIntegrity } from '../../src/engine/proof/sign.js';
import { ed25519Signer } from '../../src/engine/proof/signer.js';
import { projectRoot } from '../../src/shared/paths.js';
import { achievement } from '../support/credentials.js';
import { FIXTURES } from '../support/fixtures.js';
import { newEd25519 } from '../support/keys.js';

const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'blason.ts'), ...args], { env: { ...process.env, NODE_OPTIONS: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

/** A badge whose issuer is a did:key: everything about it can be verified offline. */
async function didKeyBadge(): Promise<string> {
  const key = newEd25519();
  const multibase = await ed25519PublicKeyMultibase(key);
  const did = `did:key:${multibase}`;
  const unsigned = buildOpenBadgeCredential({
    id: 'urn:uuid:8b6e0a1c-4a51-4a10-8f2d-2b0e6f1c9a77',
    issuer: { id: did, type: ['Profile'], name: 'BGE Hauts-de-France' },
    achievement: achievement(),
    recipient: { email: 'ana@example.fr', salt: 'sel', name: 'Ana Martin' },
    validFrom: new Date('2026-01-15T09:00:00Z'),
  });
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'blason-cli-')), 'badge.json');
  writeFileSync(file, JSON.stringify(await signDataIntegrity(unsigned, ed25519Signer(`${did}#${multibase}`, key))));
  return file;
}

test('verify --offline prints the verdict first and the checks, and exits 0 for a valid badge', async () => {
  const { code, stdout } = await run('verify', '--offline', await didKeyBadge());
  expect(code).toBe(0);
  expect(stdout.split('\n')[0]).toMatch(/^VALID/);
  expect(stdout).toContain('✓ proof');
});

test('verify --offline of a badge whose issuer publishes its key on the web says the issuer is unconfirmed, and exits 1', async () => {
  const { code, stdout } = await run('verify', '--offline', path.join(FIXTURES, 'ob30', 'simple.json'));
  expect(code).toBe(1);
  expect(stdout.split('\n')[0]).toMatch(/^ISSUER UNCONFIRMED/);
});

test('verify exits 1 for an invalid badge and says why', async () => {
  const { code, stdout } = await run('verify', '--offline', path.join(FIXTURES, 'ob30', 'simple-err-type.json'));
  expect(code).toBe(1);
  expect(stdout).toMatch(/^INVALID/);
  expect(stdout).toContain('✗ type');
});

test('verify --json prints the machine-readable report', async () => {
  const { code, stdout } = await run('verify', '--offline', '--json', await didKeyBadge());
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ verdict: 'valid', format: 'json', proofFormat: 'data-integrity' });
});

test('verify of a missing file is a usage error (exit 2)', async () => {
  expect((await run('verify', '--offline', '/nonexistent/badge.png')).code).toBe(2);
});

test('keys generate writes a 0600 private key and prints only the public key', async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'blason-cli-'));
  const { code, stdout } = await run('keys', 'generate', '--type', 'ed25519', '--out', out);
  expect(code).toBe(0);
  const printed = JSON.parse(stdout) as { publicKeyJwk: Record<string, unknown>; publicKeyMultibase: string };
  expect(printed.publicKeyJwk).not.toHaveProperty('d');
  expect(printed.publicKeyMultibase).toMatch(/^z6Mk/);
  const [file] = readdirSync(out);
  expect(statSync(path.join(out, file!)).mode & 0o777).toBe(0o600);
});
