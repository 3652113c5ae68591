import { z } from 'zod';
import { duration } from './duration.js';

// The steps of a drill (faults, runbook actions, waits): part of the drill file schema (schema.ts).

export const target = z
  .union([
    z.enum(['primary', 'replica', 'any-replica', 'sentinel', 'app', 'active-lb', 'backup-lb', 'leader', 'sync-standby', 'etcd', 'etcd-leader', 'haproxy']),
    z.string().regex(/^(db|redis|sentinel|app|lb|pg|etcd|haproxy)-\d+$/, 'a node name such as "db-2"'),
  ])
  .describe(
    'Role resolved at run time from the stack itself (Sentinel for Redis, the databases for MySQL, the REST API for Patroni: leader, sync-standby, etcd-leader; active-lb/backup-lb: the LB node holding the VIP now, or the other, with an lb-vip layer), or a node name (db-2, redis-1, sentinel-3, app-1, lb-2, pg-1, etcd-2, haproxy-1)',
  );

const healAfter = duration({ minMs: 10 })
  .optional()
  .describe(
    'Heal by itself after this long (kill/stop: start the container again; pause: unpause; restart: time spent down; network faults: remove the rules); at + duration must be before load.duration',
  );

const faultStepBase = {
  at: duration().describe('When to inject, from the end of warm-up'),
  target,
  duration: healAfter,
};

const killFaultStep = z
  .strictObject({
    ...faultStepBase,
    fault: z.literal('kill').describe("Kill the target's main process with `signal`"),
    signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']).default('SIGKILL').describe('SIGKILL: no clean shutdown; SIGTERM/SIGINT/SIGQUIT let the server shut down its own way'),
  })
  .describe("Kill a container's main process")
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target, durationMs: s.duration, signal: s.signal }));

const killProcessFaultStep = z
  .strictObject({
    at: faultStepBase.at,
    target: faultStepBase.target,
    fault: z.literal('kill-process').describe('SIGKILL one process inside the target, the container left running'),
    process: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,15}$/, 'a process name as pgrep -x matches it (haproxy, nginx, keepalived), at most 15 characters')
      .describe('Every process of this name (pgrep -x) in the target is killed: haproxy or nginx (the proxy alone), keepalived (VRRP alone)'),
  })
  .describe('Kill one process inside a container (SIGKILL, nothing restarts it): the proxy dies while keepalived lives on, or the reverse')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target, durationMs: undefined, process: s.process }));

const stopFaultStep = z
  .strictObject({
    ...faultStepBase,
    fault: z.literal('stop'),
    timeout: duration({ maxMs: 600_000 }).default(10_000).describe('Grace period after SIGTERM before SIGKILL'),
  })
  .describe('Stop a container gracefully (SIGTERM, then SIGKILL after `timeout`)')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target, durationMs: s.duration, stopTimeoutMs: s.timeout }));

const pauseFaultStep = z
  .strictObject({ ...faultStepBase, fault: z.literal('pause') })
  .describe('Freeze every process of a container (cgroup freezer): connections stay open and hang')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target, durationMs: s.duration }));

const restartFaultStep = z
  .strictObject({
    ...faultStepBase,
    fault: z.literal('restart'),
    timeout: duration({ maxMs: 600_000 }).default(10_000).describe('Grace period of the stop'),
  })
  .describe('Stop a container gracefully, stay down for `duration` (default 0), start it again')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target, durationMs: s.duration, stopTimeoutMs: s.timeout }));

const destroyFaultStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('destroy').describe("Remove the target's container and its data: the disk is gone, not just the process"),
    target,
  })
  .describe('Destroy a node: its container and every volume it had are removed (nothing heals it: a restore from backup does)')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target, durationMs: undefined }));

const operatorMistakeStep = z
  .strictObject({
    at: duration().describe('When to run it, from the end of warm-up'),
    fault: z.literal('operator-mistake'),
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, 'a name such as "drop-writes" (lower-case letters, digits, -)')
      .default('operator-mistake')
      .describe('What a restore step calls it (`before: <name>`)'),
    target: target.default('primary'),
    statement: z
      .string()
      .min(1)
      .max(1000)
      .describe(
        'The destructive statement: SQL run as the administrator through the mariadb client (DROP TABLE drill.writes; DELETE FROM drill.writes), or a Redis command through redis-cli on the master (FLUSHALL; DEL drill:writes)',
      ),
  })
  .describe("An operator's destructive statement, run at a chosen time through a normal client; the GTID it got (MariaDB) or the replication offsets around it (Redis) are recorded")
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, name: s.name, target: s.target, statement: s.statement, durationMs: undefined }));

const corruptBackupStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('corrupt-backup'),
    how: z.enum(['flip', 'truncate']).default('flip').describe('flip: overwrite bytes in the middle of the file; truncate: cut it to half its size'),
    backup: z
      .enum(['newest', 'newest-full'])
      .default('newest')
      .describe('newest: the newest backup in the store; newest-full: the newest full physical backup (every incremental on it becomes unusable too)'),
  })
  .describe('Damage a backup in the store (a restore must see its checksum no longer matches and fall back to the one before; needs a backup layer)')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: 'backup-store', how: s.how, backup: s.backup, durationMs: undefined }));

const breakBinlogChainStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('break-binlog-chain'),
    gap: duration({ minMs: 100, maxMs: 60_000 })
      .default(1000)
      .describe("How much binlog the removed file holds: the primary's binlog is rotated, then again this long later, and the file between is deleted from the archive"),
  })
  .describe('Remove one archived binlog file from the store (needs binlogArchive): a restore replays up to the gap and no further')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: 'backup-store', gapMs: s.gap, durationMs: undefined }));

const backupStoreDownStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('backup-store-down'),
    duration: healAfter,
  })
  .describe("Cut the backup store off from the stack's network: scheduled backups fail (each failed attempt on the timeline) until it is back (needs a backup layer)")
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: 'backup-store', durationMs: s.duration }));

export const groupMember = z
  .union([
    z.enum([
      'primary',
      'replica',
      'any-replica',
      'replicas',
      'sentinel',
      'sentinels',
      'app',
      'apps',
      'runner',
      'active-lb',
      'backup-lb',
      'leader',
      'sync-standby',
      'etcd',
      'etcd-leader',
      'etcds',
      'haproxy',
    ]),
    z.string().regex(/^(db|redis|sentinel|app|lb|pg|etcd|haproxy)-\d+$/, 'a role (primary, replicas, sentinels, apps, ...) or a node name such as "db-2"'),
  ])
  .describe(
    'A role resolved at run time (plural roles mean every node of that role), a node name, or `runner`: drill itself on this host (its probes, readback and failure detector), cut off by rules on the other side only',
  );
const group = z.array(groupMember).min(1).max(20).describe('Nodes on one side of the partition');

const partitionFaultStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('partition'),
    groups: z.array(group).min(2).max(8).describe('Groups that cannot reach each other (nodes in no group keep every link)'),
    oneWay: z.boolean().default(false).describe('Drop only what goes from groups[0] to the other groups (TCP replies are packets too: connections opened either way stall)'),
    duration: healAfter,
  })
  .describe("Network partition between groups of nodes (iptables DROP inside each node's network namespace)")
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: 'groups', groups: s.groups, oneWay: s.oneWay, durationMs: s.duration }));

const powerLossFaultStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('power-loss'),
    nodes: group.describe('The data nodes that lose power at the same instant: [primary], or a whole site such as [primary, replicas]'),
    duration: healAfter,
  })
  .describe(
    "Power loss: every process of each node dies at once and what it wrote but never fsynced is gone (the nodes' data is on drill's lazy disk: stack.disk: lazy). Heal = power back: the nodes start again from what their disk kept",
  )
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.nodes.join('+'), nodes: s.nodes, durationMs: s.duration }));

const siteLossFaultStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('site-loss'),
    nodes: group.describe('Every data node of the lost site, e.g. [primary, db-2]: each is destroyed (container and data); the nodes not listed are the surviving site'),
  })
  .describe(
    'Site loss: every node of one site destroyed at the same instant (containers and data: nothing heals it). Where each surviving node stood is asked of it just before (stack.lastWriteIds): a failover to a standby is judged against its lag at the disaster',
  )
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.nodes.join('+'), nodes: s.nodes, durationMs: undefined }));

const isolateFaultStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('isolate'),
    target,
    duration: healAfter,
  })
  .describe('Cut one node off from every other node of the stack (shorthand for a partition [[target], [everything else]])')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target, durationMs: s.duration }));

const lossFaultStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('loss'),
    target: target.optional().describe('Drop packets to and from this node (or use `between`)'),
    between: z.array(group).length(2).optional().describe('Drop packets only between these two groups'),
    percent: z.number().gt(0).max(100).describe('Share of packets dropped, each direction'),
    duration: healAfter,
  })
  .describe('Random packet loss (iptables statistic match)')
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target ?? 'groups', between: s.between, percent: s.percent, durationMs: s.duration }));

const latencyFaultStep = z
  .strictObject({
    at: duration().describe('When to inject, from the end of warm-up'),
    fault: z.literal('latency'),
    target,
    delay: duration({ minMs: 1, maxMs: 60_000 }).describe('Added one-way delay'),
    jitter: duration({ maxMs: 60_000 }).default(0).describe('Random variation around the delay'),
    from: z
      .array(groupMember)
      .min(1)
      .max(20)
      .optional()
      .describe(
        'Only connections from these nodes are delayed: a slow link between two sites (e.g. the replication path to a remote standby); every other client of the node keeps its path (always the TCP proxy)',
      ),
    condition: z
      .boolean()
      .default(false)
      .describe("A condition of the drill, not its disaster (e.g. the slow link to a remote standby): no event of its own, and the drill's RTO and RPO are measured from the next fault"),
    duration: healAfter,
  })
  .describe("Added latency on the traffic to a node: netem where the kernel has it, otherwise a delaying TCP proxy in the node's network namespace (the report says which)")
  .transform((s) => ({ kind: 'fault' as const, fault: s.fault, atMs: s.at, target: s.target, delayMs: s.delay, jitterMs: s.jitter, from: s.from, condition: s.condition, durationMs: s.duration }));

const promoteStep = z
  .strictObject({
    at: duration().optional().describe('When to run it; default: right after the previous step'),
    action: z.literal('promote'),
    candidate: z
      .union([z.literal('most-advanced'), z.string().regex(/^db-\d+$/, 'a node name such as "db-2"')])
      .default('most-advanced')
      .describe('Which replica: the one with the most transactions applied (by GTID), or a node by name'),
    catchUp: z.boolean().default(true).describe('First let it apply what it already received (relay log); false promotes at once and loses that'),
    timeout: duration({ minMs: 100 }).default(30_000).describe('Give up (error) if the promotion has not completed by then'),
  })
  .describe('Runbook: promote a replica to primary (stop replication, make it writable)')
  .transform((s) => ({ kind: 'action' as const, action: s.action, atMs: s.at, candidate: s.candidate, catchUp: s.catchUp, timeoutMs: s.timeout }));

const repointStep = z
  .strictObject({
    at: duration().optional().describe('When to run it; default: right after the previous step'),
    action: z.literal('repoint'),
    timeout: duration({ minMs: 100 }).default(30_000).describe('Give up (error) if the app and the other replicas have not followed the new primary by then'),
  })
  .describe('Runbook: point the app and the other replicas at the new primary')
  .transform((s) => ({ kind: 'action' as const, action: s.action, atMs: s.at, timeoutMs: s.timeout }));

const switchoverStep = z
  .strictObject({
    at: duration().optional().describe('When to run it; default: right after the previous step'),
    action: z.literal('switchover'),
    to: z
      .union([z.literal('best'), z.string().regex(/^(db|redis)-\d+$/, 'a data node name such as "db-2" or "redis-2"')])
      .default('best')
      .describe('The replica that becomes primary: the one the system itself would pick (Sentinel, or the most advanced by GTID), or a node by name'),
    timeout: duration({ minMs: 100 }).default(30_000).describe('Give up (error) if the switchover has not completed by then'),
  })
  .describe(
    'Planned, graceful change of primary (maintenance): writes are held or refused while the candidate catches up, so nothing acknowledged is lost. Redis: SENTINEL FAILOVER with writes paused; MySQL: read_only on the primary, GTID catch-up, promote, repoint, the old primary made a replica',
  )
  .transform((s) => ({ kind: 'action' as const, action: s.action, atMs: s.at, to: s.to, timeoutMs: s.timeout }));

const failbackStep = z
  .strictObject({
    at: duration().optional().describe('When to run it; default: right after the previous step'),
    action: z.literal('failback'),
    timeout: duration({ minMs: 100 }).default(60_000).describe('Give up (error) if the original primary has not caught up and taken over by then'),
  })
  .describe('A switchover back to the node that was primary when the drill began, once it has caught up (it must have rejoined as a replica first)')
  .transform((s) => ({ kind: 'action' as const, action: s.action, atMs: s.at, timeoutMs: s.timeout }));

const rejoinStep = z
  .strictObject({
    at: duration().optional().describe('When to run it; default: right after the previous step'),
    action: z.literal('rejoin'),
    node: z
      .union([z.literal('former-primary'), z.string().regex(/^(db|redis)-\d+$/, 'a data node name such as "db-1" or "redis-1"')])
      .default('former-primary')
      .describe('The node to bring back: the primary the last failover or switchover replaced, or a node by name'),
    errant: z
      .enum(['fail', 'rebuild'])
      .default('fail')
      .describe(
        'What to do with transactions the node has that the current primary does not (errant GTIDs: a MySQL primary killed before its last commits left it): fail leaves it out of the cluster and reports them; rebuild discards them by re-cloning the node from the primary (they are listed first)',
      ),
    timeout: duration({ minMs: 100 }).default(60_000).describe('Give up (the rejoin is reported not done) if the node has not caught up with the primary by then'),
  })
  .describe('Bring a failed or former primary back as a replica of the current primary: started if it is down, pointed at the primary, caught up')
  .transform((s) => ({ kind: 'action' as const, action: s.action, atMs: s.at, node: s.node, errant: s.errant, timeoutMs: s.timeout }));

const restoreStep = z
  .strictObject({
    at: duration().optional().describe('When to run it; default: right after the previous step'),
    action: z.literal('restore'),
    before: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, 'the name of an operator-mistake step')
      .optional()
      .describe('Point-in-time recovery: replay up to the last transaction before the GTID of this operator-mistake step; without it, every archived transaction (latest)'),
    to: z
      .strictObject({
        time: z
          .union([duration(), z.iso.datetime({ offset: true })])
          .describe(
            "Point-in-time recovery to a time: run-relative like a step's `at` (12s: 12 s after the warm-up) or an ISO 8601 instant; the replay stops at the start of that whole second (binlog timestamps are whole seconds)",
          ),
      })
      .optional()
      .describe('A target other than an operator mistake: a time'),
    timeout: duration({ minMs: 1000 }).default(120_000).describe('Give up (error) if the restore has not completed by then'),
  })
  .describe(
    'Runbook: provision a fresh database node (new container, empty disk), copy the newest backup and the archived binlogs to it, load the backup, replay the binlogs up to the target, point the app at it (needs a backup layer)',
  )
  .transform((s) => ({
    kind: 'action' as const,
    action: s.action,
    atMs: s.at,
    before: s.before,
    ...(s.to === undefined ? {} : { toTime: typeof s.to.time === 'number' ? { runMs: s.to.time } : { epochMs: Date.parse(s.to.time) } }),
    timeoutMs: s.timeout,
  }));

const restoreCheckStep = z
  .strictObject({
    at: duration().optional().describe('When to run it; default: right after the previous step'),
    action: z.literal('restore-check'),
    timeout: duration({ minMs: 1000 }).default(120_000).describe('Give up (the check fails) if it has not completed by then'),
  })
  .describe(
    'Runbook: "are our backups restorable?" Restore the newest usable backup into a scratch node (a new container on the backup site, never in the stack) while the primary keeps serving, read it back, report time and size, remove the node (needs a backup layer)',
  )
  .transform((s) => ({ kind: 'action' as const, action: s.action, atMs: s.at, timeoutMs: s.timeout }));

const waitStep = z
  .strictObject({ wait: duration({ minMs: 1 }).describe('How long') })
  .describe("Runbook: wait (an operator's reaction time, a settle time)")
  .transform((s) => ({ kind: 'wait' as const, waitMs: s.wait }));

const waitForRecoveredStep = z
  .strictObject({
    waitFor: z.literal('recovered').describe('Wait until writes have recovered (ok again for the whole measure.stable window)'),
    timeout: duration({ minMs: 1000 }).default(60_000).describe('Give up (the drill fails its RTO) if writes have not recovered by then'),
  })
  .describe('A wait step: block the scenario until a condition holds')
  .transform((s) => ({ kind: 'waitFor' as const, condition: s.waitFor, timeoutMs: s.timeout }));

export const stepSchema = z.union([
  killFaultStep,
  killProcessFaultStep,
  stopFaultStep,
  pauseFaultStep,
  restartFaultStep,
  partitionFaultStep,
  isolateFaultStep,
  lossFaultStep,
  latencyFaultStep,
  powerLossFaultStep,
  destroyFaultStep,
  siteLossFaultStep,
  operatorMistakeStep,
  corruptBackupStep,
  breakBinlogChainStep,
  backupStoreDownStep,
  promoteStep,
  repointStep,
  switchoverStep,
  failbackStep,
  rejoinStep,
  restoreStep,
  restoreCheckStep,
  waitStep,
  waitForRecoveredStep,
]);
