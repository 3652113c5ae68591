import type { MonitoringLayerSpec } from '../../spec/schema.js';

// The monitoring container's configuration, as text: Prometheus's prometheus.yml, Alertmanager's
// alertmanager.yml, and the exporter command lines. Pure functions of the spec and the stack's nodes, so
// the numbers that make up detection time (scrape, evaluation, group_wait) are plain to see and tested.
// YAML is written as JSON (JSON is YAML): no quoting rules to get wrong. docs/monitoring.md.

/** Where each exporter listens inside the monitoring container: one port per data node, from here. */
export const EXPORTER_BASE_PORT = 9121;
export const PROMETHEUS_PORT = 9090;
export const ALERTMANAGER_PORT = 9093;
/** The webhook receiver Alertmanager notifies (inside the container; drill reads it through a published port). */
export const RECEIVER_PORT = 9095;
/** Rule files inside the container. */
export const RULES_DIR = '/etc/drill/rules';

export interface ScrapedNode {
  /** The node's name in the drill (redis-1, db-2): the `node` label of its series. */
  node: string;
  /** Its host name on the stack's network (the container name: stable across a restart, unlike its IP). */
  host: string;
  port: number;
}

export type ExporterData = { kind: 'redis'; password?: string } | { kind: 'mysql'; user: string; password: string };

/** Prometheus durations: whole milliseconds ("1500ms"). */
function promDuration(ms: number): string {
  return `${Math.round(ms)}ms`;
}

export function exporterPort(index: number): number {
  return EXPORTER_BASE_PORT + index;
}

/**
 * One exporter process per data node, each on its own port: a dead node is a series of its own
 * (redis_up / mysql_up 0) rather than a failed scrape of a shared exporter. The connect timeout is well
 * under the scrape timeout, so a node that is gone answers "down" instead of timing the scrape out.
 */
export function exporterCommands(nodes: readonly ScrapedNode[], data: ExporterData, scrapeIntervalMs: number): string[] {
  const connectMs = Math.max(100, Math.floor(scrapeIntervalMs / 2));
  return nodes.map((n, i) => {
    const listen = `:${exporterPort(i)}`;
    switch (data.kind) {
      case 'redis':
        return `prometheus-redis-exporter -redis.addr=redis://${n.host}:${n.port} -web.listen-address=${listen} -connection-timeout=${connectMs}ms${data.password ? ' -redis.password="$REDIS_PASSWORD"' : ''}`;
      case 'mysql':
        // The DSN carries the password: it goes through the environment, never on a command line.
        return `DATA_SOURCE_NAME="$MYSQL_USER:$MYSQL_PASSWORD@(${n.host}:${n.port})/?timeout=${connectMs}ms" prometheus-mysqld-exporter --web.listen-address=${listen} --collect.slave_status`;
    }
  });
}

export function prometheusConfig(spec: MonitoringLayerSpec, nodes: readonly ScrapedNode[], apps: readonly { node: string; host: string; port: number }[], ruleFiles: readonly string[]): string {
  const interval = promDuration(spec.scrapeIntervalMs);
  return JSON.stringify(
    {
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: promDuration(spec.evaluationIntervalMs) },
      rule_files: ruleFiles.map((f) => `${RULES_DIR}/${f}`),
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${ALERTMANAGER_PORT}`] }] }] },
      scrape_configs: [
        { job_name: 'data', static_configs: nodes.map((n, i) => ({ targets: [`127.0.0.1:${exporterPort(i)}`], labels: { node: n.node } })) },
        { job_name: 'app', static_configs: apps.map((a) => ({ targets: [`${a.host}:${a.port}`], labels: { node: a.node } })) },
      ],
    },
    null,
    2,
  );
}

/**
 * One route to drill's webhook receiver, every alert its own group (group_by alertname, node), resolved
 * notifications on: what is measured is the path a page takes, with the declared group_wait.
 */
export function alertmanagerConfig(spec: MonitoringLayerSpec): string {
  return JSON.stringify(
    {
      route: {
        receiver: 'drill',
        group_by: ['alertname', 'node'],
        group_wait: promDuration(spec.groupWaitMs),
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [{ name: 'drill', webhook_configs: [{ url: `http://127.0.0.1:${RECEIVER_PORT}/`, send_resolved: true }] }],
    },
    null,
    2,
  );
}
