import { z } from 'zod';
import { duration } from './duration.js';

// `layers:` parts a drill adds beside or on top of its stack, whatever the stack's kind: each is its own
// plug-in (src/layers/<kind>/) with its own containers, events and checks; the stack knows nothing of
// them. docs/architecture.md ("Layers") says how the seam works, docs/backup.md what the backup layer does,
// docs/monitoring.md the monitoring layer.

const backupLayer = z
  .strictObject({
    kind: z.literal('backup').describe('A backup store on a second site (its own container and network) taking backups of the current primary under the load'),
    method: z
      .enum(['rdb', 'aof', 'dump', 'physical'])
      .optional()
      .describe(
        'rdb: a Redis RDB snapshot fetched over replication (redis-cli --rdb); aof: a copy of the Redis primary\'s append-only file folder (needs redisConfig appendonly: "yes"), which a restore can cut before an operator\'s FLUSHALL; dump: a logical dump (mariadb-dump --single-transaction); physical: MariaDB data files (mariadb-backup --backup, full and incremental). Default: rdb for Redis, dump for MariaDB/MySQL',
      ),
    incrementals: z
      .int()
      .min(0)
      .max(100)
      .default(0)
      .describe('method physical: incremental backups after each full one, each holding the changes since the backup before it; then the next backup is a full one again (0: every backup is full)'),
    every: duration({ minMs: 500, maxMs: 3_600_000 }).describe('Time between the start of one backup and the next, from the moment the stack is up'),
    keep: z.int().min(1).max(1000).default(3).describe('Retention: how many backups the store keeps; older ones are deleted (an incremental keeps the backups it builds on, back to its full one)'),
    rpo: duration().optional().describe('Max data-loss window if the data were restored from the newest backup taken before the first fault (checked by really restoring it)'),
    binlogArchive: z
      .boolean()
      .default(false)
      .describe(
        "MariaDB/MySQL: archive the current primary's binlog continuously into the store (mariadb-binlog --read-from-remote-server --raw --stop-never), so a restore can replay up to the last transaction",
      ),
    backupAge: duration()
      .optional()
      .describe(
        'Objective: max age of the newest usable backup at the disaster (the first fault); with binlogArchive, max lag of the archive behind the primary at its last sample before the disaster',
      ),
    restoreTime: duration().optional().describe('Objective: max time of a `restore` runbook step, from its start to the first good write after it'),
  })
  .transform((b) => ({
    kind: b.kind,
    method: b.method,
    everyMs: b.every,
    keep: b.keep,
    incrementals: b.incrementals,
    rpoMs: b.rpo,
    binlogArchive: b.binlogArchive,
    backupAgeMs: b.backupAge,
    restoreTimeMs: b.restoreTime,
  }));

// Prometheus/Alertmanager names: what a rule's `alert:` may be called.
const alertName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an alert name as in the rule files (letters, digits, _; not starting with a digit)' })
  .max(200);

const alertObjective = z
  .strictObject({
    name: alertName.describe('The alert, by the name its rule gives it (`alert:` in a rule file)'),
    firesWithin: duration({ minMs: 1 }).optional().describe("Max time from the first fault's instant to Alertmanager's notification of the alert firing (MTTD, as the team would be told)"),
    resolvesWithin: duration({ minMs: 1 }).optional().describe("Max time from the writes' recovery to Alertmanager's notification of the alert resolved"),
  })
  .transform((a) => ({ name: a.name, firesWithinMs: a.firesWithin, resolvesWithinMs: a.resolvesWithin }));

// A team's own Prometheus or Alertmanager, read-only. drill's traffic goes to 127.0.0.1 only: forward
// yours there (ssh -L, kubectl port-forward) rather than giving drill another host to talk to.
const loopbackUrl = z
  .string()
  .max(2048)
  .refine(
    (text) => {
      try {
        const u = new URL(text);
        return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && u.username === '' && u.password === '';
      } catch {
        return false;
      }
    },
    { error: 'expected an http URL on this machine (http://127.0.0.1:<port>, localhost or [::1]): drill talks to 127.0.0.1 only, so forward your monitoring there (ssh -L, kubectl port-forward)' },
  );

const externalEndpoint = z.strictObject({ url: loopbackUrl.describe('Its base URL on this machine, e.g. http://127.0.0.1:9090') });

const monitoringLayer = z
  .strictObject({
    kind: z.literal('monitoring').describe('Real Prometheus and Alertmanager beside the stack (exporters for its data nodes, the app scraped too): did the alert fire, and how fast'),
    scrapeInterval: duration({ minMs: 200, maxMs: 60_000 }).default(1000).describe("Prometheus's scrape_interval (each target's scrape_timeout is the same)"),
    evaluationInterval: duration({ minMs: 200, maxMs: 60_000 }).default(1000).describe("Prometheus's evaluation_interval: how often the rules are evaluated"),
    groupWait: duration({ maxMs: 600_000 }).default(0).describe("Alertmanager's group_wait: how long it holds a new alert group before the first notification"),
    rules: z
      .array(z.string().min(1).max(4096))
      .max(20)
      .default([])
      .describe("Prometheus rule files (paths relative to the drill file). Default: drill's shipped rules for the stack's data (drills/alert-rules/redis.yaml or mysql.yaml)"),
    alerts: z.array(alertObjective).max(50).default([]).describe('Alerts that must fire (and resolve) within their bound: each is a check of the drill'),
    noAlert: z.array(alertName).max(50).default([]).describe('Alerts that must stay quiet for the whole drill (a planned switchover must not page)'),
    prometheus: externalEndpoint
      .optional()
      .describe(
        "Your own Prometheus, read-only (its ALERTS series and its rules): drill starts none, and `rules`, `scrapeInterval`, `evaluationInterval`, `groupWait` are your Prometheus's. Needs `alertmanager` too",
      ),
    alertmanager: externalEndpoint.optional().describe('Your own Alertmanager, read-only: drill polls its API for when each alert arrived there (with the polling interval as precision)'),
  })
  .superRefine((m, ctx) => {
    if (Boolean(m.prometheus) !== Boolean(m.alertmanager)) {
      const missing = m.prometheus ? 'alertmanager' : 'prometheus';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: `expected ${missing}: { url: ... } beside ${missing === 'alertmanager' ? 'prometheus' : 'alertmanager'}: drill reads your own monitoring as a pair (the rule states from Prometheus, the alerts' arrival from Alertmanager)`,
      });
    }
    if (m.prometheus && m.rules.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['rules'], message: 'expected no rules with your own Prometheus: drill reads the rules it already has (GET /api/v1/rules), it loads none into it' });
    }
  })
  .transform((m) => ({
    kind: m.kind,
    external: m.prometheus && m.alertmanager ? { prometheusUrl: m.prometheus.url.replace(/\/+$/, ''), alertmanagerUrl: m.alertmanager.url.replace(/\/+$/, '') } : undefined,
    scrapeIntervalMs: m.scrapeInterval,
    evaluationIntervalMs: m.evaluationInterval,
    groupWaitMs: m.groupWait,
    rules: m.rules,
    alerts: m.alerts,
    noAlert: m.noAlert,
  }));

// The front door: two load-balancer nodes (HAProxy or Nginx, each with Keepalived) holding one VRRP VIP on
// the stack's network, in front of the stack's app instances. docs/load-balancers.md.
const healthCheck = z
  .strictObject({
    inter: duration({ minMs: 50, maxMs: 60_000 }).default(2000).describe('Time between two health checks of one app instance (HAProxy `inter`; Nginx: its passive `fail_timeout`)'),
    fall: z.int().min(1).max(100).default(3).describe('Failed checks in a row that take an instance out (HAProxy `fall`; Nginx `max_fails`)'),
    rise: z.int().min(1).max(100).default(2).describe('Passed checks in a row that put it back (HAProxy `rise`; Nginx has no active checks)'),
    timeout: duration({ minMs: 50, maxMs: 60_000 }).optional().describe('How long one check may take (HAProxy `timeout check`). Default: inter'),
  })
  .transform((h) => ({ interMs: h.inter, fall: h.fall, rise: h.rise, timeoutMs: h.timeout ?? h.inter }));

const keepalived = z
  .strictObject({
    advertInt: duration({ minMs: 10, maxMs: 255_000 })
      .default(1000)
      .describe('VRRP advert_int: how often the master announces itself. Below 1 s needs VRRPv3 (drill runs version 3: centiseconds, so a multiple of 10 ms)'),
    priorities: z
      .tuple([z.int().min(1).max(254), z.int().min(1).max(254)])
      .default([150, 100])
      .describe('VRRP priority of lb-1 and lb-2: the higher starts as master'),
    preempt: z.boolean().default(true).describe('A returning node with the higher priority takes the VIP back (false: nopreempt)'),
    trackProxy: z
      .boolean()
      .default(true)
      .describe('A track_script checks the proxy process (pgrep): a node whose proxy died goes to FAULT and gives up the VIP (false: keepalived alone decides, and a dead proxy black-holes the VIP)'),
    trackInterval: duration({ minMs: 1000, maxMs: 60_000 }).default(1000).describe('How often the track_script runs: whole seconds (keepalived 2.2.7 takes no fraction)'),
    trackFall: z.int().min(1).max(100).default(1).describe('Failed runs of the track_script in a row before the node goes to FAULT'),
  })
  .refine((k) => k.advertInt % 10 === 0, { error: 'expected a multiple of 10 ms: VRRPv3 advert_int is in centiseconds', path: ['advertInt'] })
  .refine((k) => k.trackInterval % 1000 === 0, { error: "expected whole seconds: keepalived 2.2.7 takes a vrrp_script's interval in seconds", path: ['trackInterval'] })
  .transform((k) => ({ advertIntMs: k.advertInt, priorities: k.priorities, preempt: k.preempt, trackProxy: k.trackProxy, trackIntervalMs: k.trackInterval, trackFall: k.trackFall }));

const lbVipLayer = z
  .strictObject({
    kind: z
      .literal('lb-vip')
      .describe(
        "Two load-balancer nodes (lb-1, lb-2), each running the proxy and Keepalived, holding one VRRP VIP on the stack's network in front of the stack's app instances; the load enters through the VIP",
      ),
    proxy: z.enum(['haproxy', 'nginx']).default('haproxy').describe('What spreads the load over the app instances'),
    front: z
      .enum(['apps', 'database', 'redis'])
      .default('apps')
      .describe(
        'apps: the load enters through the VIP and the proxy spreads it over the app instances. database (HAProxy, mysql-replication): the proxy sits between the app and the databases and sends writes only to the node with read_only=0, so a promotion moves the traffic without repointing the app. redis (HAProxy, redis-sentinel): the same in front of the Redis nodes, with a tcp-check that expects role:master, so a Sentinel failover moves the writes without the app asking Sentinel',
      ),
    reach: z
      .enum(['auto', 'direct', 'forwarder'])
      .default('auto')
      .describe(
        "How the load reaches the VIP (front: apps). direct: the runner's host connects to the VIP on the drill network (a local engine on Linux). forwarder: through a small forwarder container on the drill network, published on 127.0.0.1 (a remote engine: its publish address). auto: direct on a local engine, the forwarder otherwise",
      ),
    healthCheck: healthCheck.prefault({}).describe('How the proxy finds a dead app instance'),
    keepalived: keepalived.prefault({}).describe('How the VIP moves'),
    vipMovesWithin: duration({ minMs: 1 }).optional().describe("Max time from the first fault to the VIP held by another node (seen in the nodes' own namespaces): a check of the drill"),
    splitBrainAtMost: duration().optional().describe('Max time both nodes held the VIP at once (VRRP split brain), summed over the drill: a check of the drill'),
  })
  .transform((l) => ({
    kind: l.kind,
    proxy: l.proxy,
    front: l.front,
    reach: l.reach,
    healthCheck: l.healthCheck,
    keepalived: l.keepalived,
    vipMovesWithinMs: l.vipMovesWithin,
    splitBrainAtMostMs: l.splitBrainAtMost,
  }));

export const layerSchema = z.discriminatedUnion('kind', [backupLayer, monitoringLayer, lbVipLayer]).describe('A layer: its own containers, events and checks, beside any stack');
