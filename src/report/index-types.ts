// What the reports index knows of the runs under a reports directory (reports-index.ts reads them, index-html.ts draws them).

/** What the index keeps of one run. */
export interface IndexedRun {
  /** The run's directory name under the reports directory (links are relative to it). */
  dir: string;
  runId: string;
  drillName: string;
  drillFile: string;
  verdict: string;
  reason: string | null;
  startedAt: string;
  /** Date.parse(startedAt); null when unreadable (sorted last). */
  startedMs: number | null;
  rtoMs: number | null;
  rtoDeclaredMs: number | null;
  precisionMs: number | null;
  downtimeMs: number | null;
  lostWrites: number | null;
  lostDeclared: number | null;
  unexpectedWrites: number | null;
  /** Time from the drill's first event to the first page (a monitoring layer's first notification after it), or null without one. */
  mttdMs: number | null;
  /** The drill file's declared MTBF at that run, or null. */
  mtbfMs: number | null;
  /** The drill file's availability objective at that run (percent, a floor), or null. */
  availabilityDeclared: number | null;
  hasReport: boolean;
  hasJunit: boolean;
}

export interface ReportsScan {
  runs: IndexedRun[];
  warnings: string[];
}
