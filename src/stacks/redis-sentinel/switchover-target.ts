import type { ReplicationInfo } from '../redis/replication-info.js';

// Which replicas a switchover may promote. Sentinel has no "fail over to X": it picks among the replicas
// it deems eligible (link up, replica-priority > 0, then lowest priority, most data). So `to: redis-N`
// means every other replica is made ineligible (replica-priority 0) for the duration. Pure: the
// decision from each replica's INFO replication.

export interface NodeLike {
  node: string;
  name: string;
  ip: string;
}

export interface Candidate<N extends NodeLike> {
  node: N;
  /** null: it did not answer. */
  info: ReplicationInfo | null;
}

export interface TargetChoice<N extends NodeLike> {
  /** The node named by `to`; null with `best` (Sentinel chooses). */
  target: N | null;
  /** The replicas Sentinel may promote: each must have caught up with the primary before the failover. */
  eligible: N[];
  /** The other replicas, to be given replica-priority 0 for the duration (only those not already at 0). */
  lower: N[];
}

/** Replicating from the primary with its link up: what Sentinel needs of a replica to promote it. */
function linked<N extends NodeLike>(c: Candidate<N>, primary: N): boolean {
  return c.info?.role === 'slave' && c.info.masterHost === primary.ip && c.info.linkUp;
}

export function chooseSwitchoverTarget<N extends NodeLike>(to: string, primary: N, candidates: readonly Candidate<N>[]): TargetChoice<N> | { error: string } {
  const replicas = candidates.filter((c) => c.node !== primary);
  const state = (c: Candidate<N>) =>
    c.info ? `role:${c.info.role}${c.info.role === 'slave' ? ` of ${c.info.masterHost ?? '?'}, link ${c.info.linkUp ? 'up' : 'down'}, priority ${c.info.priority}` : ''}` : 'no answer';
  if (to === 'best') {
    const eligible = replicas.filter((c) => linked(c, primary) && c.info!.priority !== 0);
    if (eligible.length === 0) {
      const seen = replicas.map((c) => `${c.node.node}: ${state(c)}`).join(', ') || 'no replicas';
      return { error: `switchover: no replica of ${primary.node} can be promoted (each must replicate from it with its link up and replica-priority > 0; ${seen})` };
    }
    return { target: null, eligible: eligible.map((c) => c.node), lower: [] };
  }
  const named = candidates.find((c) => c.node.node === to || c.node.name === to);
  if (!named) return { error: `switchover: no data node named ${to}` };
  if (named.node === primary) return { error: `switchover: ${named.node.node} is the primary already` };
  if (!linked(named, primary)) return { error: `switchover: ${named.node.node} is not a replica of ${primary.node} with its link up (${state(named)}): it cannot be promoted` };
  if (named.info!.priority === 0) return { error: `switchover: ${named.node.node} has replica-priority 0: Sentinel never promotes it` };
  const lower = replicas.filter((c) => c !== named && c.info !== null && c.info.priority !== 0).map((c) => c.node);
  return { target: named.node, eligible: [named.node], lower };
}
