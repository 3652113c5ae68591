import { makeDir } from '../util/make-dir.js';
import { join } from 'node:path';
import type { ResultJson } from '../report/result.js';
import { writeFileAtomic } from '../report/write-file-atomic.js';
import type { OutputKind, OutputWriter } from './plugin.js';
import { outputWriters } from './registry.js';

export interface RunReportPaths {
  resultPath: string;
  htmlPath: string;
  junitPath: string;
}

async function writeEach(dir: string, result: ResultJson, pick: (w: OutputWriter<OutputKind>) => boolean): Promise<Partial<Record<OutputKind, string>>> {
  await makeDir(dir);
  const paths: Partial<Record<OutputKind, string>> = {};
  for (const writer of Object.values(outputWriters) as OutputWriter<OutputKind>[]) {
    if (!pick(writer)) continue;
    const path = join(dir, writer.file);
    await writeFileAtomic(path, writer.render(result));
    paths[writer.kind] = path;
  }
  return paths;
}

/** Every output of a run into `dir` (created if needed), each atomically, result.json first. */
export async function writeRunReports(dir: string, result: ResultJson): Promise<RunReportPaths> {
  const p = await writeEach(dir, result, () => true);
  return { resultPath: p.json!, htmlPath: p.html!, junitPath: p.junit! };
}

/** Only what is rendered from result.json (report.html, junit.xml): what `drill report` does, so the result.json it read is never rewritten. */
export async function writeRenderedReports(dir: string, result: ResultJson): Promise<{ htmlPath: string; junitPath: string }> {
  const p = await writeEach(dir, result, (w) => w.rendered);
  return { htmlPath: p.html!, junitPath: p.junit! };
}
