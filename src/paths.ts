import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The project root: the folder holding package.json, `contexts/`, `schemas/` and `badge-templates/`.
 * This file lives in `src/` (run with tsx or jest) or `dist/` (built), one level below the root either way.
 */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function fromRoot(...segments: string[]): string {
  return path.join(projectRoot, ...segments);
}
