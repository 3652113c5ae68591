// drill's programmatic API: run drills from a Node.js script or a test runner, with the same semantics as
// `drill run` (see docs/api.md). The CLI (src/cli/) is a thin layer over these functions.

export { loadDrillFile as loadDrill, loadDrillText, DrillFileError, type LoadedDrill, type FileProblem } from './spec/load-drill.js';
export type { DrillSpec, StackSpec, StepSpec } from './spec/schema.js';
export { runDrill, type RunOptions, type RunOutcome, type RunDeps } from './run/run-drill.js';
export { runAndReport, type ReportedRun } from './run/run-and-report.js';
export { RunJournal, type PhaseName } from './run/journal.js';
export type { LiveRun, RunSnapshot, LiveFault, LiveWrites, LiveEvent } from './run/live-view.js';
export { writeRunReports as writeReports, writeRenderedReports, type RunReportPaths } from './outputs/write-outputs.js';
export { writeReportsIndex } from './report/reports-index.js';
export type { ResultJson } from './report/result.js';
export type { Measured, Verdict, FaultRecord, TimelineEvent, ObjectiveResult, DivergenceResult } from './measure/types.js';
export type { MarkerKind } from './measure/markers.js';
export { createLogger, type Logger } from './util/log.js';
export { InfraError, UsageError, AbortedError } from './util/errors.js';
