import type { RunningContainer } from '../../engine/resources.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import { REDIS_PORT } from '../redis/client.js';
import { caughtUpWith, describeReplication } from '../redis/replication-info.js';
import type { SwitchoverOutcome } from '../stack.js';
import { OPS_POLL_MS, StepLog, nodeByIp, onRedis, onSentinel, replicationOf, sentinelAnswers, type OpsContext } from './ops-context.js';
import { chooseSwitchoverTarget } from './switchover-target.js';

// A planned switchover on Redis + Sentinel. SENTINEL FAILOVER alone would lose writes: it promotes a
// replica without waiting for it to catch up, and the old master keeps acknowledging writes until it is
// turned into a replica (Sentinel does that only seconds later). So drill holds writes on the old master
// first (CLIENT PAUSE WRITE: clients wait, replication goes on), lets the replicas catch up, asks Sentinel
// to fail over, and once the Sentinels name the new master, makes the old one its replica, drops its
// clients (the held writes were never applied; the clients ask Sentinel again) and lifts the pause.

/** The pause outlives the timeout by this much, and always ends by itself: a drill that dies mid-way leaves no master frozen. */
const PAUSE_MARGIN_MS = 5_000;

export async function switchover(ctx: OpsContext, opts: { to: string; timeoutMs: number; signal: AbortSignal }): Promise<SwitchoverOutcome> {
  const steps = new StepLog(ctx.clock);
  const deadline = Date.now() + opts.timeoutMs;
  const left = () => Math.max(0, deadline - Date.now());
  const from = await ctx.primary();
  const candidates = await Promise.all(ctx.nodes.filter((n) => n !== from).map(async (node) => ({ node, info: await replicationOf(ctx, node) })));
  const choice = chooseSwitchoverTarget(opts.to, from, candidates);
  if ('error' in choice) throw new InfraError(choice.error);

  const priorities = new Map<RunningContainer, string>();
  let paused = false;
  try {
    for (const node of choice.lower) {
      const before = await onRedis(ctx, node, (c) => c.config('GET', 'replica-priority') as Promise<string[]>);
      priorities.set(node, before[1] ?? '100');
      await onRedis(ctx, node, (c) => c.config('SET', 'replica-priority', '0'));
    }
    if (choice.lower.length > 0) steps.add(`replica-priority 0 on ${choice.lower.map((n) => n.node).join(', ')}`);

    await onRedis(ctx, from, (c) => c.call('CLIENT', 'PAUSE', String(opts.timeoutMs + PAUSE_MARGIN_MS), 'WRITE'));
    paused = true;
    steps.add(`writes held on ${from.node} (CLIENT PAUSE WRITE)`);
    const offset = (await replicationOf(ctx, from))?.offset ?? NaN;
    await waitUntil(
      `${choice.eligible.map((n) => n.node).join(', ')} to catch up with ${from.node} (offset ${offset})`,
      left(),
      opts.signal,
      async () => (await Promise.all(choice.eligible.map((n) => replicationOf(ctx, n)))).every((info) => info !== null && caughtUpWith(info, from.ip, offset)),
      OPS_POLL_MS / 5,
    );
    steps.add(`${choice.eligible.map((n) => n.node).join(', ')} caught up (offset ${offset})`);

    const asked = await askFailover(ctx);
    steps.add(`SENTINEL FAILOVER accepted by ${asked.node}`);

    const to = await waitNewMaster(ctx, from, left(), opts.signal);
    if (choice.target && to.node !== choice.target) throw new InfraError(`switchover: Sentinel promoted ${to.node.node}, not ${choice.target.node}`);
    steps.add(`${to.sentinel.node} names ${to.node.node}, which answers role:master`);

    // The old master's clients are let go only once every Sentinel that answers names the new master (and
    // a majority does): the Sentinel running the failover names it first, the others only at its
    // +switch-master, up to a few hundred ms later on a loaded host. A client dropped earlier may ask one
    // of those, be sent back to the old master, and go round again: measured here, 0.4-0.7 s more RTO.
    await waitUntil(
      `every Sentinel that answers to name ${to.node.node}`,
      left(),
      opts.signal,
      async () => {
        const answers = (await sentinelAnswers(ctx)).filter((a) => a !== null);
        return answers.every((a) => a === to.node.ip) && answers.length > ctx.sentinels.length / 2;
      },
      OPS_POLL_MS / 5,
    );
    steps.add(`every Sentinel that answers names ${to.node.node}`);

    // The old master follows the new one before its clients are let go, so none of them writes to it again.
    await onRedis(ctx, from, async (c) => {
      await c.call('REPLICAOF', to.node.ip, String(REDIS_PORT));
      await c.call('CLIENT', 'KILL', 'TYPE', 'normal');
      await c.call('CLIENT', 'UNPAUSE');
    });
    paused = false;
    steps.add(`${from.node} made a replica of ${to.node.node}, its clients dropped, writes released`);
    ctx.history.record({ from: from.name, to: to.node.name });
    return { from: from.node, to: to.node.node, detail: steps.text() };
  } finally {
    // Whatever happened (error, abort, timeout): no master left frozen, every replica's priority as it was.
    if (paused)
      await onRedis(ctx, from, (c) => c.call('CLIENT', 'UNPAUSE')).catch((error: unknown) => {
        ctx.log.warn({ node: from.node, error: errorMessage(error) }, 'could not lift the write pause (it ends by itself)');
      });
    for (const [node, value] of priorities) {
      await onRedis(ctx, node, (c) => c.config('SET', 'replica-priority', value)).catch((error: unknown) => {
        ctx.log.warn({ node: node.node, error: errorMessage(error) }, 'could not restore replica-priority');
      });
    }
  }
}

/** SENTINEL FAILOVER on the first Sentinel that answers; Sentinel's refusals (NOGOODSLAVE, INPROG) end the switchover. */
async function askFailover(ctx: OpsContext): Promise<RunningContainer> {
  const unreachable: string[] = [];
  for (const s of ctx.sentinels) {
    try {
      await onSentinel(s, (c) => c.call('SENTINEL', 'FAILOVER', ctx.masterName));
      return s;
    } catch (error) {
      // A reply from Sentinel (-NOGOODSLAVE, -INPROG, -ERR) is its answer; only an unreachable Sentinel is skipped.
      if (error instanceof Error && error.name === 'ReplyError') throw new InfraError(`switchover: ${s.node} refused SENTINEL FAILOVER: ${error.message}`);
      unreachable.push(`${s.node}: ${errorMessage(error)}`);
    }
  }
  throw new InfraError(`switchover: no Sentinel answered SENTINEL FAILOVER (${unreachable.join('; ')})`);
}

/** The first moment a Sentinel names a master other than `from` and that node says it is one. */
async function waitNewMaster(ctx: OpsContext, from: RunningContainer, timeoutMs: number, signal: AbortSignal): Promise<{ node: RunningContainer; sentinel: RunningContainer }> {
  const seen: { found?: { node: RunningContainer; sentinel: RunningContainer }; last: string } = { last: '' };
  try {
    await waitUntil(
      `Sentinel to promote a replica of ${from.node}`,
      timeoutMs,
      signal,
      async () => {
        const answers = await sentinelAnswers(ctx);
        for (const [i, address] of answers.entries()) {
          const node = address && address !== from.ip ? nodeByIp(ctx, address) : undefined;
          if (!node) continue;
          const info = await replicationOf(ctx, node);
          seen.last = `${ctx.sentinels[i]!.node} names ${node.node}: ${describeReplication(info)}`;
          if (info?.role === 'master') {
            seen.found = { node, sentinel: ctx.sentinels[i]! };
            return true;
          }
        }
        return false;
      },
      OPS_POLL_MS,
    );
  } catch (error) {
    if (error instanceof InfraError) throw new InfraError(`switchover: ${error.message}${seen.last ? ` (last seen: ${seen.last})` : ''}`);
    throw error;
  }
  return seen.found!;
}
