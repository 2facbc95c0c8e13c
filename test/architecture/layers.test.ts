/**
 * The layers of src/ hold (README, Architecture): the lint rule (no-restricted-imports in eslint.config.js) refuses
 * a crossing, and the real tree has none, dynamic imports included (which the lint rule does not look at).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { fromRoot, projectRoot } from '../../src/shared/paths.js';

/** The layer table of the lint rule itself (eslint.config.js is plain JavaScript, hence the typed import). */
const { LAYERS, MAX_DEPTH, MAY_IMPORT } = await import(pathToFileURL(fromRoot('eslint.config.js')).href) as {
  LAYERS: string[];
  MAX_DEPTH: number;
  MAY_IMPORT: Record<string, string[]>;
};

const layerRule = (messages: ESLint.LintResult['messages']) =>
  messages.filter((m) => m.ruleId === 'no-restricted-imports');

// Only the layer rule, without type information: the probes need no type checker, which keeps this test fast.
const eslint = new ESLint({
  cwd: projectRoot,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function lintProbe(relativePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: fromRoot(relativePath) });
  return layerRule(result!.messages);
}

test('a route importing the store fails lint', async () => {
  const code = "import { findOrganisation } from '../../store/repositories/organisations.js';\n"
    + 'void findOrganisation;\n';
  const errors = await lintProbe('src/http/console/probe.ts', code);
  expect(errors).toHaveLength(1);
  expect(errors[0]!.message).toContain('src/http may not import src/store');
});

test('the engine importing a use case fails lint, type-only imports and re-exports included', async () => {
  const errors = await lintProbe('src/engine/verify/probe.ts', [
    "import type { AppContext } from '../../app/context.js';",
    "export type { Clock } from '../../shared/clock.js';",
    'export type Probe = AppContext;',
  ].join('\n'));
  expect(errors.map((e) => e.message)).toEqual([
    expect.stringContaining('src/engine may not import src/app'),
    expect.stringContaining('src/engine may not import src/shared'),
  ]);
});

test('what a layer may import passes, and a file named like a layer is not that layer', async () => {
  const fromHttp = "import { getIssuer } from '../app/issuers.js';\nvoid getIssuer;\n";
  expect(await lintProbe('src/http/probe.ts', fromHttp)).toEqual([]);
  // src/engine/verify/keys.ts is the engine's own, not src/keys.
  const engineKeys = "import { KeyResolutionError } from './keys.js';\nvoid KeyResolutionError;\n";
  expect(await lintProbe('src/engine/verify/probe.ts', engineKeys)).toEqual([]);
  // Tests may import anything.
  const fromTest = "import { findOrganisation } from '../src/store/repositories/organisations.js';\n"
    + 'void findOrganisation;\n';
  expect(await lintProbe('test/probe.test.ts', fromTest)).toEqual([]);
});

test('lint finds no crossing in src/', async () => {
  const results = await eslint.lintFiles(['src']);
  const crossings = results.flatMap((r) => layerRule(r.messages)
    .map((m) => `${path.relative(projectRoot, r.filePath)}: ${m.message}`));
  expect(crossings).toEqual([]);
});

const SRC = fromRoot('src');

/** Every .ts file of src/. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

/** The layer of a file: its top-level folder under src/, or its name for a root file (config, main). */
const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!.replace(/\.[jt]s$/, '');

/** Static, type-only, side-effect, re-export and dynamic imports with a relative specifier. */
const SPECIFIERS = new RegExp([
  String.raw`(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]`,
  String.raw`import\(\s*['"](\.[^'"]+)['"]\s*\)`,
  String.raw`import\s+['"](\.[^'"]+)['"]`,
].join('|'), 'g');

function imports(): { file: string; from: string; to: string }[] {
  return sourceFiles().flatMap((file) => [...readFileSync(file, 'utf8').matchAll(SPECIFIERS)].map((m) => ({
    file: path.relative(projectRoot, file),
    from: layerOf(file),
    to: layerOf(path.resolve(path.dirname(file), m[1] ?? m[2] ?? m[3]!)),
  })));
}

test('no import of src/ crosses a layer, dynamic ones included', () => {
  const rules = MAY_IMPORT;
  const found = imports();
  expect(found.length).toBeGreaterThan(500);
  const crossings = found.filter(({ from, to }) => from !== to && from in rules && !rules[from]!.includes(to));
  expect(crossings).toEqual([]);
  // Every file of src/ belongs to a layer the lint rule knows.
  for (const file of sourceFiles()) expect(LAYERS).toContain(layerOf(file));
});

test('no file of src/ is deeper than the lint rule looks', () => {
  // src/http/console/x.ts is depth 2: it reaches src/ with two `../`.
  const depths = sourceFiles().map((file) => path.relative(SRC, file).split(path.sep).length - 1);
  expect(Math.max(...depths)).toBeLessThanOrEqual(MAX_DEPTH);
});
