import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { JSON_SCHEMA_ID, buildJsonSchema, renderJsonSchema } from '../../src/spec/json-schema.js';

const committedPath = new URL('../../drill.schema.json', import.meta.url);

describe('drill.schema.json', () => {
  it('is exactly what the generator produces now (run `npm run schema` after changing src/spec/schema.ts)', async () => {
    const committed = await readFile(committedPath, 'utf8');
    assert.deepEqual(JSON.parse(committed), buildJsonSchema());
    assert.equal(committed, renderJsonSchema());
  });

  it('has its $id, a title, and describes the drill file shape', () => {
    const schema = buildJsonSchema() as { $id: string; title: string; $schema: string; required: string[]; properties: Record<string, unknown>; additionalProperties: boolean };
    assert.equal(schema.$id, JSON_SCHEMA_ID);
    assert.equal(schema.$id, 'https://drill.dev/drill.schema.json');
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.ok(schema.title);
    assert.deepEqual(schema.required, ['name', 'stack', 'load', 'steps']);
    assert.deepEqual(Object.keys(schema.properties), ['name', 'description', 'stack', 'layers', 'load', 'steps', 'objectives', 'measure', 'abortIf', 'availability', 'schedule']);
    assert.equal(schema.additionalProperties, false);
  });

  it('describes durations as a string with a unit or a number of ms, with bounds and defaults', () => {
    const schema = buildJsonSchema() as { properties: { load: { properties: Record<string, { anyOf: { type: string; pattern?: string; minimum?: number }[]; default?: unknown }> } } };
    const { timeout, duration } = schema.properties.load.properties;
    assert.equal(timeout!.default, 1000);
    assert.deepEqual(
      timeout!.anyOf.map((a) => a.type),
      ['string', 'number'],
    );
    assert.equal(duration!.anyOf[1]!.minimum, 1000);
    const pattern = new RegExp(duration!.anyOf[0]!.pattern!);
    for (const ok of ['5s', '250ms', '2m', '1h', '1.5s', ' 5 s ']) assert.match(ok, pattern);
    for (const bad of ['5', 's', '5sec', '-5s', '5 seconds']) assert.doesNotMatch(bad, pattern);
  });
});
