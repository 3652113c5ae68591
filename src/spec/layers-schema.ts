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
      .enum(['rdb', 'dump'])
      .optional()
      .describe('rdb: a Redis RDB snapshot fetched over replication (redis-cli --rdb); dump: a logical dump (mariadb-dump --single-transaction). Default: the one for the stack'),
    every: duration({ minMs: 500, maxMs: 3_600_000 }).describe('Time between the start of one backup and the next, from the moment the stack is up'),
    keep: z.int().min(1).max(1000).default(3).describe('Retention: how many backups the store keeps; older ones are deleted'),
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
  .transform((b) => ({ kind: b.kind, method: b.method, everyMs: b.every, keep: b.keep, rpoMs: b.rpo, binlogArchive: b.binlogArchive, backupAgeMs: b.backupAge, restoreTimeMs: b.restoreTime }));

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

export const layerSchema = z.discriminatedUnion('kind', [backupLayer, monitoringLayer]).describe('A layer: its own containers, events and checks, beside any stack');
