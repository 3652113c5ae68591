import type { z } from 'zod';
import { numberInfo, type Segment } from './introspect.js';
import { quote, type Problem } from './problem.js';

// How issues.ts words values, types, sizes and missing keys in its messages.

export const MISSING = Symbol('missing');

/** The value at `path` in the data, or MISSING (own properties only: no prototype surprises). */
export function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') {
      if (segment >= current.length) return MISSING;
      current = current[segment];
    } else if (current !== null && typeof current === 'object' && !Array.isArray(current) && typeof segment === 'string') {
      if (!Object.hasOwn(current, segment)) return MISSING;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return MISSING;
    }
  }
  return current;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** How a found value is named after "got": string "fast", 1.5, true, a list, a mapping, an empty value. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `string ${quote(value)}`;
  if (typeof value === 'number') return Number.isNaN(value) ? '.nan' : String(value);
  if (typeof value === 'boolean') return `boolean ${value}`;
  if (typeof value === 'bigint') return `${value}`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (ArrayBuffer.isView(value)) return 'binary data';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  return typeof value;
}

/** A literal for "expected …": "kill", 5, true. */
export function literal(value: unknown): string {
  return typeof value === 'string' ? quote(value) : String(value);
}

/** "got …" for enum-like mismatches: the bare quoted string reads best there. */
export function gotLiteral(value: unknown): string {
  return typeof value === 'string' ? quote(value) : describeValue(value);
}

export function oneOf(values: readonly unknown[]): string {
  if (values.length === 1) return literal(values[0]);
  return `one of ${values.map(literal).join(', ')}`;
}

export const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  null: 'an empty value',
};

export function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

/** "an integer", "a string", … for the schema at a path, falling back to zod's `expected`. */
export function expectedWord(expected: string, schema: unknown): string {
  const number = numberInfo(schema);
  if (number && (expected === 'number' || expected === 'int')) return number.integer ? 'an integer' : 'a number';
  return TYPE_WORDS[expected] ?? expected;
}

export function missingKey(path: Segment[], expected: string): Problem {
  const parent = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  return { path: parent, message: `missing required key ${quote(key)} (${expected})`, where: { node: parent }, missingKey: key };
}

export function valueProblem(path: Segment[], message: string): Problem {
  return { path, message, where: { node: path } };
}

export function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown, schema: unknown): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  const relation = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
  switch (issue.origin) {
    case 'number':
    case 'int': {
      const info = numberInfo(schema);
      const what = info?.integer ? 'an integer' : 'a number';
      const range = info ? rangeText(info.min, info.max) : ` ${relation} ${bound}`;
      return `expected ${what}${range}, got ${describeValue(value)}`;
    }
    case 'array': {
      const count = Array.isArray(value) ? value.length : 0;
      return `expected ${relation} ${bound} ${bound === 1 ? 'entry' : 'entries'}, got ${count}`;
    }
    case 'string': {
      const length = typeof value === 'string' ? value.length : 0;
      if (small && bound === 1) return 'expected a non-empty string';
      return `expected ${relation} ${bound} characters, got ${length}`;
    }
    default:
      return issue.message;
  }
}
