// Writes drill.schema.json at the repo root from the zod schema (src/spec/schema.ts): `npm run schema`.
// `--check` only compares, and exits 1 if the committed file is stale (test/unit/spec-json-schema
// asserts the same).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderJsonSchema } from '../src/spec/json-schema.js';

const target = fileURLToPath(new URL('../drill.schema.json', import.meta.url));
const text = renderJsonSchema();

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write(`${target} is stale: run \`npm run schema\`\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${target} is up to date\n`);
  }
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
