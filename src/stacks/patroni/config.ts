import type { PatroniStackSpec } from '../../spec/schema.js';

// The configuration of each part of the patroni stack, as text or arguments: pure functions of the spec
// and the container names (docs/patroni.md). Every node reaches the others by container name on the
// run's network.

export const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;
export const PG_PORT = 5432;
export const REST_PORT = 8008;
/** HAProxy: writes (to the node whose /primary answers 200) and reads (to the nodes whose /replica does). */
export const PROXY_WRITE_PORT = 5000;
export const PROXY_READ_PORT = 5001;
export const SCOPE = 'drill';
/** The database, schema and user the app writes with (fixtures/app/pg-backend.js). */
export const APP_DATABASE = 'drill';
export const APP_USER = 'drill';

export interface PatroniSecrets {
  superuser: string;
  replication: string;
  app: string;
}

/** etcd's command: a static three-node (or N-node) cluster bootstrapped by name. */
export function etcdCmd(name: string, container: string, members: readonly { name: string; container: string }[], token: string): string[] {
  return [
    'etcd',
    '--name',
    name,
    '--data-dir',
    '/tmp/etcd',
    '--listen-client-urls',
    `http://0.0.0.0:${ETCD_CLIENT_PORT}`,
    '--advertise-client-urls',
    `http://${container}:${ETCD_CLIENT_PORT}`,
    '--listen-peer-urls',
    `http://0.0.0.0:${ETCD_PEER_PORT}`,
    '--initial-advertise-peer-urls',
    `http://${container}:${ETCD_PEER_PORT}`,
    '--initial-cluster',
    members.map((m) => `${m.name}=http://${m.container}:${ETCD_PEER_PORT}`).join(','),
    '--initial-cluster-state',
    'new',
    '--initial-cluster-token',
    token,
  ];
}

const seconds = (ms: number) => Math.round(ms / 1000);

/**
 * Patroni's YAML for one node: the DCS settings of the drill file go to bootstrap.dcs (the cluster's
 * dynamic configuration, written once by the node that initialises the cluster). Passwords are in it:
 * it reaches the container through an environment variable and a file only the postgres user reads.
 */
export function patroniConfig(spec: PatroniStackSpec, name: string, container: string, etcdHosts: readonly string[], secrets: PatroniSecrets): string {
  const p = spec.patroni;
  return [
    `scope: ${SCOPE}`,
    `name: ${name}`,
    'log:',
    '  level: INFO',
    'restapi:',
    `  listen: 0.0.0.0:${REST_PORT}`,
    `  connect_address: ${container}:${REST_PORT}`,
    'etcd3:',
    `  hosts: ${etcdHosts.map((h) => `${h}:${ETCD_CLIENT_PORT}`).join(',')}`,
    'bootstrap:',
    '  dcs:',
    `    ttl: ${seconds(p.ttlMs)}`,
    `    loop_wait: ${seconds(p.loopWaitMs)}`,
    `    retry_timeout: ${seconds(p.retryTimeoutMs)}`,
    `    maximum_lag_on_failover: ${p.maximumLagOnFailover}`,
    `    synchronous_mode: ${p.synchronousMode}`,
    `    synchronous_mode_strict: ${p.synchronousModeStrict}`,
    `    failsafe_mode: ${p.failsafeMode}`,
    '    postgresql:',
    '      use_pg_rewind: true',
    '      use_slots: true',
    '      parameters:',
    '        wal_level: replica',
    "        hot_standby: 'on'",
    "        wal_log_hints: 'on'",
    '        max_wal_senders: 10',
    '        max_replication_slots: 10',
    '  initdb:',
    '    - encoding: UTF8',
    '    - data-checksums',
    'postgresql:',
    `  listen: 0.0.0.0:${PG_PORT}`,
    `  connect_address: ${container}:${PG_PORT}`,
    '  data_dir: /data/pg',
    '  bin_dir: /usr/lib/postgresql/15/bin',
    '  pgpass: /tmp/pgpass',
    '  authentication:',
    `    superuser: { username: postgres, password: '${secrets.superuser}' }`,
    `    replication: { username: replicator, password: '${secrets.replication}' }`,
    '  parameters:',
    '    unix_socket_directories: /tmp',
    '  pg_hba:',
    // Local (docker exec psql as postgres) is trusted: how drill reads every node back independently.
    '    - local all all trust',
    '    - host replication replicator 0.0.0.0/0 scram-sha-256',
    '    - host all all 0.0.0.0/0 scram-sha-256',
    '',
  ].join('\n');
}

/** Patroni as the postgres user, its config written from the environment (never on a command line). */
export const PATRONI_CMD = ['sh', '-c', 'umask 077 && printf "%s\\n" "$PATRONI_CONFIG" > /tmp/patroni.yml && chown postgres /tmp/patroni.yml && exec runuser -u postgres -- patroni /tmp/patroni.yml'];

/**
 * HAProxy in TCP mode: writes to the node whose REST API answers 200 on /primary (the leader), reads
 * round the nodes answering 200 on /replica. `on-marked-down shutdown-sessions` cuts the app's open
 * connections to a node taken out, so a demoted leader keeps no client. Server state changes go to
 * stderr (-db): they are the proxy's events on the timeline.
 */
export function haproxyConfig(spec: PatroniStackSpec, nodes: readonly { name: string; container: string }[]): string {
  const h = spec.haproxy;
  const backend = (name: string, port: number, check: string) => [
    `listen ${name}`,
    `  bind :${port}`,
    ...(name === 'replicas' ? ['  balance roundrobin'] : []),
    `  option httpchk OPTIONS ${check}`,
    '  http-check expect status 200',
    `  default-server inter ${h.interMs}ms fall ${h.fall} rise ${h.rise} on-marked-down shutdown-sessions`,
    ...nodes.map((n) => `  server ${n.name} ${n.container}:${PG_PORT} check port ${REST_PORT}`),
  ];
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 30m',
    '  timeout server 30m',
    `  timeout check ${Math.min(h.interMs, 1000)}ms`,
    ...backend('primary', PROXY_WRITE_PORT, '/primary'),
    ...backend('replicas', PROXY_READ_PORT, '/replica'),
    '',
  ].join('\n');
}

export const HAPROXY_CMD = ['sh', '-c', 'printf "%s\\n" "$HAPROXY_CONFIG" > /tmp/haproxy.cfg && exec haproxy -db -f /tmp/haproxy.cfg'];
