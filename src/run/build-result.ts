import { standbyLag, standbyLagNote } from '../measure/standby-lag.js';
import { createRequire } from 'node:module';
import os from 'node:os';
import { engineDescription } from '../engine/docker-client.js';
import {
  buildTimeline,
  evaluateEventObjectives,
  evaluateObjectives,
  firstFault,
  eventName,
  eventsFromEventRows,
  eventsFromMeasured,
  measure,
  measureEventRows,
  relapseBound,
  timelineRange,
  verdictOf,
} from '../measure/index.js';
import type { EventRecord, FaultRecord } from '../measure/types.js';
import { latestFloor, type RecoveryFloor } from '../measure/recovery-floor.js';
import { layerRecoveryFloor } from '../layers/descriptors.js';
import type { ResultJson, Verdict } from '../report/result.js';
import { AbortedError, InfraError, errorMessage } from '../util/errors.js';
import { probeSpecOf } from '../load/probe-spec.js';
import { evaluateRestoreObjectives, type RestoreFigures } from '../measure/restore-objectives.js';
import type { BackupLayerResult, LayerResult } from '../layers/result.js';
import { ARCHIVE_CHECK_MS } from '../layers/backup/archive-check.js';
import { disasterFaults } from '../faults/backup-damage.js';
import { measureReads } from '../measure/reads.js';
import type { RunState } from './run-state.js';
import { redactDeep } from '../util/redact.js';
import { eventsFromLogs, linkEventsToLogs } from '../measure/log-events.js';
import { logRulesFor } from '../stacks/log-rules.js';
import { recoveryFloorOf } from '../stacks/recovery-floor.js';
import { patroniFailover } from './patroni-explain.js';
import { faultFromMs, healFromMs } from '../measure/fault-instants.js';

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Pacing uses setTimeout, whose resolution on Linux is about 1 ms: part of every stated precision. */
export const TIMER_RESOLUTION_MS = 1;

/** The stack's or a layer's own record of when writes could be acknowledged again, when they have one (stacks/recovery-floor.ts, layers' recoveryFloor); all hold, so the latest counts. */
function recoveryFloorPart(run: RunState): { recoveryFloor?: RecoveryFloor } {
  const { journal } = run;
  const stack = recoveryFloorOf(run.spec.stack, {
    logs: journal.logs,
    faults: journal.faults,
    containers: journal.stack.containers,
    primaryBefore: journal.stack.primaryBefore,
    primaryAfter: journal.stack.primaryAfter,
  });
  const seen = { logs: journal.logs, faults: journal.faults, primaryBefore: journal.stack.primaryBefore, primaryAfter: journal.stack.primaryAfter };
  const floor = latestFloor([stack, ...journal.layers.map((l) => layerRecoveryFloor(l, seen))]);
  return floor ? { recoveryFloor: floor } : {};
}

/** Relapses of the measured fault's outage end where the next event begins. */
function relapseUntilPart(faults: readonly FaultRecord[], events: readonly EventRecord[]): { relapseUntilMs?: number } {
  const first = firstFault(faults);
  return first
    ? relapseBound(
        events.map((e) => e.startMs),
        faultFromMs(first),
      )
    : {};
}

/** Measure the history, judge the objectives, and assemble result.json. */
export function buildResult(run: RunState): ResultJson {
  const { spec, journal } = run;
  const input = {
    history: journal.load?.history ?? [],
    loadStats: journal.load?.stats ?? null,
    faults: journal.faults,
    presentIds: journal.verification.presentIds,
    verdictOverride: verdictOverride(run),
  };
  const measureInput = {
    history: input.history,
    // A drill of planned operations only (a switchover) is measured from the first of them. Damage to
    // the backups prepares a disaster and is not one: measured from the first fault that is.
    faults: disasterFaults(input.faults).length > 0 ? disasterFaults(input.faults) : plannedAsFault(journal.drillEvents),
    presentIds: input.presentIds,
    stableMs: spec.measure.stableMs,
    bucketMs: spec.measure.bucketMs,
    timerResolutionMs: TIMER_RESOLUTION_MS,
    ...(journal.recoveryPointMs === null ? {} : { recoveryPointMs: journal.recoveryPointMs }),
    ...(journal.probe ? { probeHistory: journal.probe.history } : {}),
    ...recoveryFloorPart(run),
  };
  const measured = measure({ ...measureInput, ...relapseUntilPart(measureInput.faults, journal.drillEvents) });
  const range = timelineRange(
    input.history,
    spec.measure.bucketMs,
    input.faults.map((f) => f.injectedAtMs),
  );
  if (journal.reads && spec.load.reads) {
    const fault = measureInput.faults[0];
    measured.reads = measureReads({
      reads: journal.reads.history,
      writes: input.history,
      keys: spec.load.reads.keys,
      presentIds: input.presentIds,
      tFaultMs: measured.faultAtMs,
      injectMs: fault && measured.faultAtMs !== null ? Math.max(0, (fault.effectByMs ?? fault.injectReturnedAtMs) - measured.faultAtMs) : 0,
      stableMs: spec.measure.stableMs,
      timerResolutionMs: TIMER_RESOLUTION_MS,
      timeline: { bucketMs: spec.measure.bucketMs, fromMs: range.fromMs, toMs: range.toMs },
    });
  }
  const lags = standbyLag(input.faults, input.history);
  if (lags.length) {
    measured.standbyLag = lags;
    for (const lag of lags) measured.notes.push(standbyLagNote(lag, measured.lostWrites));
  }
  const perEvent = measureEventRows(
    measureInput,
    journal.drillEvents.map((e) => withHeal(e, input.faults)),
  );
  if (input.loadStats && (input.loadStats.lateSends > 0 || input.loadStats.droppedSlots > 0)) {
    // Open-loop needs a free connection at every send time; when all were busy, sends slipped or were dropped.
    measured.notes.push(
      `${input.loadStats.lateSends} writes were sent late and ${input.loadStats.droppedSlots} send slots were dropped because every connection was busy ` +
        `(largest send lag ${Math.round(input.loadStats.maxSendLagMs)} ms): the offered load fell behind the declared rate; raise load.connections (about rate × the longest latency)`,
    );
  }
  const objectives = [
    ...evaluateObjectives(spec.objectives, measured, spec.availability),
    ...evaluateRestoreObjectives(spec.objectives, restoreFigures(journal.layers, measureInput.faults[0] ?? null, spec.load.rate)),
    ...evaluateEventObjectives(spec.objectives.events, perEvent),
  ];
  const failedChecks = journal.layers.flatMap((l) => l.checks.filter((c) => !c.ok).map((c) => `${l.kind} layer, ${c.name}: ${c.measured ?? c.detail}`));
  const judged = failedChecks.length ? 'fail' : verdictOf(objectives);
  const missed = [
    ...objectives
      .filter((o) => !o.met)
      .map((o) => {
        const event = o.event === undefined ? null : perEvent.find((r) => r.index === o.event);
        return `${event ? `${eventName(event)} ` : ''}${o.name}: declared ${o.declared}, ${o.measured === null ? `not measured (${o.why ?? 'no value'})` : `measured ${o.measured}`}`;
      }),
    ...failedChecks,
  ];
  const verdict = input.verdictOverride?.verdict ?? judged;
  const reason = input.verdictOverride?.reason ?? (missed.length ? `${failedChecks.length ? 'check failed' : 'objective missed'}: ${missed.join('; ')}` : null);

  const fromLogs = eventsFromLogs(journal.logs, logRulesFor(spec.stack));
  const events = linkEventsToLogs([...journal.events, ...fromLogs, ...eventsFromMeasured(measured), ...eventsFromEventRows(perEvent, measured)], journal.logs)
    .sort((a, b) => a.atMs - b.atMs)
    .map((e) => ({ ...e, atMs: Math.round(e.atMs * 10) / 10 }));
  const failover = patroniFailover(spec, measured, events, input.faults, journal.logs);
  // Secrets given to the stack (and echoed anywhere: drill file source, error messages) are masked.
  return redactDeep<ResultJson>({
    schemaVersion: 1,
    runId: journal.runId,
    drill: { name: spec.name, description: spec.description, file: run.opts.drill.file, source: run.opts.drill.source, sha256: run.opts.drill.sha256 },
    verdict,
    reason,
    startedAt: journal.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    clockOriginEpochMs: Math.round(journal.clock.toEpochMs(0)),
    objectives,
    measured,
    faults: input.faults,
    perEvent,
    events,
    timeline: { bucketMs: spec.measure.bucketMs, buckets: buildTimeline(input.history, spec.measure.bucketMs, range.fromMs, range.toMs, input.presentIds) },
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
      probe: probeLoad(run),
    },
    stack: { kind: spec.stack.kind, ...journal.stack, ...(failover ? { failover } : {}) },
    divergence: journal.verification.divergence,
    ...(journal.layers.length ? { layers: journal.layers } : {}),
    ...(spec.availability ? { availability: spec.availability } : {}),
    phasesMs: journal.phasesMs,
    environment: {
      drillVersion: version,
      node: process.version,
      dockerEngine: journal.engineVersion,
      dockerHost: engineDescription(),
      images: journal.images ? { redis: journal.images.redis, mysql: journal.images.mysql, app: journal.images.app } : {},
      host: `${os.hostname()} ${os.platform()} ${os.release()} ${os.cpus().length} cpu`,
    },
  });
}

/** The first switchover or failback, as the instant a drill without faults is measured from (timed from its start: the call is the instant). */
/** The backup layer's restore figures, for the restoreTime and backupAge objectives (null without a backup layer). */
function restoreFigures(layers: readonly LayerResult[], disaster: FaultRecord | null, rate: number): RestoreFigures | null {
  const l = layers.find((x): x is BackupLayerResult => x.kind === 'backup');
  if (!l) return null;
  const last = l.restores?.at(-1);
  const archive = l.archiveAgeMs != null;
  return {
    restoreTimeMs: last?.restoreTimeMs ?? null,
    // The restored node could have taken a write up to one send interval before the first one it acknowledged.
    restorePrecisionMs: 1000 / rate + TIMER_RESOLUTION_MS,
    backupAgeMs: l.archiveAgeMs ?? l.backupAgeMs ?? null,
    backupAgePrecisionMs: archive ? ARCHIVE_CHECK_MS : disaster ? disaster.injectReturnedAtMs - disaster.injectedAtMs : 0,
    restoreWhy: !last ? 'no restore step ran' : last.error ? `the restore failed: ${last.error}` : 'no write was acknowledged after the restored node took over',
    backupAgeWhy: !disaster ? 'no fault: there is no disaster instant to age the backups at' : 'no usable backup had finished before the disaster',
  };
}

/** A fault event with its heal's start, when drill lifted it (the drain after a heal widens the recovery's bound). */
function withHeal(event: EventRecord, faults: readonly FaultRecord[]): EventRecord {
  const healMs = faults
    .filter((f) => faultFromMs(f) === event.startMs)
    .map(healFromMs)
    .find((ms) => ms !== undefined);
  return healMs === undefined ? event : { ...event, healedAtMs: healMs };
}

function plannedAsFault(events: readonly EventRecord[]): FaultRecord[] {
  const first = events.find((e) => e.kind === 'switchover' || e.kind === 'failback');
  return first
    ? [
        {
          kind: first.kind,
          target: 'primary',
          container: first.label,
          injectedAtMs: first.startMs,
          injectReturnedAtMs: first.startMs,
          effectEvidence: `the start of the ${first.kind} (a planned operation)`,
        },
      ]
    : [];
}

function probeLoad(run: RunState): ResultJson['load']['probe'] {
  const spec = probeSpecOf(run.spec);
  const stats = run.journal.probe?.stats;
  if (!spec) return null;
  return { ...spec, sentWrites: stats?.sentWrites ?? 0, lateSends: stats?.lateSends ?? 0, droppedSlots: stats?.droppedSlots ?? 0 };
}

/** A run that did not complete: aborted (signal, stop condition) or error, with the reason; null when it completed. */
function verdictOverride(run: RunState): { verdict: Verdict; reason: string } | null {
  const failure = run.journal.failure;
  if (failure === undefined) return null;
  if (run.signal.aborted || failure instanceof AbortedError) return { verdict: 'aborted', reason: errorMessage(run.signal.aborted ? run.signal.reason : failure) };
  return { verdict: 'error', reason: errorMessage(failure) + (failure instanceof InfraError && failure.hint ? ` (${failure.hint})` : '') };
}
