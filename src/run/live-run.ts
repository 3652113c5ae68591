import { performance } from 'node:perf_hooks';
import type { EventSource } from '../measure/types.js';
import type { LiveEvent, LiveFault, LiveRun, RunSnapshot } from './live-view.js';
import type { RunState } from './run-state.js';

// The live view of one run (live-view.ts) read from its state. It is read on a timer (a few times a
// second) and costs the load's own counters, the phases and faults so far and the events added since the
// last read: nothing is done per write.

/** Which sources speak for the system under test (the runner's and the load's own notes are shown otherwise). */
const SYSTEM_SOURCE: Record<EventSource, boolean> = {
  sentinel: true,
  docker: true,
  stack: true,
  runbook: true,
  detector: true,
  backup: true,
  monitoring: true,
  'lb-vip': true,
  log: true,
  runner: false,
  load: false,
  measure: false,
};

export function liveRun(run: RunState): LiveRun {
  const { journal } = run;
  const startPerfMs = performance.now();
  // Container names carry the run's token ("drill-1a2b3c-redis-1"): shown as the node ("redis-1").
  const prefix = `drill-${journal.token}-`;
  const short = (text: string) => text.split(prefix).join('');
  const faultSteps = run.spec.steps.flatMap((s) => (s.kind === 'fault' ? [s] : []));
  let scanned = 0;
  let event: LiveEvent | null = null;

  return {
    snapshot(): RunSnapshot {
      const nowPerfMs = performance.now();
      // Only the events appended since the last read.
      for (; scanned < journal.events.length; scanned++) {
        const e = journal.events[scanned]!;
        if (SYSTEM_SOURCE[e.source]) event = { source: e.source, message: short(e.message) };
      }
      const stepsOver = journal.phases.some((p) => p.phase === 'steps') || journal.phaseStarts.some((p) => p.phase === 'down');
      const load = run.load;
      const clockMs = journal.clock.nowMs();
      const faults: LiveFault[] = !load
        ? []
        : faultSteps.map((step, i): LiveFault => {
            const base = { fault: step.fault, target: step.target, atMs: step.atMs };
            const record = journal.faults[i];
            if (record) return record.healedAtMs === undefined ? { ...base, state: 'in-effect', node: short(record.container) } : { ...base, state: 'healed', node: short(record.container) };
            if (stepsOver) return { ...base, state: 'skipped' };
            return clockMs >= step.atMs ? { ...base, state: 'injecting' } : { ...base, state: 'pending', inMs: step.atMs - clockMs };
          });
      const stats = load?.stats();
      return {
        runId: journal.runId,
        drillName: journal.drillName,
        elapsedMs: nowPerfMs - startPerfMs,
        phases: journal.phaseStarts.map((p) => ({ phase: p.phase, atMs: p.atPerfMs - startPerfMs })),
        finished: journal.phases.some((p) => p.phase === 'down'),
        writes: stats ? { sent: stats.sentWrites, ok: stats.ok, failed: stats.fail, unknown: stats.unknown, inFlight: stats.inFlight } : null,
        faults,
        event,
      };
    },
  };
}
