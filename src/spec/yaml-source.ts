import { Lexer, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Segment } from './introspect.js';
import { quote, type Problem } from './problem.js';

// The YAML side of the loader: parse with positions, refuse structures no drill file has (and that
// could hurt the parser), and map a path in the data back to a line and column in the text.

/** Nesting deeper than this (an estimate from indentation and brackets) is refused before composing. */
export const MAX_NESTING = 32;
/** A mapping or list with more entries than this is refused (a drill file has at most 100 steps). */
export const MAX_ENTRIES = 1000;
/** Alias expansion budget given to `yaml` (its resource-exhaustion guard against alias bombs). */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

/** More YAML tokens (values, keys, indicators; not blanks or comments) than this are refused unparsed. */
export const MAX_TOKENS = 100_000;

/**
 * One pass over the token stream (the `yaml` lexer is iterative and cheap) that bounds the work of
 * the real parse. It estimates the nesting depth from indentation and brackets: the `yaml` composer
 * recurses once per level and, near the stack limit, can take the whole process down (a V8 fatal
 * error, not a catchable RangeError), so deep input must never reach it. And it counts tokens: a
 * drill file has a few hundred, a hostile megabyte of "1,1,1,…" a million.
 * Returns the offset where a limit is first exceeded.
 */
export function scanTokens(text: string, limits = { nesting: MAX_NESTING, tokens: MAX_TOKENS }): { tooDeep?: number; tooMany?: number } {
  const blockColumns: number[] = [];
  let flow = 0;
  let column = 0;
  let offset = 0;
  let tokens = 0;
  let lineStart = true;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    if (token === '\x02' || token === '\x18') continue; // zero-width: document start, flow error end
    if (token === '\x1f') {
      scalarNext = true; // zero-width: the next token is a scalar's source
      continue;
    }
    const isScalarSource = scalarNext;
    scalarNext = false;
    const first = token[0];
    const blank = !isScalarSource && (first === ' ' || first === '\t' || first === '\n' || first === '\r' || first === '#' || first === '\uFEFF');
    if (!blank) {
      if (++tokens > limits.tokens) return { tooMany: offset };
      if (flow === 0) {
        if (lineStart) {
          while (blockColumns.length > 0 && blockColumns[blockColumns.length - 1]! > column) blockColumns.pop();
          if (blockColumns.length === 0 || blockColumns[blockColumns.length - 1]! < column) blockColumns.push(column);
        } else if (!isScalarSource && (token === '-' || token === '?') && blockColumns[blockColumns.length - 1]! < column) {
          blockColumns.push(column); // compact nesting on one line: "- - - x"
        }
      }
      lineStart = false;
      if (!isScalarSource && (token === '[' || token === '{')) flow++;
      else if (!isScalarSource && (token === ']' || token === '}')) flow = Math.max(0, flow - 1);
      if (blockColumns.length + flow > limits.nesting) return { tooDeep: offset };
    }
    offset += token.length;
    const newline = token.lastIndexOf('\n');
    if (newline === -1) column += token.length;
    else {
      column = token.length - newline - 1;
      if (newline === token.length - 1) lineStart = true;
    }
  }
  return {};
}

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true, version: '1.2' });
  return { doc, lineCounter };
}

const SYNTAX_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: 'a drill file holds exactly one YAML document, but this one has another after "---"',
  TAB_AS_INDENT: 'YAML syntax error: tabs are not allowed as indentation, use spaces',
  RESOURCE_EXHAUSTION: 'YAML is nested too deeply',
};

/** Syntax errors after the first few are mostly echoes of the first: this many are reported. */
const MAX_SYNTAX_ERRORS = 10;

/** YAML syntax errors and warnings (unknown tags…), each with its offset. */
export function syntaxProblems({ doc }: ParsedYaml): Problem[] {
  const problems: Problem[] = [];
  const all = [...doc.errors, ...doc.warnings];
  for (const error of all.slice(0, MAX_SYNTAX_ERRORS)) {
    const known = SYNTAX_MESSAGES[error.code];
    const text = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const message = known ?? (error.code === 'TAG_RESOLVE_FAILED' ? `${text} (drill files use plain YAML, without custom tags)` : `YAML syntax error: ${text}`);
    problems.push({ path: [], message, where: { offset: error.pos[0] } });
  }
  if (all.length > MAX_SYNTAX_ERRORS) {
    problems.push({ path: [], message: `${all.length - MAX_SYNTAX_ERRORS} more YAML syntax error(s) after these; fix the first ones first`, where: 'file' });
  }
  return problems;
}

/** The key of a scalar as it becomes in the data (`yaml` stringifies plain-object keys this way). */
export function keyName(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any YAML scalar, printed as the user wrote it
  return value === null || value === undefined ? '' : String(value);
}

function nodeKind(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return 'an alias';
  return 'a complex key';
}

/**
 * Walks the node tree (iteratively; aliases are not followed) for what a data view cannot show:
 * duplicate keys, non-scalar keys, over-deep nesting and oversized collections.
 */
export function structureProblems({ doc, lineCounter }: ParsedYaml): { problems: Problem[]; firstAlias: number | undefined } {
  const problems: Problem[] = [];
  let firstAlias: number | undefined;
  const pending: { node: unknown; path: Segment[] }[] = [{ node: doc.contents, path: [] }];
  while (pending.length > 0) {
    const { node, path } = pending.pop()!;
    if (isAlias(node)) {
      const start = node.range?.[0];
      if (start !== undefined && (firstAlias === undefined || start < firstAlias)) firstAlias = start;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (path.length > MAX_NESTING) {
      problems.push({ path, message: `nested too deeply (more than ${MAX_NESTING} levels)`, where: { node: path } });
      continue;
    }
    if (node.items.length > MAX_ENTRIES) {
      problems.push({ path, message: `too many entries (${node.items.length}; at most ${MAX_ENTRIES} are accepted in a drill file)`, where: { node: path } });
      continue;
    }
    if (isSeq(node)) {
      node.items.forEach((item, index) => pending.push({ node: item, path: [...path, index] }));
      continue;
    }
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      if (!isScalar(key)) {
        const at = (key as Node | null)?.range?.[0] ?? (node as Node).range?.[0] ?? 0;
        problems.push({ path, message: `mapping keys must be plain names, got ${nodeKind(key)} as a key`, where: { offset: at } });
        continue;
      }
      const name = keyName(key.value);
      const start = key.range?.[0] ?? 0;
      const firstAt = seen.get(name);
      if (firstAt !== undefined) {
        const firstLine = lineCounter.linePos(firstAt).line;
        problems.push({ path, message: `duplicate key ${quote(name)} (first defined on line ${firstLine})`, where: { offset: start } });
        continue;
      }
      seen.set(name, start);
      if (name === '<<') {
        problems.push({ path, message: 'YAML merge keys ("<<") are not supported in drill files: write the keys out', where: { offset: start } });
        continue;
      }
      pending.push({ node: pair.value, path: [...path, name] });
    }
  }
  return { problems, firstAlias };
}

export interface Position {
  line: number | null;
  column: number | null;
}

/** Maps data paths back to positions in the text. */
export class Locator {
  constructor(
    private readonly parsed: ParsedYaml | undefined,
    private readonly text: string,
  ) {}

  at(offset: number): Position {
    if (this.parsed) {
      const { line, col } = this.parsed.lineCounter.linePos(offset);
      return { line, column: col };
    }
    // No YAML parse yet (e.g. a control character found first): count lines ourselves.
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  }

  /** The deepest node along `path`, with the key node it hangs from and how many segments matched. */
  find(path: readonly Segment[]): { node: Node | null; key: Node | null; matched: number } {
    const doc = this.parsed?.doc;
    let node: Node | null = (doc?.contents as Node | null | undefined) ?? null;
    let key: Node | null = null;
    let matched = 0;
    for (const segment of path) {
      let container: Node | null | undefined = node;
      if (isAlias(container) && doc) container = container.resolve(doc) ?? null;
      if (isMap(container)) {
        const pair = container.items.find((p) => isScalar(p.key) && keyName(p.key.value) === String(segment));
        if (!pair) break;
        key = pair.key as Node;
        node = (pair.value as Node | null) ?? null;
        if (node === null) node = key; // `key:` with nothing after it
      } else if (isSeq(container) && typeof segment === 'number' && segment < container.items.length) {
        key = null;
        node = (container.items[segment] as Node | null) ?? null;
      } else {
        break;
      }
      matched++;
    }
    return { node, key, matched };
  }

  /** A node's position; a collection is pointed at by the key that holds it ("load:"), if any. */
  private nodePosition(node: Node | null, key: Node | null): Position {
    const target = (isMap(node) || isSeq(node)) && key ? key : (node ?? key);
    const start = target?.range?.[0];
    if (start === undefined) return this.parsed?.doc.contents ? this.at(this.parsed.doc.contents.range[0]) : { line: 1, column: 1 };
    return this.at(start);
  }

  locate(where: Problem['where']): Position {
    if (where === 'file') return { line: null, column: null };
    if ('offset' in where) return this.at(where.offset);
    if ('key' in where) {
      const found = this.find(where.key);
      if (found.matched === where.key.length && found.key) return this.at(found.key.range?.[0] ?? 0);
      return this.nodePosition(found.node, found.key);
    }
    const found = this.find(where.node);
    return this.nodePosition(found.node, found.key);
  }

  /** Whether the text has a node at `path` (to tell a written value from a default). */
  has(path: readonly Segment[]): boolean {
    return this.find(path).matched === path.length;
  }
}
