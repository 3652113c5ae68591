import { quote } from './problem.js';

// Environment variables in a drill file's string values: `${NAME}`, `${NAME:-default}` (the default
// when NAME is unset or empty, as in a shell or Compose), `$${` for a literal "${". A default may hold
// references itself (`${A:-${B:-x}}`) and runs to the "}" that closes it. Nothing else is special: `$NAME`
// without braces and a lone "$" stay as written. This file is the grammar and its evaluation on one
// string; yaml-env.ts applies it to the parsed YAML, value by value, so a variable can never add keys,
// lists, anchors or comments to the file.

/** Deeper nesting of defaults is refused: no drill needs it, and recursion stays bounded. */
export const MAX_REFERENCE_DEPTH = 8;

/** Names whose values are secrets: masked (***) everywhere drill writes, like stack passwords. */
const SECRET_NAME = /pass|secret|token|key|credential/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

type Piece = { kind: 'text'; text: string } | { kind: 'ref'; name: string; fallback: Piece[] | null; at: number };

/** A reference the template holds, as resolved: its value, and whether it came from the environment. */
export interface ResolvedVariable {
  name: string;
  value: string;
  from: 'environment' | 'default';
}

export type Expansion =
  | { kind: 'ok'; value: string; variables: ResolvedVariable[]; /** The whole text is one reference: `${X}`. */ whole: boolean }
  | { kind: 'unset'; names: { name: string; at: number }[] }
  | { kind: 'invalid'; message: string; at: number };

export type Environment = Readonly<Record<string, string | undefined>>;

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const LITERAL_HINT = 'a literal "${" is written "$${"';

class TemplateError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** Pieces from `pos` up to the end, or (inside a default) up to its closing "}". */
function parseSequence(text: string, pos: number, depth: number): { pieces: Piece[]; end: number } {
  const pieces: Piece[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') pieces.push({ kind: 'text', text: literal });
    literal = '';
  };
  while (pos < text.length) {
    if (depth > 0 && text[pos] === '}') break;
    if (text.startsWith('$${', pos)) {
      literal += '${';
      pos += 3;
    } else if (text.startsWith('${', pos)) {
      flush();
      const ref = parseReference(text, pos, depth);
      pieces.push(ref.piece);
      pos = ref.end;
    } else {
      // Plain text up to the next "$" (or the "}" closing a default), copied in one go.
      let next = pos + 1;
      while (next < text.length && text[next] !== '$' && !(depth > 0 && text[next] === '}')) next++;
      literal += text.slice(pos, next);
      pos = next;
    }
  }
  flush();
  return { pieces, end: pos };
}

/** `${NAME}` or `${NAME:-default}` starting at `start`. */
function parseReference(text: string, start: number, depth: number): { piece: Piece; end: number } {
  if (depth >= MAX_REFERENCE_DEPTH) throw new TemplateError(`variable references nested more than ${MAX_REFERENCE_DEPTH} deep`, start);
  NAME.lastIndex = start + 2;
  const name = NAME.exec(text)?.[0];
  const close = text.indexOf('}', start);
  const shown = quote(close === -1 ? text.slice(start) : text.slice(start, close + 1), 40);
  const expected = `expected \${NAME} or \${NAME:-default}, NAME made of letters, digits and "_", not starting with a digit (${LITERAL_HINT})`;
  if (name === undefined) throw new TemplateError(`invalid variable reference ${shown}: ${expected}`, start);
  let pos = start + 2 + name.length;
  if (text[pos] === '}') return { piece: { kind: 'ref', name, fallback: null, at: start }, end: pos + 1 };
  if (!text.startsWith(':-', pos)) {
    if (pos >= text.length) throw new TemplateError(`"\${${name}" is not closed by "}" (${LITERAL_HINT})`, start);
    throw new TemplateError(`invalid variable reference ${shown}: ${expected}`, start);
  }
  const inner = parseSequence(text, pos + 2, depth + 1);
  pos = inner.end;
  if (text[pos] !== '}') throw new TemplateError(`"\${${name}:-…" is not closed by "}" (${LITERAL_HINT})`, start);
  return { piece: { kind: 'ref', name, fallback: inner.pieces, at: start }, end: pos + 1 };
}

/** Substitutes the variables of one string value. Defaults are evaluated only when they are used. */
export function expandVariables(text: string, env: Environment): Expansion {
  let pieces: Piece[];
  try {
    pieces = parseSequence(text, 0, 0).pieces;
  } catch (error) {
    if (error instanceof TemplateError) return { kind: 'invalid', message: error.message, at: error.at };
    throw error;
  }
  const variables: ResolvedVariable[] = [];
  const unset: { name: string; at: number }[] = [];
  const evaluate = (list: Piece[]): string => {
    let out = '';
    for (const piece of list) {
      if (piece.kind === 'text') {
        out += piece.text;
        continue;
      }
      const value = env[piece.name];
      // `${X}` takes X even when empty (shell and Compose do the same); `${X:-d}` takes d then.
      if (value !== undefined && (piece.fallback === null || value !== '')) {
        variables.push({ name: piece.name, value, from: 'environment' });
        out += value;
      } else if (piece.fallback !== null) {
        const fallback = evaluate(piece.fallback);
        variables.push({ name: piece.name, value: fallback, from: 'default' });
        out += fallback;
      } else {
        unset.push({ name: piece.name, at: piece.at });
      }
    }
    return out;
  };
  const value = evaluate(pieces);
  if (unset.length > 0) return { kind: 'unset', names: unset };
  return { kind: 'ok', value, variables, whole: pieces.length === 1 && pieces[0]!.kind === 'ref' };
}

/** The message for a variable that is not set and has no default. */
export function unsetMessage(name: string): string {
  return `environment variable ${name} is not set (write \${${name}:-default} for a default)`;
}
