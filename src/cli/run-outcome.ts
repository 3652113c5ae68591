import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { objectiveState } from '../measure/objectives.js';
import type { ObjectiveResult } from '../measure/types.js';
import { LOGS_DIR } from '../outputs/write-logs.js';
import type { ResultJson } from '../report/result.js';
import { renderSummaryText, type Paint } from '../report/summary-text.js';

// What `drill run` prints on stdout at the end: the summary and where everything is (absolute paths and a
// file:// URL of the report, so they work from any directory and open with a click), or with --json one
// line for machines. Pure: the caller writes it.

/** Where the run's files went. fallback: the reports directory failed and result.json went to the temp directory. */
export interface RunFilesWritten {
  resultPath: string;
  htmlPath?: string;
  junitPath?: string;
  indexPath?: string | null;
  fallback: boolean;
}

/** Where the files of a run are, absolute; null for what was not written. */
export interface RunLocations {
  resultPath: string | null;
  reportPath: string | null;
  /** report.html as a file:// URL (percent-encoded). */
  reportUrl: string | null;
  junitPath: string | null;
  writesPath: string | null;
  logsDir: string | null;
  indexPath: string | null;
}

/** The --json line. runId, verdict, reason, objectives, measured and the four paths are what it always carried. */
export interface RunSummaryJson extends RunLocations {
  drill: string;
  /** The drill file, absolute. */
  drillFile: string;
  runId: string;
  verdict: ResultJson['verdict'];
  reason: string | null;
  objectives: (ObjectiveResult & { state: 'met' | 'missed' | 'not-measured' })[];
  measured: SummaryNumbers | null;
  /** Only when the reports directory failed: the whole result rides along. */
  fallback?: true;
  result?: ResultJson;
}

type SummaryNumbers = Pick<
  NonNullable<ResultJson['measured']>,
  'rtoMs' | 'downtimeMs' | 'rpoMs' | 'precisionMs' | 'totalWrites' | 'ackedWrites' | 'failedWrites' | 'unknownWrites' | 'lostWrites' | 'recoveredWrites' | 'unexpectedWrites'
>;

export function runLocations(result: ResultJson, where: RunFilesWritten | null): RunLocations {
  const abs = (p: string | null | undefined) => (p ? path.resolve(p) : null);
  const reportPath = abs(where?.htmlPath);
  // writes.csv and logs/ sit beside result.json in the run's directory, never beside a fallback copy.
  const runDir = where && !where.fallback ? path.dirname(path.resolve(where.resultPath)) : null;
  const writesFile = result.files?.writes?.file;
  return {
    resultPath: abs(where?.resultPath),
    reportPath,
    reportUrl: reportPath && pathToFileURL(reportPath).href,
    junitPath: abs(where?.junitPath),
    writesPath: runDir && writesFile ? path.join(runDir, writesFile) : null,
    logsDir: runDir && result.files?.logs?.length ? path.join(runDir, LOGS_DIR) : null,
    indexPath: abs(where?.indexPath),
  };
}

export function runSummaryJson(result: ResultJson, drillFile: string, where: RunFilesWritten | null): RunSummaryJson {
  const m = result.measured;
  return {
    drill: result.drill.name,
    drillFile: path.resolve(drillFile),
    runId: result.runId,
    verdict: result.verdict,
    reason: result.reason,
    objectives: result.objectives.map((o) => ({ ...o, state: objectiveState(o) })),
    measured: m && {
      rtoMs: m.rtoMs,
      downtimeMs: m.downtimeMs,
      rpoMs: m.rpoMs,
      precisionMs: m.precisionMs,
      totalWrites: m.totalWrites,
      ackedWrites: m.ackedWrites,
      failedWrites: m.failedWrites,
      unknownWrites: m.unknownWrites,
      lostWrites: m.lostWrites,
      recoveredWrites: m.recoveredWrites,
      unexpectedWrites: m.unexpectedWrites,
    },
    ...runLocations(result, where),
    ...(where === null || where.fallback ? { fallback: true as const, result } : {}),
  };
}

/**
 * The summary, then where the files are. `where` null: nothing could be written anywhere, so the whole
 * result follows on stdout.
 */
export function runOutcomeText(result: ResultJson, where: RunFilesWritten | null, paint: Paint): string {
  let text = `${renderSummaryText(result, paint)}\n`;
  if (where === null) return `${text}the reports could not be written anywhere; the whole result.json follows:\n${JSON.stringify(result)}\n`;
  const at = runLocations(result, where);
  if (where.fallback) return `${text}the reports directory failed: result.json saved to ${at.resultPath}\n`;
  const rows: [string, string | null][] = [
    ['report', at.reportPath],
    ['open', at.reportUrl],
    ['result', at.resultPath],
    ['junit', at.junitPath],
    ['writes', at.writesPath],
    ['logs', at.logsDir && `${at.logsDir}${path.sep}`],
    ['index', at.indexPath],
  ];
  for (const [label, value] of rows) if (value) text += `${`${label}:`.padEnd(8)}${value}\n`;
  return text;
}
