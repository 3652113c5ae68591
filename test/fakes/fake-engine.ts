import type { Docker } from '../../src/engine/docker-client.js';
import type { RunningContainer } from '../../src/engine/resources.js';
import type { TrackedLoad } from '../../src/load/tracked-load.js';
import type { WriteRecord } from '../../src/load/history.js';
import type { LoadOptions } from '../../src/run/run-state.js';
import type { StackContext, StackPlugins } from '../../src/stacks/plugin.js';
import { stackPlugins } from '../../src/stacks/registry.js';
import type { NodeData, Runbook, Stack } from '../../src/stacks/stack.js';
import { InfraError } from '../../src/util/errors.js';

// A fake Docker engine, stack and load for testing the runner's logic in seconds: the engine records
// every call and keeps each container's state (running, paused, dead); the load's writes fail while the
// primary is paused or dead and are "stored" otherwise, so the runner's own measurement, verification
// and teardown run as in a real drill.

interface FakeContainer {
  Id: string;
  Names: string[];
  Labels: Record<string, string>;
  state: 'running' | 'paused' | 'exited';
}

export class FakeEngine {
  readonly calls: string[] = [];
  readonly containers = new Map<string, FakeContainer>();
  readonly stored = new Set<number>();
  /** Make the runbook's promote fail (a runbook step that cannot be carried out). */
  failPromote = false;
  private promotedTo: string | null = null;

  readonly docker = {
    ping: () => Promise.resolve('OK'),
    version: () => Promise.resolve({ Version: 'fake-1.0', Os: 'linux', Arch: 'amd64' }),
    listContainers: (opts: { filters?: { label?: string[] } }) => Promise.resolve([...this.containers.values()].filter((c) => this.matches(c.Labels, opts.filters?.label ?? []))),
    listNetworks: () => Promise.resolve([]),
    getImage: () => ({ inspect: () => Promise.resolve({}) }),
    getNetwork: () => ({ remove: () => Promise.resolve() }),
    getContainer: (id: string) => {
      const c = () => {
        const found = this.containers.get(id);
        if (!found) throw Object.assign(new Error(`no such container ${id}`), { statusCode: 404 });
        return found;
      };
      const act = (what: string, to: FakeContainer['state']) => () => {
        this.calls.push(`${what} ${c().Names[0]!.slice(1)}`);
        c().state = to;
        return Promise.resolve();
      };
      return {
        kill: act('kill', 'exited'),
        stop: act('stop', 'exited'),
        start: act('start', 'running'),
        pause: act('pause', 'paused'),
        unpause: act('unpause', 'running'),
        inspect: () => Promise.resolve({ State: { Running: c().state !== 'exited', Paused: c().state === 'paused', FinishedAt: '0001-01-01T00:00:00Z', StartedAt: 'fake' } }),
        remove: () => {
          this.calls.push(`remove ${c().Names[0]!.slice(1)}`);
          this.containers.delete(id);
          return Promise.resolve();
        },
      };
    },
  } as unknown as Docker;

  private matches(labels: Record<string, string>, filters: string[]): boolean {
    return filters.every((f) => {
      const [k, v] = f.split('=');
      return v === undefined ? k! in labels : labels[k!] === v;
    });
  }

  private primaryId(): string {
    return this.promotedTo ?? 'db-1';
  }

  /** Writes succeed only while the primary runs unpaused. */
  accepting(): boolean {
    return this.containers.get(this.primaryId())?.state === 'running';
  }

  /** Every stack kind replaced by a fake one: two data nodes and an app, labelled with the run's labels. */
  stackPlugins(): StackPlugins {
    const start = (ctx: StackContext): Promise<Stack> => Promise.resolve(this.startStack(ctx));
    return {
      'redis-sentinel': { ...stackPlugins['redis-sentinel'], start },
      'mysql-replication': { ...stackPlugins['mysql-replication'], start },
      postgres: { ...stackPlugins.postgres, start },
      patroni: { ...stackPlugins.patroni, start },
      compose: { ...stackPlugins.compose, start },
    };
  }

  private startStack(ctx: StackContext): Stack {
    const nodes: RunningContainer[] = ['db-1', 'db-2', 'app-1'].map((node, i) => ({
      id: node,
      node,
      name: `drill-${ctx.run.token}-${node}`,
      role: node.startsWith('db') ? 'db' : 'app',
      image: 'fake',
      ip: `10.0.0.${i + 2}`,
      ports: {},
    }));
    for (const n of nodes) this.containers.set(n.id, { Id: n.id, Names: [`/${n.name}`], Labels: { 'drill.run-id': ctx.run.runId }, state: 'running' });
    this.calls.push('stack up');
    const byId = (id: string) => nodes.find((n) => n.id === id)!;
    const runbook: Runbook = {
      promote: () => {
        this.calls.push('runbook promote');
        if (this.failPromote) return Promise.reject(new InfraError('no replica can be promoted: every candidate is unreachable'));
        this.promotedTo = 'db-2';
        return Promise.resolve({ node: 'db-2', detail: 'promoted' });
      },
      repoint: () => {
        this.calls.push('runbook repoint');
        return Promise.resolve({ detail: 'repointed' });
      },
      checkPrimary: () => Promise.resolve(this.accepting()),
    };
    return {
      kind: 'fake',
      containers: nodes,
      appUrl: 'http://127.0.0.1:1',
      network: 'fake-net',
      data: { kind: 'mysql', port: 3306, user: 'root', password: 'fake' },
      primary: () => Promise.resolve(byId(this.primaryId())),
      replicas: () => Promise.resolve(nodes.filter((n) => n.role === 'db' && n.id !== this.primaryId())),
      topology: () => Promise.resolve({ primary: byId(this.primaryId()).name, replicas: [] }),
      readWriteIds: () => Promise.resolve(new Set(this.stored)),
      verify: (): Promise<NodeData[]> => Promise.resolve([{ node: this.primaryId(), container: byId(this.primaryId()).name, role: 'primary', ids: new Set(this.stored) }]),
      events: () => Promise.resolve(),
      runbook,
      stop: () => {
        this.calls.push('stack stop');
        return Promise.resolve();
      },
    };
  }

  /** An open-loop load of `rate` writes/s: ok (and stored) while the primary accepts, failed otherwise. */
  createLoad(opts: LoadOptions): TrackedLoad {
    const history: WriteRecord[] = [];
    let timer: NodeJS.Timeout | undefined;
    let id = (opts.firstId ?? 1) - 1;
    const everyMs = 1000 / opts.rate;
    return {
      start: () => {
        timer = setInterval(() => {
          const t = opts.clock.nowMs();
          const ok = this.accepting();
          id++;
          if (ok) this.stored.add(id);
          history.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + 1, outcome: ok ? 'ok' : 'fail', ...(ok ? {} : { error: 'refused' }) });
        }, everyMs);
        return Promise.resolve();
      },
      stop: () => {
        clearInterval(timer);
        return Promise.resolve();
      },
      history: () => history.slice(),
      stats: () => ({
        sentWrites: history.length,
        lateSends: 0,
        maxSendLagMs: 0,
        inFlight: 0,
        ok: history.filter((w) => w.outcome === 'ok').length,
        fail: history.filter((w) => w.outcome === 'fail').length,
        unknown: 0,
        droppedSlots: 0,
      }),
      onComplete: () => {},
    };
  }
}
