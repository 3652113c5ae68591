import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../util/errors.js';

// `drill schedule <file or dir>...`: a directory stands for the drill files directly in it (*.yaml,
// *.yml, *.json; not recursive, hidden files skipped), in name order. Each file is listed once.

const DRILL_FILE = /\.(ya?ml|json)$/i;

export interface CollectedFile {
  file: string;
  /** Named on the command line (a missing schedule is then an error), or found in a directory (skipped). */
  explicit: boolean;
}

export async function collectDrillFiles(paths: readonly string[]): Promise<CollectedFile[]> {
  const out = new Map<string, CollectedFile>();
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (info.isDirectory()) {
      const names = (await readdir(p)).filter((n) => DRILL_FILE.test(n) && !n.startsWith('.')).sort();
      if (names.length === 0) throw new UsageError(`${p}: no drill file (*.yaml, *.yml, *.json) in this directory`);
      for (const n of names) {
        const file = path.join(p, n);
        if (!out.has(path.resolve(file))) out.set(path.resolve(file), { file, explicit: false });
      }
    } else {
      out.set(path.resolve(p), { file: p, explicit: true });
    }
  }
  return [...out.values()];
}
