import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ResultJson } from '../report/result.js';
import { writeFileAtomic } from '../report/write-file-atomic.js';
import { UsageError, errorMessage } from '../util/errors.js';
import { makeDir } from '../util/make-dir.js';
import { json } from './json.js';

// Where a run's evidence goes, checked before anything starts, and where it goes when that fails at the
// end. A drill is expensive and sometimes disruptive: what it measured must survive.

/** Create the reports directory and write and remove a probe file in it; a usage error (exit 2) with the path and the reason otherwise. */
export async function checkOutDir(outDir: string): Promise<void> {
  const dir = path.resolve(outDir);
  const probe = path.join(dir, `.drill-write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await makeDir(dir);
    await writeFile(probe, 'drill checks that reports can be written here\n');
    await unlink(probe);
  } catch (error) {
    throw new UsageError(`--out ${outDir}: the reports directory ${dir} cannot be created or written: ${errorMessage(error)}; nothing was started`);
  }
}

/** Where result.json goes when the reports directory fails at the end: the system temp directory, named by run id. */
export function fallbackResultPath(runId: string): string {
  return path.join(os.tmpdir(), `drill-${runId}-result.json`);
}

/** Write result.json to the fallback location; its path, or null when even that failed (the caller prints the result). */
export async function writeFallbackResult(result: ResultJson): Promise<string | null> {
  const file = fallbackResultPath(result.runId);
  try {
    await writeFileAtomic(file, json.render(result));
    return file;
  } catch {
    return null;
  }
}
