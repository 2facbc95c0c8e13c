/**
 * The package `npm pack` makes is the service: installed in an empty folder, far from the project, its
 * `blason serve` starts Blason, which shows its pages with their stylesheet and script. package.json "files" is
 * the one list of what the service needs at run time, and the Dockerfile installs this same artifact.
 *
 * How it is installed without the network: the tarball is unpacked, the project's lockfile put beside it, and
 * `npm ci --omit=dev --offline` takes every production dependency from the npm cache that the project's own
 * `npm ci` filled; development packages are not installed, so the service cannot lean on one. Install scripts are
 * skipped: better-sqlite3's would download or compile its native addon (a minute or more), so the addon the
 * project's install already built is copied in. Where the cache cannot serve the install (a cache emptied or
 * filled by another npm), the project's node_modules is linked next to the unpacked package instead.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/shared/paths.js';
import { removeDir, serviceEnv, startChild, type ChildService } from '../support/service.js';

const run = promisify(execFile);
/** npm and the service do not inherit jest's node options (experimental VM modules). */
const quietEnv = { ...process.env, NODE_OPTIONS: '' };

let dir: string;
let packed: string[];
let service: ChildService;
let installedWithNpm = true;

async function installArtifact(tarball: string, target: string): Promise<void> {
  mkdirSync(target);
  await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  copyFileSync(path.join(projectRoot, 'package-lock.json'), path.join(target, 'package-lock.json'));
  try {
    const options = ['--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'];
    await run('npm', ['ci', ...options], { cwd: target, env: quietEnv });
  } catch (error) {
    if (!/ENOTCACHED/.test(String((error as { stderr?: unknown }).stderr))) throw error;
    installedWithNpm = false;
    removeDir(path.join(target, 'node_modules'));
    symlinkSync(path.join(projectRoot, 'node_modules'), path.join(target, 'node_modules'));
    return;
  }
  const addon = path.join('node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(path.join(target, addon), { recursive: true });
  copyFileSync(path.join(projectRoot, addon, 'better_sqlite3.node'), path.join(target, addon, 'better_sqlite3.node'));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'blason-package-'));
  // prepack compiles dist/ afresh, so the artifact is never an old build.
  await run('npm', ['pack', '--pack-destination', dir], { cwd: projectRoot, env: quietEnv, maxBuffer: 10_000_000 });
  const tarball = path.join(dir, readdirSync(dir).find((file) => file.endsWith('.tgz'))!);
  const listing = (await run('tar', ['-tzf', tarball])).stdout;
  packed = listing.split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
  const installed = path.join(dir, 'installed');
  await installArtifact(tarball, installed);
  // Run from another folder, as an operator would: data and keys go where the environment says.
  const env = await serviceEnv({ dir });
  const command = [path.join(installed, 'dist', 'cli', 'blason.js'), 'serve'];
  service = await startChild({ ...env, NODE_OPTIONS: '' }, { args: command, cwd: dir });
  // About 30 s on an idle machine (a build, then 300 packages unpacked): the margin is for a busy one.
}, 120_000);

afterAll(async () => {
  await service?.stop();
  if (dir) removeDir(dir);
});

test('the artifact holds the compiled service and its run-time files, and no sources or tests', () => {
  const needed = ['package.json', 'dist/cli/blason.js', 'dist/main.js', 'src/views/templates/verify.hbs',
    'src/views/locales/fr/pages.json', 'public/assets/app.css', 'contexts/manifest.json', 'schemas/ob3/openapi.json',
    'catalogue/entrecomp.json', 'badge-templates/blason.svg.hbs'];
  for (const file of needed) expect(packed).toContain(file);
  const sources = packed.filter((file) => /^(test|bench|scripts|keys)\//.test(file) || /(?<!\.d)\.ts$/.test(file));
  expect(sources).toEqual([]);
});

test('the installed package\'s `blason serve` answers the verification page', async () => {
  if (!installedWithNpm) {
    console.warn('The npm cache could not serve an offline install: the project\'s node_modules was linked instead.');
  }
  const res = await fetch(`${service.url}/verify`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
});

test('the page\'s stylesheet and script are served by the installed package', async () => {
  const page = await (await fetch(`${service.url}/verify`)).text();
  const styles = [...page.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
  const scripts = [...page.matchAll(/<script[^>]* src="([^"]+)"/g)].map((m) => m[1]!);
  expect(styles.length).toBeGreaterThan(0);
  expect(scripts.length).toBeGreaterThan(0);
  const assets = [...styles.map((s) => [s, /^text\/css/] as const), ...scripts.map((s) => [s, /javascript/] as const)];
  for (const [asset, type] of assets) {
    const res = await fetch(new URL(asset, service.url));
    expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
    expect(res.headers.get('content-type')).toMatch(type);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }
});
