import { formatDurationMs } from '../spec/duration.js';
import type { StackSpec } from '../spec/schema.js';
import { descriptorOf } from '../stacks/descriptors.js';
import { nodeRange } from '../stacks/node-names.js';

// A fault's target in words, as far as it is known before the run: node names as they are, roles as
// roles ("primary (whichever node the Sentinels name master at 5s)"): only the running system knows.

function initialRole(stack: StackSpec, node: string): string {
  if (stack.kind === 'compose') return node === 'app-1' ? 'your app' : 'found at run time, in name order';
  const [prefix, n] = [node.replace(/-\d+$/, ''), Number(node.split('-').pop())];
  switch (prefix) {
    case 'redis':
      return n === 1 ? 'the master at the start' : 'a replica at the start';
    case 'db':
      return n === 1 ? 'the primary at the start' : 'a replica at the start';
    case 'sentinel':
      return 'a Sentinel';
    case 'pg':
      return 'a Patroni node (its role is elected at start)';
    case 'etcd':
      return 'an etcd node';
    case 'haproxy':
      return 'the HAProxy in front of the Patroni nodes';
    case 'lb':
      return n === 1 ? 'the LB node with the higher priority at the start' : 'an LB node';
    default:
      return 'a fixture app';
  }
}

/** One target or group member, at the moment `atMs` of its fault. */
export function describeTarget(stack: StackSpec, target: string, atMs: number): string {
  const at = formatDurationMs(atMs);
  const redis = descriptorOf(stack).data(stack) === 'redis';
  const apps = stack.kind === 'redis-sentinel' ? stack.apps : 1;
  switch (target) {
    case 'leader':
      return `leader (the Patroni node holding the leader lock at ${at}, asked of the REST API)`;
    case 'sync-standby':
      return `sync-standby (the node Patroni names synchronous standby at ${at})`;
    case 'etcd':
      return 'etcd (etcd-1)';
    case 'etcds':
      return stack.kind === 'patroni' ? `etcds (${nodeRange('etcd', 1, stack.etcd)})` : 'etcds (every etcd node)';
    case 'etcd-leader':
      return `etcd-leader (the etcd node the others name raft leader at ${at})`;
    case 'haproxy':
      return 'haproxy (haproxy-1)';
    case 'primary':
      if (stack.kind === 'patroni') return `primary (the Patroni leader at ${at}, asked of the REST API)`;
      return redis ? `primary (whichever node the Sentinels name master at ${at})` : `primary (whichever database is writable and not replicating at ${at})`;
    case 'replica':
      return `replica (the first replica by node name at ${at})`;
    case 'any-replica':
      return `any-replica (a replica drawn at random at ${at})`;
    case 'replicas':
      return `replicas (every replica at ${at})`;
    case 'sentinel':
      return 'sentinel (sentinel-1)';
    case 'sentinels':
      return stack.kind === 'redis-sentinel' ? `sentinels (${nodeRange('sentinel', 1, stack.sentinels)})` : 'sentinels (every Sentinel)';
    case 'app':
      return 'app (app-1)';
    case 'apps':
      return `apps (${nodeRange('app', 1, apps)})`;
    case 'runner':
      return 'runner (drill itself, on this host)';
    case 'active-lb':
      return `active-lb (the LB node holding the VIP at ${at})`;
    case 'backup-lb':
      return `backup-lb (the LB node not holding the VIP at ${at})`;
    default:
      return `${target} (${initialRole(stack, target)})`;
  }
}

export function describeGroups(stack: StackSpec, groups: readonly (readonly string[])[], atMs: number): string {
  return groups.map((group) => `[${group.map((member) => describeTarget(stack, member, atMs)).join(', ')}]`).join(' | ');
}
