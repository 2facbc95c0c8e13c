import { readFileSync } from 'node:fs';
import { generate, TARGET } from '../../scripts/schema-types.js';

/**
 * A use case's input type is derived from the JSON Schema that checks it (issue 11 §2): src/app/input-types.ts is
 * generated from schemas/api/, and must be what the schemas give today.
 */
test('src/app/input-types.ts is what the schemas in schemas/api/ generate (run `npm run schema-types` after a change)', async () => {
  expect(readFileSync(TARGET, 'utf8')).toBe(await generate());
}, 30_000);
