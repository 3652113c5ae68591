import type { z } from 'zod';
import { didYouMean } from './suggest.js';
import {
  choiceValues,
  formatCheckMessage,
  keyHomes,
  matchesOption,
  mentionsOption,
  objectOptions,
  objectShape,
  optionLabels,
  schemaAt,
  unionOptions,
  type ObjectOption,
  type Segment,
} from './introspect.js';
import { formatPath, quote, type Problem } from './problem.js';
import { MISSING, describeValue, expectedWord, gotLiteral, isPlainObject, literal, missingKey, oneOf, sizeMessage, valueAt, valueProblem } from './describe-value.js';

export { describeValue } from './describe-value.js';

// Turns zod issues into messages that say what was expected and what was found:
//   steps[0].fault: expected "kill", got "explode"
//   load: unknown key "rat" (did you mean "rate"?)
//   load.rate: expected an integer, got string "fast"

type Issue = z.core.$ZodIssue;

interface Context {
  /** The data that was validated. */
  root: unknown;
  /** Where each key name belongs in the schema, computed on first use. */
  homes: () => Map<string, string[]>;
}

/** Formats zod issues into problems. `schema` is the root schema the issues were produced against. */
export function issuesToProblems(issues: readonly Issue[], root: unknown, schema: unknown): Problem[] {
  let homes: Map<string, string[]> | undefined;
  const ctx: Context = { root, homes: () => (homes ??= keyHomes(schema)) };
  const problems = issues.flatMap((issue) => format(issue, [], schema, ctx));
  // `rat` where `rate` is missing: the unknown key's "did you mean" says it all.
  const suggested = new Set(problems.filter((p) => p.suggests !== undefined).map((p) => `${formatPath(p.path)}\0${p.suggests}`));
  return problems.filter((p) => p.missingKey === undefined || !suggested.has(`${formatPath(p.path)}\0${p.missingKey}`));
}

/**
 * @param base path of the schema `here` within the data (issues inside a union option are relative)
 * @param here the schema that produced `issue`
 */
function format(issue: Issue, base: Segment[], here: unknown, ctx: Context): Problem[] {
  const path = [...base, ...issue.path];
  const value = valueAt(ctx.root, path);
  const fieldSchema = schemaAt(here, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = expectedWord(issue.expected, fieldSchema);
      if (value === MISSING) return [missingKey(path, `expected ${expected}`)];
      let message = `expected ${expected}, got ${describeValue(value)}`;
      if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) && (issue.expected === 'number' || issue.expected === 'int')) message += ' (remove the quotes)';
      return [valueProblem(path, message)];
    }
    case 'invalid_value': {
      if (value === MISSING) return [missingKey(path, `expected ${oneOf(issue.values)}`)];
      const strings = issue.values.filter((v): v is string => typeof v === 'string');
      const hint = typeof value === 'string' && strings.length > 1 ? didYouMean(value, strings) : undefined;
      return [valueProblem(path, `expected ${oneOf(issue.values)}, got ${gotLiteral(value)}${hint ? ` (did you mean ${quote(hint)}?)` : ''}`)];
    }
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(path, key, fieldSchema, value, ctx));
    case 'too_small':
    case 'too_big':
      return [valueProblem(path, sizeMessage(issue, value, fieldSchema))];
    case 'invalid_format': {
      // A union such as a target: zod reports only the string option's format; say every option.
      if (value !== MISSING && unionExpected(fieldSchema) !== undefined) return [unionValueProblem(path, fieldSchema, value)];
      const got = value === MISSING ? 'nothing' : gotLiteral(value);
      const custom = !/^Invalid/.test(issue.message);
      const what = custom ? issue.message : issue.format === 'regex' && issue.pattern ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`;
      return [valueProblem(path, `expected ${what}, got ${got}`)];
    }
    case 'invalid_key': {
      const key = String(path[path.length - 1]);
      const inner = issue.issues[0];
      const what = inner && !/^Invalid/.test(inner.message) ? inner.message : 'a valid key';
      return [{ path: path.slice(0, -1), message: `invalid key ${quote(key)}: expected ${what}`, where: { key: path } }];
    }
    case 'invalid_union':
      return unionProblems(issue, path, fieldSchema, value, ctx);
    default:
      // custom (durations: already "expected …, got …"), not_multiple_of, invalid_element
      return [valueProblem(path, issue.message)];
  }
}

/** The options of a union of mappings the value means: those it matches, else those it mentions. */
function meantOptions(options: readonly ObjectOption[], value: unknown): ObjectOption[] {
  const matching = options.filter((o) => matchesOption(o, value));
  if (matching.length > 0) return matching;
  return options.filter((o) => mentionsOption(o, value));
}

/** The keys a mapping accepts; for a union of mappings, those of the option(s) the value means. */
function acceptedKeys(schema: unknown, value: unknown): string[] {
  const shape = objectShape(schema);
  if (shape) return Object.keys(shape);
  const options = objectOptions(schema);
  if (!options) return [];
  const meant = meantOptions(options, value);
  return [...new Set((meant.length > 0 ? meant : options).flatMap((o) => o.keys))];
}

/**
 * For a key that another kind of this union takes: "for fault: kill (it belongs to fault: stop|restart)".
 * Undefined when the value is not clearly one option, or no sibling takes the key.
 */
function siblingHint(schema: unknown, key: string, value: unknown): string | undefined {
  const options = objectOptions(schema);
  if (!options) return undefined;
  const matching = options.filter((o) => matchesOption(o, value));
  if (matching.length === 0 || matching.some((o) => o.keys.includes(key))) return undefined;
  // The same family first (other faults for a fault step, other kinds for a stack), then any other.
  const family = new Set(matching.flatMap((o) => o.markers));
  const takers = options.filter((o) => !matching.includes(o) && o.keys.includes(key));
  const kin = takers.filter((o) => o.markers.some((m) => family.has(m)));
  const others = kin.length > 0 ? kin : takers;
  if (others.length === 0) return undefined;
  return ` for ${optionLabels(matching).join(', ')} (it belongs to ${optionLabels(others).join(' or ')})`;
}

function unknownKey(path: Segment[], key: string, schema: unknown, value: unknown, ctx: Context): Problem {
  const present = isPlainObject(value) ? new Set(Object.keys(value)) : new Set<string>();
  const accepted = acceptedKeys(schema, value);
  const known = accepted.filter((k) => !present.has(k));
  const suggestion = didYouMean(key, known);
  let hint = '';
  if (suggestion) hint = ` (did you mean ${quote(suggestion)}?)`;
  else {
    const sibling = siblingHint(schema, key, value);
    const homes = ctx
      .homes()
      .get(key)
      ?.filter((h) => h !== formatPath(path));
    // A key at home in several places (rto: the drill's objectives and each event kind's) points at the shallowest one, when it is the only one that shallow.
    const depth = (h: string) => (h === '' ? 0 : h.split(/[.[]/).length);
    const shallowest = homes && homes.length > 0 ? Math.min(...homes.map(depth)) : 0;
    const home = homes?.filter((h) => depth(h) === shallowest);
    if (sibling) hint = sibling;
    else if (home?.length === 1) hint = home[0] === '' ? ' (it belongs at the top level)' : ` (it belongs in ${quote(home[0]!.replace(/\[\]/g, '[…]'))})`;
    else if (accepted.length > 0 && accepted.length <= 8) hint = ` (expected one of ${accepted.map((k) => quote(k)).join(', ')})`;
  }
  const problem: Problem = { path, message: `unknown key ${quote(key)}${hint}`, where: { key: [...path, key] } };
  if (suggestion) problem.suggests = suggestion;
  return problem;
}

/** `expected "primary", … or a node name such as "db-2", got "primay" (did you mean "primary"?)`. */
function unionValueProblem(path: Segment[], schema: unknown, value: unknown): Problem {
  const strings = (unionOptions(schema) ?? []).flatMap((a) => choiceValues(a) ?? []).filter((v): v is string => typeof v === 'string');
  const hint = typeof value === 'string' && strings.length > 1 ? didYouMean(value, strings) : undefined;
  return valueProblem(path, `expected ${unionExpected(schema)}, got ${gotLiteral(value)}${hint ? ` (did you mean ${quote(hint)}?)` : ''}`);
}

/**
 * What a scalar union accepts, from its options: `"primary", "replica" or a node name such as "db-2"`.
 * Undefined when some option cannot be put in words.
 */
function unionExpected(schema: unknown): string | undefined {
  const alternatives = unionOptions(schema);
  if (!alternatives) return undefined;
  const choices: unknown[] = [];
  const others: string[] = [];
  for (const alternative of alternatives) {
    const values = choiceValues(alternative);
    const format = values ? undefined : formatCheckMessage(alternative);
    if (values) choices.push(...values);
    else if (format) others.push(format);
    else return undefined;
  }
  if (others.length === 0) return oneOf(choices);
  const listed = choices.map(literal).join(', ');
  return listed === '' ? others.join(' or ') : `${listed} or ${others.join(' or ')}`;
}

function unionProblems(issue: z.core.$ZodIssueInvalidUnion, path: Segment[], schema: unknown, value: unknown, ctx: Context): Problem[] {
  const custom = issue.message !== 'Invalid input' && !issue.message.startsWith('Invalid discriminator');

  // A discriminated union whose discriminator (the last path segment, e.g. stack.kind) is wrong.
  if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
    const options = issue.options;
    if (value === MISSING) return [missingKey(path, `expected ${oneOf(options)}`)];
    const strings = options.filter((o): o is string => typeof o === 'string');
    const hint = typeof value === 'string' && strings.length > 1 ? didYouMean(value, strings) : undefined;
    return [valueProblem(path, `expected ${oneOf(options)}, got ${gotLiteral(value)}${hint ? ` (did you mean ${quote(hint)}?)` : ''}`)];
  }

  if (value === MISSING) return [missingKey(path, custom ? issue.message : `expected ${unionExpected(schema) ?? 'a value'}`)];

  // A union of mappings (a step): pick the option the entry means, by its marker keys ("fault: kill").
  const options = objectOptions(schema);
  if (options && options.length === issue.errors.length) return mappingUnionProblems(issue, path, schema, options, value, ctx);

  // A scalar union with its own message (durations): say what was found.
  if (custom) return [valueProblem(path, /\bgot\b/.test(issue.message) ? issue.message : `${issue.message}, got ${describeValue(value)}`)];

  // Anything else: a plain type mismatch against every option ("a string or a number"); choices and
  // formats ("primary", … or a node name such as "db-2"); or else explain the option that came closest.
  const alternatives = unionOptions(schema);
  if (issue.errors.length === 0) return [valueProblem(path, issue.message)];
  const words = issue.errors.map((errors, i) => {
    const only = errors.length === 1 ? errors[0] : undefined;
    return only?.code === 'invalid_type' && only.path.length === 0 ? expectedWord(only.expected, alternatives?.[i]) : undefined;
  });
  if (words.every((w) => w !== undefined)) {
    return [valueProblem(path, `expected ${[...new Set(words)].join(' or ')}, got ${describeValue(value)}`)];
  }
  if (unionExpected(schema) !== undefined) return [unionValueProblem(path, schema, value)];
  let bestIndex = 0;
  issue.errors.forEach((errors, i) => {
    if (errors.length < issue.errors[bestIndex]!.length) bestIndex = i;
  });
  return issue.errors[bestIndex]!.flatMap((inner) => format(inner, path, alternatives?.[bestIndex], ctx));
}

/** A union of mappings (a step): explain the entry against the kind of step it means. */
function mappingUnionProblems(issue: z.core.$ZodIssueInvalidUnion, path: Segment[], schema: unknown, options: ObjectOption[], value: unknown, ctx: Context): Problem[] {
  const examples = optionLabels(options);
  const examplesText = examples.length > 1 ? `${examples.slice(0, -1).join(', ')} or ${examples[examples.length - 1]}` : examples.join('');
  if (!isPlainObject(value)) return [valueProblem(path, `expected a mapping (${examplesText}), got ${describeValue(value)}`)];
  const indexed = options.map((o, i) => ({ o, i }));
  const mentioned = indexed.filter(({ o }) => mentionsOption(o, value));

  if (mentioned.length === 0) {
    const identifying = [...new Set(options.flatMap((o) => o.markers))];
    const allKeys = new Set(options.flatMap((o) => o.keys));
    const problems: Problem[] = [
      valueProblem(
        path,
        `expected one of the keys ${identifying.map((k) => quote(k)).join(', ')} to say what this is (${examplesText}), got ${
          Object.keys(value).length === 0
            ? 'an empty mapping'
            : `keys ${Object.keys(value)
                .slice(0, 8)
                .map((k) => quote(k))
                .join(', ')}`
        }`,
      ),
    ];
    for (const key of Object.keys(value).slice(0, 20)) {
      if (allKeys.has(key)) continue;
      const suggestion = didYouMean(key, allKeys);
      if (suggestion) problems.push({ path, message: `unknown key ${quote(key)} (did you mean ${quote(suggestion)}?)`, where: { key: [...path, key] } });
    }
    return problems;
  }

  const explain = (inner: Issue, option: ObjectOption): Problem[] =>
    inner.code === 'unrecognized_keys' && inner.path.length === 0 ? inner.keys.map((key) => unknownKey(path, key, schema, value, ctx)) : format(inner, path, option.schema, ctx);

  const matching = mentioned.filter(({ o }) => matchesOption(o, value));
  if (matching.length > 0) {
    const pick = matching.reduce((best, c) => (issue.errors[c.i]!.length < issue.errors[best.i]!.length ? c : best));
    return issue.errors[pick.i]!.flatMap((inner) => explain(inner, pick.o));
  }

  // A marker key is there, with a value no option has ("fault: explode"): say which values it takes.
  const problems: Problem[] = [];
  const badKeys = new Set<string>();
  for (const key of new Set(mentioned.flatMap(({ o }) => [...o.literals.keys()]))) {
    if (!Object.hasOwn(value, key)) continue;
    const values = [...new Set(mentioned.flatMap(({ o }) => o.literals.get(key) ?? []))];
    const got = value[key];
    if (values.includes(got)) continue;
    badKeys.add(key);
    const strings = values.filter((v): v is string => typeof v === 'string');
    const hint = typeof got === 'string' && strings.length > 1 ? didYouMean(got, strings) : undefined;
    problems.push(valueProblem([...path, key], `expected ${oneOf(values)}, got ${gotLiteral(got)}${hint ? ` (did you mean ${quote(hint)}?)` : ''}`));
  }
  // Besides: what every kind it could be would say (a missing target, a bad "at"), once; and keys none takes.
  const signature = (p: Problem) => `${formatPath(p.path)}\0${p.message}`;
  const perOption = mentioned.map(({ o, i }) =>
    issue.errors[i]!.filter((inner) => !(inner.code === 'unrecognized_keys' && inner.path.length === 0))
      .filter((inner) => !(inner.path.length >= 1 && badKeys.has(String(inner.path[0]))))
      .flatMap((inner) => format(inner, path, o.schema, ctx)),
  );
  const common = perOption[0]!.filter((p) => perOption.every((list) => list.some((q) => signature(q) === signature(p))));
  const taken = new Set(mentioned.flatMap(({ o }) => o.keys));
  const unknown = Object.keys(value)
    .filter((k) => !taken.has(k))
    .slice(0, 20)
    .map((k) => unknownKey(path, k, schema, value, ctx));
  if (problems.length === 0 && common.length === 0 && unknown.length === 0) {
    const pick = mentioned.reduce((best, c) => (issue.errors[c.i]!.length < issue.errors[best.i]!.length ? c : best));
    return issue.errors[pick.i]!.flatMap((inner) => explain(inner, pick.o));
  }
  return [...problems, ...common, ...unknown];
}
