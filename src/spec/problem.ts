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

/** A value quoted for a one-line message: JSON escapes, and long strings cut. */
export function quote(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
