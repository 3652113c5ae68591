import path from 'node:path';
import { engineDescription } from '../engine/engine-address.js';
import { backupMethod } from '../layers/backup/descriptor.js';
import { PROBE_LEAD_MS, probeSpecOf } from '../load/probe-spec.js';
import { formatDurationMs } from '../spec/duration.js';
import type { LoadedDrill } from '../spec/load-drill.js';
import type { DrillSpec, LayerSpec } from '../spec/schema.js';
import { nodeRange } from '../stacks/node-names.js';
import { assertNever } from '../util/assert-never.js';
import { redactDeep } from '../util/redact.js';
import { faultPlans } from './fault-plans.js';
import { planImages, type PlanImages } from './plan-images.js';
import type { DrillPlan } from './plan.js';
import { stackPlan } from './stack-plan.js';
import { stepPlans } from './step-plan.js';

export interface PlanOptions {
  outDir: string;
  keepStack: boolean;
  metricsFile?: string;
  notifyUrl?: string;
}

/** Everything a run of `drill` would do, from the drill file alone: no engine, no files written. Secrets masked. */
export async function buildPlan(drill: LoadedDrill, opts: PlanOptions): Promise<DrillPlan> {
  const { spec } = drill;
  const images = await planImages(spec.stack);
  const stack = stackPlan(spec.stack, images);
  if (spec.steps.some((s) => s.kind === 'fault' && faultPlans[s.fault].network)) {
    stack.notes.push(`network faults: iptables and proxies in helper containers of drill's own image (${images.redis}) in the nodes' network namespaces`);
  }
  const { load } = spec;
  return redactDeep<DrillPlan>({
    dryRun: true,
    drill: { name: spec.name, file: drill.file, description: spec.description, sha256: drill.sha256, variables: drill.variables ?? [] },
    engine: engineDescription(),
    stack,
    layers: spec.layers.map((layer) => layerPlan(layer, spec, images)),
    load: {
      rate: load.rate,
      connections: load.connections,
      timeoutMs: load.timeoutMs,
      warmupMs: load.warmupMs,
      durationMs: load.durationMs,
      writes: Math.round((load.rate * (load.warmupMs + load.durationMs)) / 1000),
      endpoints: endpoints(spec),
      probe: probeWords(spec),
    },
    steps: stepPlans(spec),
    objectives: objectives(spec),
    measure: { stableMs: spec.measure.stableMs, bucketMs: spec.measure.bucketMs },
    abortIf: abortIf(spec),
    schedule: spec.schedule ?? null,
    outputs: {
      reportsDir: path.join(opts.outDir, '<run id>'),
      indexPath: path.join(opts.outDir, 'index.html'),
      keepStack: opts.keepStack,
      metricsFile: opts.metricsFile ?? null,
      notifyUrl: opts.notifyUrl ?? null,
    },
  });
}

function endpoints(spec: DrillSpec): string {
  const stack = spec.stack;
  // A front door takes the load on its VIP and spreads it over the apps.
  if (spec.layers.some((l) => l.kind === 'lb-vip' && l.front === 'apps')) {
    const apps = stack.kind === 'redis-sentinel' && stack.apps > 1 ? nodeRange('app', 1, stack.apps) : 'app-1';
    return `the lb-vip layer's VIP (lb-1/lb-2, then ${apps})`;
  }
  switch (stack.kind) {
    case 'redis-sentinel':
      return stack.apps > 1 ? `${nodeRange('app', 1, stack.apps)} (spread evenly)` : 'app-1';
    case 'mysql-replication':
    case 'postgres':
      return 'app-1';
    case 'patroni':
      return 'app-1 (writing through haproxy-1 to the leader)';
    case 'compose':
      return typeof stack.endpoint === 'string' ? stack.endpoint : `${stack.endpoint.service}:${stack.endpoint.port}`;
    default:
      return assertNever(stack, 'stack kind');
  }
}

type LayerPlans = { [K in LayerSpec['kind']]: (layer: Extract<LayerSpec, { kind: K }>, spec: DrillSpec, images: PlanImages) => string };

/** Each layer kind in words; a kind missing here does not compile. */
const layerPlans = {
  backup: (layer, spec, images) => {
    const method = backupMethod(layer, spec.stack);
    const how = method === 'rdb' ? 'an RDB snapshot over replication' : method === 'aof' ? 'a copy of the AOF folder (appendonlydir)' : 'mariadb-dump --single-transaction';
    const image = method === 'dump' ? images.mysql : images.redis;
    const rpo = layer.rpoMs === undefined ? 'restore RPO measured, not judged' : `restore RPO at most ${formatDurationMs(layer.rpoMs)}`;
    return `backup: a store on a second site takes ${how} of whoever is primary every ${formatDurationMs(layer.everyMs)}, keeps ${layer.keep}; after the load the newest backup before the first fault is restored and read back (${rpo}); drill's image ${image}`;
  },
  monitoring: (layer, _spec, images) => {
    const rules = layer.rules.length ? layer.rules.map((r) => path.basename(r)).join(', ') : "drill's shipped rules for the stack";
    const fires = layer.alerts.map(
      (a) =>
        `${a.name} fires${a.firesWithinMs === undefined ? '' : ` within ${formatDurationMs(a.firesWithinMs)}`}${a.resolvesWithinMs === undefined ? '' : `, resolves within ${formatDurationMs(a.resolvesWithinMs)} of recovery`}`,
    );
    const quiet = layer.noAlert.map((n) => `${n} stays quiet`);
    const checks = [...fires, ...quiet];
    return `monitoring: Prometheus (scrape every ${formatDurationMs(layer.scrapeIntervalMs)}, rules evaluated every ${formatDurationMs(layer.evaluationIntervalMs)}; rules: ${rules}) and Alertmanager (group_wait ${formatDurationMs(layer.groupWaitMs)}) with an exporter per data node; checks: ${checks.length ? checks.join('; ') : 'none (alert times are reported)'}; drill's image ${images.monitoring}`;
  },
  'lb-vip': (layer, _spec, images) => {
    const k = layer.keepalived;
    const h = layer.healthCheck;
    const checks =
      layer.proxy === 'haproxy'
        ? `health checks every ${formatDurationMs(h.interMs)}, fall ${h.fall}, rise ${h.rise}`
        : `passive checks: max_fails ${h.fall}, fail_timeout ${formatDurationMs(h.interMs)}`;
    return `lb-vip: ${layer.proxy} and keepalived on lb-1 and lb-2 (VRRPv3, advert_int ${formatDurationMs(k.advertIntMs)}, priorities ${k.priorities.join('/')}, ${k.preempt ? 'preempt' : 'nopreempt'}, ${k.trackProxy ? `track_script on the proxy every ${formatDurationMs(k.trackIntervalMs)}` : 'no track_script'}) holding a VIP on the stack's network ${
      layer.front === 'database'
        ? `between the app and the databases (an external read_only check every ${formatDurationMs(h.interMs)}, fall ${h.fall}, rise ${h.rise}: writes go to the writable node only); the app's pool connects to the VIP`
        : layer.front === 'redis'
          ? `between the app and the Redis nodes (a tcp-check expecting role:master every ${formatDurationMs(h.interMs)}, fall ${h.fall}, rise ${h.rise}: writes go to the master only); the app's Redis client connects to the VIP instead of asking Sentinel`
          : `in front of the app instances (${checks}); the load enters through the VIP${layer.reach === 'forwarder' ? ' by a forwarder published on 127.0.0.1' : layer.reach === 'auto' ? ' (straight from this host on a local engine, else by a forwarder published on 127.0.0.1)' : ''}`
    }; drill's image ${images.lb}`;
  },
} satisfies LayerPlans;

function layerPlan(layer: LayerSpec, spec: DrillSpec, images: PlanImages): string {
  switch (layer.kind) {
    case 'backup':
      return layerPlans.backup(layer, spec, images);
    case 'monitoring':
      return layerPlans.monitoring(layer, spec, images);
    case 'lb-vip':
      return layerPlans['lb-vip'](layer, spec, images);
    default:
      return assertNever(layer, 'layer');
  }
}

function objectives(spec: DrillSpec): DrillPlan['objectives'] {
  const o = spec.objectives;
  const out: DrillPlan['objectives'] = [];
  if (o.rtoMs !== undefined) out.push({ name: 'rto', bound: `at most ${formatDurationMs(o.rtoMs)}` });
  if (o.downtimeMs !== undefined) out.push({ name: 'downtime', bound: `at most ${formatDurationMs(o.downtimeMs)}` });
  if (o.lostWrites !== undefined) out.push({ name: 'lostWrites', bound: `at most ${o.lostWrites}` });
  if (o.rpoMs !== undefined) out.push({ name: 'rpo', bound: `at most ${formatDurationMs(o.rpoMs)}` });
  out.push({ name: 'unexpectedWrites', bound: `at most ${o.unexpectedWrites}` });
  if (o.availability !== undefined && spec.availability) {
    // availability = MTBF / (MTBF + RTO) ≥ a  ⇔  RTO ≤ MTBF (1 − a) / a
    const share = o.availability / 100;
    const maxRtoMs = (spec.availability.mtbfMs * (1 - share)) / share;
    out.push({ name: 'availability', bound: `at least ${o.availability}% with MTBF ${formatDurationMs(spec.availability.mtbfMs)}: an RTO of at most ${(maxRtoMs / 1000).toFixed(1)} s` });
  }
  // Per kind of event: each event of the kind is judged on its own row.
  for (const [kind, declared] of Object.entries(o.events ?? {})) {
    const bounds = [
      declared.rtoMs !== undefined && `rto at most ${formatDurationMs(declared.rtoMs)}`,
      declared.downtimeMs !== undefined && `downtime at most ${formatDurationMs(declared.downtimeMs)}`,
      declared.lostWrites !== undefined && `lostWrites at most ${declared.lostWrites}`,
      declared.withinMs !== undefined && `within ${formatDurationMs(declared.withinMs)}`,
      declared.errantTransactions !== undefined && `errantTransactions at most ${declared.errantTransactions}`,
    ].filter((b): b is string => typeof b === 'string');
    out.push({ name: `each ${kind}`, bound: bounds.join(', ') });
  }
  return out;
}

function abortIf(spec: DrillSpec): string[] {
  const a = spec.abortIf;
  const out: string[] = [];
  if (a.errorRate) out.push(`the share of writes that fail stays above ${a.errorRate.above} for ${formatDurationMs(a.errorRate.windowMs)}`);
  if (a.p99Latency) out.push(`the p99 latency of ok writes stays above ${formatDurationMs(a.p99Latency.aboveMs)} for ${formatDurationMs(a.p99Latency.windowMs)}`);
  if (a.recoveryDeadlineMs !== undefined) out.push(`writes have not recovered ${formatDurationMs(a.recoveryDeadlineMs)} after the first fault`);
  return out;
}

function probeWords(spec: DrillSpec): string {
  const probe = probeSpecOf(spec);
  const how = spec.load.probe === undefined ? 'by default' : 'declared';
  if (!probe) return spec.load.probe === false ? 'probe stream off (declared)' : 'probe stream off: a compose stack is your own system, drill adds no writes to it unasked (`probe: true` turns it on)';
  return `probe stream (${how}): ${probe.rate} writes/s over ${probe.connections} connections, ${formatDurationMs(probe.timeoutMs)} timeout, from ${formatDurationMs(PROBE_LEAD_MS)} before the first fault until writes recover; reported apart`;
}
