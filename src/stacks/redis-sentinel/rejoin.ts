import type { RunningContainer } from '../../engine/resources.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { abortReason, sleep } from '../../util/wait.js';
import { REDIS_PORT } from '../redis/client.js';
import { caughtUpWith, describeReplication, type ReplicationInfo } from '../redis/replication-info.js';
import type { RejoinOutcome } from '../stack.js';
import { OPS_POLL_MS, StepLog, nodeNamed, onRedis, replicationOf, type OpsContext } from './ops-context.js';

// Bring a former master back as a replica of the current one. A node that returns as a master (a
// restarted process starts as what its command line says) is turned into a replica by Sentinel only
// after it has reported that role for 8 s (4 hello periods), so drill points it at the current master
// itself, as Sentinel would. It is then fully resynced: what it alone had is already counted as lost
// writes, so there is no "errant" set on Redis (errant: null; `errant: rebuild` changes nothing).

export async function rejoin(ctx: OpsContext, opts: { node: string; timeoutMs: number; signal: AbortSignal }): Promise<RejoinOutcome> {
  const steps = new StepLog(ctx.clock);
  const deadline = Date.now() + opts.timeoutMs;
  const name = opts.node === 'former-primary' ? ctx.history.formerPrimary() : opts.node;
  if (!name) throw new InfraError('rejoin: no failover or switchover has replaced a master yet in this run, so there is no former primary (name the node: node: redis-N)');
  const node = nodeNamed(ctx, name);
  if (!node) throw new InfraError(`rejoin: no data node named ${name}`);
  const primary = await ctx.primary();
  if (primary === node) throw new InfraError(`rejoin: ${node.node} is the master now: there is nothing to rejoin`);

  await startIfDown(ctx, node, steps);

  let pointed = false;
  let last: ReplicationInfo | null = null;
  for (;;) {
    if (opts.signal.aborted) throw abortReason(opts.signal);
    // The master's offset first: a replica at or past it has everything the master had a moment ago.
    const masterOffset = (await replicationOf(ctx, primary))?.offset ?? NaN;
    last = await replicationOf(ctx, node);
    if (last && caughtUpWith(last, primary.ip, masterOffset)) {
      const caughtUpAtMs = ctx.clock.nowMs();
      steps.add(`${node.node} replicates from ${primary.node}, link up, offset ${last.offset} ≥ master's ${masterOffset}`);
      return { node: node.node, primary: primary.node, caughtUpAtMs, errant: null, detail: steps.text() };
    }
    if (last && !pointed && !(last.role === 'slave' && last.masterHost === primary.ip)) {
      pointed = await onRedis(ctx, node, (c) => c.call('REPLICAOF', primary.ip, String(REDIS_PORT))).then(
        () => true,
        (error: unknown) => {
          ctx.log.debug({ node: node.node, error: errorMessage(error) }, 'REPLICAOF not taken yet');
          return false;
        },
      );
      if (pointed) steps.add(`${node.node} was ${describeReplication(last)}: REPLICAOF ${primary.node}`);
    }
    if (Date.now() > deadline) break;
    await sleep(OPS_POLL_MS, opts.signal);
  }
  steps.add(`not caught up within ${opts.timeoutMs} ms; last seen: ${describeReplication(last)}`);
  return { node: node.node, primary: primary.node, caughtUpAtMs: null, errant: null, detail: steps.text() };
}

/** A stopped or killed node's container is started again (same published port); its address on the network is read back. */
async function startIfDown(ctx: OpsContext, node: RunningContainer, steps: StepLog): Promise<void> {
  const container = ctx.docker.getContainer(node.id);
  const state = (await container.inspect()).State;
  if (state.Paused) throw new InfraError(`rejoin: ${node.node} is paused (heal the pause first)`);
  if (state.Running) return;
  try {
    await container.start();
  } catch (error) {
    throw new InfraError(`rejoin: could not start ${node.node}: ${errorMessage(error)}`);
  }
  const ip = (await container.inspect()).NetworkSettings.Networks[ctx.network]?.IPAddress;
  steps.add(`started ${node.node} (it was ${state.Status})`);
  // The engine may give a restarted container another address: Sentinel and drill must find it at the new one.
  if (ip && ip !== node.ip) {
    steps.add(`${node.node} came back at ${ip}, not ${node.ip}`);
    node.ip = ip;
  }
}
