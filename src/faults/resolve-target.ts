import type { GroupMemberSpec, TargetSpec } from '../spec/schema.js';
import type { Stack } from '../stacks/stack.js';
import type { RunningContainer } from '../engine/resources.js';
import { InfraError } from '../util/errors.js';
import type { BackupHolder } from './backup-damage.js';

/** What a layer adds to fault targets: its own nodes and roles, resolved at the moment of the fault. */
export interface LayerTargets extends BackupHolder {
  resolveTarget?(target: string): Promise<RunningContainer | null>;
}

/**
 * Resolve a target to a container at this moment, from the system itself: `primary` and the replica
 * roles ask the stack (Sentinel, the databases), never a fixed container name. A node name (db-2,
 * sentinel-1) picks that node.
 */
export async function resolveTarget(stack: Stack, target: TargetSpec, random: () => number = Math.random, layers: readonly LayerTargets[] = []): Promise<RunningContainer> {
  // A layer's own nodes and roles first (active-lb, lb-2): the stack knows nothing of them.
  for (const layer of layers) {
    const found = await layer.resolveTarget?.(target);
    if (found) return found;
  }
  const own = await stack.resolveRole?.(target);
  if (own) return own;
  switch (target) {
    case 'primary':
      return stack.primary();
    case 'replica':
    case 'any-replica': {
      const replicas = (await stack.replicas()).sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }));
      if (replicas.length === 0) throw new InfraError(`target ${target}: the stack has no replica right now`);
      // `replica` is the first by name (repeatable); `any-replica` is drawn at random, like a real failure.
      return target === 'replica' ? replicas[0]! : replicas[Math.floor(random() * replicas.length)]!;
    }
    case 'sentinel':
    case 'app': {
      const found = stack.containers.filter((c) => c.role === target).sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }));
      if (!found[0]) throw new InfraError(`target ${target}: stack ${stack.kind} has no ${target}`);
      return found[0];
    }
    default: {
      const node = stack.containers.find((c) => c.node === target);
      if (!node) throw new InfraError(`target ${target}: no such node in this ${stack.kind} stack (nodes: ${stack.containers.map((c) => c.node).join(', ')})`);
      return node;
    }
  }
}

/** Resolve a partition group: plural roles are every node of the role, singular ones one node. */
export async function resolveGroup(stack: Stack, members: readonly GroupMemberSpec[], layers: readonly LayerTargets[] = []): Promise<RunningContainer[]> {
  const out = new Map<string, RunningContainer>();
  for (const member of members) {
    const found =
      stack.groupRole?.(member) ??
      (member === 'replicas'
        ? await stack.replicas()
        : member === 'sentinels'
          ? stack.containers.filter((c) => c.role === 'sentinel')
          : member === 'apps'
            ? stack.containers.filter((c) => c.role === 'app')
            : member === 'runner'
              ? [runnerNode(stack)]
              : [await resolveTarget(stack, member, Math.random, layers)]);
    for (const c of found) out.set(c.id, c);
  }
  return [...out.values()];
}

/**
 * drill itself, as a partition member: its traffic reaches the nodes through the 127.0.0.1 published ports
 * and arrives from the run network's gateway. It has no container: rules go on the other side only (the
 * host's own rules are never touched), and it takes no part in the probes.
 */
export function runnerNode(stack: Stack): RunningContainer {
  const gateway = stack.containers.find((c) => c.gateway)?.gateway;
  if (!gateway) throw new InfraError(`partition member "runner": the ${stack.kind} stack's network has no gateway address`);
  return { id: '', node: 'runner', name: 'runner (this host)', role: 'runner', image: '', ip: gateway, ports: {} };
}
