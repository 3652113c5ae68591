import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResultJson } from '../report/result.js';
import { writeRunReports } from '../report/index.js';
import { UsageError, errorMessage } from '../util/errors.js';

/** `drill report <dir>`: rebuild report.html from result.json alone. */
export async function reportCommand(opts: { dir: string }): Promise<void> {
  const file = path.join(opts.dir, 'result.json');
  let result: ResultJson;
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as ResultJson;
  } catch (error) {
    throw new UsageError(`${file}: cannot read a result (${errorMessage(error)})`);
  }
  if (result?.schemaVersion !== 1 || typeof result.verdict !== 'string') throw new UsageError(`${file}: not a drill result.json (schemaVersion 1 expected)`);
  const paths = await writeRunReports(opts.dir, result);
  process.stdout.write(`report: ${path.relative(process.cwd(), paths.htmlPath)}\n`);
}
