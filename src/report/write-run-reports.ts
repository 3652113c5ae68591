import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReportHtml } from './html-report.js';
import { renderJunitXml } from './junit.js';
import type { ResultJson } from './result.js';
import { writeFileAtomic } from './write-file-atomic.js';

export interface RunReportPaths {
  resultPath: string;
  htmlPath: string;
  junitPath: string;
}

/** Writes result.json (pretty), report.html and junit.xml into `dir` (created if needed), each atomically. */
export async function writeRunReports(dir: string, result: ResultJson): Promise<RunReportPaths> {
  await mkdir(dir, { recursive: true });
  const resultPath = join(dir, 'result.json');
  await writeFileAtomic(resultPath, JSON.stringify(result, null, 2) + '\n');
  return { resultPath, ...(await writeRenderedReports(dir, result)) };
}

/**
 * Writes only what is rendered from result.json (report.html, junit.xml), each atomically: what
 * `drill report` does, so the result.json it read is never rewritten.
 */
export async function writeRenderedReports(dir: string, result: ResultJson): Promise<{ htmlPath: string; junitPath: string }> {
  const htmlPath = join(dir, 'report.html');
  const junitPath = join(dir, 'junit.xml');
  await writeFileAtomic(htmlPath, renderReportHtml(result));
  await writeFileAtomic(junitPath, renderJunitXml(result));
  return { htmlPath, junitPath };
}
