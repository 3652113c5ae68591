import type { MysqlReplicationStackSpec } from '../../spec/schema.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { DataAccess, Stack, StackEvent } from '../stack.js';
import { describeFound, nodesOf, credential, restoreContainers, toRunning, unpublishedWith, type ComposeContext } from './discover.js';
import { probeAll, target, type DbNode, type MysqlCluster } from '../mysql/cluster.js';
import { detectServer, dialectFor, type Dialect } from '../mysql/dialect.js';
import { SqlClient } from '../mysql/sql.js';
import { MysqlReplicationStack } from '../mysql/stack.js';

// A running MariaDB/MySQL replication stack of the user's (system: mysql-replication). drill's own
// mysql-replication stack does the rest (roles from read_only + replica status, GTID catch-up, runbook
// promote/repoint, reading every node): here the cluster is built from what the servers say instead of
// from what drill started. Before the load, drill's own table (drill.writes, what the app protocol
// writes) is created if missing and emptied on the primary: it holds only an earlier drill's ids.

export async function startComposeMysql(c: ComposeContext): Promise<Stack> {
  const { ctx, spec } = c;
  const creds = spec.mysql;
  if (!creds) throw new InfraError('compose stack: system mysql-replication needs stack.mysql (user, password)');
  const admin = credential(creds.password)!;
  const repl = credential(creds.replicationPassword) ?? '';
  const port = spec.ports.mysql;
  const dbs = nodesOf(c, port, 'db', 'db');
  if (dbs.length === 0) {
    const hidden = unpublishedWith(c, port);
    throw new InfraError(
      `compose stack: no container of ${c.selection} publishes the database port ${port}${hidden.length ? ` (${hidden.join(', ')} expose it without publishing it)` : ''}; found: ${describeFound(c)}`,
      `publish it on 127.0.0.1 (ports: ["127.0.0.1::${port}"]) so drill can ask it, or set stack.ports.mysql`,
    );
  }
  const sql = new SqlClient(creds.user, admin, [admin, repl]);
  try {
    const nodes: DbNode[] = dbs.map((container) => ({ container, port: container.ports[port]!, serverId: 0 }));
    let dialect: Dialect | undefined;
    let why = '';
    await waitUntil(
      `the databases of ${c.selection} to be healthy`,
      ctx.readyTimeoutMs,
      ctx.signal,
      async () => {
        try {
          for (const n of nodes) {
            const row = (await sql.with(target(n), (s) => s.rows('SELECT VERSION() AS v, @@version_comment AS c, @@server_id AS id'), { timeoutMs: 3000 }))[0];
            // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a value from the database driver, of no declared type
            dialect ??= dialectFor(detectServer(String(row?.v ?? ''), String(row?.c ?? '')));
            n.serverId = Number(row?.id ?? 0);
          }
          why = unhealthy(await probeAll(clusterOf(c, sql, dialect!, nodes, nodes[0]!, admin, repl)));
          return why === '';
        } catch (error) {
          why = errorMessage(error);
          return false;
        }
      },
      250,
    ).catch((error: unknown) => {
      throw new InfraError(`${errorMessage(error)}: ${why}`);
    });

    const probes = await probeAll(clusterOf(c, sql, dialect!, nodes, nodes[0]!, admin, repl));
    const primary = probes.find((p) => p.reachable && !p.readOnly && !p.status)!.node;
    const cluster = clusterOf(c, sql, dialect!, nodes, primary, admin, repl);
    const semisync = await sql.with(target(primary), (s) => dialect!.semisyncClients(s)).catch(() => ({ on: false, clients: 0 }));
    const delayed = probes.find((p) => p.status && p.status.delaySec > 0);
    cluster.spec = syntheticSpec(nodes.length - 1, semisync.on, delayed ? { node: delayed.node.container.node, delayMs: delayed.status!.delaySec * 1000 } : undefined);

    // drill's own table: created if missing, emptied of an earlier drill's ids; the replicas follow.
    const position = await sql.with(target(primary), async (s) => {
      await s.exec('CREATE DATABASE IF NOT EXISTS drill');
      await s.exec('CREATE TABLE IF NOT EXISTS drill.writes (id BIGINT NOT NULL PRIMARY KEY) ENGINE=InnoDB');
      await s.exec('TRUNCATE TABLE drill.writes');
      return dialect!.executedPosition(s);
    });
    await Promise.all(nodes.filter((n) => n !== primary).map((n) => sql.with(target(n), (s) => dialect!.waitForPosition(s, position, 10_000), { timeoutMs: 15_000 }).catch(() => false)));
    await waitForHttpOk(`${c.appUrl}/health`, ctx.readyTimeoutMs, ctx.signal).catch((error: unknown) => {
      throw new InfraError(
        `compose stack: the app at ${c.appUrl} is not healthy: ${errorMessage(error)}`,
        'it must answer GET /health, POST /write?id=N and, for repoint, POST /admin/primary?host=NAME (see fixtures/app)',
      );
    });
    const containers: RunningContainer[] = [...dbs, ...(c.app ? [toRunning(c.app, 'app-1', 'app')] : [])];
    ctx.log.info(
      { flavour: dialect!.info.flavour, version: dialect!.info.version, primary: primary.container.name, replicas: nodes.length - 1, semisync: semisync.on, app: c.appUrl },
      'compose mysql-replication stack ready',
    );
    return new ComposeMysqlStack(c, cluster, new MysqlReplicationStack(cluster, containers), containers);
  } catch (error) {
    sql.close();
    throw error;
  }
}

function clusterOf(c: ComposeContext, sql: SqlClient, dialect: Dialect, nodes: DbNode[], primary: DbNode, admin: string, repl: string): MysqlCluster {
  return {
    ctx: c.ctx,
    spec: syntheticSpec(nodes.length - 1, false, undefined),
    dialect,
    sql,
    secrets: { admin, repl, app: '', replUser: c.spec.mysql?.replicationUser },
    nodes,
    appUrl: c.appUrl,
    lastPrimary: primary,
    formerPrimary: null,
    access: { network: c.network, port: c.spec.ports.mysql, user: c.spec.mysql?.user ?? 'root' },
  };
}

/** What drill's mysql-replication code reads of its spec, taken from the running servers. */
function syntheticSpec(replicas: number, semisync: boolean, delayedReplica: { node: string; delayMs: number } | undefined): MysqlReplicationStackSpec {
  return {
    kind: 'mysql-replication',
    replicas,
    replication: { mode: semisync ? 'semisync' : 'async', semisyncTimeoutMs: 10_000 },
    delayedReplica,
    readOnlyReplicas: true,
    disk: 'plain',
    failover: { mode: 'runbook', checkIntervalMs: 500, failureThreshold: 3, checkTimeoutMs: 500, catchUp: true },
  };
}

/** '' when exactly one node is a writable primary and every other one replicates; otherwise why not. */
function unhealthy(probes: Awaited<ReturnType<typeof probeAll>>): string {
  const problems: string[] = [];
  const primaries = probes.filter((p) => p.reachable && !p.readOnly && !p.status);
  if (primaries.length !== 1) problems.push(`expected one writable node that does not replicate, found ${primaries.length ? primaries.map((p) => p.node.container.name).join(', ') : 'none'}`);
  for (const p of probes) {
    if (!p.reachable) problems.push(`${p.node.container.name} does not answer (${p.error})`);
    else if (p.status && (p.status.ioRunning !== 'Yes' || p.status.sqlRunning !== 'Yes'))
      problems.push(`${p.node.container.name}: replication receiver ${p.status.ioRunning}, applier ${p.status.sqlRunning} ${p.status.ioError || p.status.sqlError}`.trim());
  }
  return problems.join('; ');
}

/** drill's mysql-replication stack over the user's containers, restoring them at the end. */
class ComposeMysqlStack implements Stack {
  readonly kind = 'compose';
  private onEvent: (e: StackEvent) => void = () => {};

  constructor(
    private readonly c: ComposeContext,
    private readonly cluster: MysqlCluster,
    private readonly inner: MysqlReplicationStack,
    readonly containers: RunningContainer[],
  ) {}

  get appUrl(): string {
    return this.c.appUrl;
  }

  get runbook() {
    return this.inner.runbook;
  }

  get network(): string {
    return this.inner.network;
  }

  get data(): DataAccess {
    return this.inner.data;
  }

  primary = () => this.inner.primary();
  replicas = () => this.inner.replicas();
  topology = () => this.inner.topology();
  readWriteIds = () => this.inner.readWriteIds();
  verify = (opts: { catchUpTimeoutMs: number }) => this.inner.verify(opts);

  async events(onEvent: (event: StackEvent) => void): Promise<void> {
    this.onEvent = onEvent;
    await this.inner.events(onEvent);
  }

  async stop(): Promise<void> {
    try {
      if (!this.c.spec.restore) return;
      const restored = await restoreContainers(this.c, this.containers, this.onEvent);
      const dbs = restored.filter((n) => n.role === 'db');
      if (dbs.length === 0) return;
      // A restarted server answers again (it may have a new host port); replication resumes by itself.
      const restoredIds = new Set(dbs.map((d) => d.id));
      await waitUntil('restored databases to answer', 30_000, undefined, async () => (await probeAll(this.cluster)).every((p) => p.reachable || !restoredIds.has(p.node.container.id)), 250).then(
        () => {
          this.onEvent({ atMs: this.c.ctx.clock.nowMs(), source: 'stack', message: `restored database(s) answer again: ${dbs.map((n) => n.name).join(', ')}`, marker: 'restore' });
        },
        (error: unknown) => {
          this.c.ctx.log.warn({ err: errorMessage(error) }, 'compose stack: a restored database did not answer within 30 s');
        },
      );
    } finally {
      await this.inner.stop();
    }
  }
}
