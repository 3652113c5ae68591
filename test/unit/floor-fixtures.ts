import type { FaultRecord, LogLine, NodeLog } from '../../src/measure/types.js';

// What the recovery-floor tests build their runs from: log lines a process stamped itself and the engine
// read a little later, node logs, and faults.

/** The run clock's origin on the wall clock: run-clock ms 0. */
export const ORIGIN = Date.parse('2026-12-06T14:00:00Z');

/** A line with `text`, stamped by its process at ownMs (run clock) and read by the engine engineLagMs later. */
export function stampedLine(ownMs: number, text: string, engineLagMs: number): LogLine {
  const engineEpochMs = ORIGIN + ownMs + engineLagMs;
  const stamp = `${new Date(Math.floor(engineEpochMs)).toISOString().slice(0, 19)}.${String(Math.round((engineEpochMs % 1000) * 1e6)).padStart(9, '0')}Z`;
  return { atMs: Math.round((engineEpochMs - ORIGIN) * 10) / 10, stamp, text };
}

export function log(container: string, lines: LogLine[]): NodeLog {
  return { node: container.replace('drill-x-', ''), container, lines, truncated: false };
}

/** A fault on `container` at atMs, in effect 0.5 ms later, its call back 30 ms later. */
export const faultAt = (kind: string, container: string, atMs: number, over: Partial<FaultRecord> = {}): FaultRecord => ({
  kind,
  target: 'primary',
  container,
  injectedAtMs: atMs,
  injectReturnedAtMs: atMs + 30,
  effectByMs: atMs + 0.5,
  ...over,
});

/** A line PostgreSQL stamped at ownMs (run clock, whole ms; log_line_prefix '%m [%p] ') and the engine read engineLagMs later. */
export function pgLine(ownMs: number, text: string, engineLagMs = 0.9): LogLine {
  const own = new Date(ORIGIN + ownMs).toISOString().replace('T', ' ').replace('Z', ' UTC');
  return stampedLine(ownMs, `${own} [57] LOG:  ${text}`, engineLagMs);
}
