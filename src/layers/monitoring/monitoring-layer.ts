import path from 'node:path';
import { engineHostAddress } from '../../engine/docker-client.js';
import { httpOk } from '../../engine/http-ready.js';
import { startContainer, type RunningContainer } from '../../engine/resources.js';
import { byInvoke, findRecovery } from '../../measure/index.js';
import type { TimelineEvent } from '../../measure/types.js';
import type { Stack } from '../../stacks/stack.js';
import { InfraError } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import type { Layer, LayerCheckInput, LayerContext, LayerSpecOf } from '../plugin.js';
import type { AlertRecord, MonitoringLayerResult } from '../result.js';
import { alertRecords, assessAlerts, type NotifiedAlert } from './assess.js';
import { ALERTMANAGER_PORT, PROMETHEUS_PORT, RECEIVER_PORT, alertmanagerConfig, exporterCommands, prometheusConfig, type ExporterData, type ScrapedNode } from './config.js';
import { entrypointScript, RECEIVER_SCRIPT } from './entrypoint.js';
import { alertSamples, alertingRules, externalTiming, notifications, targetsUp } from './prometheus-api.js';
import { AlertmanagerWatch, POLL_MS } from './alertmanager-watch.js';
import { readRuleFile, resolveRulePaths } from './rules.js';

// Real Prometheus and Alertmanager beside the stack, in one container on the stack's network: an exporter
// per data node, the fixture app's own /metrics, the drill's rule files, and a webhook receiver that
// notes when each notification arrived. After the load, the raw ALERTS series and the notifications say
// when each alert went pending, fired, was notified and resolved: MTTD from the fault's instant.
// docs/monitoring.md.

/** Where the app answers inside the stack (the fixture app's port). */
const APP_PORT = 8080;
/** Prometheus and Alertmanager start in about a second; the first scrape of every target follows. */
const READY_TIMEOUT_MS = 60_000;

export async function startMonitoringLayer(ctx: LayerContext, spec: LayerSpecOf<'monitoring'>, stack: Stack): Promise<Layer> {
  const dataNodes: ScrapedNode[] = stack.containers.filter((c) => c.role === 'redis' || c.role === 'db').map((c) => ({ node: c.node, host: c.name, port: stack.data.port }));
  const apps = stack.containers.filter((c) => c.role === 'app').map((c) => ({ node: c.node, host: c.name, port: APP_PORT }));
  if (dataNodes.length === 0) throw new InfraError(`monitoring layer: stack ${stack.kind} has no data nodes drill can scrape`);
  // A drill loaded from a file has its rule paths resolved already; one given as text resolves from here.
  const rules = resolveRulePaths(spec.rules, process.cwd(), stack.data.kind).map((p) => readRuleFile(p));
  const ruleNames = rules.map((r, i) => `${i}-${path.basename(r.path).replace(/[^A-Za-z0-9._-]/g, '_')}`);
  const data: ExporterData =
    stack.data.kind === 'redis' ? { kind: 'redis', ...(stack.data.password ? { password: stack.data.password } : {}) } : { kind: 'mysql', user: stack.data.user, password: stack.data.password };
  const env: Record<string, string> = {
    MON_PROMETHEUS: prometheusConfig(spec, dataNodes, apps, ruleNames),
    MON_ALERTMANAGER: alertmanagerConfig(spec),
    MON_RECEIVER: RECEIVER_SCRIPT,
    ...Object.fromEntries(rules.map((r, i) => [`MON_RULES_${i}`, r.text])),
    ...(data.kind === 'redis' && data.password ? { REDIS_PASSWORD: data.password } : {}),
    ...(data.kind === 'mysql' ? { MYSQL_USER: data.user, MYSQL_PASSWORD: data.password } : {}),
  };
  const container = await startContainer(ctx.docker, ctx.run, {
    node: 'monitoring',
    name: `drill-${ctx.run.token}-monitoring`,
    role: 'monitoring',
    image: ctx.images.monitoring,
    cmd: ['bash', '-c', entrypointScript(exporterCommands(dataNodes, data, spec.scrapeIntervalMs), ruleNames)],
    env,
    publish: [PROMETHEUS_PORT, ALERTMANAGER_PORT, RECEIVER_PORT],
    networkName: stack.network,
  });
  const host = engineHostAddress();
  const urls = {
    prometheus: `http://${host}:${container.ports[PROMETHEUS_PORT]}`,
    alertmanager: `http://${host}:${container.ports[ALERTMANAGER_PORT]}`,
    receiver: `http://${host}:${container.ports[RECEIVER_PORT]}`,
  };
  const started = Date.now();
  await waitUntil('Prometheus, Alertmanager and the webhook receiver to answer', READY_TIMEOUT_MS, ctx.signal, async () =>
    (await Promise.all([httpOk(`${urls.prometheus}/-/ready`), httpOk(`${urls.alertmanager}/-/ready`), httpOk(`${urls.receiver}/`)])).every(Boolean),
  );
  // Every target scraped once and up: an alert on "down" must not fire for a target not yet scraped.
  const expected = dataNodes.length + apps.length;
  await waitUntil(`Prometheus to scrape all ${expected} targets`, READY_TIMEOUT_MS, ctx.signal, async () => {
    const t = await targetsUp(urls.prometheus).catch(() => ({ up: 0, total: 0 }));
    return t.total === expected && t.up === expected;
  });
  ctx.log.info(
    { container: container.name, targets: expected, rules: rules.flatMap((r) => r.alerts.map((a) => a.name)), ms: Date.now() - started },
    'monitoring ready: Prometheus scrapes every target',
  );
  return new MonitoringLayer(ctx, spec, {
    containers: [container],
    prometheusUrl: urls.prometheus,
    rules: rules.flatMap((r) => r.alerts),
    ruleFiles: ruleNames,
    timing: { scrapeIntervalMs: spec.scrapeIntervalMs, evaluationIntervalMs: spec.evaluationIntervalMs, groupWaitMs: spec.groupWaitMs },
    watching: 'drill',
    pollMs: null,
    notifications: () => notifications(urls.receiver),
  });
}

/**
 * Your own Prometheus and Alertmanager, read-only: drill starts nothing, reads the rules and timing they
 * run with, polls Alertmanager for arrivals during the run, and reads the ALERTS series after it.
 */
export async function startExternalMonitoring(ctx: LayerContext, spec: LayerSpecOf<'monitoring'>, external: { prometheusUrl: string; alertmanagerUrl: string }): Promise<Layer> {
  const [ready, amReady] = await Promise.all([httpOk(`${external.prometheusUrl}/-/ready`, 3000), httpOk(`${external.alertmanagerUrl}/-/ready`, 3000)]);
  if (!ready || !amReady) {
    throw new InfraError(`monitoring layer: ${!ready ? `your Prometheus at ${external.prometheusUrl}` : `your Alertmanager at ${external.alertmanagerUrl}`} does not answer /-/ready`);
  }
  const rules = await alertingRules(external.prometheusUrl);
  const known = new Set(rules.map((r) => r.name));
  const missing = [...spec.alerts.map((a) => a.name), ...spec.noAlert].filter((n) => !known.has(n));
  if (missing.length > 0) {
    throw new InfraError(`monitoring layer: your Prometheus has no alerting rule named ${missing.join(', ')} (it has: ${[...known].sort().join(', ') || 'none'})`);
  }
  const timing = await externalTiming(external.prometheusUrl, external.alertmanagerUrl);
  const watch = new AlertmanagerWatch(external.alertmanagerUrl);
  ctx.log.info({ prometheus: external.prometheusUrl, alertmanager: external.alertmanagerUrl, rules: rules.length, ...timing }, 'monitoring: reading your Prometheus and Alertmanager');
  return new MonitoringLayer(ctx, spec, {
    containers: [],
    prometheusUrl: external.prometheusUrl,
    rules,
    ruleFiles: [],
    timing,
    watching: 'yours',
    pollMs: POLL_MS,
    notifications: () => Promise.resolve(watch.notifications()),
    start: () => {
      watch.start();
    },
    stop: () => {
      watch.stop();
      // A failed poll widens only its own window; say so rather than drop it.
      if (watch.lastError) ctx.log.warn({ alertmanager: external.alertmanagerUrl, error: watch.lastError }, 'monitoring: some polls of your Alertmanager failed');
    },
  });
}

/** Where a monitoring layer's data comes from: drill's own container, or your monitoring. */
interface MonitoringSource {
  containers: RunningContainer[];
  prometheusUrl: string;
  rules: { name: string; for: string | null }[];
  ruleFiles: string[];
  timing: { scrapeIntervalMs: number; evaluationIntervalMs: number; groupWaitMs: number };
  watching: 'drill' | 'yours';
  /** Alertmanager's API polled this often (your monitoring); null: a webhook notes each notification as it comes (drill's). */
  pollMs: number | null;
  notifications(): Promise<NotifiedAlert[]>;
  start?(): void;
  stop?(): void;
}

class MonitoringLayer implements Layer {
  readonly kind = 'monitoring';
  readonly containers: RunningContainer[];
  private onEvent: (event: TimelineEvent) => void = () => undefined;
  private readonly startedEpochMs = Date.now();

  constructor(
    private readonly ctx: LayerContext,
    private readonly spec: LayerSpecOf<'monitoring'>,
    private readonly source: MonitoringSource,
  ) {
    this.containers = source.containers;
  }

  events(onEvent: (event: TimelineEvent) => void): Promise<void> {
    // Alert times come from Prometheus's own record after the load (exact evaluation timestamps) and go
    // on the timeline then; only your Alertmanager is polled during the run.
    this.onEvent = onEvent;
    this.source.start?.();
    return Promise.resolve();
  }

  quiesce(): Promise<void> {
    this.source.stop?.();
    return Promise.resolve();
  }

  async check(input: LayerCheckInput): Promise<MonitoringLayerResult> {
    const clock = this.ctx.clock;
    // MTTD runs from the drill's first event: a fault's instant, or the start of a planned switchover.
    const first = input.events[0];
    const faultAtMs = first?.startMs ?? null;
    // Polled arrivals are known to within the polling interval.
    const precisionMs = (first?.injectMs ?? 0) + (this.source.pollMs ?? 0);
    const recoveredAtMs =
      faultAtMs === null
        ? null
        : findRecovery({
            sorted: byInvoke(input.history),
            tFaultMs: faultAtMs,
            injectMs: 0,
            stableMs: input.stableMs,
            timerResolutionMs: 0,
            baselineLatencyMs: 0,
            ...(input.events[1] ? { relapseUntilMs: input.events[1].startMs } : {}),
          }).recoveredAtMs;
    // One more evaluation and group_interval, so a resolution the load's end just caused is in.
    const { timing } = this.source;
    await new Promise((r) => setTimeout(r, Math.min(5000, timing.evaluationIntervalMs + 1200)));
    const windowS = (Date.now() - this.startedEpochMs) / 1000 + 5;
    const [samples, notified] = await Promise.all([alertSamples(this.source.prometheusUrl, windowS), this.source.notifications()]);
    const alerts = alertRecords(samples, notified, timing.evaluationIntervalMs, (epochMs) => clock.fromEpochMs(epochMs));
    for (const a of alerts) this.toTimeline(a);
    const checks = assessAlerts({ spec: { ...this.spec, ...timing }, rules: this.source.rules, alerts, faultAtMs, fromLabel: first?.label ?? 'the fault', recoveredAtMs, precisionMs });
    return {
      kind: 'monitoring',
      watching: this.source.watching,
      pollMs: this.source.pollMs,
      containers: this.containers.map((c) => ({ name: c.name, role: c.role, image: c.image })),
      ...timing,
      ruleFiles: this.source.ruleFiles,
      rules: this.source.rules,
      alerts,
      faultAtMs,
      recoveredAtMs,
      precisionMs,
      checks,
    };
  }

  private toTimeline(a: AlertRecord): void {
    const who = `${a.name}${a.node ? ` (${a.node})` : ''}`;
    const mark = (atMs: number | null, marker: TimelineEvent['marker'], what: string) => {
      if (atMs !== null) this.onEvent({ atMs, source: 'monitoring', message: `alert ${who} ${what}`, marker });
    };
    mark(a.pendingAtMs, 'alert-pending', 'pending (Prometheus found its condition true)');
    mark(a.firingAtMs, 'alert-firing', 'firing (its `for:` elapsed)');
    mark(
      a.notifiedAtMs,
      'alert-notified',
      this.source.pollMs === null ? 'notified: Alertmanager delivered it to the webhook' : `in Alertmanager (seen by polling its API every ${this.source.pollMs} ms)`,
    );
    mark(a.resolvedAtMs, 'alert-resolved', 'resolved');
  }
}
