import type { Segment } from './introspect.js';

/** A problem found in a drill file, before it is pinned to a line and column. */
export interface Problem {
  /** Path shown to the user: the offending field, or the mapping for a key-level problem. */
  path: Segment[];
  message: string;
  /**
   * What to point at: the node at `path` (or its nearest existing ancestor), the key node of the last
   * segment of `path` (unknown or duplicate keys), or a raw offset in the text (syntax errors).
   */
  where: { node: Segment[] } | { key: Segment[] } | { offset: number } | 'file';
  /** For de-duplication: a missing key, or the key an unknown key is a typo of. */
  missingKey?: string;
  suggests?: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** ['steps', 0, 'fault'] → "steps[0].fault"; odd keys are quoted: stack.redisConfig["a b"]. */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += IDENTIFIER.test(key) ? (out === '' ? key : `.${key}`) : `[${quote(key)}]`;
    }
  }
  return out;
}

/**
 * Characters JSON leaves as they are but a reader cannot see or that reorder the line: byte-order
 * mark, zero-width and bidirectional controls, line/paragraph separators, other format characters.
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]/g;

/** A value quoted for a one-line message: JSON escapes (invisible characters too), and long strings cut. */
export function quote(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
