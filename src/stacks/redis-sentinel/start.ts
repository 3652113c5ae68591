import type { Redis } from 'ioredis';
import type { RedisSentinelStackSpec } from '../../spec/schema.js';
import { InfraError } from '../../util/errors.js';
import { engineHostAddress } from '../../engine/docker-client.js';
import { createNetwork, startContainer, type RunningContainer } from '../../engine/resources.js';
import type { DataAccess, NodeData, Stack, StackEvent, StackTopology } from '../stack.js';
import type { StackContext } from '../plugin.js';
import { waitUntil } from '../../util/wait.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import { subscribeSentinelEvents } from '../redis/sentinel-events.js';
import { REDIS_PORT, SENTINEL_PORT, WRITES_KEY, fieldOf, probeClient, withProbeClient } from '../redis/client.js';
import { majorityMaster, readRedisNodes } from '../redis/sentinel-view.js';
import { forwardedAppEnv } from '../app-env.js';

// Redis master + N replicas + S Sentinels + the fixture app, on one bridge network of the run.
// The runner reaches each node only through its port published on 127.0.0.1.

export const MASTER_NAME = 'drill';
const APP_PORT = 8080;

function redisArgs(spec: RedisSentinelStackSpec, replicaOf?: string): string[] {
  const args = ['redis-server', '--port', String(REDIS_PORT), '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0'];
  for (const [key, value] of Object.entries(spec.redisConfig)) args.push(`--${key}`, String(value));
  if (spec.password) args.push('--requirepass', spec.password, '--masterauth', spec.password);
  if (replicaOf) args.push('--replicaof', replicaOf, String(REDIS_PORT));
  return args;
}

function sentinelCmd(spec: RedisSentinelStackSpec, masterIp: string): string[] {
  const quorum = spec.quorum ?? Math.floor(spec.sentinels / 2) + 1;
  const lines = [
    `port ${SENTINEL_PORT}`,
    'protected-mode no',
    `sentinel monitor ${MASTER_NAME} ${masterIp} ${REDIS_PORT} ${quorum}`,
    `sentinel down-after-milliseconds ${MASTER_NAME} ${spec.sentinel.downAfterMs}`,
    `sentinel failover-timeout ${MASTER_NAME} ${spec.sentinel.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${MASTER_NAME} ${spec.sentinel.parallelSyncs}`,
    ...(spec.password ? [`sentinel auth-pass ${MASTER_NAME} ${spec.password}`] : []),
  ];
  // Sentinel rewrites its config file, so it must be a writable file of its own (works in official images too).
  const printf = lines.map((l) => `'${l}'`).join(' ');
  return ['sh', '-c', `printf '%s\\n' ${printf} > /tmp/sentinel.conf && exec redis-sentinel /tmp/sentinel.conf`];
}

export async function startRedisSentinel(ctx: StackContext, spec: RedisSentinelStackSpec): Promise<Stack> {
  const { docker, run, log } = ctx;
  const network = `drill-${run.token}`;
  await createNetwork(docker, run, network);
  const containers: RunningContainer[] = [];
  const name = (role: string, n: number) => `drill-${run.token}-${role}-${n}`;

  const master = await startContainer(docker, run, {
    node: 'redis-1',
    name: name('redis', 1),
    role: 'redis',
    image: ctx.images.redis,
    cmd: redisArgs(spec),
    publish: [REDIS_PORT],
    networkName: network,
  });
  containers.push(master);
  const replicas = await Promise.all(
    Array.from({ length: spec.replicas }, (_, i) =>
      startContainer(docker, run, {
        node: `redis-${i + 2}`,
        name: name('redis', i + 2),
        role: 'redis',
        image: ctx.images.redis,
        cmd: redisArgs(spec, master.ip),
        publish: [REDIS_PORT],
        networkName: network,
      }),
    ),
  );
  containers.push(...replicas);

  // A replica listed by Sentinel may have no data yet: wait for its replication link before anything else.
  await waitUntil('Redis replicas to sync with the master', ctx.readyTimeoutMs, ctx.signal, async () => {
    for (const r of replicas) {
      const info = await withProbeClient(r.ports[REDIS_PORT]!, (c) => c.info('replication'), spec.password).catch(() => '');
      if (!info.includes('master_link_status:up')) return false;
    }
    return true;
  });

  const sentinels = await Promise.all(
    Array.from({ length: spec.sentinels }, (_, i) =>
      startContainer(docker, run, {
        node: `sentinel-${i + 1}`,
        name: name('sentinel', i + 1),
        role: 'sentinel',
        image: ctx.images.redis,
        cmd: sentinelCmd(spec, master.ip),
        publish: [SENTINEL_PORT],
        networkName: network,
      }),
    ),
  );
  containers.push(...sentinels);

  // Ready means: every Sentinel names the same master, sees every replica, and knows every other Sentinel
  // (a failover needs a quorum and a leader election among them).
  await waitUntil('Sentinels to agree on the master and see replicas and each other', ctx.readyTimeoutMs, ctx.signal, async () => {
    for (const s of sentinels) {
      const ok = await withProbeClient(s.ports[SENTINEL_PORT]!, async (c) => {
        const addr = (await c.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[] | null;
        const seenReplicas = (await c.call('SENTINEL', 'replicas', MASTER_NAME)) as string[][];
        const seenSentinels = (await c.call('SENTINEL', 'sentinels', MASTER_NAME)) as unknown[];
        const healthyReplicas = seenReplicas.filter((fields) => {
          const flags = fieldOf(fields, 'flags') ?? '';
          return !/s_down|o_down|disconnected/.test(flags) && fieldOf(fields, 'master-link-status') === 'ok';
        });
        return addr?.[0] === master.ip && healthyReplicas.length === spec.replicas && seenSentinels.length === spec.sentinels - 1;
      }).catch(() => false);
      if (!ok) return false;
    }
    return true;
  });

  const apps = await Promise.all(
    Array.from({ length: spec.apps }, (_, i) =>
      startContainer(docker, run, {
        node: `app-${i + 1}`,
        name: name('app', i + 1),
        role: 'app',
        image: ctx.images.app,
        cmd: ['node', 'server.js'],
        env: {
          ...forwardedAppEnv(),
          ...(spec.password ? { REDIS_PASSWORD: spec.password } : {}),
          DRILL_BACKEND: 'redis-sentinel',
          REDIS_SENTINELS: sentinels.map((s) => `${s.name}:${SENTINEL_PORT}`).join(','),
          REDIS_MASTER_NAME: MASTER_NAME,
          PORT: String(APP_PORT),
        },
        publish: [APP_PORT],
        networkName: network,
      }),
    ),
  );
  containers.push(...apps);
  const appUrls = apps.map((a) => `http://${engineHostAddress()}:${a.ports[APP_PORT]}`);
  await Promise.all(appUrls.map((url) => waitForHttpOk(`${url}/health`, ctx.readyTimeoutMs, ctx.signal)));
  log.info({ master: master.name, replicas: replicas.length, sentinels: sentinels.length, apps: appUrls }, 'redis-sentinel stack ready');

  return new RedisSentinelStack(ctx, containers, sentinels, appUrls, spec.password);
}

class RedisSentinelStack implements Stack {
  readonly kind = 'redis-sentinel';
  private readonly subscribers: Redis[] = [];

  get appUrl(): string {
    return this.appUrls[0]!;
  }

  get network(): string {
    return `drill-${this.ctx.run.token}`;
  }

  get data(): DataAccess {
    return { kind: 'redis', port: REDIS_PORT, ...(this.password ? { password: this.password } : {}) };
  }

  constructor(
    private readonly ctx: StackContext,
    readonly containers: RunningContainer[],
    private readonly sentinels: RunningContainer[],
    readonly appUrls: string[],
    private readonly password: string | undefined,
  ) {}

  private byIp(ip: string): RunningContainer | undefined {
    return this.containers.find((c) => c.ip === ip && c.role === 'redis');
  }

  /** The master as the Sentinels that answer see it; the majority answer wins. */
  async primary(): Promise<RunningContainer> {
    const { address, answers } = await majorityMaster(this.sentinels, (s) =>
      withProbeClient(s.ports[SENTINEL_PORT]!, (c) => c.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME) as Promise<string[] | null>),
    );
    const container = address ? this.byIp(address) : undefined;
    if (!container) throw new InfraError(`no Sentinel could name the current master (answers: ${JSON.stringify(answers)})`);
    return container;
  }

  async topology(): Promise<StackTopology> {
    const primary = await this.primary().catch(() => null);
    return { primary: primary?.name ?? null, replicas: this.containers.filter((c) => c.role === 'redis' && c !== primary).map((c) => c.name) };
  }

  async replicas(): Promise<RunningContainer[]> {
    const primary = await this.primary();
    return this.containers.filter((c) => c.role === 'redis' && c !== primary);
  }

  async verify(opts: { catchUpTimeoutMs: number }): Promise<NodeData[]> {
    const primary = await this.primary().catch(() => null);
    const on = <T>(node: RunningContainer, fn: (r: Redis) => Promise<T>) => withProbeClient(node.ports[REDIS_PORT]!, fn, this.password);
    return readRedisNodes(
      this.containers.filter((c) => c.role === 'redis'),
      primary,
      on,
      opts.catchUpTimeoutMs,
    );
  }

  async readWriteIds(): Promise<Set<number>> {
    const primary = await this.primary();
    const members = await withProbeClient(primary.ports[REDIS_PORT]!, (c) => c.smembers(WRITES_KEY), this.password);
    return new Set(members.map(Number));
  }

  async events(onEvent: (event: StackEvent) => void): Promise<void> {
    this.subscribers.push(...(await subscribeSentinelEvents(this.sentinels, (s) => probeClient(s.ports[SENTINEL_PORT]!, { enableOfflineQueue: true }), this.ctx.clock, onEvent)));
  }

  stop(): Promise<void> {
    for (const sub of this.subscribers) sub.disconnect();
    return Promise.resolve();
  }
}
