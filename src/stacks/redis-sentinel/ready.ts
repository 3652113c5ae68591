import type { Redis } from 'ioredis';
import type { RunningContainer } from '../../engine/resources.js';
import { InfraError } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import { REDIS_PORT, SENTINEL_PORT, fieldOf, withProbeClient } from '../redis/client.js';
import { bringUpPeriods, readPeriods, setPeriods, type SentinelPeriods } from './bring-up-periods.js';

// When a Redis + Sentinel stack is ready. Every check asks the servers themselves, every POLL_MS (a
// probe is one short connection; the containers come up in parallel, so most checks hold at their first
// or second look).

const POLL_MS = 50;

export interface ReadyInput {
  master: RunningContainer;
  replicas: RunningContainer[];
  sentinels: RunningContainer[];
  masterName: string;
  password: string | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Every replica's own replication link is up (a replica listed by Sentinel may have no data yet). */
export function waitReplicasSynced(input: ReadyInput): Promise<void> {
  return waitUntil(
    'Redis replicas to sync with the master',
    input.timeoutMs,
    input.signal,
    async () => {
      const links = await Promise.all(
        input.replicas.map((r) =>
          withProbeClient(r.ports[REDIS_PORT]!, (c) => c.info('replication'), input.password).then(
            (info) => info.includes('master_link_status:up'),
            () => false,
          ),
        ),
      );
      return links.every(Boolean);
    },
    POLL_MS,
  );
}

/**
 * Every Sentinel names the same master, sees every replica with its link up, and knows every other
 * Sentinel (a failover needs a quorum and a leader election among them). Each Sentinel discovers at the
 * bring-up periods meanwhile; its own periods are restored (and read back) before this returns.
 */
export async function waitSentinelsReady(input: ReadyInput): Promise<void> {
  const saved = new Map<RunningContainer, SentinelPeriods | null>();
  const on = <T>(s: RunningContainer, fn: (c: Redis) => Promise<T>) => withProbeClient(s.ports[SENTINEL_PORT]!, fn);
  const agrees = (s: RunningContainer) =>
    on(s, async (c) => {
      if (!saved.has(s)) {
        const own = await readPeriods(c);
        if (own) await setPeriods(c, bringUpPeriods);
        saved.set(s, own);
      }
      const addr = (await c.call('SENTINEL', 'get-master-addr-by-name', input.masterName)) as string[] | null;
      const seenReplicas = (await c.call('SENTINEL', 'replicas', input.masterName)) as string[][];
      const seenSentinels = (await c.call('SENTINEL', 'sentinels', input.masterName)) as unknown[];
      const healthyReplicas = seenReplicas.filter((fields) => {
        const flags = fieldOf(fields, 'flags') ?? '';
        return !/s_down|o_down|disconnected/.test(flags) && fieldOf(fields, 'master-link-status') === 'ok';
      });
      return addr?.[0] === input.master.ip && healthyReplicas.length === input.replicas.length && seenSentinels.length === input.sentinels.length - 1;
    }).catch(() => false);
  await waitUntil(
    'Sentinels to agree on the master and see replicas and each other',
    input.timeoutMs,
    input.signal,
    async () => (await Promise.all(input.sentinels.map(agrees))).every(Boolean),
    POLL_MS,
  );
  await Promise.all(
    [...saved].map(async ([s, own]) => {
      if (!own) return;
      const now = await on(s, async (c) => {
        await setPeriods(c, own);
        return readPeriods(c);
      }).catch(() => null);
      if (now?.infoMs !== own.infoMs || now.publishMs !== own.publishMs) {
        throw new InfraError(`${s.node}: could not restore Sentinel's own periods after the bring-up (info ${own.infoMs} ms, hello ${own.publishMs} ms; now ${JSON.stringify(now)})`);
      }
    }),
  );
}
