import { readdir, readFile, stat } from 'node:fs/promises';
import { makeDir } from '../util/make-dir.js';
import { join } from 'node:path';
import type { ResultJson } from './result.js';
import { renderIndexHtml } from './index-html.js';
import type { IndexedRun, ReportsScan } from './index-types.js';

export type { IndexedRun, ReportsScan } from './index-types.js';
import { num } from './svg-util.js';
import { writeFileAtomic } from './write-file-atomic.js';
import { LATEST_LINK } from './latest-link.js';

// reports/index.html: every run under a reports directory, newest first, with a trend per drill. Built
// from the result.json files alone, so it can be rebuilt at any time (`drill report <reports dir>`). A
// result.json that cannot be read is skipped with a warning (on the page and to onWarning): one corrupt
// run must never hide the others.

/** Reads every DIR/&lt;run&gt;/result.json, newest first. Never throws for a bad run; a missing directory is an empty scan. */
export async function scanReports(reportsDir: string): Promise<ReportsScan> {
  const warnings: string[] = [];
  let names: string[];
  try {
    names = (await readdir(reportsDir, { withFileTypes: true })).filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.') && d.name !== LATEST_LINK).map((d) => d.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') warnings.push(`${reportsDir}: cannot list (${message(error)})`);
    return { runs: [], warnings };
  }
  const runs: IndexedRun[] = [];
  for (const name of names.sort()) {
    const file = join(reportsDir, name, 'result.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      // A directory without result.json is not a run (or one still running): nothing to say.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') warnings.push(`${name}/result.json: skipped, cannot read (${message(error)})`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      warnings.push(`${name}/result.json: skipped, not valid JSON (${message(error)})`);
      continue;
    }
    const problem = notAResult(parsed);
    if (problem) {
      warnings.push(`${name}/result.json: skipped, ${problem}`);
      continue;
    }
    try {
      runs.push({ ...summarize(name, parsed as ResultJson), ...(await siblings(join(reportsDir, name))) });
    } catch (error) {
      warnings.push(`${name}/result.json: skipped, unreadable result (${message(error)})`);
    }
  }
  runs.sort(newestFirst);
  return { runs, warnings };
}

/**
 * Writes reportsDir/index.html atomically and returns its path. Corrupt or unreadable result.json files
 * are skipped, listed on the page and passed to onWarning; only a failure to write the index throws.
 */
export async function writeReportsIndex(reportsDir: string, opts: { onWarning?: (warning: string) => void } = {}): Promise<string> {
  const scan = await scanReports(reportsDir);
  for (const w of scan.warnings) opts.onWarning?.(w);
  const path = join(reportsDir, 'index.html');
  await makeDir(reportsDir);
  await writeFileAtomic(path, renderIndexHtml(scan));
  return path;
}

export function newestFirst(a: IndexedRun, b: IndexedRun): number {
  if (a.startedMs !== b.startedMs) {
    if (a.startedMs === null) return 1;
    if (b.startedMs === null) return -1;
    return b.startedMs - a.startedMs;
  }
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

function notAResult(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const r = v as Partial<ResultJson>;
  if (r.schemaVersion !== 1) return `schemaVersion ${JSON.stringify(r.schemaVersion ?? null)} (1 expected)`;
  if (typeof r.verdict !== 'string') return 'no verdict';
  if (typeof r.drill !== 'object' || r.drill === null || typeof r.drill.name !== 'string') return 'no drill name';
  return null;
}

function summarize(dir: string, r: ResultJson): Omit<IndexedRun, 'hasReport' | 'hasJunit'> {
  const objectives = Array.isArray(r.objectives) ? r.objectives : [];
  const declared = (name: string) => num(objectives.find((o) => o?.name === name)?.declared);
  const m = r.measured && typeof r.measured === 'object' ? r.measured : null;
  const started = Date.parse(String(r.startedAt));
  return {
    dir,
    runId: typeof r.runId === 'string' ? r.runId : dir,
    drillName: r.drill.name,
    drillFile: String(r.drill.file ?? ''),
    verdict: r.verdict,
    reason: typeof r.reason === 'string' ? r.reason : null,
    startedAt: String(r.startedAt ?? ''),
    startedMs: Number.isFinite(started) ? started : null,
    rtoMs: num(m?.rtoMs),
    rtoDeclaredMs: declared('rtoMs'),
    precisionMs: num(m?.precisionMs),
    downtimeMs: num(m?.downtimeMs),
    lostWrites: num(m?.lostWrites),
    lostDeclared: declared('lostWrites'),
    unexpectedWrites: num(m?.unexpectedWrites),
    mttdMs: firstPageMs(r),
    mtbfMs: num(r.availability?.mtbfMs),
    availabilityDeclared: declared('availability'),
  };
}

/** A run's time to detect: from the monitoring layer's start of MTTD to its first notification after it (result.json is read as untrusted). */
function firstPageMs(r: ResultJson): number | null {
  const layers: unknown[] = Array.isArray(r.layers) ? r.layers : [];
  let best: number | null = null;
  for (const layer of layers) {
    const l = layer as { kind?: unknown; faultAtMs?: unknown; alerts?: unknown };
    const from = num(l.faultAtMs);
    if (l.kind !== 'monitoring' || from === null || !Array.isArray(l.alerts)) continue;
    for (const a of l.alerts as { notifiedAtMs?: unknown }[]) {
      const at = num(a.notifiedAtMs);
      if (at !== null && at >= from && (best === null || at - from < best)) best = at - from;
    }
  }
  return best;
}

async function siblings(dir: string): Promise<{ hasReport: boolean; hasJunit: boolean }> {
  const exists = (p: string) =>
    stat(join(dir, p)).then(
      (s) => s.isFile(),
      () => false,
    );
  return { hasReport: await exists('report.html'), hasJunit: await exists('junit.xml') };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
