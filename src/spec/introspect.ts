import type { z } from 'zod';
import { durationInputs } from './duration.js';

// Just enough zod-4 introspection to explain an issue: which keys an object accepts (for "did you
// mean"), whether a number is an integer and its bounds, which literal keys tell union options apart.
// It reads `_zod.def`, zod 4's public-but-internal definition object, and degrades to `undefined`.

export type Segment = PropertyKey;

interface Def {
  type: string;
  [key: string]: unknown;
}

function defOf(schema: unknown): Def | undefined {
  const def = (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
  return def && typeof def.type === 'string' ? def : undefined;
}

export function typeOf(schema: unknown): string | undefined {
  return defOf(schema)?.type;
}

/** Strips wrappers that do not change what the input looks like: pipes/transforms, defaults, optional… */
export function unwrap(schema: unknown): z.ZodType | undefined {
  let current = schema;
  for (let guard = 0; guard < 32; guard++) {
    const def = defOf(current);
    if (!def) return undefined;
    switch (def.type) {
      case 'pipe':
        current = def['in'];
        break;
      case 'default':
      case 'prefault':
      case 'optional':
      case 'nullable':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        current = def['innerType'];
        break;
      case 'lazy':
        current = (def['getter'] as () => unknown)();
        break;
      default:
        return current as z.ZodType;
    }
  }
  return undefined;
}

export function objectShape(schema: unknown): Record<string, z.ZodType> | undefined {
  const inner = unwrap(schema);
  const def = defOf(inner);
  return def?.type === 'object' ? (def['shape'] as Record<string, z.ZodType>) : undefined;
}

export function unionOptions(schema: unknown): z.ZodType[] | undefined {
  const def = defOf(unwrap(schema));
  return def?.type === 'union' ? (def['options'] as z.ZodType[]) : undefined;
}

/** The schema of `path` below `schema`; union options are searched for the first that has the key. */
export function schemaAt(schema: unknown, path: readonly Segment[]): z.ZodType | undefined {
  let current: unknown = schema;
  for (const segment of path) {
    const inner = unwrap(current);
    const def = defOf(inner);
    if (!def) return undefined;
    if (def.type === 'object') {
      current = typeof segment === 'string' && Object.hasOwn(def['shape'] as object, segment) ? (def['shape'] as Record<string, unknown>)[segment] : undefined;
    } else if (def.type === 'array') {
      current = def['element'];
    } else if (def.type === 'record') {
      current = def['valueType'];
    } else if (def.type === 'union') {
      const options = def['options'] as unknown[];
      current = options.map((o) => schemaAt(o, [segment])).find((s) => s !== undefined);
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current as z.ZodType | undefined;
}

/** "an integer" or "a number", with bounds when the schema has them. */
export function numberInfo(schema: unknown): { integer: boolean; min: number | undefined; max: number | undefined } | undefined {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def?.type !== 'number') return undefined;
  const n = inner as unknown as { minValue: number | null; maxValue: number | null; isInt?: boolean; format?: string | null };
  const integer = n.isInt === true || (typeof n.format === 'string' && n.format.includes('int'));
  const clean = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);
  return { integer, min: clean(n.minValue), max: clean(n.maxValue) };
}

/** The literal values a field must have, if it is a literal (e.g. `fault: kill`). */
export function literalValues(schema: unknown): unknown[] | undefined {
  const def = defOf(unwrap(schema));
  if (def?.type === 'literal') return def['values'] as unknown[];
  return undefined;
}

export interface ObjectOption {
  schema: z.ZodType;
  keys: string[];
  /** Fields with a literal value, which identify the option: { fault: ['kill'] }. */
  literals: Map<string, unknown[]>;
  /**
   * The keys that say "this entry is this option": the literal fields, or, for an option without
   * any (`{ wait: 2s }`), its required keys.
   */
  markers: string[];
}

/** Whether a field may be left out (optional, or with a default). */
function isOptionalField(schema: unknown): boolean {
  return (schema as { _zod?: { optin?: string } } | undefined)?._zod?.optin === 'optional';
}

/** The options of a union of objects, or undefined when some option is not an object. */
export function objectOptions(schema: unknown): ObjectOption[] | undefined {
  const options = unionOptions(schema);
  if (!options) return undefined;
  const result: ObjectOption[] = [];
  for (const option of options) {
    const shape = objectShape(option);
    if (!shape) return undefined;
    const literals = new Map<string, unknown[]>();
    for (const [key, field] of Object.entries(shape)) {
      const values = literalValues(field);
      if (values) literals.set(key, values);
    }
    const markers = literals.size > 0 ? [...literals.keys()] : Object.keys(shape).filter((k) => !isOptionalField(shape[k]));
    result.push({ schema: option, keys: Object.keys(shape), literals, markers });
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether `value` names at least one of the option's marker keys (it is meant to be that option, or a sibling). */
export function mentionsOption(option: ObjectOption, value: unknown): boolean {
  return isRecord(value) && option.markers.some((k) => Object.hasOwn(value, k));
}

/** Whether `value` has every marker key of the option, with one of its literal values where it has some. */
export function matchesOption(option: ObjectOption, value: unknown): boolean {
  if (!isRecord(value) || option.markers.length === 0) return false;
  return option.markers.every((k) => Object.hasOwn(value, k) && (!option.literals.has(k) || option.literals.get(k)!.includes(value[k])));
}

/** Whether a field is a duration (see duration.ts). */
export function isDuration(schema: unknown): boolean {
  const inner = unwrap(schema);
  return inner !== undefined && durationInputs.has(inner);
}

/**
 * How a set of options is written, grouped by marker key: "fault: kill|stop|pause|restart",
 * "action: promote|repoint", "wait: <duration>", "waitFor: recovered".
 */
export function optionLabels(options: readonly ObjectOption[]): string[] {
  const groups = new Map<string, string[]>();
  for (const option of options) {
    for (const key of option.markers) {
      const list = groups.get(key) ?? [];
      const values = option.literals.get(key);
      if (values) {
        for (const v of values) if (!list.includes(String(v))) list.push(String(v));
      } else if (list.length === 0) {
        list.push(isDuration(objectShape(option.schema)?.[key]) ? '<duration>' : '…');
      }
      groups.set(key, list);
    }
  }
  return [...groups].map(([key, values]) => `${key}: ${values.join('|')}`);
}

/** The message of a string's own format check (`.regex(re, 'a node name such as "db-2"')`), if it has one. */
export function formatCheckMessage(schema: unknown): string | undefined {
  const def = defOf(unwrap(schema));
  if (def?.type !== 'string' || !Array.isArray(def['checks'])) return undefined;
  for (const check of def['checks'] as unknown[]) {
    const checkDef = (check as { _zod?: { def?: { check?: string; error?: unknown } } } | undefined)?._zod?.def;
    if (checkDef?.check !== 'string_format' || typeof checkDef.error !== 'function') continue;
    try {
      const message: unknown = (checkDef.error as (issue: unknown) => unknown)({});
      if (typeof message === 'string' && message !== '') return message;
    } catch {
      // not a constant message: no description
    }
  }
  return undefined;
}

/** The values of a literal or an enum schema. */
export function choiceValues(schema: unknown): unknown[] | undefined {
  const def = defOf(unwrap(schema));
  if (def?.type === 'literal') return def['values'] as unknown[];
  if (def?.type === 'enum') return Object.values(def['entries'] as Record<string, unknown>);
  return undefined;
}

/**
 * Where each key name is accepted in the whole schema, as display paths of the owning mapping
 * ("objectives", "steps[]"): to say `"rto" belongs in "objectives"` for a misplaced key.
 */
export function keyHomes(root: unknown): Map<string, string[]> {
  const homes = new Map<string, string[]>();
  const seen = new Set<unknown>();
  const visit = (schema: unknown, where: string, depth: number) => {
    const inner = unwrap(schema);
    const def = defOf(inner);
    if (!def || depth > 16 || seen.has(inner)) return;
    seen.add(inner);
    if (def.type === 'object') {
      for (const [key, field] of Object.entries(def['shape'] as Record<string, unknown>)) {
        const list = homes.get(key) ?? [];
        if (!list.includes(where)) list.push(where);
        homes.set(key, list);
        visit(field, where === '' ? key : `${where}.${key}`, depth + 1);
      }
    } else if (def.type === 'array') {
      visit(def['element'], `${where}[]`, depth + 1);
    } else if (def.type === 'union') {
      for (const option of def['options'] as unknown[]) visit(option, where, depth + 1);
    } else if (def.type === 'record') {
      visit(def['valueType'], `${where}.*`, depth + 1);
    }
  };
  visit(root, '', 0);
  return homes;
}
