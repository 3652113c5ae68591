import type { PostgresStackSpec } from '../../spec/schema.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { DataAccess, Runbook, Stack, StackEvent } from '../stack.js';
import { describeFound, restoreContainers, toRunning, type ComposeContext } from './discover.js';
import { primaryOf, probe, probeAll, psql, type PgCluster, type PgNode, type Probe } from '../postgres/cluster.js';
import { PostgresStack } from '../postgres/stack.js';
import { repointComposePostgres } from './postgres-repoint.js';

// A running PostgreSQL streaming-replication stack of the user's (system: postgres). drill's own postgres
// stack does the rest (roles from pg_is_in_recovery(), WAL positions, promote with pg_promote, reading
// every node): here the cluster is built from the containers found. drill reaches each server as its
// own postgres stack does, with psql inside the container over the unix socket as the postgres role
// (trust or peer authentication, the default of Debian's packages and of the official image), so it needs
// no password and no published port. Before the load, drill's table (drill.writes, what the app protocol
// writes) is created if missing, owned by the database's owner, and emptied on the primary.

/** What drill's postgres code reads of its spec, taken from the running servers. */
function syntheticSpec(replicas: number): PostgresStackSpec {
  return {
    kind: 'postgres',
    replicas,
    replication: { synchronousStandbyNames: '', synchronousCommit: 'on' },
    failover: { mode: 'runbook', checkIntervalMs: 500, failureThreshold: 3, checkTimeoutMs: 500, catchUp: true },
  };
}

const TABLE_SQL = `DO $$
DECLARE owner text := (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database());
BEGIN
  IF to_regclass('drill.writes') IS NULL THEN
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS drill AUTHORIZATION %I', owner);
    CREATE TABLE drill.writes (id BIGINT NOT NULL PRIMARY KEY, k INT NULL);
    CREATE INDEX writes_k_id ON drill.writes (k, id);
    EXECUTE format('ALTER TABLE drill.writes OWNER TO %I', owner);
  END IF;
END $$;
TRUNCATE TABLE drill.writes;
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint`;

export async function startComposePostgres(c: ComposeContext): Promise<Stack> {
  const { ctx, spec } = c;
  const port = spec.ports.postgres;
  // Published or only exposed: drill asks the servers inside their containers, not through the port.
  const dbs = c.found.filter((f) => f !== c.app && (f.published.has(port) || f.unpublished.includes(port))).map((f, i) => toRunning(f, `db-${i + 1}`, 'db'));
  if (dbs.length === 0) {
    throw new InfraError(
      `compose stack: no container of ${c.selection} exposes the PostgreSQL port ${port}; found: ${describeFound(c)}`,
      `expose or publish it (ports: ["127.0.0.1::${port}"]), or set stack.ports.postgres`,
    );
  }
  const nodes: PgNode[] = dbs.map((container) => ({ container }));
  const cluster: PgCluster = {
    ctx: { ...ctx, images: { postgres: '', app: '' } },
    spec: syntheticSpec(nodes.length - 1),
    secrets: { admin: '', repl: '', app: '' },
    nodes,
    network: c.network,
    appUrl: c.appUrl,
    lastPrimary: nodes[0]!,
    formerPrimary: null,
  };
  let why = '';
  await waitUntil(
    `the PostgreSQL servers of ${c.selection} to be healthy`,
    ctx.readyTimeoutMs,
    ctx.signal,
    async () => {
      why = unhealthy(await probeAll(cluster));
      return why === '';
    },
    250,
  ).catch((error: unknown) => {
    throw new InfraError(`${errorMessage(error)}: ${why}`);
  });
  const probes = await probeAll(cluster);
  const primary = primaryOf(cluster, probes);
  cluster.lastPrimary = primary;

  // drill's own table: created if missing, emptied of an earlier drill's ids; the standbys follow.
  const [lsn] = await psql(cluster, primary, TABLE_SQL, 10_000);
  const target = Number(lsn?.[0]);
  await waitUntil(`the standbys to replay ${primary.container.name}'s emptied table`, 15_000, ctx.signal, async () =>
    (await probeAll(cluster)).every((p) => p.node === primary || p.replayedLsn >= target),
  ).catch((error: unknown) => {
    ctx.log.warn({ err: errorMessage(error) }, 'compose stack: a standby had not replayed the emptied table yet');
  });
  await waitForHttpOk(`${c.appUrl}/health`, ctx.readyTimeoutMs, ctx.signal).catch((error: unknown) => {
    throw new InfraError(
      `compose stack: the app at ${c.appUrl} is not healthy: ${errorMessage(error)}`,
      'it must answer GET /health, POST /write?id=N and, for repoint, POST /admin/primary?host=NAME (see fixtures/app)',
    );
  });
  const containers: RunningContainer[] = [...dbs, ...(c.app ? [toRunning(c.app, 'app-1', 'app')] : [])];
  ctx.log.info({ primary: primary.container.name, standbys: nodes.length - 1, app: c.appUrl }, 'compose postgres stack ready');
  return new ComposePostgresStack(c, cluster, new PostgresStack(cluster, containers), containers);
}

/** '' when exactly one node is a primary and every other one streams from it; otherwise why not. */
function unhealthy(probes: Probe[]): string {
  const problems: string[] = [];
  const primaries = probes.filter((p) => p.reachable && !p.inRecovery);
  if (primaries.length !== 1) problems.push(`expected one primary (not in recovery), found ${primaries.length ? primaries.map((p) => p.node.container.name).join(', ') : 'none'}`);
  for (const p of probes) {
    if (!p.reachable) problems.push(`${p.node.container.name} does not answer (${p.error})`);
    else if (p.inRecovery && p.receiver?.status !== 'streaming') problems.push(`standby ${p.node.container.name} does not stream (${p.receiver ? p.receiver.status : 'no WAL receiver'})`);
  }
  return problems.join('; ');
}

/** drill's postgres stack over the user's containers, restoring them at the end. */
class ComposePostgresStack implements Stack {
  readonly kind = 'compose';
  readonly runbook: Runbook;
  private onEvent: (e: StackEvent) => void = () => {};

  constructor(
    private readonly c: ComposeContext,
    private readonly cluster: PgCluster,
    private readonly inner: PostgresStack,
    readonly containers: RunningContainer[],
  ) {
    // promote as on drill's own stack; repoint keeps each standby's own primary_conninfo and changes only its host.
    this.runbook = { ...inner.runbook, repoint: (opts) => repointComposePostgres(cluster, opts) };
  }

  get appUrl(): string {
    return this.c.appUrl;
  }

  get network(): string {
    return this.c.network;
  }

  get data(): DataAccess {
    return { kind: 'postgres', port: this.c.spec.ports.postgres, user: 'postgres', password: '' };
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
      // A restarted server answers again once it has recovered (and, if its own start script rejoins it, rewound).
      const nodes = this.cluster.nodes.filter((n) => dbs.includes(n.container));
      let last: Probe[] = [];
      await waitUntil(
        'restored databases to answer',
        30_000,
        undefined,
        async () => {
          last = await Promise.all(nodes.map((n) => probe(this.cluster, n)));
          // A container that ended again (its start script failed, e.g. a rewind) will not answer: say so now.
          for (const p of last.filter((x) => !x.reachable)) {
            const state = (
              await this.c.ctx.docker
                .getContainer(p.node.container.id)
                .inspect()
                .catch(() => null)
            )?.State;
            if (state && !state.Running && !state.Restarting) throw new InfraError(`${p.node.container.name} ended again (exit ${state.ExitCode}) after it was started: see its log`);
          }
          return last.every((p) => p.reachable && (!p.inRecovery || p.receiver?.status === 'streaming'));
        },
        250,
      ).then(
        () => {
          const what = last.map((p) => `${p.node.container.name} ${p.inRecovery ? `a standby streaming from ${p.receiver?.host ?? '?'}` : 'a primary (not a standby: a second writable node)'}`);
          this.onEvent({ atMs: this.c.ctx.clock.nowMs(), source: 'stack', message: `restored database(s) answer again: ${what.join('; ')}`, marker: 'restore' });
        },
        (error: unknown) => {
          this.onEvent({ atMs: this.c.ctx.clock.nowMs(), source: 'stack', message: `a restored database is not back: ${errorMessage(error)}`, marker: 'restore-error' });
          this.c.ctx.log.warn(
            { err: errorMessage(error), last: last.map((p) => `${p.node.container.name}: ${p.reachable ? (p.inRecovery ? (p.receiver?.status ?? 'no receiver') : 'primary') : p.error}`) },
            'compose stack: a restored database is not back',
          );
        },
      );
    } finally {
      await this.inner.stop();
    }
  }
}
