import type { Redis } from 'ioredis';
import type { RedisSentinelStackSpec } from '../../spec/schema.js';
import { InfraError } from '../../util/errors.js';
import { engineHostAddress } from '../../engine/docker-client.js';
import { createNetwork, startContainer, type RunningContainer } from '../../engine/resources.js';
import type { DataAccess, NodeData, PlannedOperations, RestoreHost, Stack, StackEvent, StackTopology } from '../stack.js';
import { createRedisRestoreHost } from './restore-host.js';
import { createOperations } from './operations.js';
import type { StackContext } from '../plugin.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import { subscribeSentinelEvents } from '../redis/sentinel-events.js';
import { REDIS_PORT, SENTINEL_PORT, WRITES_KEY, probeClient, withProbeClient } from '../redis/client.js';
import { majorityMaster, readRedisNodes } from '../redis/sentinel-view.js';
import { waitReplicasSynced, waitSentinelsReady } from './ready.js';
import { forwardedAppEnv } from '../app-env.js';
import { PrimaryHistory, parseSwitchMaster } from './primary-history.js';

// Redis master + N replicas + S Sentinels + the fixture app, on one bridge network of the run.
// The runner reaches each node only through its port published on 127.0.0.1.

export const MASTER_NAME = 'drill';
const APP_PORT = 8080;

export function redisArgs(spec: RedisSentinelStackSpec, replicaOf?: string, lazy = spec.disk === 'lazy'): string[] {
  const args = ['redis-server', '--port', String(REDIS_PORT), '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0'];
  for (const [key, value] of Object.entries(spec.redisConfig)) args.push(`--${key}`, String(value));
  if (spec.password) args.push('--requirepass', spec.password, '--masterauth', spec.password);
  if (replicaOf) args.push('--replicaof', replicaOf, String(REDIS_PORT));
  return lazy ? onLazyDisk(args) : args;
}

/** Where the lazy disk keeps what was fsynced: the container's own filesystem, which a kill and a start keep. */
const DURABLE_DIR = '/var/lib/drill-disk';
const DATA_DIR = '/data';

/**
 * Redis on drill's lazy disk (images/redis/lazy-disk.py): mount it over the data directory, then run the
 * server from inside the mount (a cwd taken before the mount would bypass it, hence --dir too). The disk's
 * process lives beside the server under the container's init, so a kill takes both (docs/power-loss.md).
 */
function onLazyDisk(args: string[]): string[] {
  const script = [`drill-lazy-disk ${DURABLE_DIR} ${DATA_DIR} &`, `until grep -q ' ${DATA_DIR} fuse' /proc/mounts; do sleep 0.02; done`, `cd ${DATA_DIR} && exec "$@" --dir ${DATA_DIR}`].join('\n');
  return ['sh', '-c', script, 'sh', ...args];
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
  const started = Date.now();
  await createNetwork(docker, run, network);
  const name = (role: string, n: number) => `drill-${run.token}-${role}-${n}`;
  const start = (role: string, n: number, image: string, cmd: string[], port: number, env?: Record<string, string>) =>
    startContainer(docker, run, {
      node: `${role}-${n}`,
      name: name(role, n),
      role,
      image,
      cmd,
      publish: [port],
      networkName: network,
      ...(env ? { env } : {}),
      ...(role === 'redis' && spec.disk === 'lazy' ? { lazyDisk: true } : {}),
    });
  const sentinelNames = Array.from({ length: spec.sentinels }, (_, i) => name('sentinel', i + 1));

  // Everything in parallel except what needs the master's address (replicas and Sentinels are given
  // its IP, as Sentinel expects): the apps find the master through the Sentinels by name, and retry
  // until the Sentinels answer.
  const appsStarted = Promise.all(
    Array.from({ length: spec.apps }, (_, i) =>
      start('app', i + 1, ctx.images.app, ['node', 'server.js'], APP_PORT, {
        ...forwardedAppEnv(),
        ...(spec.password ? { REDIS_PASSWORD: spec.password } : {}),
        DRILL_BACKEND: 'redis-sentinel',
        REDIS_SENTINELS: sentinelNames.map((n) => `${n}:${SENTINEL_PORT}`).join(','),
        REDIS_MASTER_NAME: MASTER_NAME,
        PORT: String(APP_PORT),
      }),
    ),
  );
  const dataStarted = (async () => {
    const master = await start('redis', 1, ctx.images.redis, redisArgs(spec), REDIS_PORT);
    const [replicas, sentinels] = await Promise.all([
      Promise.all(Array.from({ length: spec.replicas }, (_, i) => start('redis', i + 2, ctx.images.redis, redisArgs(spec, master.ip), REDIS_PORT))),
      Promise.all(Array.from({ length: spec.sentinels }, (_, i) => start('sentinel', i + 1, ctx.images.redis, sentinelCmd(spec, master.ip), SENTINEL_PORT))),
    ]);
    return { master, replicas, sentinels };
  })();
  const [{ master, replicas, sentinels }, apps] = await Promise.all([dataStarted, appsStarted]);
  const containers: RunningContainer[] = [master, ...replicas, ...sentinels, ...apps];
  log.debug({ ms: Date.now() - started }, 'containers started');

  const ready = { master, replicas, sentinels, masterName: MASTER_NAME, password: spec.password, timeoutMs: ctx.readyTimeoutMs, signal: ctx.signal };
  await waitReplicasSynced(ready);
  log.debug({ ms: Date.now() - started }, 'replicas synced');
  await waitSentinelsReady(ready);
  log.debug({ ms: Date.now() - started }, 'Sentinels agree');
  const appUrls = apps.map((a) => `http://${engineHostAddress()}:${a.ports[APP_PORT]}`);
  await Promise.all(appUrls.map((url) => waitForHttpOk(`${url}/health`, ctx.readyTimeoutMs, ctx.signal)));
  log.info({ master: master.name, replicas: replicas.length, sentinels: sentinels.length, apps: appUrls, ms: Date.now() - started }, 'redis-sentinel stack ready');

  return new RedisSentinelStack(ctx, spec, containers, sentinels, appUrls, spec.password);
}

class RedisSentinelStack implements Stack {
  readonly kind = 'redis-sentinel';
  private readonly subscribers: Redis[] = [];
  /** Which master replaced which, for `rejoin node: former-primary`. */
  private readonly history = new PrimaryHistory();
  readonly operations: PlannedOperations;
  readonly restoreHost: RestoreHost;
  /** A node a restore from backup made the primary: the app writes to it directly, Sentinel no longer decides. */
  private restored: RunningContainer | null = null;

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
    spec: RedisSentinelStackSpec,
    readonly containers: RunningContainer[],
    private readonly sentinels: RunningContainer[],
    readonly appUrls: string[],
    private readonly password: string | undefined,
  ) {
    this.operations = createOperations({
      docker: ctx.docker,
      clock: ctx.clock,
      log: ctx.log,
      network: this.network,
      masterName: MASTER_NAME,
      password,
      nodes: containers.filter((c) => c.role === 'redis'),
      sentinels,
      history: this.history,
      primary: () => this.primary(),
    });
    this.restoreHost = createRedisRestoreHost({
      ctx,
      args: redisArgs(spec, undefined, false),
      network: this.network,
      containers,
      appUrls,
      adopt: (node) => {
        this.restored = node;
      },
    });
  }

  private byIp(ip: string): RunningContainer | undefined {
    return this.containers.find((c) => c.ip === ip && c.role === 'redis');
  }

  /** The master as the Sentinels that answer see it; the majority answer wins. */
  async primary(): Promise<RunningContainer> {
    if (this.restored) return this.restored;
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
      // After a restore the other nodes replicate the old master, never the restored one: no catching up to wait for.
      this.restored ? 0 : opts.catchUpTimeoutMs,
    );
  }

  async readWriteIds(): Promise<Set<number>> {
    const primary = await this.primary();
    const members = await withProbeClient(primary.ports[REDIS_PORT]!, (c) => c.smembers(WRITES_KEY), this.password);
    return new Set(members.map(Number));
  }

  async events(onEvent: (event: StackEvent) => void): Promise<void> {
    const onSentinelEvent = (event: StackEvent) => {
      const switched = parseSwitchMaster(event.message, MASTER_NAME);
      const from = switched && this.byIp(switched.fromIp);
      const to = switched && this.byIp(switched.toIp);
      if (from && to) this.history.record({ from: from.name, to: to.name });
      onEvent(event);
    };
    this.subscribers.push(...(await subscribeSentinelEvents(this.sentinels, (s) => probeClient(s.ports[SENTINEL_PORT]!, { enableOfflineQueue: true }), this.ctx.clock, onSentinelEvent)));
  }

  stop(): Promise<void> {
    for (const sub of this.subscribers) sub.disconnect();
    return Promise.resolve();
  }
}
