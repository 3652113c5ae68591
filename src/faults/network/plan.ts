import { InfraError } from '../../util/errors.js';
import { dropRules, type NodeAddr, type RuleSet } from './rules.js';

// What a partition does to each node, and which paths prove it: pure, so it is unit-tested.

export interface PlanNode extends NodeAddr {
  /** A TCP service port of the node (for connect probes); undefined when it publishes none. */
  port: number | undefined;
}

export interface PathProbe {
  from: string;
  to: string;
  /** tcp: connect to the node's service port; udp: datagrams (tells the two directions apart). */
  via: 'tcp' | 'udp';
  expect: 'blocked' | 'open';
}

export interface PartitionPlan {
  /** Rules per node (node name → rules); nodes without an entry are not touched. */
  rules: Map<string, RuleSet>;
  probes: PathProbe[];
}

/**
 * Two-way: every node of a group drops what comes from and goes to every node of the other groups (both
 * sides carry the rules, so the cut holds even if one side's rules are lost). One-way: only what goes from
 * groups[0] to the others is dropped — in groups[0]'s OUTPUT and in the others' INPUT.
 */
export function planPartition(groups: readonly (readonly PlanNode[])[], oneWay: boolean, everyone: readonly PlanNode[]): PartitionPlan {
  const seen = new Map<string, number>();
  groups.forEach((g, i) => {
    for (const n of g) {
      const other = seen.get(n.node);
      if (other !== undefined && other !== i) throw new InfraError(`partition: ${n.node} is in group ${other + 1} and in group ${i + 1}`);
      seen.set(n.node, i);
    }
  });
  if (groups.filter((g) => g.length > 0).length < 2) throw new InfraError(`partition: fewer than two non-empty groups (${groups.map((g) => `[${g.map((n) => n.node).join(', ')}]`).join(' ')})`);

  const rules = new Map<string, RuleSet>();
  const others = (i: number) => groups.flatMap((g, j) => (j === i ? [] : g));
  groups.forEach((group, i) => {
    for (const n of group) {
      const filter = !oneWay ? dropRules(others(i), 'both') : i === 0 ? dropRules(others(0), 'to') : dropRules(groups[0]!, 'from');
      if (filter.length) rules.set(n.node, { filter, nat: [] });
    }
  });

  const probes: PathProbe[] = [];
  const first = (g: readonly PlanNode[], except?: string) => g.find((n) => n.node !== except && n.port !== undefined);
  if (!oneWay) {
    // Blocked: every node of every group towards one node of each other group (so both sides are probed).
    groups.forEach((group, i) => {
      groups.forEach((peer, j) => {
        const to = first(peer);
        if (i === j || !to) return;
        for (const n of group) probes.push({ from: n.node, to: to.node, via: 'tcp', expect: 'blocked' });
      });
    });
  } else {
    // TCP cannot tell directions apart (replies are packets too), datagrams can.
    const a = groups[0]!;
    for (const peer of groups.slice(1)) {
      const b = peer[0];
      if (!b) continue;
      for (const n of a) probes.push({ from: n.node, to: b.node, via: 'udp', expect: 'blocked' });
      if (a[0]) probes.push({ from: b.node, to: a[0].node, via: 'udp', expect: 'open' });
    }
  }
  // Open: inside a group, and from each group to a node in no group (if any): nothing else was cut.
  const outside = everyone.filter((n) => !seen.has(n.node));
  const outsider = first(outside);
  for (const group of groups) {
    const from = group[0];
    if (!from) continue;
    const mate = first(group, from.node);
    if (mate) probes.push({ from: from.node, to: mate.node, via: 'tcp', expect: 'open' });
    if (outsider) probes.push({ from: from.node, to: outsider.node, via: 'tcp', expect: 'open' });
  }
  return { rules, probes };
}

/**
 * When a partition was in effect on every path, from each rule node's install end (epoch ms): a path
 * between two groups is cut as soon as either end's rules are in, so the partition holds once, for every
 * pair of groups that must not talk, one of the two groups has all its rules in. A node of a group without
 * rules (not running, or drill itself) leaves that group's side open. Two groups of 3 and 4 nodes: the
 * later of the 3 or of the 4, whichever came first, instead of the last of all 7.
 */
export function partitionInEffectBy(groups: readonly (readonly string[])[], oneWay: boolean, endEpochMsByNode: ReadonlyMap<string, number>): number {
  const allInBy = groups.map((g) => (g.length && g.every((n) => endEpochMsByNode.has(n)) ? Math.max(...g.map((n) => endEpochMsByNode.get(n)!)) : Number.POSITIVE_INFINITY));
  let byMs = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      if (oneWay && i !== 0) continue;
      const pairBy = Math.min(allInBy[i]!, allInBy[j]!);
      if (Number.isFinite(pairBy)) byMs = Math.max(byMs, pairBy);
    }
  }
  return Number.isFinite(byMs) ? byMs : Math.max(...endEpochMsByNode.values());
}

/**
 * The rule nodes whose rules alone make the partition hold (see partitionInEffectBy): for every pair of
 * groups that must not talk, one of the two with all its nodes among `ruled`. Installed first, together,
 * they alone decide when the fault took effect, and removed last, when it was lifted: the fewer nodes, the
 * narrower that window on a busy host (each install is a commit that waits for a CPU). Two-way: every
 * group but the largest; one-way: groups[0] or all the others, whichever is smaller. Null when no smaller
 * set than all of `ruled` will do.
 */
export function partitionFirstWave(groups: readonly (readonly string[])[], oneWay: boolean, ruled: ReadonlySet<string>): Set<string> | null {
  const live = groups.map((g, i) => ({ g, i })).filter(({ g }) => g.length > 0);
  const complete = (g: readonly string[]) => g.every((n) => ruled.has(n));
  const size = (gs: readonly { g: readonly string[] }[]) => gs.reduce((n, { g }) => n + g.length, 0);
  let candidates: { g: readonly string[] }[][];
  if (oneWay) {
    const first = live.filter(({ i }) => i === 0);
    const rest = live.filter(({ i }) => i !== 0);
    candidates = [first, rest];
  } else {
    candidates = live.map(({ i }) => live.filter((x) => x.i !== i));
  }
  const usable = candidates.filter((c) => c.length > 0 && c.every(({ g }) => complete(g))).sort((a, b) => size(a) - size(b));
  const best = usable[0];
  if (!best || size(best) >= ruled.size) return null;
  return new Set(best.flatMap(({ g }) => g));
}

/** Loss between two groups: the rules go on one side only (the smaller), or each packet would be dropped twice. */
export function planLossBetween(a: readonly PlanNode[], b: readonly PlanNode[], probability: number): { side: readonly PlanNode[]; rules: Map<string, RuleSet> } {
  const overlap = a.find((n) => b.some((m) => m.node === n.node));
  if (overlap) throw new InfraError(`loss: ${overlap.node} is in both groups of between`);
  if (!a.length || !b.length) throw new InfraError('loss: a group of between resolved to no node');
  const [side, peers] = a.length <= b.length ? [a, b] : [b, a];
  const rules = new Map<string, RuleSet>();
  for (const n of side) rules.set(n.node, { filter: dropRules(peers, 'both', probability), nat: [] });
  return { side, rules };
}

/** Is the observed loss compatible with the requested one? (5 σ of a binomial, plus 2 points.) */
export function lossConsistent(probability: number, dropped: number, sent: number): boolean {
  if (sent <= 0) return false;
  const observed = dropped / sent;
  const sigma = Math.sqrt((probability * (1 - probability)) / sent);
  return Math.abs(observed - probability) <= 5 * sigma + 0.02;
}
