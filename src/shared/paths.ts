import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The project root: the folder holding package.json, `contexts/`, `schemas/` and `badge-templates/`.
 * This file lives in `src/shared/` (run with tsx or jest) or `dist/shared/` (built), two levels below the root.
 */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function fromRoot(...segments: string[]): string {
  return path.join(projectRoot, ...segments);
}
