import type { MysqlReplicationStackSpec } from '../../spec/schema.js';
import { InfraError, UsageError, errorMessage } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import { engineHostAddress } from '../../engine/docker-client.js';
import { createNetwork, startContainer, type RunningContainer } from '../../engine/resources.js';
import type { Stack } from '../stack.js';
import { sourceOptions, target, type DbNode, type MysqlCluster, type MysqlStackContext } from '../mysql/cluster.js';
import { detectServer, dialectFor, type Dialect } from '../mysql/dialect.js';
import { ADMIN_USER, APP_USER, MYSQL_PORT, isDrillImage, newSecrets, offlineCmd, officialEnv, serverArgs, userStatements, type DbSecrets } from '../mysql/server.js';
import { SqlClient } from '../mysql/sql.js';
import { MysqlReplicationStack } from '../mysql/stack.js';
import { forwardedAppEnv } from '../app-env.js';

export type { MysqlStackContext };

// MariaDB/MySQL primary (db-1) + N replicas (db-2 …) with GTID replication, and the fixture app writing
// through mysql2, on one bridge network of the run. The runner reaches each node only through its 3306
// published on 127.0.0.1; the nodes reach each other by container name.
//
// Ready means: every node answers, replication is configured with GTID auto-positioning, every replica's
// receiver and applier run, a marker row written on the primary is on every replica, semi-sync (when
// asked) has a client per replica, and only then the delayed replica gets its delay (so it has the schema).

const APP_PORT = 8080;
/** How often bring-up checks ask the servers (a refused connection or a short query: cheap). */
const READY_POLL_MS = 50;

export async function startMysqlReplication(ctx: MysqlStackContext, spec: MysqlReplicationStackSpec): Promise<Stack> {
  const { docker, run, log } = ctx;
  const dbCount = spec.replicas + 1;
  const delayed = spec.delayedReplica;
  if (delayed) {
    const n = Number(delayed.node.slice(3));
    if (n < 2 || n > dbCount) throw new UsageError(`delayedReplica.node ${delayed.node} is not a replica: the replicas are db-2 … db-${dbCount} (db-1 starts as primary)`);
  }

  const network = `drill-${run.token}`;
  const secrets = newSecrets();
  const image = ctx.images.mysql;
  const started = Date.now();
  const [offline] = await Promise.all([isDrillImage(docker, image), createNetwork(docker, run, network)]);
  const lazyDisk = spec.disk === 'lazy';
  if (lazyDisk && !offline)
    throw new UsageError(`stack.disk: lazy needs drill's own MariaDB image (it carries the lazy disk), got ${image}: unset DRILL_SERVER_IMAGES or use disk: plain (docs/power-loss.md)`);
  const semisyncTimeoutMs = spec.replication.mode === 'semisync' ? spec.replication.semisyncTimeoutMs : null;
  const primaryName = `drill-${run.token}-db-1`;
  // Reads from "replica" go to these (the app reads round them; one replica in the reads drills).
  const replicaNames = Array.from({ length: dbCount - 1 }, (_, i) => `drill-${run.token}-db-${i + 2}`);

  const dbsStarted = Promise.all(
    Array.from({ length: dbCount }, async (_, i): Promise<DbNode> => {
      const serverId = i + 1;
      // read_only at start for drill's image (kept across a restart); an official image's entrypoint runs
      // its own init on these options first, so there it is set over SQL only (persisted on MySQL).
      const opts = { serverId, semisyncTimeoutMs, primary: serverId === 1, readOnly: offline && serverId > 1 && spec.readOnlyReplicas, durability: spec.durability, lazyDisk };
      const container = await startContainer(docker, run, {
        node: `db-${serverId}`,
        name: `drill-${run.token}-db-${serverId}`,
        role: 'db',
        image,
        // Official images: the entrypoint turns leading `--options` into `mysqld --options`.
        cmd: offline ? offlineCmd(opts, secrets) : serverArgs(opts),
        ...(offline ? {} : { env: officialEnv(secrets) }),
        publish: [MYSQL_PORT],
        networkName: network,
        ...(lazyDisk ? { lazyDisk: true } : {}),
      });
      return { container, port: container.ports[MYSQL_PORT]!, serverId };
    }),
  );
  // The app needs only the primary's name and its own password: it starts with the databases, and its
  // pool connects once the primary answers (/health says so, checked last).
  const appStarted = startContainer(docker, run, {
    node: 'app-1',
    name: `drill-${run.token}-app-1`,
    role: 'app',
    image: ctx.images.app,
    cmd: ['node', 'server.js'],
    env: {
      ...forwardedAppEnv(),
      DRILL_BACKEND: 'mysql',
      MYSQL_HOST: primaryName,
      MYSQL_REPLICA_HOSTS: replicaNames.join(','),
      MYSQL_PORT: String(MYSQL_PORT),
      MYSQL_USER: APP_USER,
      MYSQL_PASSWORD: secrets.app,
      PORT: String(APP_PORT),
    },
    publish: [APP_PORT],
    networkName: network,
  });
  const [nodes, app] = await Promise.all([dbsStarted, appStarted]);
  const containers: RunningContainer[] = [...nodes.map((n) => n.container), app];
  log.debug({ ms: Date.now() - started }, 'containers started');
  const sql = new SqlClient(ADMIN_USER, secrets.admin, [secrets.admin, secrets.repl, secrets.app]);

  try {
    const dialect = await detectAndPrepare(ctx, sql, nodes, offline, secrets, semisyncTimeoutMs, spec);
    const [primary, ...replicas] = nodes as [DbNode, ...DbNode[]];
    log.info({ flavour: dialect.info.flavour, version: dialect.info.version, nodes: nodes.length, ms: Date.now() - started }, 'databases answer');

    const cluster: MysqlCluster = { ctx, spec, dialect, sql, secrets, nodes, appUrl: '', lastPrimary: primary, formerPrimary: null, access: { network, port: MYSQL_PORT, user: ADMIN_USER } };
    await Promise.all(
      replicas.map((r) =>
        sql.with(target(r), async (s) => {
          await dialect.changeSource(s, sourceOptions(cluster, primary, 0));
          await dialect.startReplica(s);
        }),
      ),
    );
    await waitReplicasReady(cluster, primary, replicas, semisyncTimeoutMs !== null);
    if (delayed) {
      const r = nodes.find((n) => n.container.node === delayed.node)!;
      await sql.with(target(r), async (s) => {
        await dialect.stopReplica(s);
        await dialect.changeSource(s, sourceOptions(cluster, primary, Math.ceil(delayed.delayMs / 1000)));
        await dialect.startReplica(s);
      });
    }
    log.info({ primary: primary.container.name, replicas: replicas.length, semisync: semisyncTimeoutMs !== null, delayed: delayed?.node ?? null, ms: Date.now() - started }, 'replication ready');

    cluster.appUrl = `http://${engineHostAddress()}:${app.ports[APP_PORT]}`;
    await waitForHttpOk(`${cluster.appUrl}/health`, ctx.readyTimeoutMs, ctx.signal);
    log.info({ appUrl: cluster.appUrl, ms: Date.now() - started }, 'mysql-replication stack ready');
    return new MysqlReplicationStack(cluster, containers);
  } catch (error) {
    sql.close();
    throw error;
  }
}

/** Wait until every node answers; detect the flavour; users, semi-sync, read_only, clean binlogs. */
async function detectAndPrepare(
  ctx: MysqlStackContext,
  sql: SqlClient,
  nodes: DbNode[],
  offline: boolean,
  secrets: DbSecrets,
  semisyncTimeoutMs: number | null,
  spec: MysqlReplicationStackSpec,
): Promise<Dialect> {
  const infos = await Promise.all(
    nodes.map(async (n) => {
      let lastError = '';
      let info: ReturnType<typeof detectServer> | undefined;
      await waitUntil(
        `${n.container.node} (${n.container.image}) to accept connections`,
        ctx.readyTimeoutMs,
        ctx.signal,
        async () => {
          try {
            const row = (await sql.with(target(n), (s) => s.rows('SELECT VERSION() AS v, @@version_comment AS c'), { timeoutMs: 3000 }))[0];
            // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a value from the database driver, of no declared type
            info = detectServer(String(row?.v ?? ''), String(row?.c ?? ''));
            return true;
          } catch (error) {
            lastError = errorMessage(error);
            return false;
          }
        },
        READY_POLL_MS,
      ).catch((error: unknown) => {
        throw new InfraError(`${errorMessage(error)}${lastError ? ` (last error: ${lastError})` : ''}`);
      });
      return info!;
    }),
  ).catch(async (error: unknown) => {
    throw new InfraError(`${errorMessage(error)}${await containerHints(ctx, nodes)}`);
  });
  const flavours = new Set(infos.map((i) => `${i.flavour} ${i.version}`));
  if (new Set(infos.map((i) => i.flavour)).size > 1) throw new InfraError(`the database nodes run different flavours: ${[...flavours].join(', ')}`);
  const dialect = dialectFor(infos[0]!);

  await Promise.all(
    nodes.map((n) =>
      sql.with(target(n), async (s) => {
        // drill's offline image created the users from its init file; an official image has only root.
        if (!offline) for (const stmt of userStatements(secrets, false)) await s.exec(stmt);
        if (semisyncTimeoutMs !== null) await dialect.enableSemisync(s, semisyncTimeoutMs, n.serverId === 1);
        await dialect.setReadOnly(s, n.serverId > 1 && spec.readOnlyReplicas);
        // Whatever an image's init wrote to the binlog would replicate twice: every node starts empty.
        // (RESET MASTER costs ~1 s here: only when there is something to wipe.)
        if ((await dialect.executedPosition(s)) !== '') await dialect.resetBinlogs(s);
      }),
    ),
  );
  return dialect;
}

async function waitReplicasReady(c: MysqlCluster, primary: DbNode, replicas: DbNode[], semisync: boolean): Promise<void> {
  let why = '';
  const fail = (error: unknown) => {
    throw new InfraError(`${errorMessage(error)} (${why})`);
  };
  await waitUntil(
    `replicas to connect to ${primary.container.node}`,
    c.ctx.readyTimeoutMs,
    c.ctx.signal,
    async () => {
      for (const r of replicas) {
        const st = await c.sql.with(target(r), (s) => c.dialect.replicaStatus(s)).catch(() => null);
        if (!st || st.ioRunning !== 'Yes' || st.sqlRunning !== 'Yes') {
          why = `${r.container.node}: receiver ${st?.ioRunning ?? '-'}, applier ${st?.sqlRunning ?? '-'} ${st?.ioError || st?.sqlError || ''}`;
          return false;
        }
      }
      return true;
    },
    READY_POLL_MS,
  ).catch(fail);
  // Semi-sync replicas register when they connect: only now can the primary's commits be acknowledged
  // (a commit before would wait the whole semi-sync timeout), so the schema is created now.
  if (semisync) {
    await waitUntil(
      `semi-sync replicas to register with ${primary.container.node}`,
      c.ctx.readyTimeoutMs,
      c.ctx.signal,
      async () => {
        const s = await c.sql.with(target(primary), (q) => c.dialect.semisyncClients(q)).catch(() => ({ on: false, clients: 0 }));
        why = `semi-sync on the primary: status ${s.on ? 'ON' : 'OFF'}, ${s.clients}/${replicas.length} replica(s) acknowledging`;
        return s.on && s.clients >= replicas.length;
      },
      READY_POLL_MS,
    ).catch(fail);
  }
  const marker = `ready-${Date.now()}`;
  await c.sql.with(target(primary), async (s) => {
    await s.exec('CREATE DATABASE IF NOT EXISTS drill');
    // k: the key of a keyed write (reads drills; docs/reads.md), whose version is its largest id.
    await s.exec('CREATE TABLE IF NOT EXISTS drill.writes (id BIGINT NOT NULL PRIMARY KEY, k INT NULL, KEY k_id (k, id)) ENGINE=InnoDB');
    await s.exec('CREATE TABLE IF NOT EXISTS drill.markers (name VARCHAR(64) NOT NULL PRIMARY KEY, at_ms BIGINT NOT NULL) ENGINE=InnoDB');
    await s.exec('INSERT INTO drill.markers (name, at_ms) VALUES (?, ?)', [marker, Date.now()]);
  });
  await waitUntil(
    `replicas to replicate from ${primary.container.node}`,
    c.ctx.readyTimeoutMs,
    c.ctx.signal,
    async () => {
      for (const r of replicas) {
        const ok = await c.sql
          .with(target(r), async (s) => {
            const st = await c.dialect.replicaStatus(s);
            if (!st || st.ioRunning !== 'Yes' || st.sqlRunning !== 'Yes') {
              why = `${r.container.node}: receiver ${st?.ioRunning ?? '-'}, applier ${st?.sqlRunning ?? '-'} ${st?.ioError || st?.sqlError || ''}`;
              return false;
            }
            const seen = await s.rows('SELECT 1 FROM drill.markers WHERE name = ?', [marker]);
            if (seen.length === 0) why = `${r.container.node}: marker row not replicated yet`;
            return seen.length > 0;
          })
          .catch((error: unknown) => {
            why = errorMessage(error);
            return false;
          });
        if (!ok) return false;
      }
      if (semisync) {
        const s = await c.sql.with(target(primary), (q) => c.dialect.semisyncClients(q)).catch(() => ({ on: false, clients: 0 }));
        if (!s.on || s.clients < replicas.length) {
          why = `semi-sync on the primary: status ${s.on ? 'ON' : 'OFF'}, ${s.clients}/${replicas.length} replica(s) acknowledging`;
          return false;
        }
      }
      return true;
    },
    READY_POLL_MS,
  ).catch(fail);
}

async function containerHints(ctx: MysqlStackContext, nodes: DbNode[]): Promise<string> {
  const parts: string[] = [];
  for (const n of nodes) {
    try {
      const info = await ctx.docker.getContainer(n.container.id).inspect();
      if (!info.State.Running) {
        const logs = (await ctx.docker.getContainer(n.container.id).logs({ stdout: true, stderr: true, tail: 5 })).toString('utf8').replace(/[\x00-\x08]/g, '');
        parts.push(`${n.container.node} exited ${info.State.ExitCode}: ${logs.trim().slice(-400)}`);
      }
    } catch {
      // gone: nothing to add
    }
  }
  return parts.length ? ` (${parts.join('; ')})` : '';
}
