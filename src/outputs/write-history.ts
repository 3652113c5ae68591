import { join } from 'node:path';
import type { WriteRecord } from '../load/history.js';
import { writeFileAtomic } from '../report/write-file-atomic.js';

// writes.csv: every tracked write of the run, one compact line each, so every lost or unknown write can be
// looked up, not only the first 20 that result.json lists: id, invoke and complete time (run-clock ms,
// 0.1 ms), outcome, and whether the id was found after recovery (1, 0, or empty when the data could not
// be read back). About 30 bytes a write.

export const HISTORY_FILE = 'writes.csv';
/** The probe stream's writes, in the same format, apart so that writes.csv stays the declared load's. */
export const PROBE_HISTORY_FILE = 'probe-writes.csv';

export function renderHistoryCsv(history: readonly WriteRecord[], presentIds: ReadonlySet<number> | null): string {
  const lines = ['id,invokeMs,completeMs,outcome,found'];
  const sorted = [...history].sort((a, b) => a.invokeMs - b.invokeMs || a.id - b.id);
  for (const w of sorted) lines.push(`${w.id},${w.invokeMs.toFixed(1)},${w.completeMs.toFixed(1)},${w.outcome},${presentIds === null ? '' : presentIds.has(w.id) ? 1 : 0}`);
  return `${lines.join('\n')}\n`;
}

/** Write the run's write history next to its result.json; what result.json says of it. */
export async function writeHistory(
  dir: string,
  history: readonly WriteRecord[],
  presentIds: ReadonlySet<number> | null,
  file = HISTORY_FILE,
): Promise<{ file: string; writes: number; bytes: number }> {
  const text = renderHistoryCsv(history, presentIds);
  await writeFileAtomic(join(dir, file), text);
  return { file, writes: history.length, bytes: Buffer.byteLength(text) };
}
