import { createRequire } from 'node:module';
import type { DrillSpec } from '../spec/schema.js';
import type { WriteRecord } from '../load/history.js';
import type { FaultRecord, TimelineEvent } from '../measure/types.js';
import { buildTimeline, evaluateObjectives, eventsFromMeasured, measure, timelineRange, verdictOf } from '../measure/index.js';
import type { DivergenceResult, ResultJson, Verdict } from '../report/result.js';
import type { RunClock } from '../util/clock.js';
import { redactDeep } from '../util/redact.js';

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Pacing uses setTimeout, whose resolution on Linux is about 1 ms: part of every stated precision. */
export const TIMER_RESOLUTION_MS = 1;

export interface BuildResultInput {
  runId: string;
  spec: DrillSpec;
  drillFile: { file: string; source: string; sha256: string };
  startedAt: Date;
  clock: RunClock;
  history: WriteRecord[];
  loadStats: { sentWrites: number; lateSends: number; maxSendLagMs: number; droppedSlots: number } | null;
  faults: FaultRecord[];
  presentIds: ReadonlySet<number> | null;
  divergence: DivergenceResult | null;
  events: TimelineEvent[];
  /** Set when the run did not complete: the measurement of what happened so far is still reported. */
  verdictOverride: { verdict: Verdict; reason: string } | null;
  stack: ResultJson['stack'];
  phasesMs: Record<string, number>;
  environment: { dockerEngine: string | null; dockerHost?: string; images: Record<string, string>; host: string };
}

/** Measure the history, judge the objectives, and assemble result.json. */
export function buildResult(input: BuildResultInput): ResultJson {
  const { spec } = input;
  const measured = measure({
    history: input.history,
    faults: input.faults,
    presentIds: input.presentIds,
    stableMs: spec.measure.stableMs,
    bucketMs: spec.measure.bucketMs,
    timerResolutionMs: TIMER_RESOLUTION_MS,
  });
  if (input.loadStats && (input.loadStats.lateSends > 0 || input.loadStats.droppedSlots > 0)) {
    // Open-loop needs a free connection at every send time; when all were busy, sends slipped or were dropped.
    measured.notes.push(
      `${input.loadStats.lateSends} writes were sent late and ${input.loadStats.droppedSlots} send slots were dropped because every connection was busy ` +
        `(largest send lag ${Math.round(input.loadStats.maxSendLagMs)} ms): the offered load fell behind the declared rate; raise load.connections (about rate × the longest latency)`,
    );
  }
  const objectives = evaluateObjectives(spec.objectives, measured);
  const judged = verdictOf(objectives);
  const missed = objectives.filter((o) => !o.met).map((o) => `${o.name}: declared ${o.declared}, measured ${o.measured ?? 'n/a'}`);
  const verdict = input.verdictOverride?.verdict ?? judged;
  const reason = input.verdictOverride?.reason ?? (missed.length ? `objective missed: ${missed.join('; ')}` : null);

  const events = [...input.events, ...eventsFromMeasured(measured)].sort((a, b) => a.atMs - b.atMs).map((e) => ({ ...e, atMs: Math.round(e.atMs * 10) / 10 }));
  const range = timelineRange(input.history, spec.measure.bucketMs, input.faults.map((f) => f.injectedAtMs));
  // Secrets given to the stack (and echoed anywhere: drill file source, error messages) are masked.
  return redactDeep<ResultJson>({
    schemaVersion: 1,
    runId: input.runId,
    drill: { name: spec.name, description: spec.description, ...input.drillFile },
    verdict,
    reason,
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    clockOriginEpochMs: Math.round(input.clock.toEpochMs(0)),
    objectives,
    measured,
    faults: input.faults,
    events,
    timeline: { bucketMs: spec.measure.bucketMs, buckets: buildTimeline(input.history, spec.measure.bucketMs, range.fromMs, range.toMs) },
    load: {
      rate: spec.load.rate,
      connections: spec.load.connections,
      timeoutMs: spec.load.timeoutMs,
      warmupMs: spec.load.warmupMs,
      durationMs: spec.load.durationMs,
      sentWrites: input.loadStats?.sentWrites ?? 0,
      lateSends: input.loadStats?.lateSends ?? 0,
      maxSendLagMs: input.loadStats?.maxSendLagMs ?? 0,
      droppedSlots: input.loadStats?.droppedSlots ?? 0,
    },
    stack: input.stack,
    divergence: input.divergence,
    phasesMs: input.phasesMs,
    environment: { drillVersion: version, node: process.version, ...input.environment },
  });
}
