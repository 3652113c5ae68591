import type { ResultJson } from '../report/result.js';

// The seam for an output: one file under src/outputs/<format>.ts exporting one OutputWriter; the
// registry lists them all. Every output is a pure rendering of result.json (itself rendered from the run
// journal), written atomically into the run's directory.

export type OutputKind = 'json' | 'html' | 'junit';

export interface OutputWriter<K extends OutputKind> {
  kind: K;
  /** The file it writes in the run's directory. */
  file: string;
  /** Derived from result.json only (`drill report` rewrites these; result.json itself is never rewritten). */
  rendered: boolean;
  render(result: ResultJson): string;
}

export type OutputWriters = { [K in OutputKind]: OutputWriter<K> };
