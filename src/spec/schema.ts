import { z } from 'zod';
import { duration } from './duration.js';
import { composeStack } from './compose-schema.js';
import { patroniStack } from './patroni-schema.js';
import { cronProblem } from '../schedule/cron.js';
import { groupMember, stepSchema, target } from './steps-schema.js';
import { layerSchema } from './layers-schema.js';

export { stepSchema } from './steps-schema.js';

// The drill file format. This zod schema is the single source of truth: the TypeScript types, the
// validation and the published JSON Schema (drill.schema.json, `npm run schema`) all come from it.

const sentinelTimings = z
  .strictObject({
    downAfter: duration({ minMs: 100 }).default(1000).describe('down-after-milliseconds: how long a master must be unreachable before a Sentinel calls it down'),
    failoverTimeout: duration({ minMs: 1000 }).default(5000).describe('failover-timeout: how long a failover may take before another Sentinel may retry it'),
    parallelSyncs: z.int().min(1).max(16).default(1).describe('parallel-syncs: replicas reconfigured to the new master at the same time'),
  })
  .describe('Sentinel timings. Redis defaults (30 s, 180 s) are far too slow for a drill, so drill sets these.')
  .transform((t) => ({ downAfterMs: t.downAfter, failoverTimeoutMs: t.failoverTimeout, parallelSyncs: t.parallelSyncs }));

/** Where a stack's data nodes keep their data: the container's filesystem, or drill's lazy disk (power loss). */
function lazyDiskSetting(where: string, image: string, nodes: string) {
  return z
    .enum(['plain', 'lazy'])
    .default('plain')
    .describe(
      `Where ${where}: plain (the container's filesystem), or lazy: drill's lazy disk, a FUSE layer that holds unsynced writes in memory and loses them in a power-loss fault (docs/power-loss.md; needs drill's own ${image}, /dev/fuse and CAP_SYS_ADMIN for the ${nodes} only)`,
    );
}

/** A failover drill runs itself (runbook steps) or hands to its detector (auto); `caughtUp` says what a promoted replica catches up on. */
function runbookFailover(caughtUp: string) {
  return z
    .strictObject({
      mode: z.enum(['runbook', 'auto']).default('runbook').describe("runbook: the steps promote/repoint do the failover; auto: drill's detector notices the dead primary and runs the same runbook"),
      checkInterval: duration({ minMs: 50, maxMs: 60_000 }).default(500).describe('auto: how often the detector checks the primary'),
      failureThreshold: z.int().min(1).max(100).default(3).describe('auto: consecutive failed checks before the primary is declared dead'),
      checkTimeout: duration({ minMs: 50, maxMs: 60_000 }).default(500).describe('auto: a check with no answer by then has failed'),
      catchUp: z.boolean().default(true).describe(`auto: let the promoted replica ${caughtUp} before taking writes`),
    })
    .prefault({})
    .transform((f) => ({ mode: f.mode, checkIntervalMs: f.checkInterval, failureThreshold: f.failureThreshold, checkTimeoutMs: f.checkTimeout, catchUp: f.catchUp }));
}

const redisSentinelStack = z.strictObject({
  kind: z.literal('redis-sentinel').describe('Redis master + replicas, monitored and failed over by Redis Sentinel'),
  replicas: z.int().min(1).max(5).default(1).describe('Redis replicas of the master'),
  sentinels: z.int().min(1).max(7).default(3).describe('Sentinel processes (an odd number: 3 tolerates one Sentinel failure)'),
  quorum: z.int().min(1).max(7).optional().describe('Sentinels that must agree the master is down; default: a majority'),
  sentinel: sentinelTimings.prefault({}),
  image: z.string().min(1).optional().describe('Redis image to use instead of the offline-built one, e.g. "redis:7" where a registry is reachable'),
  apps: z.int().min(1).max(4).default(1).describe('Fixture app instances (app-1 … app-N); the load is spread evenly over them. Split-brain drills put one on each side of a partition'),
  password: z.string().min(8).max(200).optional().describe('requirepass/masterauth for Redis (Sentinels get auth-pass; the app uses it). A secret: it never appears in logs or reports'),
  redisConfig: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case redis.conf directive name such as "min-replicas-to-write"'), z.union([z.string(), z.number()]))
    .default({})
    .describe('Extra redis.conf directives for master and replicas, e.g. { "min-replicas-to-write": 1 }'),
  disk: lazyDiskSetting('each Redis node keeps its data', 'Redis image', 'Redis nodes'),
});

const mysqlReplicationStack = z.strictObject({
  kind: z.literal('mysql-replication').describe("MariaDB/MySQL primary + replicas with GTID replication; failover by runbook steps or by drill's own detector"),
  replicas: z.int().min(1).max(5).default(1).describe('Replicas of the primary (nodes db-2 … db-N+1; db-1 starts as primary)'),
  image: z
    .string()
    .min(1)
    .optional()
    .describe('Database image instead of the offline-built MariaDB one, e.g. "mysql:8.4" or "mariadb:11" where a registry is reachable; the flavour is detected from the server'),
  replication: z
    .strictObject({
      mode: z.enum(['async', 'semisync']).default('async').describe('async: the primary acknowledges before any replica has the write; semisync: after one replica received it'),
      semisyncTimeout: duration({ minMs: 100, maxMs: 3_600_000 })
        .default(10_000)
        .describe('rpl_semi_sync_master_timeout: how long the primary waits for a replica before silently falling back to async'),
    })
    .prefault({})
    .transform((r) => ({ mode: r.mode, semisyncTimeoutMs: r.semisyncTimeout })),
  delayedReplica: z
    .strictObject({
      node: z
        .string()
        .regex(/^db-\d+$/, 'a replica node name such as "db-2"')
        .describe('Which replica lags'),
      delay: duration({ minMs: 1000, maxMs: 3_600_000 }).describe('MASTER_DELAY: the replica applies each event this long after the primary'),
    })
    .optional()
    .transform((d) => (d ? { node: d.node, delayMs: d.delay } : undefined))
    .describe('A replica deliberately behind (MASTER_DELAY)'),
  readOnlyReplicas: z.boolean().default(true).describe('read_only=ON on replicas (a write that reaches one fails instead of diverging)'),
  disk: lazyDiskSetting('each database node keeps its datadir', 'MariaDB image', 'database nodes'),
  durability: z
    .strictObject({
      flushLogAtTrxCommit: z
        .union([z.literal(0), z.literal(1), z.literal(2)])
        .optional()
        .describe('innodb_flush_log_at_trx_commit: 1 = the redo log fsynced at each commit; 2 = written at each commit, fsynced about once a second; 0 = both about once a second'),
      syncBinlog: z.int().min(0).max(1_000_000).optional().describe('sync_binlog: 1 = the binlog fsynced at each commit (group); N = every N commit groups; 0 = when the OS writes it back'),
    })
    .optional()
    .describe("The servers' durability settings (absent: the server's own defaults); what they keep is what a power-loss fault on disk: lazy shows"),
  failover: runbookFailover('apply what it already received'),
});

const postgresStack = z.strictObject({
  kind: z.literal('postgres').describe("PostgreSQL 15 primary + streaming replicas; failover by runbook steps (pg_promote, repoint, pg_rewind) or by drill's own detector"),
  replicas: z.int().min(1).max(4).default(2).describe('Streaming replicas of the primary (nodes pg-2 … pg-N+1; pg-1 starts as primary)'),
  image: z.string().min(1).optional().describe('PostgreSQL 15 image instead of the offline-built one, e.g. "postgres:15-bookworm" where a registry is reachable'),
  replication: z
    .strictObject({
      synchronousStandbyNames: z
        .string()
        .max(200)
        .regex(/^[A-Za-z0-9_ ,()*"-]*$/, 'a synchronous_standby_names value such as "ANY 1 (*)" or FIRST 1 ("pg-2", "pg-3")')
        .default('')
        .describe("synchronous_standby_names on every node: '' (async) or e.g. 'ANY 1 (*)'; each replica's application_name is its node name (pg-2, ...), quoted in the list because of the dash"),
      synchronousCommit: z
        .enum(['on', 'remote_apply', 'remote_write', 'local', 'off'])
        .default('on')
        .describe('synchronous_commit: what a commit waits for (with synchronous standbys named: on = flushed on them, remote_write = written, remote_apply = applied)'),
    })
    .prefault({}),
  failover: runbookFailover('replay the WAL it already received'),
});

export const stackSchema = z
  .discriminatedUnion('kind', [redisSentinelStack, mysqlReplicationStack, postgresStack, patroniStack, composeStack])
  .describe('The system under test, started in containers for the drill and removed after it (kind compose: your own running stack, left as it was)');

const probeSchema = z
  .strictObject({
    rate: z.int().min(10).max(500).default(200).describe('Probe writes per second, open-loop (a few hundred at most: it must not load the system it measures)'),
    connections: z.int().min(2).max(128).default(64).describe('Connections the probes are spread over: rate × timeout of them keep probes flowing while every answer hangs (a frozen server)'),
    timeout: duration({ minMs: 50, maxMs: 1000 }).default(250).describe('A probe with no answer by then is "unknown": short, so a connection stuck in the outage is free again soon'),
  })
  .transform((p) => ({ rate: p.rate, connections: p.connections, timeoutMs: p.timeout }));

const readsSchema = z
  .strictObject({
    rate: z.int().min(1).max(2000).describe('Reads per second, open-loop, beside the writes'),
    from: z
      .enum(['primary', 'replica'])
      .default('primary')
      .describe("Where the app reads: the primary (the write path), or a replica (Redis: one Sentinel lists; MySQL/MariaDB: the stack's replicas, in turn)"),
    pattern: z
      .enum(['any', 'own'])
      .default('any')
      .describe('any: a random key (checked for stale reads); own: the key of the newest write this load was told is written (checked for read-your-writes)'),
    keys: z.int().min(1).max(100_000).default(20).describe('Writes update this many keys (write id N is the new version of key N mod keys): few keys, each written often, make staleness visible'),
    timeout: duration({ minMs: 100, maxMs: 60_000 }).default(1000).describe('A read with no answer by then is "unknown"'),
    connections: z.int().min(1).max(256).default(8).describe('Keep-alive connections the reads are spread over'),
  })
  .describe('Tracked reads beside the writes (docs/reads.md): read RTO, stale reads, read-your-writes, dirty reads')
  .transform((r) => ({ ratePerSec: r.rate, from: r.from, pattern: r.pattern, keys: r.keys, timeoutMs: r.timeout, connections: r.connections }));

export const loadSchema = z
  .strictObject({
    rate: z.int().min(1).max(20_000).describe('Writes per second, open-loop (sent on schedule whatever the responses)'),
    connections: z.int().min(1).max(512).default(16).describe('Client connections the writes are spread over'),
    timeout: duration({ minMs: 1000, maxMs: 60_000 })
      .default(1000)
      .describe('A write with no answer by then is "unknown" (at least 1 s: the patience of a client, not of a probe: the probe stream has its own)'),
    warmup: duration().default(3000).describe('Load before the run clock starts (time 0), to reach steady state; not measured'),
    duration: duration({ minMs: 1000 }).describe('Load time after warm-up; every fault step must fall inside it'),
    probe: z
      .union([z.boolean(), probeSchema])
      .optional()
      .describe(
        'A light write stream of its own from just before the first fault until writes recover, to find the edges of the outage within a few ms (docs/design.md "Probe stream"); tracked and checked for loss, reported apart from the declared load. Undeclared: on for the stacks drill starts, off for a compose stack (your own system); true turns it on with its defaults (200 writes/s, 64 connections, 250 ms), false off',
      ),
    reads: readsSchema.optional(),
  })
  .describe('The write load: open-loop, each write a unique id so lost and unexpected writes can be counted')
  .transform((l) => ({
    rate: l.rate,
    connections: l.connections,
    timeoutMs: l.timeout,
    warmupMs: l.warmup,
    durationMs: l.duration,
    ...(l.probe === undefined ? {} : { probe: l.probe }),
    ...(l.reads === undefined ? {} : { reads: l.reads }),
  }));

// Objectives of one event of the drill (a fault, a switchover, a failback, a rejoin), judged on that
// event's own window of writes (docs/design.md "Events").
const eventRecovery = {
  rto: duration().optional().describe("Max time from the event's start to stable recovery of writes"),
  downtime: duration().optional().describe('Max time from the first failed write of the event to stable recovery'),
  lostWrites: z.int().min(0).optional().describe('Max acknowledged writes this event lost'),
};
const toEventObjectives = (o: { rto?: number; downtime?: number; lostWrites?: number; within?: number; errantTransactions?: number }) => ({
  rtoMs: o.rto,
  downtimeMs: o.downtime,
  lostWrites: o.lostWrites,
  withinMs: o.within,
  errantTransactions: o.errantTransactions,
});
const within = duration().optional();
export const eventObjectivesSchema = z
  .strictObject({
    failover: z
      .strictObject(eventRecovery)
      .optional()
      .transform((o) => o && toEventObjectives(o))
      .describe('Each fault step (an unplanned failure, whatever recovers it: a failover, a restart)'),
    switchover: z
      .strictObject({ ...eventRecovery, within: within.describe('Max time the switchover takes, start to done') })
      .optional()
      .transform((o) => o && toEventObjectives(o))
      .describe('Each planned switchover'),
    failback: z
      .strictObject({ ...eventRecovery, within: within.describe('Max time the failback takes, start to done') })
      .optional()
      .transform((o) => o && toEventObjectives(o))
      .describe('Each failback'),
    rejoin: z
      .strictObject({
        ...eventRecovery,
        within: within.describe('Max time from the start of the rejoin until the node replicates from the primary and has caught up'),
        errantTransactions: z.int().min(0).optional().describe('Max transactions the node had that the primary does not (errant GTIDs)'),
      })
      .optional()
      .transform((o) => o && toEventObjectives(o))
      .describe('Each rejoin of a former primary'),
  })
  .describe('Objectives of each event of the drill, by kind: every event of the kind is judged on its own window of writes');

const PERCENT_EXPECTED = 'expected a percentage such as "99.99%"';

export const objectivesSchema = z
  .strictObject({
    rto: duration().optional().describe('Max time from the first fault (or planned switchover) to stable recovery of writes: the drill as a whole'),
    downtime: duration().optional().describe('Max time from the first failed write to stable recovery'),
    lostWrites: z.int().min(0).optional().describe('Max acknowledged writes missing after recovery (0 = RPO zero)'),
    rpo: duration().optional().describe('Max data-loss window: fault time minus the last ack before which nothing was lost'),
    unexpectedWrites: z.int().min(0).default(0).describe('Max ids present that were never acknowledged nor unknown (should be 0: anything else is a bug)'),
    availability: z
      .union([z.number(), z.string()], { error: PERCENT_EXPECTED })
      .superRefine((value, ctx) => {
        // A bare number is ambiguous (0.9999 or 99.99?): only a written percentage is taken.
        if (typeof value !== 'string' || !/^(100|\d{1,2}(\.\d{1,8})?)\s?%$/.test(value)) ctx.addIssue({ code: 'custom', message: `${PERCENT_EXPECTED} (at most 100%), got ${JSON.stringify(value)}` });
      })
      .optional()
      .describe('Min availability this run implies, MTBF / (MTBF + RTO), with availability.mtbf declared: e.g. "99.99%"'),
    readRto: duration().optional().describe('Max time from the first fault to stable recovery of reads (load.reads)'),
    readDowntime: duration().optional().describe('Max time from the first failed read after the fault to stable recovery of reads'),
    staleReads: z.int().min(0).optional().describe('Max reads that returned an older version than one acknowledged before they were sent (load.reads, pattern any)'),
    readYourWrites: z.int().min(0).optional().describe("Max reads that missed this load's own acknowledged write (load.reads, pattern own)"),
    dirtyReads: z.int().min(0).optional().describe('Max reads that returned a version not in the data after recovery (never acknowledged, or acknowledged and lost)'),
    restoreTime: duration().optional().describe('Max time from a restore step to the first write the restored node acknowledged (needs a backup layer and `action: restore`)'),
    backupAge: duration()
      .optional()
      .describe('Max age at the disaster (the first fault that is not damage to the backups) of the newest usable backup, or of the binlog archive when there is one (needs a backup layer)'),
    ...eventObjectivesSchema.shape,
  })
  .describe('What the drill must prove. Each one missed is a FAIL and exit code 1.')
  .transform((o) => ({
    rtoMs: o.rto,
    downtimeMs: o.downtime,
    lostWrites: o.lostWrites,
    rpoMs: o.rpo,
    unexpectedWrites: o.unexpectedWrites,
    availability: o.availability === undefined ? undefined : Number.parseFloat(String(o.availability)),
    // Only when declared (load.reads drills), like the per-event ones below.
    ...(o.readRto === undefined ? {} : { readRtoMs: o.readRto }),
    ...(o.readDowntime === undefined ? {} : { readDowntimeMs: o.readDowntime }),
    ...(o.staleReads === undefined ? {} : { staleReads: o.staleReads }),
    ...(o.readYourWrites === undefined ? {} : { readYourWrites: o.readYourWrites }),
    ...(o.dirtyReads === undefined ? {} : { dirtyReads: o.dirtyReads }),
    ...(o.restoreTime === undefined ? {} : { restoreTimeMs: o.restoreTime }),
    ...(o.backupAge === undefined ? {} : { backupAgeMs: o.backupAge }),
    // Only when declared: a drill without per-event objectives keeps the shape it always had.
    ...(o.failover || o.switchover || o.failback || o.rejoin
      ? {
          events: {
            ...(o.failover && { failover: o.failover }),
            ...(o.switchover && { switchover: o.switchover }),
            ...(o.failback && { failback: o.failback }),
            ...(o.rejoin && { rejoin: o.rejoin }),
          },
        }
      : {}),
  }));

export const measureSchema = z
  .strictObject({
    stable: duration({ minMs: 100, maxMs: 60_000 }).default(1000).describe('Recovery = first ok write after which every write in this window succeeded'),
    bucket: duration({ minMs: 10, maxMs: 10_000 }).default(100).describe('Timeline bucket width'),
  })
  .describe('How recovery is measured and the timeline drawn')
  .transform((m) => ({ stableMs: m.stable, bucketMs: m.bucket }));

export const abortIfSchema = z
  .strictObject({
    errorRate: z
      .strictObject({
        above: z.number().min(0).max(1).describe('Fraction of writes that did not succeed (0–1)'),
        for: duration({ minMs: 100, maxMs: 3_600_000 }).describe('Sliding window the rate is measured over'),
      })
      .optional()
      .describe('Abort when the share of failed/unknown writes stays above the bound over the window'),
    p99Latency: z
      .strictObject({
        above: duration({ minMs: 1 }).describe('Bound on the p99 latency of ok writes'),
        for: duration({ minMs: 100, maxMs: 3_600_000 }).describe('Sliding window'),
      })
      .optional()
      .describe('Abort when the p99 latency of ok writes stays above the bound over the window'),
    recoveryDeadline: duration({ minMs: 100 }).optional().describe('Abort when writes have not recovered this long after the first fault'),
  })
  .describe('Stop conditions: drill aborts (heals every fault, tears down, reports verdict "aborted", exit 3) when one holds')
  .transform((a) => ({
    errorRate: a.errorRate ? { above: a.errorRate.above, windowMs: a.errorRate.for } : undefined,
    p99Latency: a.p99Latency ? { aboveMs: a.p99Latency.above, windowMs: a.p99Latency.for } : undefined,
    recoveryDeadlineMs: a.recoveryDeadline,
  }));

export const drillSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a name of lower-case letters, digits, ".", "_" or "-", at most 63 characters')
      .describe('Drill name: used in container names, run ids and reports'),
    description: z.string().max(2000).default('').describe('What the drill proves, for the report'),
    stack: stackSchema,
    layers: z
      .array(layerSchema)
      .max(8)
      .default([])
      .describe('Layers beside the stack, each its own plug-in: a backup store on a second site (kind backup), Prometheus and Alertmanager (kind monitoring)'),
    load: loadSchema,
    steps: z
      .array(stepSchema)
      .min(1)
      .max(100)
      .describe('The scenario, run in order: fault steps, runbook steps (action: promote|repoint|switchover|failback|rejoin; wait) and waitFor steps; at least one fault or planned switchover'),
    objectives: objectivesSchema.prefault({}),
    measure: measureSchema.prefault({}),
    abortIf: abortIfSchema.prefault({}),
    availability: z
      .strictObject({
        mtbf: duration({ minMs: 60_000, maxMs: 100 * 365 * 86_400_000 }).describe(
          'Mean time between failures of this kind in production (e.g. 90d): with the measured MTTR it gives availability = MTBF / (MTBF + MTTR)',
        ),
      })
      .optional()
      .transform((a) => (a ? { mtbfMs: a.mtbf } : undefined))
      .describe('What the reports index turns the drill history into: MTTR, availability, the nines and the downtime per year'),
    schedule: z
      .string()
      .max(200)
      .superRefine((value, ctx) => {
        const problem = cronProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `expected a cron expression such as "*/30 * * * *" (5 fields, or 6 with seconds first), got ${JSON.stringify(value)}: ${problem}` });
      })
      .optional()
      .describe('When `drill schedule` runs this drill: a cron expression (minute hour day month weekday; 6 fields = seconds first; @hourly, @daily ...)'),
  })
  .describe('A drill file for drill, the disaster-recovery drill runner');

export type DrillSpec = z.output<typeof drillSchema>;
export type StackSpec = DrillSpec['stack'];
export type RedisSentinelStackSpec = Extract<StackSpec, { kind: 'redis-sentinel' }>;
export type MysqlReplicationStackSpec = Extract<StackSpec, { kind: 'mysql-replication' }>;
export type PostgresStackSpec = Extract<StackSpec, { kind: 'postgres' }>;
export type ComposeStackSpec = Extract<StackSpec, { kind: 'compose' }>;
export type PatroniStackSpec = Extract<StackSpec, { kind: 'patroni' }>;
export type StepSpec = DrillSpec['steps'][number];
export type LayerSpec = DrillSpec['layers'][number];
export type BackupLayerSpec = Extract<LayerSpec, { kind: 'backup' }>;
export type MonitoringLayerSpec = Extract<LayerSpec, { kind: 'monitoring' }>;
export type LbVipLayerSpec = Extract<LayerSpec, { kind: 'lb-vip' }>;
export type FaultStepSpec = Extract<StepSpec, { kind: 'fault' }>;
export type WaitForStepSpec = Extract<StepSpec, { kind: 'waitFor' }>;
export type ActionStepSpec = Extract<StepSpec, { kind: 'action' }>;
export type TargetSpec = z.output<typeof target>;
export type GroupMemberSpec = z.output<typeof groupMember>;
export type MeasureSpec = DrillSpec['measure'];
export type LoadSpec = DrillSpec['load'];
export type ObjectivesSpec = DrillSpec['objectives'];
export type EventObjectivesByKind = NonNullable<ObjectivesSpec['events']>;
export type EventObjectivesSpec = NonNullable<EventObjectivesByKind[keyof EventObjectivesByKind]>;
export type AbortIfSpec = DrillSpec['abortIf'];
