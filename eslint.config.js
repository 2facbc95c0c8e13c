// Lint: typescript-eslint's recommended rules, type-aware where it matters (floating promises).
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ (README, Architecture), enforced here: what each top-level folder (or root file) may import
 * besides itself and packages. Everything else under src/ is forbidden to it. Tests (test/) may import anything;
 * src/main.ts (the composition root) and src/cli (the command, which starts the service) wire everything. The
 * named exports are for test/architecture/layers.test.ts, which also checks what lint cannot see (import()).
 */
export const LAYERS = [
  'shared', 'engine', 'config', 'store', 'net', 'keys', 'mail', 'images', 'app', 'oauth', 'views', 'http', 'cli',
  'main',
];
/** Layers that are one file at the root of src/ rather than a folder. */
const ROOT_FILES = ['config'];
export const MAY_IMPORT = {
  shared: [],
  engine: [],
  config: ['engine', 'shared'],
  store: ['engine', 'config', 'shared'],
  net: ['engine', 'shared'],
  keys: ['engine', 'store', 'config', 'shared'],
  mail: ['engine', 'store', 'config', 'shared'],
  images: ['engine', 'shared'],
  app: ['engine', 'store', 'keys', 'mail', 'net', 'images', 'config', 'shared'],
  oauth: ['app', 'store', 'engine', 'config', 'shared'],
  views: ['app', 'engine', 'shared'],
  http: ['app', 'oauth', 'views', 'images', 'engine', 'config', 'shared'],
};
const WHY = {
  store: 'routes and infrastructure reach the database through use cases (src/app)',
  app: 'use cases are called from outside; they take what they need from outside as ports (src/app/presentation.ts)',
  views: 'rendering reaches use cases through ports filled by src/main.ts, and is called by src/http',
  http: 'nothing below the web layer depends on it',
};
/**
 * An import reaches src/<other> when it climbs exactly to src/ and goes down into <other>: from
 * src/http/console/x.ts that is `../../store/…`. So there is one block per depth of the importing file (a fixed
 * number of `../`), never a guess by folder name: engine/verify/keys.ts is not src/keys.
 */
export const MAX_DEPTH = 6; // src/ is 3 deep today; test/architecture/layers.test.ts fails should a file go deeper
const layerRules = Object.entries(MAY_IMPORT).flatMap(([layer, allowed]) => {
  const others = LAYERS.filter((other) => other !== layer && !allowed.includes(other));
  // A root file (src/config.ts) is depth 0 and imports `./engine/…`; src/http/x.ts is depth 1 (`../store/…`).
  const depths = ROOT_FILES.includes(layer) ? [0] : Array.from({ length: MAX_DEPTH }, (_, i) => i + 1);
  return depths.map((depth) => ({
    files: [depth === 0 ? `src/${layer}.ts` : `src/${layer}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: others.map((other) => ({
          regex: `^${depth === 0 ? '\\./' : `(\\.\\./){${depth}}`}${other}(/|\\.js$|$)`,
          message: `src/${layer} may not import src/${other} (layers: README, Architecture)`
            + (WHY[other] ? `: ${WHY[other]}.` : '.'),
        })),
      }],
    },
  }));
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'scratch/', 'test-output/', 'data/', 'keys/', 'public/vendor/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  ...layerRules,
  {
    // Long lines hide repetition and are hard to review. Prettier (.prettierrc.json) wraps code at this width;
    // strings and comments are wrapped by hand.
    files: ['src/**/*.ts'],
    rules: { 'max-len': ['error', { code: 120, ignoreUrls: false }] },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
