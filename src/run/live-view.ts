import type { EventSource } from '../measure/types.js';
import type { PhaseName } from './journal.js';

// A read-only live view of one run, for progress displays (the CLI's progress line): what a run exposes
// while it goes on, read on a timer. live-run.ts builds it from the run's state.

export interface LiveWrites {
  sent: number;
  ok: number;
  failed: number;
  unknown: number;
  inFlight: number;
}

/** Where a fault step of the drill file is. `atMs` is its time in the drill file (from the end of warm-up). */
export type LiveFault = { fault: string; target: string; atMs: number } & (
  | { state: 'pending'; inMs: number }
  /** Its time has come and it is not in place yet (the injecting call takes up to a few hundred ms). */
  | { state: 'injecting' }
  | { state: 'in-effect'; node: string }
  | { state: 'healed'; node: string }
  /** The steps ended (an error, an abort) before it was injected. */
  | { state: 'skipped' }
);

export interface LiveEvent {
  source: EventSource;
  message: string;
}

export interface RunSnapshot {
  runId: string;
  drillName: string;
  /** ms since the run started (monotonic). */
  elapsedMs: number;
  /** Every phase started so far, in order, at ms since the run started. */
  phases: readonly { phase: PhaseName; atMs: number }[];
  /** Every phase is over, teardown included: the reports are being written. */
  finished: boolean;
  /** The load's counters once it runs; null before. */
  writes: LiveWrites | null;
  /** The drill's fault steps, in order, once the load runs (their times count from the end of warm-up). */
  faults: LiveFault[];
  /** The newest event from the system itself (Sentinel, the engine, a runbook step, the detector, a layer). */
  event: LiveEvent | null;
}

export interface LiveRun {
  snapshot(): RunSnapshot;
}
