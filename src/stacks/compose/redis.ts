import type { Redis } from 'ioredis';
import { InfraError, errorMessage } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import { subscribeSentinelEvents } from '../redis/sentinel-events.js';
import { WRITES_KEY, fieldOf, probeClient } from '../redis/client.js';
import { majorityMaster, readRedisNodes } from '../redis/sentinel-view.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { DataAccess, NodeData, Stack, StackEvent, StackTopology } from '../stack.js';
import { containerKnownAs, describeFound, nodesOf, refreshPorts, credential, restoreContainers, toRunning, unpublishedWith, type ComposeContext } from './discover.js';

// A running Redis + Sentinel stack of the user's (system: redis-sentinel). The master is whoever the
// Sentinels name (majority of those that answer); replicas and their data are read as drill's own
// redis-sentinel stack reads them. Before the load, drill's own write set (SMEMBERS drill:writes, what
// the app protocol writes) is emptied on the master: it holds only an earlier drill's ids.

interface Ports {
  redis: number;
  sentinel: number;
}

export async function startComposeRedis(c: ComposeContext): Promise<Stack> {
  const { ctx, spec } = c;
  const ports: Ports = { redis: spec.ports.redis, sentinel: spec.ports.sentinel };
  const password = credential(spec.password);
  const sentinels = nodesOf(c, ports.sentinel, 'sentinel', 'sentinel');
  const sentinelIds = new Set(sentinels.map((s) => s.id));
  const redis = nodesOf(c, ports.redis, 'redis', 'redis')
    .filter((r) => !sentinelIds.has(r.id))
    .map((r, i) => ({ ...r, node: `redis-${i + 1}` }));
  const missing = (what: string, port: number) => {
    const hidden = unpublishedWith(c, port);
    return new InfraError(
      `compose stack: no container of ${c.selection} publishes ${what}'s port ${port}${hidden.length ? ` (${hidden.join(', ')} expose it without publishing it)` : ''}; found: ${describeFound(c)}`,
      `publish it on 127.0.0.1 (ports: ["127.0.0.1::${port}"]) so drill can ask it, or set stack.ports.${what === 'Sentinel' ? 'sentinel' : 'redis'}`,
    );
  };
  if (sentinels.length === 0) throw missing('Sentinel', ports.sentinel);
  if (redis.length === 0) throw missing('Redis', ports.redis);
  const app = c.app ? [toRunning(c.app, 'app-1', 'app')] : [];
  const stack = new ComposeRedisStack(c, ports, [...redis, ...sentinels, ...app], password);

  const masterName = spec.masterName ?? (await stack.onlyMasterName());
  stack.masterName = masterName;
  let why = '';
  await waitUntil(
    `the Sentinels and Redis nodes of ${c.selection} to be healthy`,
    ctx.readyTimeoutMs,
    ctx.signal,
    async () => {
      why = await stack.unhealthy();
      return why === '';
    },
    250,
  ).catch((error: unknown) => {
    throw new InfraError(`${errorMessage(error)}: ${why}`);
  });
  await waitForHttpOk(`${c.appUrl}/health`, ctx.readyTimeoutMs, ctx.signal).catch((error: unknown) => {
    throw new InfraError(`compose stack: the app at ${c.appUrl} is not healthy: ${errorMessage(error)}`, 'it must answer GET /health and POST /write?id=N (see fixtures/app)');
  });
  const master = await stack.primary();
  const removed = await stack.onNode(master, ports.redis, (r) => r.del(WRITES_KEY));
  ctx.log.info({ master: master.name, masterName, replicas: redis.length - 1, sentinels: sentinels.length, app: c.appUrl, clearedOldIds: removed > 0 }, 'compose redis-sentinel stack ready');
  return stack;
}

class ComposeRedisStack implements Stack {
  readonly kind = 'compose';
  masterName = '';
  private readonly subscribers: Redis[] = [];
  private onEvent: (e: StackEvent) => void = () => {};

  constructor(
    private readonly c: ComposeContext,
    private readonly ports: Ports,
    readonly containers: RunningContainer[],
    private readonly password: string | undefined,
  ) {}

  get appUrl(): string {
    return this.c.appUrl;
  }

  get network(): string {
    return this.c.network;
  }

  get data(): DataAccess {
    return { kind: 'redis', port: this.ports.redis, ...(this.password ? { password: this.password } : {}) };
  }

  private get redisNodes(): RunningContainer[] {
    return this.containers.filter((n) => n.role === 'redis');
  }

  private get sentinelNodes(): RunningContainer[] {
    return this.containers.filter((n) => n.role === 'sentinel');
  }

  /** One short-lived connection to a node's published port; a restarted node's new port is looked up once. */
  async onNode<T>(node: RunningContainer, containerPort: number, fn: (r: Redis) => Promise<T>): Promise<T> {
    const attempt = async () => {
      const port = node.ports[containerPort];
      if (!port) throw new Error(`${node.name} publishes no port ${containerPort}`);
      const r = probeClient(port, node.role === 'redis' && this.password ? { password: this.password } : {});
      try {
        await r.connect();
        return await fn(r);
      } finally {
        r.disconnect();
      }
    };
    try {
      return await attempt();
    } catch (error) {
      if (await refreshPorts(this.c.ctx.docker, node)) return attempt();
      throw error;
    }
  }

  async onlyMasterName(): Promise<string> {
    const names = new Set<string>();
    const errors: string[] = [];
    for (const s of this.sentinelNodes) {
      try {
        const masters = (await this.onNode(s, this.ports.sentinel, (r) => r.call('SENTINEL', 'masters'))) as string[][];
        for (const m of masters) names.add(fieldOf(m, 'name') ?? '');
      } catch (error) {
        errors.push(`${s.name}: ${errorMessage(error)}`);
      }
    }
    names.delete('');
    if (names.size === 1) return [...names][0]!;
    if (names.size === 0) throw new InfraError(`compose stack: no Sentinel of ${this.c.selection} monitors a master${errors.length ? ` (${errors.join('; ')})` : ''}`);
    throw new InfraError(`compose stack: the Sentinels monitor several masters (${[...names].join(', ')})`, 'name the one to drill with stack.masterName');
  }

  /** '' when healthy; otherwise what is not (for the readiness wait's message). */
  async unhealthy(): Promise<string> {
    let master: RunningContainer;
    try {
      master = await this.primary();
    } catch (error) {
      return errorMessage(error);
    }
    const problems: string[] = [];
    for (const n of this.redisNodes) {
      const info = await this.onNode(n, this.ports.redis, (r) => r.info('replication')).catch((error: unknown) => `error: ${errorMessage(error)}`);
      if (info.startsWith('error:')) problems.push(`${n.name} does not answer (${info.slice(7)})`);
      else if (n === master && !/^role:master/m.test(info)) problems.push(`${n.name} is named master by the Sentinels but says ${/^role:(\w+)/m.exec(info)?.[1] ?? '?'}`);
      else if (n !== master && !/^master_link_status:up/m.test(info)) problems.push(`replica ${n.name} has no replication link up yet`);
    }
    for (const s of this.sentinelNodes) {
      const seen = await this.onNode(s, this.ports.sentinel, async (r) => ({
        replicas: ((await r.call('SENTINEL', 'replicas', this.masterName)) as string[][]).filter((f) => !/s_down|o_down|disconnected/.test(fieldOf(f, 'flags') ?? '')).length,
        sentinels: ((await r.call('SENTINEL', 'sentinels', this.masterName)) as unknown[]).length,
      })).catch(() => null);
      if (!seen) problems.push(`${s.name} does not answer`);
      else if (seen.replicas < this.redisNodes.length - 1) problems.push(`${s.name} sees ${seen.replicas} healthy replica(s) of ${this.redisNodes.length - 1}`);
      else if (seen.sentinels < this.sentinelNodes.length - 1) problems.push(`${s.name} knows ${seen.sentinels} other Sentinel(s) of ${this.sentinelNodes.length - 1}`);
    }
    return problems.join('; ');
  }

  /** The master as the Sentinels that answer see it; the majority answer wins. */
  async primary(): Promise<RunningContainer> {
    const { address, answers } = await majorityMaster(this.sentinelNodes, (s) =>
      this.onNode(s, this.ports.sentinel, (r) => r.call('SENTINEL', 'get-master-addr-by-name', this.masterName) as Promise<string[] | null>),
    );
    if (!address) throw new InfraError(`no Sentinel could name the master ${this.masterName} (answers: ${JSON.stringify(answers)})`);
    const node = containerKnownAs(this.c, this.redisNodes, address);
    if (!node)
      throw new InfraError(
        `the Sentinels name ${address} as master, which is none of the Redis containers drill can reach (${this.redisNodes.map((n) => `${n.name} ${n.ip}`).join(', ')}): publish its port ${this.ports.redis}`,
      );
    return node;
  }

  async topology(): Promise<StackTopology> {
    const primary = await this.primary().catch(() => null);
    return { primary: primary?.name ?? null, replicas: this.redisNodes.filter((c) => c !== primary).map((c) => c.name) };
  }

  async replicas(): Promise<RunningContainer[]> {
    const primary = await this.primary();
    return this.redisNodes.filter((c) => c !== primary);
  }

  async verify(opts: { catchUpTimeoutMs: number }): Promise<NodeData[]> {
    const primary = await this.primary().catch(() => null);
    return readRedisNodes(this.redisNodes, primary, (node, fn) => this.onNode(node, this.ports.redis, fn), opts.catchUpTimeoutMs);
  }

  async readWriteIds(): Promise<Set<number>> {
    const members = await this.onNode(await this.primary(), this.ports.redis, (r) => r.smembers(WRITES_KEY));
    return new Set(members.map(Number));
  }

  async events(onEvent: (event: StackEvent) => void): Promise<void> {
    this.onEvent = onEvent;
    this.subscribers.push(...(await subscribeSentinelEvents(this.sentinelNodes, (s) => probeClient(s.ports[this.ports.sentinel]!, { enableOfflineQueue: true }), this.c.ctx.clock, onEvent)));
  }

  /** Stop listening; then start again what the drill left stopped, and wait (bounded) until it rejoined. */
  async stop(): Promise<void> {
    for (const sub of this.subscribers) sub.disconnect();
    if (!this.c.spec.restore) return;
    const restored = await restoreContainers(this.c, this.containers, this.onEvent);
    const rejoining = restored.filter((n) => n.role !== 'app');
    if (rejoining.length === 0) return;
    const why: string[] = [];
    await waitUntil(
      'restored nodes to rejoin',
      30_000,
      undefined,
      async () => {
        why.length = 0;
        for (const n of rejoining) await refreshPorts(this.c.ctx.docker, n);
        const problems = await this.unhealthy();
        if (problems) why.push(problems);
        return !problems;
      },
      250,
    ).then(
      () => {
        this.onEvent({ atMs: this.c.ctx.clock.nowMs(), source: 'stack', message: `restored node(s) rejoined: ${rejoining.map((n) => n.name).join(', ')}`, marker: 'restore' });
      },
      () => {
        this.c.ctx.log.warn({ why: why.join('; ') }, 'compose stack: restored nodes had not rejoined within 30 s');
      },
    );
  }
}
