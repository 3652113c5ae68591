import { randomBytes } from 'node:crypto';
import type { PostgresStackSpec } from '../../spec/schema.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { registerSecret } from '../../util/redact.js';
import { waitUntil } from '../../util/wait.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import { engineHostAddress } from '../../engine/docker-client.js';
import { createNetwork, startContainer, type RunningContainer } from '../../engine/resources.js';
import { forwardedAppEnv } from '../app-env.js';
import type { Stack } from '../stack.js';
import { probe, psql, type PgCluster, type PgNode, type PgStackContext } from './cluster.js';
import { APP_USER, PG_PORT, SERVER_CMD, serverEnv, type PgSecrets } from './server-script.js';
import { PostgresStack } from './stack.js';

export type { PgStackContext };

// PostgreSQL 15 primary (pg-1) + N streaming replicas (pg-2 …) and the fixture app writing through
// node-postgres, on one bridge network of the run. Ready means: every replica streams from the primary
// (pg_stat_replication on the primary, state streaming), the standbys named synchronous are so, the
// schema exists, and every replica has replayed the primary's WAL position after creating it.

const APP_PORT = 8080;
const READY_POLL_MS = 100;

function newSecrets(): PgSecrets {
  const secret = () => {
    const value = randomBytes(18).toString('hex');
    registerSecret(value);
    return value;
  };
  return { admin: secret(), repl: secret(), app: secret() };
}

export async function startPostgres(ctx: PgStackContext, spec: PostgresStackSpec): Promise<Stack> {
  const { docker, run, log } = ctx;
  const started = Date.now();
  const network = `drill-${run.token}`;
  const secrets = newSecrets();
  const count = spec.replicas + 1;
  const names = Array.from({ length: count }, (_, i) => `drill-${run.token}-pg-${i + 1}`);
  await createNetwork(docker, run, network);

  const nodesStarted = Promise.all(
    names.map(async (name, i): Promise<PgNode> => {
      const node = `pg-${i + 1}`;
      const container = await startContainer(docker, run, {
        node,
        name,
        role: 'db',
        image: ctx.images.postgres,
        cmd: SERVER_CMD,
        env: serverEnv(spec, { node, primary: i === 0, primaryHost: names[0]!, secrets }),
        networkName: network,
        // Published on 127.0.0.1 for network faults only (latency's probe and its leak check): drill reads
        // the nodes with psql inside them.
        publish: [PG_PORT],
      });
      return { container };
    }),
  );
  const appStarted = startContainer(docker, run, {
    node: 'app-1',
    name: `drill-${run.token}-app-1`,
    role: 'app',
    image: ctx.images.app,
    cmd: ['node', 'server.js'],
    env: {
      ...forwardedAppEnv(),
      DRILL_BACKEND: 'postgres',
      PG_HOST: names[0]!,
      PG_REPLICA_HOSTS: names.slice(1).join(','),
      PG_PORT: String(PG_PORT),
      PG_USER: APP_USER,
      PG_PASSWORD: secrets.app,
      PG_DATABASE: 'drill',
      PORT: String(APP_PORT),
    },
    publish: [APP_PORT],
    networkName: network,
  });
  const [nodes, app] = await Promise.all([nodesStarted, appStarted]);
  const containers: RunningContainer[] = [...nodes.map((n) => n.container), app];
  const primary = nodes[0]!;
  const c: PgCluster = { ctx, spec, secrets, nodes, network, appUrl: '', lastPrimary: primary, formerPrimary: null };

  await waitReplication(c, primary, nodes.slice(1));
  log.info({ primary: primary.container.name, replicas: spec.replicas, sync: spec.replication.synchronousStandbyNames || 'async', ms: Date.now() - started }, 'replication ready');
  c.appUrl = `http://${engineHostAddress()}:${app.ports[APP_PORT]}`;
  await waitForHttpOk(`${c.appUrl}/health`, ctx.readyTimeoutMs, ctx.signal);
  log.info({ appUrl: c.appUrl, ms: Date.now() - started }, 'postgres stack ready');
  return new PostgresStack(c, containers);
}

async function waitReplication(c: PgCluster, primary: PgNode, replicas: PgNode[]): Promise<void> {
  const { ctx } = c;
  let why = 'no answer yet';
  const fail = async (error: unknown): Promise<never> => {
    throw new InfraError(`${errorMessage(error)} (${why})${await containerHints(c)}`);
  };
  const sync = c.spec.replication.synchronousStandbyNames.trim() !== '';
  await waitUntil(
    `${replicas.length} replica(s) to stream from ${primary.container.node}`,
    ctx.readyTimeoutMs,
    ctx.signal,
    async () => {
      try {
        const rows = await psql(c, primary, "SELECT application_name, state, sync_state FROM pg_stat_replication WHERE state = 'streaming'", 3000);
        const syncCount = rows.filter((r) => r[2] === 'sync' || r[2] === 'quorum').length;
        why = `streaming: ${rows.map((r) => `${r[0]} (${r[2]})`).join(', ') || 'none'}`;
        return rows.length >= replicas.length && (!sync || syncCount > 0);
      } catch (error) {
        why = errorMessage(error);
        return false;
      }
    },
    READY_POLL_MS,
  ).catch(fail);
  // The schema of the app protocol; k: the key of a keyed write (reads drills), whose version is its largest id.
  const [lsn] = await psql(
    c,
    primary,
    `CREATE SCHEMA IF NOT EXISTS drill AUTHORIZATION drill;
     CREATE TABLE IF NOT EXISTS drill.writes (id BIGINT NOT NULL PRIMARY KEY, k INT NULL);
     CREATE INDEX IF NOT EXISTS writes_k_id ON drill.writes (k, id);
     ALTER TABLE drill.writes OWNER TO drill;
     SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint`,
    10_000,
  );
  const target = Number(lsn?.[0]);
  await waitUntil(
    `replicas to replay ${primary.container.node}'s schema`,
    ctx.readyTimeoutMs,
    ctx.signal,
    async () => {
      for (const r of replicas) {
        const p = await probe(c, r);
        if (!p.reachable || p.replayedLsn < target) {
          why = `${r.container.node}: ${p.reachable ? `replayed ${p.replayedLsn} of ${target}` : p.error}`;
          return false;
        }
      }
      return true;
    },
    READY_POLL_MS,
  ).catch(fail);
}

async function containerHints(c: PgCluster): Promise<string> {
  const parts: string[] = [];
  for (const n of c.nodes) {
    try {
      const info = await c.ctx.docker.getContainer(n.container.id).inspect();
      if (!info.State.Running) {
        const logs = (await c.ctx.docker.getContainer(n.container.id).logs({ stdout: true, stderr: true, tail: 5 })).toString('utf8').replace(/[\x00-\x08]/g, '');
        parts.push(`${n.container.node} exited ${info.State.ExitCode}: ${logs.trim().slice(-400)}`);
      }
    } catch {
      // gone: nothing to add
    }
  }
  return parts.length ? ` (${parts.join('; ')})` : '';
}
