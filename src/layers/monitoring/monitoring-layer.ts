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
import { alertRecords, assessAlerts } from './assess.js';
import { ALERTMANAGER_PORT, PROMETHEUS_PORT, RECEIVER_PORT, alertmanagerConfig, exporterCommands, prometheusConfig, type ExporterData, type ScrapedNode } from './config.js';
import { entrypointScript, RECEIVER_SCRIPT } from './entrypoint.js';
import { alertSamples, notifications, targetsUp } from './prometheus-api.js';
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
  const rules = resolveRulePaths(spec.rules, path.join(process.cwd(), 'drill.yaml'), stack.data.kind).map((p) => readRuleFile(p));
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
  return new MonitoringLayer(
    ctx,
    spec,
    container,
    urls,
    rules.flatMap((r) => r.alerts),
    ruleNames,
  );
}

class MonitoringLayer implements Layer {
  readonly kind = 'monitoring';
  readonly containers: RunningContainer[];
  private onEvent: (event: TimelineEvent) => void = () => undefined;
  private readonly startedEpochMs = Date.now();

  constructor(
    private readonly ctx: LayerContext,
    private readonly spec: LayerSpecOf<'monitoring'>,
    container: RunningContainer,
    private readonly urls: { prometheus: string; alertmanager: string; receiver: string },
    private readonly rules: { name: string; for: string | null }[],
    private readonly ruleFiles: string[],
  ) {
    this.containers = [container];
  }

  events(onEvent: (event: TimelineEvent) => void): Promise<void> {
    // Alert times come from Prometheus's own record after the load (exact evaluation timestamps), not
    // from polling during it; they go on the timeline then.
    this.onEvent = onEvent;
    return Promise.resolve();
  }

  quiesce(): Promise<void> {
    return Promise.resolve();
  }

  async check(input: LayerCheckInput): Promise<MonitoringLayerResult> {
    const clock = this.ctx.clock;
    // MTTD runs from the drill's first event: a fault's instant, or the start of a planned switchover.
    const first = input.events[0];
    const faultAtMs = first?.startMs ?? null;
    const precisionMs = first?.injectMs ?? 0;
    const recoveredAtMs =
      faultAtMs === null
        ? null
        : findRecovery({ sorted: byInvoke(input.history), tFaultMs: faultAtMs, injectMs: 0, stableMs: input.stableMs, timerResolutionMs: 0, baselineLatencyMs: 0 }).recoveredAtMs;
    // One more evaluation and group_interval, so a resolution the load's end just caused is in.
    await new Promise((r) => setTimeout(r, Math.min(5000, this.spec.evaluationIntervalMs + 1200)));
    const windowS = (Date.now() - this.startedEpochMs) / 1000 + 5;
    const [samples, notified] = await Promise.all([alertSamples(this.urls.prometheus, windowS), notifications(this.urls.receiver)]);
    const alerts = alertRecords(samples, notified, this.spec.evaluationIntervalMs, (epochMs) => clock.fromEpochMs(epochMs));
    for (const a of alerts) this.toTimeline(a);
    const checks = assessAlerts({ spec: this.spec, rules: this.rules, alerts, faultAtMs, fromLabel: first?.label ?? 'the fault', recoveredAtMs, precisionMs });
    return {
      kind: 'monitoring',
      containers: this.containers.map((c) => ({ name: c.name, role: c.role, image: c.image })),
      scrapeIntervalMs: this.spec.scrapeIntervalMs,
      evaluationIntervalMs: this.spec.evaluationIntervalMs,
      groupWaitMs: this.spec.groupWaitMs,
      ruleFiles: this.ruleFiles,
      rules: this.rules,
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
    mark(a.notifiedAtMs, 'alert-notified', 'notified: Alertmanager delivered it to the webhook');
    mark(a.resolvedAtMs, 'alert-resolved', 'resolved');
  }
}
