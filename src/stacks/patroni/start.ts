import { randomBytes } from 'node:crypto';
import type { PatroniStackSpec } from '../../spec/schema.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { registerSecret } from '../../util/redact.js';
import { waitUntil } from '../../util/wait.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import { engineHostAddress } from '../../engine/docker-client.js';
import { exec } from '../../engine/docker-exec.js';
import { createNetwork, startContainer, type RunningContainer } from '../../engine/resources.js';
import type { StackContext } from '../plugin.js';
import type { Stack } from '../stack.js';
import { forwardedAppEnv } from '../app-env.js';
import {
  APP_DATABASE,
  APP_USER,
  ETCD_CLIENT_PORT,
  HAPROXY_CMD,
  PATRONI_CMD,
  PG_PORT,
  PROXY_READ_PORT,
  PROXY_WRITE_PORT,
  REST_PORT,
  etcdCmd,
  haproxyConfig,
  patroniConfig,
  type PatroniSecrets,
} from './config.js';
import { psql } from './psql.js';
import { clusterView, nodeStatus } from './rest-api.js';
import { PatroniStack } from './stack.js';

// etcd-1 … etcd-N, pg-1 … pg-N (Patroni + PostgreSQL 15), haproxy-1 and the fixture app (app-1) on one
// bridge network of the run. The app writes through HAProxy's write port; the runner asks each node's
// REST API and etcd through their ports published on 127.0.0.1.
//
// Ready means: one leader in etcd that every node names, every other node a replica whose walsender on
// the leader is streaming, the app's table created on the leader and seen on every replica, HAProxy
// routing its write port to the leader, and the app answering /health.

const APP_PORT = 8080;
const READY_POLL_MS = 200;

function newSecrets(): PatroniSecrets {
  // Hex: safe inside YAML quotes, shell and environment variables without quoting rules.
  const secret = () => {
    const value = randomBytes(18).toString('hex');
    registerSecret(value); // masked in every log line and artefact
    return value;
  };
  return { superuser: secret(), replication: secret(), app: secret() };
}

export async function startPatroni(ctx: StackContext, spec: PatroniStackSpec): Promise<Stack> {
  const { docker, run, log } = ctx;
  const network = `drill-${run.token}`;
  const secrets = newSecrets();
  const image = ctx.images.patroni;
  const started = Date.now();
  await createNetwork(docker, run, network);
  const name = (node: string) => `drill-${run.token}-${node}`;
  const etcdMembers = Array.from({ length: spec.etcd }, (_, i) => ({ name: `etcd-${i + 1}`, container: name(`etcd-${i + 1}`) }));
  const pgMembers = Array.from({ length: spec.nodes }, (_, i) => ({ name: `pg-${i + 1}`, container: name(`pg-${i + 1}`) }));
  const haproxyName = name('haproxy-1');

  const etcdStarted = Promise.all(
    etcdMembers.map((m) =>
      startContainer(docker, run, {
        node: m.name,
        name: m.container,
        role: 'etcd',
        image,
        cmd: etcdCmd(m.name, m.container, etcdMembers, run.token),
        publish: [ETCD_CLIENT_PORT],
        networkName: network,
      }),
    ),
  );
  const pgStarted = Promise.all(
    pgMembers.map((m) =>
      startContainer(docker, run, {
        node: m.name,
        name: m.container,
        role: 'pg',
        image,
        cmd: PATRONI_CMD,
        env: {
          PATRONI_CONFIG: patroniConfig(
            spec,
            m.name,
            m.container,
            etcdMembers.map((e) => e.container),
            secrets,
          ),
        },
        publish: [REST_PORT, PG_PORT],
        networkName: network,
      }),
    ),
  );
  // HAProxy resolves its server names once, at start (libc): a node not yet on the network makes it
  // exit ("could not resolve address"; a CI run found HAProxy not running while waiting for routes).
  // So it starts once every node is started; etcd and the app still start beside the nodes.
  const haproxyStarted = pgStarted.then(() =>
    startContainer(docker, run, {
      node: 'haproxy-1',
      name: haproxyName,
      role: 'haproxy',
      image,
      cmd: HAPROXY_CMD,
      env: { HAPROXY_CONFIG: haproxyConfig(spec, pgMembers) },
      publish: [PROXY_WRITE_PORT, PROXY_READ_PORT],
      networkName: network,
    }),
  );
  // The app's pool connects once HAProxy routes to a leader with the app's user (its /health, checked last).
  const appStarted = startContainer(docker, run, {
    node: 'app-1',
    name: name('app-1'),
    role: 'app',
    image: ctx.images.app,
    cmd: ['node', 'server.js'],
    env: {
      ...forwardedAppEnv(),
      DRILL_BACKEND: 'postgres',
      PG_HOST: `${haproxyName}:${PROXY_WRITE_PORT}`,
      PG_REPLICA_HOSTS: `${haproxyName}:${PROXY_READ_PORT}`,
      PG_USER: APP_USER,
      PG_PASSWORD: secrets.app,
      PG_DATABASE: APP_DATABASE,
      PORT: String(APP_PORT),
    },
    publish: [APP_PORT],
    networkName: network,
  });
  const [etcd, pg, haproxy, app] = await Promise.all([etcdStarted, pgStarted, haproxyStarted, appStarted]);
  const containers: RunningContainer[] = [...etcd, ...pg, haproxy, app];
  log.debug({ ms: Date.now() - started }, 'containers started');

  const leader = await waitClusterReady(ctx, pg);
  log.info({ leader: leader.node, replicas: pg.length - 1, ms: Date.now() - started }, 'Patroni: leader elected, replicas streaming');
  await createSchema(ctx, leader, pg, secrets);
  await waitProxyRoutes(ctx, haproxy, leader, secrets);
  const appUrl = `http://${engineHostAddress()}:${app.ports[APP_PORT]}`;
  await waitForHttpOk(`${appUrl}/health`, ctx.readyTimeoutMs, ctx.signal);
  log.info({ appUrl, ms: Date.now() - started }, 'patroni stack ready');
  return new PatroniStack(ctx, spec, containers, appUrl, secrets);
}

/** A leader every node names, and a streaming walsender on it for every other node. */
async function waitClusterReady(ctx: StackContext, pg: readonly RunningContainer[]): Promise<RunningContainer> {
  let why = 'no node answered';
  let leader: RunningContainer | undefined;
  await waitUntil(
    'Patroni to elect a leader with every replica streaming',
    ctx.readyTimeoutMs,
    ctx.signal,
    async () => {
      const views = await Promise.all(pg.map((n) => clusterView(n.ports[REST_PORT]!)));
      const names = views.map((v) => v?.find((m) => m.role === 'leader')?.name ?? null);
      if (names.some((n) => n === null) || new Set(names).size !== 1) {
        why = `leaders named: ${names.map((n, i) => `${pg[i]!.node}: ${n ?? '-'}`).join(', ')}`;
        return false;
      }
      leader = pg.find((n) => n.node === names[0]);
      if (!leader) return false;
      const status = await nodeStatus(leader.ports[REST_PORT]!);
      const streaming = (status?.replication ?? []).filter((r) => r.state === 'streaming').map((r) => r.application_name);
      const missing = pg.filter((n) => n !== leader && !streaming.includes(n.node)).map((n) => n.node);
      why = missing.length ? `leader ${leader.node}; not streaming yet: ${missing.join(', ')}` : '';
      return missing.length === 0;
    },
    READY_POLL_MS,
  ).catch((error: unknown) => {
    throw new InfraError(`${errorMessage(error)} (${why})`);
  });
  return leader!;
}

/** The app's user, database, schema and table (fixtures/app/pg-backend.js), then a marker row seen on every replica. */
async function createSchema(ctx: StackContext, leader: RunningContainer, pg: readonly RunningContainer[], secrets: PatroniSecrets): Promise<void> {
  await psql(ctx.docker, leader, `CREATE USER ${APP_USER} WITH PASSWORD '${secrets.app}'`);
  await psql(ctx.docker, leader, `CREATE DATABASE ${APP_DATABASE} OWNER ${APP_USER}`);
  const marker = `ready-${Date.now()}`;
  await psql(
    ctx.docker,
    leader,
    [
      `CREATE SCHEMA drill AUTHORIZATION ${APP_USER}`,
      // k: the key of a keyed write (reads drills; docs/reads.md), whose version is its largest id.
      'CREATE TABLE drill.writes (id BIGINT PRIMARY KEY, k INT NULL)',
      'CREATE INDEX writes_k_id ON drill.writes (k, id)',
      `ALTER TABLE drill.writes OWNER TO ${APP_USER}`,
      'CREATE TABLE drill.markers (name TEXT PRIMARY KEY, at_ms BIGINT NOT NULL)',
      `INSERT INTO drill.markers VALUES ('${marker}', ${Date.now()})`,
    ].join('; '),
    { database: APP_DATABASE },
  );
  let why = '';
  await waitUntil(
    'the schema to reach every replica',
    ctx.readyTimeoutMs,
    ctx.signal,
    async () => {
      for (const node of pg.filter((n) => n !== leader)) {
        const rows = await psql(ctx.docker, node, `SELECT 1 FROM drill.markers WHERE name = '${marker}'`, { database: APP_DATABASE }).catch((error: unknown) => {
          why = `${node.node}: ${errorMessage(error)}`;
          return [];
        });
        if (rows.length === 0) return false;
      }
      return true;
    },
    READY_POLL_MS,
  ).catch((error: unknown) => {
    throw new InfraError(`${errorMessage(error)}${why ? ` (${why})` : ''}`);
  });
}

/** HAProxy's write port reaches a node that is not in recovery: the leader. */
async function waitProxyRoutes(ctx: StackContext, haproxy: RunningContainer, leader: RunningContainer, secrets: PatroniSecrets): Promise<void> {
  let why = '';
  await waitUntil(
    `HAProxy to route writes to the leader ${leader.node}`,
    ctx.readyTimeoutMs,
    ctx.signal,
    async () => {
      const result = await exec(ctx.docker, haproxy.id, ['psql', '-h', '127.0.0.1', '-p', String(PROXY_WRITE_PORT), '-U', APP_USER, '-d', APP_DATABASE, '-At', '-c', 'SELECT pg_is_in_recovery()'], {
        env: { PGPASSWORD: secrets.app, PGCONNECT_TIMEOUT: '2' },
        timeoutMs: 5000,
      }).catch((error: unknown) => ({ code: -1, stdout: '', stderr: errorMessage(error) }));
      why = (result.stderr || result.stdout).trim();
      return result.code === 0 && result.stdout.trim() === 'f';
    },
    READY_POLL_MS,
  ).catch((error: unknown) => {
    throw new InfraError(`${errorMessage(error)}${why ? ` (${why})` : ''}`);
  });
}
