import type { DivergenceResult, EventMeasured, FaultRecord, Measured, ObjectiveResult, TimelineBucket, TimelineEvent, Verdict } from '../measure/types.js';

import type { LayerResult } from '../layers/result.js';
import type { PatroniFailover } from '../measure/patroni-failover.js';

export type { AlertRecord, BackupLayerResult, LayerCheck, LayerResult, MonitoringLayerResult, LbVipLayerResult } from '../layers/result.js';
export type { DivergenceResult, EventMeasured, ObjectiveResult, ReplicaDivergence, Verdict } from '../measure/types.js';

// result.json: the machine-readable record of one run, and the only input the HTML report needs.

export interface ResultJson {
  schemaVersion: 1;
  runId: string;
  drill: { name: string; description: string; file: string; sha256: string; source: string };
  verdict: Verdict;
  /** Why the verdict is error/aborted, or which objectives failed. */
  reason: string | null;
  startedAt: string; // ISO wall clock
  finishedAt: string;
  /** Wall-clock epoch ms of run-clock 0 (end of warm-up). */
  clockOriginEpochMs: number;
  objectives: ObjectiveResult[];
  measured: Measured | null;
  faults: FaultRecord[];
  /** One row per event of the drill (each fault, switchover, failback, rejoin) with its own figures; absent in older results. */
  perEvent?: EventMeasured[];
  events: TimelineEvent[];
  timeline: { bucketMs: number; buckets: TimelineBucket[] };
  load: {
    rate: number;
    connections: number;
    timeoutMs: number;
    warmupMs: number;
    durationMs: number;
    sentWrites: number;
    lateSends: number;
    maxSendLagMs: number;
    droppedSlots?: number;
    /** The probe stream's settings and send figures (its writes: measured.probe); null when it was off; absent in older results. */
    probe?: { rate: number; connections: number; timeoutMs: number; sentWrites: number; lateSends: number; droppedSlots: number } | null;
  };
  stack: {
    kind: string;
    primaryBefore: string | null;
    primaryAfter: string | null;
    containers: { name: string; role: string; image: string }[];
    /** patroni: the failover explained by ttl/loop_wait/retry_timeout, expected next to measured; absent elsewhere and in older results. */
    failover?: PatroniFailover;
  };
  phasesMs: Record<string, number>;
  environment: {
    drillVersion: string;
    node: string;
    dockerEngine: string | null;
    /** DOCKER_HOST of the engine that ran it (user names dropped); absent in older results. */ dockerHost?: string;
    images: Record<string, string>;
    host: string;
  };
  /**
   * How each replica's data differs from the primary after recovery. Optional: only stacks that can read
   * their replicas measure it; absent (or null) means "not measured for this stack", never "no divergence".
   */
  divergence?: DivergenceResult | null;
  /** The drill file's declared MTBF, for the availability figures of the reports index; absent when not declared. */
  availability?: { mtbfMs: number };
  /** The drill's layers (a backup store, ...): their records and checks; absent when the drill has none. A failed check fails the drill. */
  layers?: LayerResult[];
  /** Files saved beside result.json (paths relative to it); absent in older results. */
  files?: RunFiles;
}

export interface RunFiles {
  /** writes.csv: every tracked write (id, times, outcome, found after recovery): the complete lost and unknown lists. */
  writes?: { file: string; writes: number; bytes: number };
  /** probe-writes.csv: the probe stream's writes, in the same format. */
  probeWrites?: { file: string; writes: number; bytes: number };
  /** reads.csv: every tracked read (load.reads): seq, key, times, outcome, version read, own write. */
  reads?: { file: string; reads: number; bytes: number };
  /** Each node's container log; events with `log` point to a line of one. */
  logs?: { node: string; container: string; file: string; lines: number; bytes: number; truncated: boolean }[];
}
