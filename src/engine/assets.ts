import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * Where the engine's data files are: `contexts/` (bundled JSON-LD contexts) and `schemas/ob3/`, at the package
 * root. The engine finds them itself rather than through src/shared/paths.ts, so that it depends on nothing of
 * the service (the layer rule in eslint.config.js). This file lives in `src/engine/` or `dist/engine/`, two
 * levels below the root either way.
 */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function engineAsset(...segments: string[]): string {
  return path.join(packageRoot, ...segments);
}
