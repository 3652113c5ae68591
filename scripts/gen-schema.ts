// Writes drill.schema.json at the repo root from the zod schema (src/spec/schema.ts): `npm run schema`.
// `--check` only compares, and exits 1 if the committed file is stale (test/unit/spec-json-schema
// asserts the same).
import { fileURLToPath } from 'node:url';
import { renderJsonSchema } from '../src/spec/json-schema.js';
import { writeOrCheck } from './write-generated.js';

const target = fileURLToPath(new URL('../drill.schema.json', import.meta.url));
const text = renderJsonSchema();

await writeOrCheck(target, text, 'npm run schema');
