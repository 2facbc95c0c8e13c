/** The `blason` command: verify prints the report and exits 0 only for a valid credential; keys generate. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/paths.js';
import { FIXTURES } from '../support/fixtures.js';

const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'blason.ts'), ...args], { env: { ...process.env, NODE_OPTIONS: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

test('verify --offline prints the verdict first and the checks, and exits 0 for a valid badge', async () => {
  const { code, stdout } = await run('verify', '--offline', path.join(FIXTURES, 'ob30', 'simple.json'));
  expect(code).toBe(0);
  expect(stdout.split('\n')[0]).toMatch(/^VALID/);
  expect(stdout).toContain('✓ proof');
});

test('verify exits 1 for an invalid badge and says why', async () => {
  const { code, stdout } = await run('verify', '--offline', path.join(FIXTURES, 'ob30', 'simple-err-type.json'));
  expect(code).toBe(1);
  expect(stdout).toMatch(/^INVALID/);
  expect(stdout).toContain('✗ type');
});

test('verify --json prints the machine-readable report', async () => {
  const { code, stdout } = await run('verify', '--offline', '--json', path.join(FIXTURES, 'ob30', 'simple-jwt.png'));
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ verdict: 'valid', format: 'png', proofFormat: 'jwt' });
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
