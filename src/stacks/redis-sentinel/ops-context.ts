import type { Redis } from 'ioredis';
import type { Docker } from '../../engine/docker-client.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { RunClock } from '../../util/clock.js';
import type { Logger } from '../../util/log.js';
import { REDIS_PORT, SENTINEL_PORT, withProbeClient } from '../redis/client.js';
import { parseReplicationInfo, type ReplicationInfo } from '../redis/replication-info.js';
import type { PrimaryHistory } from './primary-history.js';

// What the planned operations (switchover, rejoin) need of the running stack, and the probes they share.

export interface OpsContext {
  docker: Docker;
  clock: RunClock;
  log: Logger;
  /** The network the nodes share (a restarted node's address is read on it). */
  network: string;
  masterName: string;
  password: string | undefined;
  /** The Redis nodes (master and replicas), whatever their role now. */
  nodes: readonly RunningContainer[];
  sentinels: readonly RunningContainer[];
  history: PrimaryHistory;
  /** The master now, as the Sentinels name it. */
  primary(): Promise<RunningContainer>;
}

/** Poll period of the operations' waits: a probe is one short connection through 127.0.0.1. */
export const OPS_POLL_MS = 50;

export function onRedis<T>(ctx: OpsContext, node: RunningContainer, fn: (client: Redis) => Promise<T>): Promise<T> {
  return withProbeClient(node.ports[REDIS_PORT]!, fn, ctx.password);
}

export function onSentinel<T>(sentinel: RunningContainer, fn: (client: Redis) => Promise<T>): Promise<T> {
  return withProbeClient(sentinel.ports[SENTINEL_PORT]!, fn);
}

/** The node's INFO replication; null when it does not answer. */
export function replicationOf(ctx: OpsContext, node: RunningContainer): Promise<ReplicationInfo | null> {
  return onRedis(ctx, node, (c) => c.info('replication')).then(parseReplicationInfo, () => null);
}

/** The master address each Sentinel names now (null: no answer). */
export function sentinelAnswers(ctx: OpsContext): Promise<(string | null)[]> {
  return Promise.all(
    ctx.sentinels.map((s) =>
      onSentinel(s, (c) => c.call('SENTINEL', 'get-master-addr-by-name', ctx.masterName) as Promise<string[] | null>).then(
        (addr) => addr?.[0] ?? null,
        () => null,
      ),
    ),
  );
}

/** A data node by node name (redis-2) or container name (what a failback is given). */
export function nodeNamed(ctx: OpsContext, name: string): RunningContainer | undefined {
  return ctx.nodes.find((n) => n.node === name || n.name === name);
}

export function nodeByIp(ctx: OpsContext, ip: string): RunningContainer | undefined {
  return ctx.nodes.find((n) => n.ip === ip);
}

/** The steps of an operation with their time since it began, for the timeline: "paused writes on redis-1 (+0 ms); ...". */
export class StepLog {
  private readonly startMs: number;
  private readonly steps: string[] = [];

  constructor(private readonly clock: RunClock) {
    this.startMs = clock.nowMs();
  }

  add(step: string): void {
    this.steps.push(`${step} (+${Math.round(this.clock.nowMs() - this.startMs)} ms)`);
  }

  text(): string {
    return this.steps.join('; ');
  }
}
