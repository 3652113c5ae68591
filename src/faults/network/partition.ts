import type { FaultStepSpec, GroupMemberSpec } from '../../spec/schema.js';
import type { RunningContainer } from '../../engine/resources.js';
import { InfraError } from '../../util/errors.js';
import type { FaultContext, FaultPlugin, InjectedFault } from '../plugin.js';
import { resolveGroup, resolveTarget } from '../resolve-target.js';
import { injectRuleFault, isRunning, type ProbeMoment } from './chains.js';
import type { Helper } from './helpers.js';
import { partitionFirstWave, partitionInEffectBy, planPartition, type PathProbe, type PlanNode } from './plan.js';
import { pathOpen, tcpProbes, udpFlows } from './probes.js';

// partition: groups of nodes that cannot reach each other (or, oneWay, groups[0] cannot send to the
// others); isolate: one node against every other node of the stack, the apps included. iptables DROP in
// each affected node's namespace; the runner's own access through 127.0.0.1 is not cut (it arrives from
// the bridge gateway, not from a node).

type Step<K extends FaultStepSpec['fault']> = Extract<FaultStepSpec, { fault: K }>;

const BLOCKED_TIMEOUT_MS = 500;
const OPEN_TIMEOUT_MS = 2000;

export const toPlanNode = (c: RunningContainer): PlanNode => {
  const port = Object.keys(c.ports).map(Number)[0];
  return { node: c.node, ip: c.ip, port };
};

export const describeGroups = (groups: readonly (readonly { node: string }[])[], oneWay: boolean): string => groups.map((g) => `[${g.map((n) => n.node).join(', ')}]`).join(oneWay ? ' → ' : ' | ');

export const injectPartition: FaultPlugin<'partition'>['inject'] = async (ctx, step: Step<'partition'>) => {
  const groups = await Promise.all(step.groups.map((g: GroupMemberSpec[]) => resolveGroup(ctx.stack, g, ctx.layers)));
  const target = step.groups.map((g) => `[${g.join(', ')}]`).join(step.oneWay ? ' → ' : ' | ');
  return partition(ctx, 'partition', target, groups, step.oneWay, step.durationMs);
};

export const injectIsolate: FaultPlugin<'isolate'>['inject'] = async (ctx, step: Step<'isolate'>) => {
  const node = await resolveTarget(ctx.stack, step.target, Math.random, ctx.layers);
  const others = ctx.stack.containers.filter((c) => c.node !== node.node);
  return partition(ctx, 'isolate', step.target, [[node], others], false, step.durationMs);
};

async function partition(ctx: FaultContext, kind: string, target: string, groups: RunningContainer[][], oneWay: boolean, durationMs: number | undefined): Promise<InjectedFault> {
  const byNode = new Map(ctx.stack.containers.map((c) => [c.node, c]));
  for (const g of groups) for (const c of g) byNode.set(c.node, c);
  const plan = planPartition(
    groups.map((g) => g.map(toPlanNode)),
    oneWay,
    [...byNode.values()].map(toPlanNode),
  );

  // A node that is not running has no namespace to put rules in: the other side's rules (by IP) still cut
  // it off if it comes back; it takes no part in the probes.
  const running = new Map<string, boolean>();
  await Promise.all([...byNode.values()].filter((c) => c.node !== 'runner').map(async (c) => running.set(c.node, await isRunning(ctx, c))));
  running.set('runner', false); // drill itself: rules on the other side only, no probes from or to it
  const down = [...running].filter(([n, up]) => !up && n !== 'runner').map(([n]) => n);
  if (down.length) ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `${kind}: ${down.join(', ')} not running: no rules or probes there` });
  const rules = [...plan.rules].filter(([node]) => running.get(node)).map(([node, r]) => ({ container: byNode.get(node)!, rules: r }));
  if (!rules.length) throw new InfraError(`${kind} ${describeGroups(groups, oneWay)}: no running node to put rules on`);
  const probes = plan.probes.filter((p) => running.get(p.from) && running.get(p.to));
  const udpEnds = probes.filter((p) => p.via === 'udp').flatMap((p) => [p.from, p.to]);
  const tcpFroms = probes.filter((p) => p.via === 'tcp').map((p) => p.from);
  const nodeGroups = groups.map((g) => g.map((c) => c.node));

  return injectRuleFault(ctx, {
    kind,
    target,
    container: groups.map((g) => g.map((c) => c.name).join(', ')).join(oneWay ? ' → ' : ' | '),
    groups: groups.map((g) => g.map((c) => c.name)),
    durationMs,
    rules,
    probeOnly: [...new Set([...udpEnds, ...tcpFroms])].map((n) => byNode.get(n)!),
    inEffectBy: (ends) => partitionInEffectBy(nodeGroups, oneWay, ends),
    firstWave: partitionFirstWave(nodeGroups, oneWay, new Set(rules.map((r) => r.container.node))) ?? undefined,
    verify: (helpers, moment) =>
      moment === 'injected'
        ? verifyPaths(ctx, kind, probes, byNode, helpers, moment)
        : // Healed: every path the fault cut must be open again (between nodes still there to probe).
          verifyPaths(
            ctx,
            kind,
            probes.filter((p) => p.expect === 'blocked' && helpers.has(p.from) && helpers.has(p.to)).map((p) => ({ ...p, expect: 'open' as const })),
            byNode,
            helpers,
            moment,
          ),
  });
}

interface Outcome {
  probe: PathProbe;
  open: boolean;
  detail: string;
}

/** Every probe must see what the plan expects; open paths get a second, slower chance (a busy machine). */
async function verifyPaths(ctx: FaultContext, kind: string, probes: PathProbe[], byNode: Map<string, RunningContainer>, helpers: ReadonlyMap<string, Helper>, moment: ProbeMoment): Promise<string> {
  const helper = (node: string) => {
    const h = helpers.get(node);
    if (!h) throw new InfraError(`${kind}: no helper on ${node} for the probe`);
    return h;
  };
  const tcpRound = async (list: PathProbe[], openTimeoutMs: number): Promise<Outcome[]> => {
    const froms = [...new Set(list.map((p) => p.from))];
    const perFrom = await Promise.all(
      froms.map(async (from) => {
        const mine = list.filter((p) => p.from === from);
        const results = await tcpProbes(
          ctx.docker,
          helper(from),
          mine.map((p) => ({ host: byNode.get(p.to)!.ip, port: toPlanNode(byNode.get(p.to)!).port!, timeoutMs: p.expect === 'blocked' ? BLOCKED_TIMEOUT_MS : openTimeoutMs })),
        );
        return mine.map((probe, i) => ({ probe, open: pathOpen(results[i]!.status), detail: `${results[i]!.status} ${results[i]!.ms} ms` }));
      }),
    );
    return perFrom.flat();
  };
  const tcpList = probes.filter((p) => p.via === 'tcp');
  const udpList = probes.filter((p) => p.via === 'udp');
  const [tcpFirst, udpOut] = await Promise.all([
    tcpRound(tcpList, OPEN_TIMEOUT_MS),
    udpFlows(
      ctx.docker,
      udpList.map((p) => ({ from: helper(p.from), to: helper(p.to), count: 10, intervalMs: 10 })),
    ),
  ]);
  const retry = tcpFirst.filter((o) => o.probe.expect === 'open' && !o.open).map((o) => o.probe);
  const retried = retry.length ? await tcpRound(retry, 3 * OPEN_TIMEOUT_MS) : [];
  const outcomes: Outcome[] = [
    ...tcpFirst.map((o) => retried.find((r) => r.probe === o.probe) ?? o),
    ...udpList.map((probe, i) => ({ probe, open: udpOut[i]!.received > 0, detail: `udp ${udpOut[i]!.received}/${udpOut[i]!.sent}` })),
  ];

  const name = (p: PathProbe) => `${p.from} → ${p.to}${p.via === 'tcp' ? `:${toPlanNode(byNode.get(p.to)!).port}` : ' (udp)'}`;
  const leaks = outcomes.filter((o) => o.probe.expect === 'blocked' && o.open);
  if (leaks.length) throw new InfraError(`${kind} not in effect: ${leaks.map((o) => `${o.probe.from} still reaches ${name(o.probe).split(' → ')[1]} (${o.detail})`).join('; ')}`);
  const cut = outcomes.filter((o) => o.probe.expect === 'open' && !o.open);
  const cutWords = cut.map((o) => `${name(o.probe)} is blocked (${o.detail})`).join('; ');
  if (cut.length) throw new InfraError(moment === 'injected' ? `${kind} cuts more than asked: ${cutWords}` : `${kind} still in effect after its rules were removed: ${cutWords}`);
  const list = (expect: 'blocked' | 'open') => outcomes.filter((o) => o.probe.expect === expect).map((o) => `${name(o.probe)} (${o.detail})`);
  const blocked = list('blocked');
  const open = list('open');
  if (moment === 'healed') return `open again ${open.length}: ${open.join(', ') || 'no path left to probe'}`;
  return `blocked ${blocked.length}: ${blocked.join(', ')}${open.length ? `; open ${open.length}: ${open.join(', ')}` : ''}`;
}
