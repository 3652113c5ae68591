import type { FaultRecord, Measured, TimelineBucket, TimelineEvent } from '../measure/types.js';

// result.json: the machine-readable record of one run, and the only input the HTML report needs.

export type Verdict = 'pass' | 'fail' | 'error' | 'aborted';

export interface ObjectiveResult {
  name: 'rtoMs' | 'downtimeMs' | 'lostWrites' | 'rpoMs' | 'unexpectedWrites';
  declared: number;
  measured: number | null;
  /** null measured = could not be measured (e.g. never recovered): counts as missed */
  met: boolean;
  unit: 'ms' | 'writes';
  /** ± bound of the measured value (time objectives measured from the write history); absent otherwise. */
  precisionMs?: number;
}

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
  events: TimelineEvent[];
  timeline: { bucketMs: number; buckets: TimelineBucket[] };
  load: { rate: number; connections: number; timeoutMs: number; warmupMs: number; durationMs: number; sentWrites: number; lateSends: number; maxSendLagMs: number; droppedSlots?: number };
  stack: { kind: string; primaryBefore: string | null; primaryAfter: string | null; containers: { name: string; role: string; image: string }[] };
  phasesMs: Record<string, number>;
  environment: { drillVersion: string; node: string; dockerEngine: string | null; /** DOCKER_HOST of the engine that ran it (user names dropped); absent in older results. */ dockerHost?: string; images: Record<string, string>; host: string };
  /**
   * How each replica's data differs from the primary after recovery. Optional: only stacks that can read
   * their replicas measure it; absent (or null) means "not measured for this stack", never "no divergence".
   */
  divergence?: DivergenceResult | null;
}

export interface DivergenceResult {
  /** The node every replica is compared against: the primary after recovery. */
  reference: string;
  /** Run-clock ms when the replicas were read (after recovery and the end of the load); null if unknown. */
  checkedAtMs: number | null;
  replicas: ReplicaDivergence[];
}

export interface ReplicaDivergence {
  /** Container name of the replica. */
  name: string;
  /** Write ids found on this replica. */
  presentWrites: number;
  /** Ids on the reference but not on this replica: the replica is behind, or lost them. */
  missingWrites: number;
  /** Ids on this replica but not on the reference: it diverged (writes the new primary does not have). */
  extraWrites: number;
  /** Acknowledged writes missing on this replica (a subset of missingWrites). */
  missingAckedWrites?: number;
  /** The first few ids of each set. */
  firstMissingIds: number[];
  firstExtraIds: number[];
  /** Replication lag as the system reported it when read, where it reports one. */
  lag?: { bytes?: number | null; seconds?: number | null } | null;
  /** True when the replica held exactly the reference's ids. */
  converged: boolean;
}
