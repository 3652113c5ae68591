// Node names as the built-in stacks start them, for validation messages and fault targets.

/** "db-2", "db-2, db-3", "db-2 … db-4". */
export function nodeRange(prefix: string, from: number, to: number): string {
  if (to <= from) return `${prefix}-${from}`;
  if (to === from + 1) return `${prefix}-${from}, ${prefix}-${to}`;
  return `${prefix}-${from} … ${prefix}-${to}`;
}

export function nodeNames(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => `${prefix}-${from + i}`);
}
