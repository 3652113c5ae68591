import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResultJson } from '../report/result.js';
import { UsageError, errorMessage } from '../util/errors.js';

// Reading a run's result.json for a command that renders from it: a run directory or the file itself,
// checked the way `drill report` checks it (JSON, schemaVersion 1, a verdict). Anything wrong is a
// UsageError (exit 2) that names the file.

/** A path as the user would type it: relative to the current directory when inside it. */
export function shownPath(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
}

/** The result.json a path means: the file itself, or `<dir>/result.json`. */
export async function resultFileOf(given: string): Promise<string> {
  const full = path.resolve(given);
  const info = await stat(full).catch(() => null);
  if (info === null) throw new UsageError(`${given}: no such file or directory (give a run directory or its result.json)`);
  if (info.isFile()) return full;
  if (!info.isDirectory()) throw new UsageError(`${given}: not a file or a directory (give a run directory or its result.json)`);
  const file = path.join(full, 'result.json');
  const isFile = await stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) throw new UsageError(`${given}: no result.json in this directory (give a run directory, reports/<runId>, or its result.json)`);
  return file;
}

/** Reads and checks one result.json; the same checks as `drill report`. */
export async function readResultFile(file: string): Promise<ResultJson> {
  let result: ResultJson;
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as ResultJson;
  } catch (error) {
    throw new UsageError(`${shownPath(file)}: cannot read a result (${errorMessage(error)})`);
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- result.json is read from disk: it may be anything
  if (result?.schemaVersion !== 1 || typeof result.verdict !== 'string') throw new UsageError(`${shownPath(file)}: not a drill result.json (schemaVersion 1 expected)`);
  return result;
}
