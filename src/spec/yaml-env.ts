import { isMap, isScalar, isSeq, Scalar } from 'yaml';
import type { Node } from 'yaml';
import { expandVariables, unsetMessage, type Environment, type ResolvedVariable } from './env-vars.js';
import type { Segment } from './introspect.js';
import { formatPath, type Problem } from './problem.js';
import { keyName, type ParsedYaml } from './yaml-source.js';

// Environment variables applied to the parsed YAML, one string value at a time (never to the text: a
// variable's value cannot add structure). Keys are left as written. The text of the file is not
// changed either, so what a report embeds is the file as written, with its `${NAME}`.

export interface Substitution {
  problems: Problem[];
  /** Every reference resolved, in no particular order. */
  variables: ResolvedVariable[];
  /** Values that were one reference in quotes ("${RATE}") and read as a number or boolean, by formatted path: they stay strings. */
  quotedWhole: Map<string, string>;
}

// An unquoted value that is only a reference takes the type the value would have written there: a
// number or true/false when it reads as one (`rate: ${RATE}` with RATE=300 is the number 300). Only
// these: an empty value stays "", and "null" or "0x1f" stay strings, so a value never vanishes.
const BOOLEAN = /^(?:true|True|TRUE|false|False|FALSE)$/;
const NUMBER = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

function typedAsWritten(value: string): string | number | boolean {
  if (BOOLEAN.test(value)) return value.toLowerCase() === 'true';
  if (NUMBER.test(value)) return Number(value);
  return value;
}

/** Substitutes every string value of the document in place. */
export function substituteVariables({ doc }: ParsedYaml, text: string, env: Environment): Substitution {
  const result: Substitution = { problems: [], variables: [], quotedWhole: new Map() };
  const pending: { node: unknown; path: Segment[] }[] = [{ node: doc.contents, path: [] }];
  while (pending.length > 0) {
    const { node, path } = pending.pop()!;
    if (isSeq(node)) node.items.forEach((item, index) => pending.push({ node: item, path: [...path, index] }));
    else if (isMap(node)) {
      for (const pair of node.items) if (isScalar(pair.key)) pending.push({ node: pair.value, path: [...path, keyName(pair.key.value)] });
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      substituteScalar(node, path, text, env, result);
    }
  }
  return result;
}

function substituteScalar(node: Scalar, path: Segment[], text: string, env: Environment, result: Substitution): void {
  const written = node.value as string;
  // Where in the text a position of the value is: exact when the value is in the source as written
  // (plain and quoted values without escapes), else the value's own start.
  const where = (at: number): Problem['where'] => {
    const [start, end] = (node as Node).range ?? [0, 0];
    const inSource = text.slice(start, end).indexOf(written);
    return inSource >= 0 ? { offset: start + inSource + at } : { node: path };
  };
  const expansion = expandVariables(written, env);
  switch (expansion.kind) {
    case 'invalid':
      result.problems.push({ path, message: expansion.message, where: where(expansion.at) });
      return;
    case 'unset':
      for (const { name, at } of expansion.names) result.problems.push({ path, message: unsetMessage(name), where: where(at) });
      return;
    case 'ok': {
      result.variables.push(...expansion.variables);
      const plain = node.type === Scalar.PLAIN;
      node.value = expansion.whole && plain ? typedAsWritten(expansion.value) : expansion.value;
      // Quoted, it stays a string even where it reads as a number: remembered to explain a type error.
      if (expansion.whole && !plain && typeof typedAsWritten(expansion.value) !== 'string') result.quotedWhole.set(formatPath(path), written);
      return;
    }
  }
}

/**
 * Better hints where a reference meets YAML's own rules: inside { } or [ ] an unquoted `${X}` is a
 * syntax error (braces are flow indicators there), and a quoted one is a string, so the usual "remove
 * the quotes" would lead straight into that syntax error.
 */
export function explainReferences(problems: Problem[], text: string, quotedWhole: ReadonlyMap<string, string>): Problem[] {
  let flowHinted = false;
  return problems.map((p) => {
    if (!flowHinted && typeof p.where === 'object' && 'offset' in p.where && p.where.offset > 0 && text.startsWith('${', p.where.offset - 1)) {
      flowHinted = true;
      return { ...p, message: `${p.message} (inside { } or [ ], write a variable in quotes, "\${NAME}", or move the value to its own line)` };
    }
    const reference = quotedWhole.get(formatPath(p.path));
    if (reference !== undefined && p.message.includes(', got string ')) {
      const key = p.path[p.path.length - 1];
      const example = typeof key === 'string' ? `${key}: ${reference}` : `- ${reference}`;
      const message = p.message.replace(/ \(remove the quotes\)$/, '');
      return { ...p, message: `${message} (${JSON.stringify(reference)} in quotes stays a string: write it without quotes, on a line of its own: ${example})` };
    }
    return p;
  });
}
