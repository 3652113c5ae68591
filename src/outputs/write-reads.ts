import { join } from 'node:path';
import type { ReadRecord } from '../load/read-load.js';
import { writeFileAtomic } from '../report/write-file-atomic.js';

// reads.csv: every tracked read of the run (load.reads), one line each, beside writes.csv: seq, key,
// send and completion time (run-clock ms, 0.1 ms), outcome, the version read (empty: not found, or not
// ok), for own reads the write it had to see, and why a read failed. With writes.csv (write id N is a version of key
// N mod keys) every anomaly drill counts can be checked again by anyone (docs/reads.md).

export const READ_HISTORY_FILE = 'reads.csv';

export function renderReadsCsv(reads: readonly ReadRecord[]): string {
  const lines = ['seq,key,invokeMs,completeMs,outcome,version,ownWriteId,error'];
  for (const r of reads)
    lines.push(`${r.seq},${r.key},${r.invokeMs.toFixed(1)},${r.completeMs.toFixed(1)},${r.outcome},${r.version ?? ''},${r.ownWriteId ?? ''},${(r.error ?? '').replace(/[,\n\r"]/g, ' ')}`);
  return `${lines.join('\n')}\n`;
}

export async function writeReadHistory(dir: string, reads: readonly ReadRecord[]): Promise<{ file: string; reads: number; bytes: number }> {
  const text = renderReadsCsv(reads);
  await writeFileAtomic(join(dir, READ_HISTORY_FILE), text);
  return { file: READ_HISTORY_FILE, reads: reads.length, bytes: Buffer.byteLength(text) };
}
