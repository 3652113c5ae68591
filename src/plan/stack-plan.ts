import { formatDurationMs } from '../spec/duration.js';
import type { ComposeStackSpec, MysqlReplicationStackSpec, PatroniStackSpec, PostgresStackSpec, RedisSentinelStackSpec, StackSpec } from '../spec/schema.js';
import { nodeNames } from '../stacks/node-names.js';
import { assertNever } from '../util/assert-never.js';
import type { PlanImages } from './plan-images.js';
import type { NodePlan, StackPlan } from './plan.js';

/** The stack as a run would start it (or, for compose, look for it), and who fails over. */
export function stackPlan(stack: StackSpec, images: PlanImages): StackPlan {
  switch (stack.kind) {
    case 'redis-sentinel':
      return redisSentinel(stack, images);
    case 'mysql-replication':
      return mysqlReplication(stack, images);
    case 'postgres':
      return postgres(stack, images);
    case 'patroni':
      return patroni(stack, images);
    case 'compose':
      return compose(stack);
    default:
      return assertNever(stack, 'stack kind');
  }
}

function nodes(prefix: string, from: number, to: number, role: (n: number) => string, image: string): NodePlan[] {
  return nodeNames(prefix, from, to).map((name, i) => ({ name, role: role(from + i), image }));
}

function lazyDiskNote(nodes: string): string {
  return `disk: drill's lazy disk on every ${nodes} node (unsynced writes live in its memory: a power-loss fault loses them; /dev/fuse and CAP_SYS_ADMIN for those nodes)`;
}

function durabilityNotes(d: MysqlReplicationStackSpec['durability']): string[] {
  const set = [...(d?.flushLogAtTrxCommit !== undefined ? [`innodb_flush_log_at_trx_commit=${d.flushLogAtTrxCommit}`] : []), ...(d?.syncBinlog !== undefined ? [`sync_binlog=${d.syncBinlog}`] : [])];
  return set.length > 0 ? [`durability: ${set.join(', ')}`] : [];
}

function redisSentinel(stack: RedisSentinelStackSpec, images: PlanImages): StackPlan {
  const quorum = stack.quorum ?? Math.floor(stack.sentinels / 2) + 1;
  const notes: string[] = [];
  if (stack.password !== undefined) notes.push('password: set (requirepass, masterauth; masked in every output)');
  const config = Object.entries(stack.redisConfig);
  if (config.length > 0) notes.push(`redis.conf: ${config.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (stack.disk === 'lazy') notes.push(lazyDiskNote('Redis'));
  const t = stack.sentinel;
  return {
    kind: stack.kind,
    nodes: [
      ...nodes('redis', 1, stack.replicas + 1, (n) => (n === 1 ? 'master at the start' : 'replica'), images.redis),
      ...nodes('sentinel', 1, stack.sentinels, () => 'Sentinel', images.redis),
      ...nodes('app', 1, stack.apps, () => 'fixture app (the load goes through it)', images.app),
    ],
    notes,
    failover: `Sentinel, by itself: a master unreachable for ${formatDurationMs(t.downAfterMs)} is down once ${quorum} of ${stack.sentinels} Sentinels agree; failover-timeout ${formatDurationMs(t.failoverTimeoutMs)}, parallel-syncs ${t.parallelSyncs}`,
  };
}

function mysqlReplication(stack: MysqlReplicationStackSpec, images: PlanImages): StackPlan {
  const delayed = stack.delayedReplica;
  const replicaRole = (name: string) => `replica${delayed?.node === name ? `, ${formatDurationMs(delayed.delayMs)} behind (MASTER_DELAY)` : ''}${stack.readOnlyReplicas ? ', read-only' : ''}`;
  const replication = stack.replication.mode === 'semisync' ? `semisync (falls back to async after ${formatDurationMs(stack.replication.semisyncTimeoutMs)} without a replica's ack)` : 'async';
  const f = stack.failover;
  return {
    kind: stack.kind,
    nodes: [
      ...nodes('db', 1, stack.replicas + 1, (n) => (n === 1 ? 'primary at the start' : replicaRole(`db-${n}`)), images.mysql),
      { name: 'app-1', role: 'fixture app (the load goes through it)', image: images.app },
    ],
    notes: [
      `replication: GTID, ${replication}`,
      'flavour (MariaDB or MySQL) and SQL dialect: read from the running server',
      ...(stack.disk === 'lazy' ? [lazyDiskNote('database')] : []),
      ...durabilityNotes(stack.durability),
    ],
    failover:
      f.mode === 'auto'
        ? `drill's detector: checks the primary every ${formatDurationMs(f.checkIntervalMs)} (a check fails after ${formatDurationMs(f.checkTimeoutMs)}); after ${f.failureThreshold} failed checks in a row it runs promote (the most advanced replica${f.catchUp ? ', catching up first' : ''}) then repoint, once`
        : 'the runbook steps below (nothing fails over by itself)',
  };
}

function postgres(stack: PostgresStackSpec, images: PlanImages): StackPlan {
  const r = stack.replication;
  const f = stack.failover;
  const sync = r.synchronousStandbyNames === '' ? 'async (no synchronous standby named)' : `synchronous_standby_names '${r.synchronousStandbyNames}'`;
  return {
    kind: stack.kind,
    nodes: [
      ...nodes('pg', 1, stack.replicas + 1, (n) => (n === 1 ? 'primary at the start' : 'streaming standby (hot, read-only)'), images.postgres),
      { name: 'app-1', role: 'fixture app (the load goes through it)', image: images.app },
    ],
    notes: [`replication: PostgreSQL 15 streaming, ${sync}, synchronous_commit ${r.synchronousCommit}`, 'data checksums on (pg_rewind can rejoin a former primary)'],
    failover:
      f.mode === 'auto'
        ? `drill's detector: checks the primary every ${formatDurationMs(f.checkIntervalMs)} (a check fails after ${formatDurationMs(f.checkTimeoutMs)}); after ${f.failureThreshold} failed checks in a row it runs promote (pg_promote on the most advanced standby) then repoint, once`
        : 'the runbook steps below (nothing fails over by itself)',
  };
}

function patroni(stack: PatroniStackSpec, images: PlanImages): StackPlan {
  const p = stack.patroni;
  const h = stack.haproxy;
  return {
    kind: stack.kind,
    nodes: [
      ...nodes('etcd', 1, stack.etcd, () => 'etcd (the DCS holding the leader lock)', images.patroni),
      ...nodes('pg', 1, stack.nodes, () => 'Patroni + PostgreSQL 15 (leader elected at start)', images.patroni),
      { name: 'haproxy-1', role: 'HAProxy: writes to the node whose REST API answers /primary, reads to /replica', image: images.patroni },
      { name: 'app-1', role: 'fixture app (the load goes through it, via haproxy-1)', image: images.app },
    ],
    notes: [
      `Patroni: ttl ${formatDurationMs(p.ttlMs)}, loop_wait ${formatDurationMs(p.loopWaitMs)}, retry_timeout ${formatDurationMs(p.retryTimeoutMs)}, synchronous_mode ${p.synchronousMode}${p.synchronousModeStrict ? ' (strict)' : ''}, failsafe_mode ${p.failsafeMode}`,
      `HAProxy checks: every ${formatDurationMs(h.interMs)}, out after ${h.fall}, back after ${h.rise}`,
    ],
    failover: `Patroni, by itself: a dead leader's lock expires after at most ttl (${formatDurationMs(p.ttlMs)}), a replica takes it on its next HA loop (every ${formatDurationMs(p.loopWaitMs)}); HAProxy follows within ${formatDurationMs(h.interMs * h.fall)}`,
  };
}

function compose(stack: ComposeStackSpec): StackPlan {
  const where: string[] = [];
  if (stack.project) where.push(`Compose project ${stack.project}${stack.services ? ` (services ${stack.services.join(', ')})` : ''}`);
  if (stack.labels)
    where.push(
      `labels ${Object.entries(stack.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  if (stack.containers) where.push(`containers ${stack.containers.join(', ')}`);
  const redis = stack.system === 'redis-sentinel';
  const endpoint = typeof stack.endpoint === 'string' ? stack.endpoint : `service ${stack.endpoint.service}, port ${stack.endpoint.port} (where the engine publishes it)`;
  return {
    kind: stack.kind,
    nodes: [
      {
        name: redis ? 'redis-1 …, sentinel-1 …' : 'db-1 …',
        role: `your ${stack.system} containers, found at run time and named in name order; roles asked of the ${redis ? 'Sentinels' : 'databases'}`,
        image: '',
      },
      { name: 'app-1', role: `your app: ${endpoint}`, image: '' },
    ],
    notes: [
      `containers: those of ${where.join(' and ')} (nothing is started, removed or re-created)`,
      redis
        ? `server ports inside the containers: redis ${stack.ports.redis}, sentinel ${stack.ports.sentinel} (published on 127.0.0.1)`
        : stack.system === 'postgres'
          ? `PostgreSQL: the containers exposing port ${stack.ports.postgres}, asked with psql inside each container (unix socket, role postgres)`
          : `server ports inside the containers: mysql ${stack.ports.mysql} (published on 127.0.0.1)`,
      stack.restore ? 'restore: at the end, what the drill killed, stopped or paused is started or unpaused again' : 'restore: false (what the drill stops stays stopped)',
      ...(stack.password === undefined ? [] : ['password: set (masked in every output)']),
      ...(stack.mysql ? [`credentials: user ${stack.mysql.user}${stack.mysql.replicationPassword ? `, replication user ${stack.mysql.replicationUser}` : ''} (passwords masked in every output)`] : []),
    ],
    failover: redis ? 'your Sentinels, by themselves' : 'the runbook steps below (nothing fails over by itself)',
  };
}
