import type { ReadRecord } from '../load/read-load.js';
import type { BackupDamageDone, BackupDamageRequest } from '../faults/backup-damage.js';
import type { RunningContainer } from '../engine/resources.js';
import type { WriteRecord } from '../load/history.js';
import type { EventRecord, FaultRecord, NodeLog, TimelineEvent } from '../measure/types.js';
import type { RecoveryFloor } from '../measure/recovery-floor.js';
import type { LayerSpec, StackSpec, StepSpec } from '../spec/schema.js';
import type { ImageKey, StackContext } from '../stacks/plugin.js';
import type { Stack } from '../stacks/stack.js';
import type { DisasterRestoreRecord, RestoreCheckRecord, LayerResult } from './result.js';

// The seam for a layer: a part a drill adds beside or on top of its stack (a backup store on a second
// site; later a front door behind a VIP, monitoring). One folder under src/layers/<kind>/ exporting one
// LayerPlugin; registry.ts maps every kind of the schema to it and the compiler checks the table. A
// layer sees the stack only through the Stack interface (network, data access, who is primary now):
// the database stacks know nothing of layers. See docs/architecture.md ("Layers").

export type LayerKind = LayerSpec['kind'];
export type LayerSpecOf<K extends LayerKind> = Extract<LayerSpec, { kind: K }>;

/** What validation and preflight need of a layer kind: pure data and pure functions of the spec. */
export interface LayerDescriptor<K extends LayerKind> {
  kind: K;
  /** drill's own images it runs, given the stack beside it: checked before anything starts. */
  images(spec: LayerSpecOf<K>, stack: StackSpec): ImageKey[];
  /** Whether it can sit beside this stack; when not, the key of the layer at fault and why (a pointed validation error). */
  fits(spec: LayerSpecOf<K>, stack: StackSpec): { ok: true } | { ok: false; key: string; why: string };
  /** Fault targets the layer adds (roles resolved at run time, node names), checked at validation beside the stack's own. */
  targets?(spec: LayerSpecOf<K>): { roles: string[]; nodes: string[] };
  /** The layer's own record that no write was acknowledged before a moment (measure/recovery-floor.ts), when a fault on it left one. */
  recoveryFloor?(input: LayerFloorInput<K>): RecoveryFloor | null;
}

/** What a layer's recovery floor is read from, after the run: its result and the run's container logs and faults. */
export interface LayerFloorInput<K extends LayerKind> {
  result: Extract<LayerResult, { kind: K }>;
  logs: readonly NodeLog[];
  faults: readonly FaultRecord[];
  /** The stack's primary before and after the run's failover (containers), when it has one. */
  primaryBefore: string | null;
  primaryAfter: string | null;
}

/** What a layer judges the run by, once the load is over and before the stack goes down. */
export interface LayerCheckInput {
  history: readonly WriteRecord[];
  faults: readonly FaultRecord[];
  /** Run-clock ms when the load ended. */
  loadEndMs: number;
  /** The drill's stable window (measure.stable): what "recovered" means, for a layer that times from it. */
  stableMs: number;
  /** The drill's events in order (each fault, each switchover, failback, rejoin): what a layer times from. */
  events: readonly EventRecord[];
  /** The ids read back from the primary after recovery (null: could not be read). */
  presentIds: ReadonlySet<number> | null;
  /** The tracked reads (load.reads), in send order; empty when the drill reads nothing. */
  reads: readonly ReadRecord[];
}

/** A `restore` runbook step, asked of the layer that holds the backups. */
export interface LayerRestoreRequest {
  /** An operator-mistake fault to stop before (point-in-time), or null for the latest archived transaction. */
  before: FaultRecord | null;
  /** A time to restore to (run-relative ms, or a wall-clock instant), or absent. */
  toTime?: { runMs: number } | { epochMs: number };
  timeoutMs: number;
  signal: AbortSignal;
}

/** What a layer may read of the run while it goes: the fault records, appended as faults are injected. */
export interface LayerRunView {
  faults: readonly FaultRecord[];
}

/** A running layer. Its containers carry the run's labels, so teardown removes them with the stack. */
export interface Layer {
  kind: LayerKind;
  containers: RunningContainer[];
  /** Start its own work (scheduled backups, ...) and its voice on the timeline; `run` is the run's live record. */
  events(onEvent: (event: TimelineEvent) => void, run: LayerRunView): Promise<void>;
  /** Stop its own work: no new event after this resolves. Idempotent. */
  quiesce(): Promise<void>;
  /** Restore the stack's data onto a fresh node from what this layer holds (the backup layer). */
  restore?(req: LayerRestoreRequest): Promise<DisasterRestoreRecord>;
  /** Restore the newest usable backup into a scratch node while the primary serves, read it back, remove the node (the backup layer). */
  restoreCheck?(req: { timeoutMs: number; signal: AbortSignal }): Promise<RestoreCheckRecord>;
  /** Its checks of the run (restores, alert times, ...), with the stack still up. */
  check(input: LayerCheckInput): Promise<LayerResult>;
  /** Where the load enters when the layer is the front door (a VIP's URL); absent: the stack's app URLs. */
  loadUrls?: string[];
  /** A fault target the layer owns (active-lb, lb-2, ...) resolved now, or null when the name is not the layer's. */
  resolveTarget?(target: string): Promise<RunningContainer | null>;
  /** Damage its own backups on a fault's request (corrupt-backup, break-binlog-chain, backup-store-down). */
  damageBackups?(req: BackupDamageRequest): Promise<BackupDamageDone>;
}

/** The stack's context, and the stack's spec (a layer picks its tools by the data the stack holds). */
export type LayerContext = StackContext & { stackSpec: StackSpec; steps: readonly StepSpec[] };

export interface LayerPlugin<K extends LayerKind> extends LayerDescriptor<K> {
  /** Start the layer's containers beside the running stack; InfraError with the reason otherwise. */
  start(ctx: LayerContext, spec: LayerSpecOf<K>, stack: Stack): Promise<Layer>;
}

export type LayerDescriptors = { [K in LayerKind]: LayerDescriptor<K> };
export type LayerPlugins = { [K in LayerKind]: LayerPlugin<K> };
