import type { ReadsMeasured } from './reads.js';
import type { WriteRecord } from '../load/history.js';
import type { MarkerKind } from './markers.js';
import type { FloorOutcome, RecoveryFloor } from './recovery-floor.js';
import type { Relapse } from './recovery.js';

// Inputs and outputs of the measurement. Times are run-clock ms (util/clock.ts): 0 = end of warm-up.

export interface FaultRecord {
  kind: string; // 'kill' for now; later 'stop' | 'pause' | 'partition' ...
  target: string; // the role asked for in the drill file, e.g. 'primary'
  container: string; // the container it resolved to at run time
  /** Start of the injecting call: t_fault. */
  injectedAtMs: number;
  /** When the injecting call returned: the fault is certainly in effect by then; `duration` counts from here. */
  injectReturnedAtMs: number;
  /**
   * The earliest moment the fault can have taken effect, when later than injectedAtMs: network faults, the
   * first rule install began inside the node's namespace (stamped there, same host clock). t_fault.
   */
  effectFromMs?: number;
  /**
   * The latest moment it had taken effect, when earlier than injectReturnedAtMs: the engine's own event
   * (Docker `kill` as the signal is sent, `pause` as the cgroup is frozen; a kill call also waits for the
   * exit) or the last rule install done inside the namespace. The fault happened in [t_fault, this].
   */
  effectByMs?: number;
  /** What bounds the fault instant, in words: "engine event kill (signal 9)", "rules stamped in 3 namespaces". */
  effectEvidence?: string;
  /**
   * kill, stop, restart: the engine's own exit time of the container (FinishedAt: its init reaped, and with
   * it every process of the container), by which nothing in it can answer; the signal itself reaches them a
   * few ms earlier (a dying HAProxy answered a write 6 ms after the SIGKILL of its container's init).
   */
  goneByMs?: number;
  /** Start of the heal. */
  healedAtMs?: number;
  /** When the heal returned: undone and, for network faults, proven gone by the probe. */
  healReturnedAtMs?: number;
  /**
   * A pause's thaw as drill saw it in the cgroup freezer during the heal: the target resumed after
   * healFromMs and by healByMs (tighter than the heal call; the queue it then works off starts there).
   */
  healFromMs?: number;
  healByMs?: number;
  /** Network faults: what the probe after the heal showed (every cut path open again, no loss, no delay). */
  healVerified?: string;
  /** Network faults: when the probe at injection had confirmed the fault (it runs after injectReturnedAtMs). */
  verifiedAtMs?: number;
  /** Network faults: how the fault was made (netem where the kernel has it; iptables; a delaying TCP proxy). */
  mechanism?: 'iptables' | 'netem' | 'tcp-proxy';
  /** Network faults: what the probe at injection showed (blocked paths blocked, open paths open, ...). */
  verified?: string;
  /** partition, isolate: the containers of each group ('runner': drill itself); while it holds, no path joins two groups (oneWay: none leaves the first). */
  groups?: string[][];
  /** kill-process: the process name killed inside the container (haproxy, nginx, keepalived). */
  process?: string;
  /** destroy: what was removed with the container (its data), in words. */
  destroyed?: string;
  /** A condition of the drill (a slow link), not its disaster: no event, and not the fault the drill's RTO and RPO count from. */
  condition?: boolean;
  /** site-loss: each surviving data node's newest applied write, asked of it just before the site went (null: none, or no answer). */
  standbys?: { node: string; lastWriteId: number | null; askedFromMs: number; answeredAtMs: number }[];
  /** operator-mistake: its name in the drill file, the statement, and the GTID the server gave it (@@last_gtid). */
  name?: string;
  statement?: string;
  gtid?: string;
  /** operator-mistake on Redis: the master's replication offset just before the command was sent and just after it answered (the mistake lies between). */
  replOffsetBefore?: number;
  replOffsetAfter?: number;
  /** operator-mistake on Redis: the AOF's size (aof_current_size) just after it answered, when appendonly is on. */
  aofBytesAfter?: number;
  /** corrupt-backup: the backup damaged (its number) and how; break-binlog-chain: the archived binlog removed and when the gap began (the rotation that closed the file before it). */
  backupSeq?: number;
  damage?: string;
  removedBinlog?: string;
  gapFromMs?: number;
}

/**
 * The events of a drill: every fault step (an unplanned failure) and every planned switchover, failback
 * and rejoin begins one, measured on its own window of writes (docs/design.md "Events"). promote and
 * repoint are not events: they are the recovery of the fault before them.
 */
export type DrillEventKind = 'failover' | 'switchover' | 'failback' | 'rejoin';

/** Transactions a node holds that the primary does not: they must be resolved, not hidden. */
export interface ErrantTransactions {
  count: number;
  /** The first few, as the system names them (GTIDs), oldest first. */
  first: string[];
  /** Write ids on the node that the primary does not have (the rows those transactions wrote), first few. */
  writeIds: number[];
  /** refused: the node was left out of the cluster (errant: fail); discarded: it was re-cloned from the primary (errant: rebuild); none: there were none. */
  resolution: 'none' | 'refused' | 'discarded';
}

/** One event as the run saw it (the journal's record; per-event figures come from it and the write history). */
export interface EventRecord {
  kind: DrillEventKind;
  /** Index of the step that began it (steps[step] in the drill file). */
  step: number;
  /** In words: "kill primary → db-1", "switchover db-1 → db-2", "rejoin db-1 → replica of db-2". */
  label: string;
  /** Run-clock ms: t_fault for a fault (the earliest it can have taken effect); the call's start for an action. */
  startMs: number;
  /** A fault: the latest it had taken effect; an action: when it returned. */
  endMs: number;
  /** A fault: how wide the window of its instant is (part of the precision); an action: 0 (it is timed from its start). */
  injectMs: number;
  /** A fault drill lifted: the earliest its heal took effect (FaultRecord.healFromMs, else healedAtMs). */
  healedAtMs?: number;
  /** A rejoin: when the node was seen replicating and caught up (null: it never was), and its errant transactions (null: the system has no such notion). */
  rejoin?: { node: string; primary: string; caughtUpAtMs: number | null; errant: ErrantTransactions | null };
}

/** One event's own figures (result.json `perEvent`), judged against the objectives of its kind. */
export interface EventMeasured {
  /** 1-based, in the order the events began. */
  index: number;
  kind: DrillEventKind;
  step: number;
  label: string;
  startMs: number;
  endMs: number;
  /** The event's window of writes: [startMs, the next event's start, or the end of the load). */
  windowEndMs: number;
  /** Writes of the declared load sent in the window, and those of them that failed or got no answer. */
  sentWrites: number;
  failedWrites: number;
  unknownWrites: number;
  /** Acknowledged writes missing after the drill that this event lost (acked after the previous event's recovery, up to this one's); null when not read back. */
  lostWrites: number | null;
  /** From startMs to the stable recovery of writes after it; 0 when no write of its window failed; null when they never recovered. */
  rtoMs: number | null;
  downtimeMs: number | null;
  precisionMs: number;
  firstFailureAtMs: number | null;
  recoveredAtMs: number | null;
  /** Planned operations: start to done (a rejoin: until the node replicates and has caught up); null for faults, or never done. */
  withinMs: number | null;
  /** A rejoin: transactions the node had that the primary does not; null elsewhere or where the system has no such notion. */
  errantTransactions: number | null;
  errant?: ErrantTransactions | null;
  /** The index of a later event that began before this one's writes had recovered: both share that recovery. */
  overlappedBy: number | null;
  notes: string[];
}

export type EventSource = 'runner' | 'sentinel' | 'docker' | 'load' | 'stack' | 'measure' | 'runbook' | 'detector' | 'backup' | 'monitoring' | 'lb-vip' | 'log';

export interface TimelineEvent {
  atMs: number;
  source: EventSource;
  message: string;
  /** Machine-readable kind of the moment, for charts and checks (markers.ts lists them all). */
  marker?: MarkerKind;
  /** The line of a node's saved container log (logs/<node>.log, 1-based) this event came from or is echoed by. */
  log?: LogRef;
}

export interface LogRef {
  node: string;
  line: number;
}

/** One line of a container's log: the engine's timestamp on the run clock (null when the engine is on another host's clock). */
export interface LogLine {
  atMs: number | null;
  /** The engine's own RFC 3339 time of the line, as `docker logs -t` prints it. */
  stamp: string;
  text: string;
}

/** A node's container log as saved with the run. */
export interface NodeLog {
  node: string;
  container: string;
  lines: LogLine[];
  /** Older lines were dropped to keep the file within its size cap. */
  truncated: boolean;
}

export interface MeasureInput {
  history: readonly WriteRecord[];
  faults: readonly FaultRecord[];
  /** Ids read back from the surviving primary after recovery; null if they could not be read. */
  presentIds: ReadonlySet<number> | null;
  stableMs: number;
  bucketMs: number;
  /** Resolution of the timer that paces sends (setTimeout ≈ 1 ms): part of the stated precision. */
  timerResolutionMs: number;
  /** The probe stream's writes (ids from PROBE_FIRST_ID), when it ran: they narrow the outage's edges and are checked apart. */
  probeHistory?: readonly WriteRecord[];
  /**
   * A point-in-time restore's recovery point (the operator mistake's statement was sent): an acknowledged
   * write missing after the restore whose acknowledgement came at or after it is "discarded by the
   * recovery point", counted apart from lost writes (it may have committed after the mistake).
   */
  recoveryPointMs?: number;
  /** The system's own record that no write was acknowledged before a moment (recovery-floor.ts), when the stack has one. */
  recoveryFloor?: RecoveryFloor;
  /** The start of the first event after the measured fault, if any: failures after the recovery and before it are a relapse of the fault's outage. */
  relapseUntilMs?: number;
}

/** The probe stream's own writes, checked against the same read-back as the declared load's and reported apart. */
export interface ProbeMeasured {
  sentWrites: number;
  ackedWrites: number;
  failedWrites: number;
  unknownWrites: number;
  /** acked ∖ present; null when the data could not be read back */
  lostWrites: number | null;
  recoveredWrites: number | null;
  unexpectedWrites: number | null;
  /** First and last probe sent (run-clock ms). */
  fromMs: number | null;
  toMs: number | null;
  lostIds: number[];
}

export interface LostWrite {
  id: number;
  ackMs: number; // completion time of the acknowledged write
  ackAfterFault: boolean; // acknowledged after t_fault: split brain or a write to a dying primary
}

/** A surviving node at a site loss: how far behind the lost primary it was, from its own answer just before. */
export interface StandbyLag {
  node: string;
  lastWriteId: number | null;
  /** Disaster instant minus the acknowledgement of the newest write it had (null when it had none). */
  lagMs: number | null;
  /** Acknowledged writes it did not have at the disaster: what a failover to it must lose. */
  writesBehind: number;
}

export interface Measured {
  /** The read side (load.reads; docs/reads.md); absent when the drill declares no reads. */
  reads?: ReadsMeasured;
  /** site-loss: where each surviving node stood at the disaster, in time and writes (measure/standby-lag.ts); absent without one. */
  standbyLag?: StandbyLag[];
  totalWrites: number;
  ackedWrites: number;
  failedWrites: number;
  unknownWrites: number;
  /** acked ∖ present (without those discarded by a recovery point) */
  lostWrites: number | null;
  /** Acknowledged at or after a point-in-time restore's recovery point and missing: discarded on purpose, not lost. Absent without a recovery point. */
  discardedWrites?: number | null;
  /** unknown ∩ present */
  recoveredWrites: number | null;
  /** present ∖ (acked ∪ unknown): should be 0; anything else is a bug in the SUT or in drill */
  unexpectedWrites: number | null;
  /** recovered − t_fault; 0 when no write failed; null when writes never recovered */
  rtoMs: number | null;
  /** recovered − start of the first failing write; 0 when none failed; null when never recovered */
  downtimeMs: number | null;
  /** t_fault − the last ack time before which nothing is lost (0 when nothing is lost, never negative) */
  rpoMs: number | null;
  /** ± bound on rtoMs/downtimeMs: largest gap between write starts around recovery + timer resolution + inject call duration */
  precisionMs: number;
  faultAtMs: number | null;
  firstFailureAtMs: number | null;
  recoveredAtMs: number | null;
  /** Why the numbers are what they are, in words (e.g. "no write failed: RTO 0"). */
  notes: string[];
  lost: { firstIds: LostWrite[]; ackSpanMs: { firstMs: number; lastMs: number } | null; ackedAfterFault: number };
  unexpectedIds: number[]; // first few
  recoveredIds: number[]; // first few
  latencyMs: { p50: number; p99: number; max: number } | null; // of ok writes
  /** Of ok writes, from the scheduled send time (corrects coordinated omission: a write queued for a free connection counts its wait); absent in older results. */
  responseMs?: { p50: number; p99: number; max: number } | null;
  // Added by measure/ (optional so hand-built fixtures stay valid):
  /** The stable window used to call writes recovered. */
  stableMs?: number;
  /** The terms of precisionMs, so the report can say what the bound is made of. */
  precision?: {
    gapMs: number;
    timerResolutionMs: number;
    injectMs: number;
    gapFrom?: 'load' | 'probe' | 'system';
    /** gapFrom 'system': the recovery floor (run-clock ms) and what recorded it. */
    floor?: { atMs: number; why: string };
    loadGapMs?: number;
    queueMs?: number;
  };
  /** The probe stream's writes, apart from the declared load's figures above; absent or null when it did not run. */
  probe?: ProbeMeasured | null;
  /** The stack's own record of the earliest moment writes could be acknowledged again, and what it did to the recovery edge (recovery-floor.ts). */
  recoveryFloor?: FloorOutcome;
  /** The last ack time before which nothing is lost (rpoMs = faultAtMs − this); null when nothing is lost. */
  lastSafeAckMs?: number | null;
  /** Non-ok writes that completed before the fault: the system was not healthy before it (not counted in downtime). */
  failuresBeforeFault?: number;
  /** Non-ok writes sent before the fault that completed after it (casualties of the fault, not counted in downtime). */
  inFlightAtFault?: number;
  /** The first write of the stable window that marks recovery. */
  recoveryWrite?: { id: number; invokeMs: number; latencyMs: number } | null;
  /** Outages after a stable recovery, before the next event (the recovery counted is the one after the last); absent in older results. */
  relapses?: Relapse[];
}

export interface TimelineBucket {
  startMs: number;
  ok: number;
  fail: number;
  unknown: number;
  /** Of `ok`: writes acknowledged and then missing after recovery (lost), by when they were sent. Absent when the writes could not be read back (and in older results). */
  lost?: number;
  /** ok-write latency (invoke → ack) in this bucket; null when no ok write started in it */
  p50Ms: number | null;
  p99Ms: number | null;
}

// What the measurement produces for result.json (report/result.ts assembles it).

export type Verdict = 'pass' | 'fail' | 'error' | 'aborted';

export interface ObjectiveResult {
  name:
    | 'rtoMs'
    | 'downtimeMs'
    | 'lostWrites'
    | 'rpoMs'
    | 'unexpectedWrites'
    | 'availability'
    | 'readRtoMs'
    | 'readDowntimeMs'
    | 'staleReads'
    | 'readYourWrites'
    | 'dirtyReads'
    | 'restoreTimeMs'
    | 'backupAgeMs'
    | 'withinMs'
    | 'errantTransactions';
  /** The event this objective judges (EventMeasured.index); absent: the drill as a whole. */
  event?: number;
  declared: number;
  /** max: met when measured ≤ declared (absent = max, as in older results); min: met when measured ≥ declared (availability). */
  bound?: 'max' | 'min';
  measured: number | null;
  /** null measured = could not be measured (e.g. never recovered): not met, and the verdict is FAIL */
  met: boolean;
  /** met, missed (measured above the bound), or not-measured (with `why`): a number drill does not have is not a miss. Absent in older results. */
  state?: 'met' | 'missed' | 'not-measured';
  /** Why a not-measured objective has no value. */
  why?: string;
  unit: 'ms' | 'writes' | 'reads' | 'percent' | 'transactions';
  /** ± bound of the measured value (time objectives measured from the write history); absent otherwise. */
  precisionMs?: number;
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
