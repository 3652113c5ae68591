import type { FaultStepSpec } from '../../spec/schema.js';
import type { RunningContainer } from '../../engine/resources.js';
import { InfraError } from '../../util/errors.js';
import type { FaultContext, FaultPlugin } from '../plugin.js';
import { resolveGroup, resolveTarget } from '../resolve-target.js';
import { injectRuleFault, isRunning, type ProbeMoment } from './chains.js';
import type { Helper } from './helpers.js';
import { describeGroups, toPlanNode } from './partition.js';
import { lossConsistent, planLossBetween } from './plan.js';
import { udpFlows } from './probes.js';
import { lossRules } from './rules.js';

// loss: each packet in and out of a node (or between two groups) dropped with probability percent/100
// (iptables `-m statistic --mode random`). Verified with datagrams both ways, counted on arrival.

type Step = Extract<FaultStepSpec, { fault: 'loss' }>;

const PROBE_COUNT = 200;
const PROBE_INTERVAL_MS = 2;

export const injectLoss: FaultPlugin<'loss'>['inject'] = async (ctx, step: Step) => {
  const probability = step.percent / 100;
  if (step.between) {
    const [a, b] = await Promise.all(step.between.map((g) => resolveGroup(ctx.stack, g, ctx.layers)));
    const { side, rules } = planLossBetween(a!.map(toPlanNode), b!.map(toPlanNode), probability);
    const byNode = new Map([...a!, ...b!].map((c) => [c.node, c]));
    const sideNodes = side.map((n) => byNode.get(n.node)!);
    const otherNodes = [...byNode.values()].filter((c) => !side.some((n) => n.node === c.node));
    const here = await firstRunning(ctx, sideNodes);
    const there = await firstRunning(ctx, otherNodes);
    if (!here || !there) throw new InfraError(`loss between ${describeGroups([a!, b!], false)}: no running node on ${here ? 'the other' : 'one'} side to probe`);
    const running = await Promise.all(sideNodes.map((c) => isRunning(ctx, c)));
    return injectRuleFault(ctx, {
      kind: 'loss',
      target: `${step.between.map((g) => `[${g.join(', ')}]`).join(' | ')} ${step.percent} %`,
      container: `${a!.map((c) => c.name).join(', ')} | ${b!.map((c) => c.name).join(', ')}`,
      durationMs: step.durationMs,
      rules: sideNodes.filter((_, i) => running[i]).map((c) => ({ container: c, rules: rules.get(c.node)! })),
      probeOnly: [there],
      verify: (helpers, moment) => verifyLoss(ctx, moment, probability, helpers.get(here.node), helpers.get(there.node)),
    });
  }
  const node = await resolveTarget(ctx.stack, step.target, Math.random, ctx.layers);
  const peer = await firstRunning(
    ctx,
    ctx.stack.containers.filter((c) => c.node !== node.node),
  );
  if (!peer) throw new InfraError(`loss on ${node.name}: no other running node to probe from`);
  return injectRuleFault(ctx, {
    kind: 'loss',
    target: `${step.target} ${step.percent} %`,
    container: node.name,
    durationMs: step.durationMs,
    rules: [{ container: node, rules: { filter: lossRules(probability), nat: [] } }],
    probeOnly: [peer],
    verify: (helpers, moment) => verifyLoss(ctx, moment, probability, helpers.get(node.node), helpers.get(peer.node)),
  });
};

async function firstRunning(ctx: FaultContext, nodes: readonly RunningContainer[]): Promise<RunningContainer | undefined> {
  for (const n of nodes) if (await isRunning(ctx, n)) return n;
  return undefined;
}

/**
 * Datagrams both ways between a node with the rules and a peer; the loss seen must fit the one asked at
 * injection, and fit none (0 %, same tolerance) after the heal.
 */
async function verifyLoss(ctx: FaultContext, moment: ProbeMoment, asked: number, node: Helper | undefined, peer: Helper | undefined): Promise<string> {
  if (!node || !peer) {
    if (moment === 'healed') return 'no pair of nodes left to probe';
    throw new InfraError('loss: no helper for the probe');
  }
  const probability = moment === 'injected' ? asked : 0;
  const [inbound, outbound] = await udpFlows(ctx.docker, [
    { from: peer, to: node, count: PROBE_COUNT, intervalMs: PROBE_INTERVAL_MS },
    { from: node, to: peer, count: PROBE_COUNT, intervalMs: PROBE_INTERVAL_MS },
  ]);
  const pct = (f: { sent: number; received: number }) => (f.sent ? (100 * (f.sent - f.received)) / f.sent : 0);
  const sent = inbound!.sent + outbound!.sent;
  const dropped = sent - inbound!.received - outbound!.received;
  const summary = `${peer.target.node} → ${node.target.node} ${pct(inbound!).toFixed(1)} % of ${inbound!.sent} lost, ${node.target.node} → ${peer.target.node} ${pct(outbound!).toFixed(1)} % of ${outbound!.sent} lost (${moment === 'injected' ? 'asked' : 'healed, expected'} ${(probability * 100).toFixed(1)} %)`;
  if (!lossConsistent(probability, dropped, sent)) throw new InfraError(moment === 'injected' ? `loss not in effect as asked: ${summary}` : `loss still in effect: ${summary}`);
  return summary;
}
