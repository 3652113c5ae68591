import type { WriteRecord } from '../load/history.js';
import type { DivergenceResult, ReplicaDivergence } from './types.js';
import { LIST_LIMIT } from './classify.js';

export interface NodeIds {
  container: string;
  role: 'primary' | 'replica' | 'unreachable';
  ids: ReadonlySet<number> | null;
}

/**
 * Compare each readable replica with the primary after recovery: ids the replica misses (behind, or
 * lost) and ids only the replica has (divergence: writes the new primary never saw). Divergence after a
 * failover is exactly what a DR drill exists to catch, so it is reported per replica, never summed away.
 */
export function divergenceOf(nodes: readonly NodeIds[], history: readonly WriteRecord[], checkedAtMs: number | null): DivergenceResult | null {
  const primary = nodes.find((n) => n.role === 'primary' && n.ids);
  if (!primary?.ids) return null;
  const acked = new Set<number>();
  for (const w of history) if (w.outcome === 'ok') acked.add(w.id);
  const replicas: ReplicaDivergence[] = [];
  for (const node of nodes) {
    if (node === primary || node.role !== 'replica' || !node.ids) continue;
    const missing = sortedDifference(primary.ids, node.ids);
    const extra = sortedDifference(node.ids, primary.ids);
    replicas.push({
      name: node.container,
      presentWrites: node.ids.size,
      missingWrites: missing.length,
      extraWrites: extra.length,
      missingAckedWrites: missing.filter((id) => acked.has(id)).length,
      firstMissingIds: missing.slice(0, LIST_LIMIT),
      firstExtraIds: extra.slice(0, LIST_LIMIT),
      converged: missing.length === 0 && extra.length === 0,
    });
  }
  return { reference: primary.container, checkedAtMs, replicas };
}

function sortedDifference(a: ReadonlySet<number>, b: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const id of a) if (!b.has(id)) out.push(id);
  return out.sort((x, y) => x - y);
}
