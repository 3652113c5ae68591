import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReportHtml } from './html-report.js';
import type { ResultJson } from './result.js';
import { writeFileAtomic } from './write-file-atomic.js';

/** Writes result.json (pretty) and report.html into `dir` (created if needed), each atomically. */
export async function writeRunReports(dir: string, result: ResultJson): Promise<{ resultPath: string; htmlPath: string }> {
  await mkdir(dir, { recursive: true });
  const resultPath = join(dir, 'result.json');
  const htmlPath = join(dir, 'report.html');
  await writeFileAtomic(resultPath, JSON.stringify(result, null, 2) + '\n');
  await writeFileAtomic(htmlPath, renderReportHtml(result));
  return { resultPath, htmlPath };
}
