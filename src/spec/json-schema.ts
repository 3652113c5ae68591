import { z } from 'zod';
import { DURATION_PATTERN, durationInputs, formatDurationMs } from './duration.js';
import { drillSchema } from './schema.js';

// The published JSON Schema of drill files (drill.schema.json at the repo root, `npm run schema`),
// generated from the zod schema, so editors can complete and check drill files as they are typed.
// A unit test fails when the committed file differs from what this builds.

export const JSON_SCHEMA_ID = 'https://drill.dev/drill.schema.json';

type JsonObject = Record<string, unknown>;

function defaultOf(schema: unknown): { value: unknown } | undefined {
  const def = (schema as { _zod?: { def?: { type?: string; defaultValue?: unknown } } })._zod?.def;
  return def?.type === 'default' ? { value: def.defaultValue } : undefined;
}

export function buildJsonSchema(): JsonObject {
  const generated = z.toJSONSchema(drillSchema, {
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      const json = jsonSchema as JsonObject;
      // Durations: zod only knows "number or string"; say which strings, and that numbers are ms.
      const bounds = durationInputs.get(zodSchema as unknown as z.ZodType);
      if (bounds) {
        delete json['type'];
        const range = `${formatDurationMs(bounds.minMs)} to ${formatDurationMs(bounds.maxMs)}`;
        json['anyOf'] = [
          { type: 'string', pattern: DURATION_PATTERN, description: `A duration with a unit (ms, s, m, h, d), or several from the largest to the smallest (1m30s), ${range}` },
          { type: 'number', minimum: bounds.minMs, maximum: bounds.maxMs, description: 'Milliseconds' },
        ];
        json['examples'] = ['5s', '250ms', '2m', '1m30s'];
      }
      // Defaults wrapped around a transform are dropped by zod in input mode; they are valid inputs.
      const fallback = defaultOf(zodSchema);
      if (fallback && json['default'] === undefined && fallback.value !== undefined) json['default'] = fallback.value;
    },
  }) as JsonObject;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: JSON_SCHEMA_ID,
    title: 'drill file',
    ...rest,
  };
}

/** The file's exact text: two-space JSON and a final newline. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
