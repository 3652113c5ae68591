import type { Redis } from 'ioredis';
import type { RunningContainer } from '../../engine/resources.js';
import { errorMessage } from '../../util/errors.js';
import type { NodeData } from '../stack.js';
import { WRITES_KEY } from './client.js';

// How drill reads a Redis + Sentinel system, whoever started it: who is master (the Sentinels' majority
// answer, never a fixed container) and what every node holds after the drill.

/** Run fn on a node's Redis connection (each stack knows how to reach its nodes). */
export type OnRedis = <T>(node: RunningContainer, fn: (client: Redis) => Promise<T>) => Promise<T>;

/** The master's address as the Sentinels that answer see it: the majority answer wins; null when none names one. */
export async function majorityMaster(
  sentinels: readonly RunningContainer[],
  ask: (sentinel: RunningContainer) => Promise<string[] | null>,
): Promise<{ address: string | null; answers: (string | null)[] }> {
  const answers = await Promise.all(
    sentinels.map((s) =>
      ask(s).then(
        (addr) => addr?.[0] ?? null,
        () => null,
      ),
    ),
  );
  const votes = new Map<string, number>();
  for (const address of answers) if (address) votes.set(address, (votes.get(address) ?? 0) + 1);
  const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
  return { address: best?.[0] ?? null, answers };
}

const offsetOf = (info: string, key: string): number => Number(new RegExp(`^${key}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);

/**
 * Every Redis node's write ids. Replicas first get a bounded moment to reach the primary's replication
 * offset, so a replica that is merely a few ms behind is not reported as diverged.
 */
export async function readRedisNodes(nodes: readonly RunningContainer[], primary: RunningContainer | null, on: OnRedis, catchUpTimeoutMs: number): Promise<NodeData[]> {
  if (primary) {
    const deadline = Date.now() + catchUpTimeoutMs;
    const target = offsetOf(await on(primary, (r) => r.info('replication')).catch(() => ''), 'master_repl_offset');
    for (const node of nodes.filter((n) => n !== primary)) {
      while (Number.isFinite(target) && Date.now() < deadline) {
        const info = await on(node, (r) => r.info('replication')).catch(() => null);
        if (info === null || offsetOf(info, 'slave_repl_offset') >= target) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  return Promise.all(
    nodes.map(async (node): Promise<NodeData> => {
      try {
        const members = await on(node, (r) => r.smembers(WRITES_KEY));
        return { node: node.node, container: node.name, role: node === primary ? 'primary' : 'replica', ids: new Set(members.map(Number)) };
      } catch (error) {
        return { node: node.node, container: node.name, role: 'unreachable', ids: null, error: errorMessage(error) };
      }
    }),
  );
}
