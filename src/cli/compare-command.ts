import path from 'node:path';
import { compareResults } from '../report/compare.js';
import { renderCompareHtml } from '../report/compare-html.js';
import { renderCompareText } from '../report/compare-text.js';
import { writeFileAtomic } from '../report/write-file-atomic.js';
import { UsageError, errorMessage } from '../util/errors.js';
import { readResultFile, resultFileOf, shownPath } from './result-input.js';

export interface CompareOptions {
  /** --compare: must be exactly two run directories (or result.json files), A then B. */
  paths: readonly string[];
  /** `drill report <dir>` given as well: a mistake with --compare. */
  dir?: string;
  /** --out: the HTML file; default compare-<runIdA>-vs-<runIdB>.html in the current directory. */
  out?: string;
  /** --metrics-file: belongs to one run, not to a comparison. */
  metricsFile?: string;
  /** --notify-url: posts one run's verdict, not a comparison. */
  notifyUrl?: string;
}

/**
 * `drill report --compare A B [--out FILE]`: what changed from run A to run B. The text goes to stdout (for a
 * terminal or a CI log), the HTML to a file whose path is printed; neither run's files are touched. Two
 * different drills may be compared (two configurations), with a warning on stderr.
 */
export async function compareCommand(opts: CompareOptions): Promise<void> {
  if (opts.paths.length !== 2) throw new UsageError(`--compare takes two run directories, A and B (got ${opts.paths.length}): drill report --compare A B [--out FILE]`);
  if (opts.dir !== undefined) throw new UsageError(`--compare takes its two run directories itself; drop ${JSON.stringify(opts.dir)} or --compare: drill report --compare A B [--out FILE]`);
  if (opts.metricsFile !== undefined) throw new UsageError('--metrics-file is for one run (drill report <run dir> --metrics-file F.prom), not for --compare');
  if (opts.notifyUrl !== undefined) throw new UsageError('--notify-url is for one run (drill report <run dir> --notify-url URL), not for --compare');
  if (opts.out !== undefined && opts.out.trim() === '') throw new UsageError('--out: expected a file name for the comparison page');

  const [fileA, fileB] = [await resultFileOf(opts.paths[0]!), await resultFileOf(opts.paths[1]!)];
  const comparison = compareResults(await readResultFile(fileA), await readResultFile(fileB));
  if (!comparison.sameDrill) process.stderr.write(`drill: warning: comparing two different drills: A is ${JSON.stringify(comparison.a.drillName)}, B is ${JSON.stringify(comparison.b.drillName)}\n`);

  const out = path.resolve(opts.out ?? `compare-${fileSafe(comparison.a.runId)}-vs-${fileSafe(comparison.b.runId)}.html`);
  try {
    await writeFileAtomic(out, renderCompareHtml(comparison));
  } catch (error) {
    // Like an unwritable reports directory for `drill run`: the command line named a place that cannot be written.
    throw new UsageError(`${shownPath(out)}: cannot write the comparison (${errorMessage(error)})`);
  }
  process.stdout.write(`${renderCompareText(comparison)}\ncompare: ${shownPath(out)}\n`);
}

/** A run id as part of a file name: run ids are drill's own (20261122T031919Z-5c01d2), but result.json may hold anything. */
function fileSafe(runId: string): string {
  return runId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'run';
}
