import type { Docker } from '../engine/docker-client.js';
import type { RunIdentity } from '../engine/labels.js';
import type { StackSpec } from '../spec/schema.js';
import type { RunClock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { Stack } from './stack.js';

// The seam for a kind of stack: one folder under src/stacks/<kind>/ whose index.ts exports one
// StackPlugin. The registry (registry.ts) maps every kind of the schema to its plugin and the compiler
// checks the table both ways. What the validator needs (roles, runbook support) is the plugin's
// descriptor (descriptors.ts), kept free of client libraries so that `drill validate` loads none.

export type StackKind = StackSpec['kind'];
export type StackSpecOf<K extends StackKind> = Extract<StackSpec, { kind: K }>;

/** drill's own offline-built images, by what they run. */
export interface StackImages {
  redis: string;
  mysql: string;
  /** PostgreSQL 15 (the postgres stack). */
  postgres: string;
  app: string;
  /** Prometheus, Alertmanager and exporters (the monitoring layer). */
  monitoring: string;
  /** HAProxy, Nginx and Keepalived (the lb-vip layer). */
  lb: string;
  /** PostgreSQL 15, Patroni, etcd and HAProxy (the patroni stack). */
  patroni: string;
  /** drill's own images whatever the drill file overrides: clients and servers a layer's containers run. */
  tools: { redis: string; mysql: string };
}
export type ImageKey = Exclude<keyof StackImages, 'tools'>;
export type DataKind = 'redis' | 'mysql' | 'postgres';

export interface StackContext {
  docker: Docker;
  run: RunIdentity & { token: string };
  clock: RunClock;
  log: Logger;
  signal: AbortSignal;
  images: StackImages;
  readyTimeoutMs: number;
}

/** How drill's own failure detector should watch the stack (null: the system fails over by itself, or steps do). */
export interface DetectorConfig {
  checkIntervalMs: number;
  failureThreshold: number;
  checkTimeoutMs: number;
  catchUp: boolean;
}

/** The names a fault step may aim at on a stack. */
export interface FaultTargets {
  /** Roles resolved to one node at the moment of the fault (primary, any-replica, ...). */
  roles: string[];
  /** Roles meaning every node of the role: only inside the groups of a partition or of loss.between. */
  groupRoles: string[];
  /** Node names as the stack starts them. */
  nodes: string[];
  /** The nodes in words, for messages ("redis-1, redis-2, sentinel-1 … sentinel-3, app-1"). */
  nodesText: string;
  /** Node names found only at run time (a compose stack), as a pattern. */
  nodePattern?: RegExp;
}

/** What a stack kind is, for validation: pure data and pure functions of the spec. */
export interface StackDescriptor<K extends StackKind> {
  kind: K;
  /** Which of drill's images it runs (drill's own unless the drill file names another): checked before anything starts. */
  images(spec: StackSpecOf<K>): { needed: ImageKey[]; override?: { key: ImageKey; image: string } };
  /**
   * Whether runbook actions (promote, repoint) can run here; when they cannot, the rest of a pointed
   * validation error: `runbook step "promote" <why>`.
   */
  runbook(spec: StackSpecOf<K>): { ok: true } | { ok: false; why: string };
  /** Whether the planned operations (switchover, failback, rejoin) can run here; when not, why (the rest of `runbook step "switchover" <why>`). */
  operations(spec: StackSpecOf<K>): { ok: true } | { ok: false; why: string };
  /** What a fault step may name on this stack: checked at validation, so a fault aimed at nothing is refused before anything starts. */
  targets(spec: StackSpecOf<K>): FaultTargets;
  /** What the data nodes run: what a layer (a backup store, ...) has to speak to them. */
  data(spec: StackSpecOf<K>): DataKind;
  /** drill's detector runs the runbook by itself (MySQL failover.mode auto), or null. */
  detector(spec: StackSpecOf<K>): DetectorConfig | null;
}

/** A stack kind: its descriptor, and how to bring it up ready (the Stack answers the runner's questions from then on). */
export interface StackPlugin<K extends StackKind> extends StackDescriptor<K> {
  /** Start (or, for compose, find) the stack and wait until it is ready; throws InfraError with the reason otherwise. */
  start(ctx: StackContext, spec: StackSpecOf<K>): Promise<Stack>;
}

export type StackDescriptors = { [K in StackKind]: StackDescriptor<K> };
export type StackPlugins = { [K in StackKind]: StackPlugin<K> };
