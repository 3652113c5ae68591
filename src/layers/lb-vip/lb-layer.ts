import { takesAProxyAway } from './vip-floor.js';
import { createHash } from 'node:crypto';
import { engineHostAddress, engineLocation } from '../../engine/docker-client.js';
import { readContainerLogs } from '../../engine/container-logs.js';
import { exec } from '../../engine/docker-exec.js';
import { waitForHttpOk } from '../../engine/http-ready.js';
import { startContainer, type RunningContainer } from '../../engine/resources.js';
import { measure, relapseBound } from '../../measure/index.js';
import type { FaultRecord, TimelineEvent } from '../../measure/types.js';
import type { Stack } from '../../stacks/stack.js';
import { assertNever } from '../../util/assert-never.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import type { Layer, LayerCheckInput, LayerContext, LayerSpecOf } from '../plugin.js';
import type { LbVipLayerResult } from '../result.js';
import { explain, lbChecks, masterDownIntervalMs } from './assess.js';
import {
  DB_PORT,
  FORWARDER_PORT,
  PROXY_PORT,
  REDIS_PORT,
  STATS_EVERY_MS,
  entrypointScript,
  forwarderCmd,
  haproxyConfig,
  haproxyDbConfig,
  haproxyRedisConfig,
  keepalivedConfig,
  nginxConfig,
  writableCheckScript,
  type Backend,
} from './config.js';
import { electionQuiet, holderWindows, parseNodeLog, proxyRates, splitBrainWindows, type NodeEvents } from './node-events.js';
import { ServedPoller } from './served-poller.js';
import { vipOf } from './vip-address.js';

// The front door: two LB nodes (lb-1, lb-2), each the proxy + keepalived, holding one VRRP VIP on the
// stack's network, in front of the stack's app instances (or the data nodes). The load enters through
// the VIP (this host reaches the drill's bridge network directly) or a forwarder to it. docs/load-balancers.md.

/** Where the fixture app answers inside the stack. */
const APP_PORT = 8080;
/** The first election takes 3 × advert_int + skew (≈ 3.6 s with the default 1 s), then the proxy's checks. */
const READY_TIMEOUT_MS = 60_000;

export async function startLbVipLayer(ctx: LayerContext, spec: LayerSpecOf<'lb-vip'>, stack: Stack): Promise<Layer> {
  const reach = reachOf(spec);
  const byName = (a: RunningContainer, b: RunningContainer) => a.node.localeCompare(b.node, 'en', { numeric: true });
  const apps = stack.containers.filter((c) => c.role === 'app').sort(byName);
  if (apps.length === 0) throw new InfraError(`lb-vip layer: stack ${stack.kind} has no app instance to put behind the proxies`);
  const front = spec.front;
  if (front === 'database' && stack.data.kind !== 'mysql') throw new InfraError(`lb-vip layer: front: database needs a MySQL/MariaDB stack, got ${stack.kind}`);
  if (front === 'redis' && stack.data.kind !== 'redis') throw new InfraError(`lb-vip layer: front: redis needs a Redis stack, got ${stack.kind}`);
  // Behind the proxies: the app instances (the load enters through the VIP), or the data nodes (the app's client does).
  const behind = front === 'apps' ? apps : stack.containers.filter((c) => c.role === (front === 'database' ? 'db' : 'redis')).sort(byName);
  const backends: Backend[] = behind.map((a) => ({ node: a.node, host: a.name, port: front === 'apps' ? APP_PORT : stack.data.port }));
  const net = await ctx.docker.getNetwork(stack.network).inspect();
  const subnet = (net as { IPAM?: { Config?: { Subnet?: string }[] } }).IPAM?.Config?.find((c) => c.Subnet && !c.Subnet.includes(':'))?.Subnet;
  if (!subnet) throw new InfraError(`lb-vip layer: network ${stack.network} has no IPv4 subnet for the VIP`);
  const vip = vipOf(subnet);
  // One VRRP router id per run: the multicast domain is the run's own bridge, but two ids never hurt.
  const routerId = 1 + (createHash('sha256').update(ctx.run.token).digest()[0]! % 254);
  const proxyConf = proxyConfig(spec, backends, stack);
  const started = Date.now();
  const nodes = await Promise.all(
    [1, 2].map((i) =>
      startContainer(ctx.docker, ctx.run, {
        node: `lb-${i}`,
        name: `drill-${ctx.run.token}-lb-${i}`,
        role: 'lb',
        image: ctx.images.lb,
        cmd: ['bash', '-c', entrypointScript(spec, { traceVip: spec.front === 'database' || takesAProxyAway(ctx.steps, spec.proxy) })],
        env: { ...credentialsEnv(spec, stack), LB_PROXY_CONF: proxyConf, LB_KEEPALIVED_CONF: keepalivedConfig(spec, { name: `lb-${i}`, priority: spec.keepalived.priorities[i - 1]! }, vip, routerId) },
        networkName: stack.network,
        // VRRP: raw IP protocol 112 and multicast (NET_RAW), adding and removing the VIP (NET_ADMIN). Nothing privileged.
        capAdd: ['NET_ADMIN', 'NET_RAW'],
      }),
    ),
  );
  // Where the host cannot reach the drill network (or the drill says so): a forwarder on the network,
  // published like every other port drill uses (127.0.0.1 on a local engine), relaying to the VIP.
  const forwarder = reach === 'forwarder' ? await startForwarder(ctx, stack, vip.address) : null;
  const layer = new LbVipLayer(ctx, spec, stack, nodes, forwarder, apps, behind, vip.address);
  // Both nodes start BACKUP, and the one whose timer runs out first takes the VIP: sometimes the lower
  // priority, which with preempt hands it to the higher one seconds later (a CI run saw that handover, both
  // holding the VIP for 0.5 ms, 1.9 s into the warm-up). The stack is up once the election has settled.
  const [p1, p2] = spec.keepalived.priorities;
  // With equal priorities VRRP breaks the tie by address: either node may settle it.
  const settledOn = spec.keepalived.preempt && p1 !== p2 ? nodes[p1 > p2 ? 0 : 1]! : null;
  // Quiet for longer than the slower node's master-down timer plus one advert (and 200 ms for its log line
  // to reach the engine): a node that has not heard the winner by then would have taken the VIP, and one
  // that took it has let it go.
  const quietMs = Math.ceil(masterDownIntervalMs(spec.keepalived.advertIntMs, Math.min(p1, p2)) + spec.keepalived.advertIntMs + 200);
  const what = settledOn ? `${settledOn.node} (the highest priority) alone to hold the VIP` : 'one LB node to hold the VIP';
  await waitUntil(`${what}, the election quiet for ${quietMs} ms`, READY_TIMEOUT_MS, ctx.signal, async () => {
    const holders = await layer.holdersNow();
    if (holders.length !== 1 || (settledOn !== null && holders[0]!.node !== settledOn.node)) return false;
    return electionQuiet(await layer.nodeEvents(), ctx.clock.nowMs(), quietMs);
  });
  if (front !== 'apps') {
    // The app's client goes through the VIP from now on: the proxy, not a repoint or Sentinel, decides where writes land.
    const urls = stack.appUrls ?? [stack.appUrl];
    for (const url of urls) await postAppPrimary(url, vip.address);
    await Promise.all(urls.map((url) => waitForHttpOk(`${url}/health`, READY_TIMEOUT_MS, ctx.signal)));
  } else {
    await waitForHttpOk(`${layer.loadUrls![0]!}/health`, READY_TIMEOUT_MS, ctx.signal);
  }
  ctx.log.info(
    { vip: vip.address, holder: (await layer.holdersNow())[0]?.node, proxy: spec.proxy, front, reach, load: layer.loadUrls?.[0], backends: backends.map((b) => b.node), ms: Date.now() - started },
    'lb-vip ready: the VIP answers',
  );
  return layer;
}

/**
 * How the load reaches the VIP: only front: apps sends the load there (the other fronts put the app's
 * own client through it). auto: the host of a local engine on Linux reaches the drill network directly;
 * a remote engine's network is out of reach, so a forwarder relays.
 */
function reachOf(spec: LayerSpecOf<'lb-vip'>): 'direct' | 'forwarder' | null {
  if (spec.front !== 'apps') return null;
  const local = engineLocation().local;
  const reach = spec.reach === 'auto' ? (local ? 'direct' : 'forwarder') : spec.reach;
  if (reach === 'direct' && !local) {
    throw new InfraError(
      "lb-vip layer: reach: direct needs a local engine (the runner's host connects to the VIP on the drill network); a remote engine's network is out of reach: use reach: forwarder or auto",
    );
  }
  return reach;
}

function proxyConfig(spec: LayerSpecOf<'lb-vip'>, backends: Backend[], stack: Stack): string {
  switch (spec.front) {
    case 'database':
      return haproxyDbConfig(spec, backends);
    case 'redis':
      return haproxyRedisConfig(spec, backends, stack.data.kind === 'redis' && Boolean(stack.data.password));
    case 'apps':
      return spec.proxy === 'haproxy' ? haproxyConfig(spec, backends) : nginxConfig(spec, backends);
    default:
      return assertNever(spec.front, 'lb-vip front');
  }
}

/** The front door's credentials for its checks, from the environment (never on a command line or in a report). */
function credentialsEnv(spec: LayerSpecOf<'lb-vip'>, stack: Stack): Record<string, string> {
  const data = stack.data;
  if (spec.front === 'database' && data.kind === 'mysql') return { LB_DB_CHECK: writableCheckScript(spec.healthCheck.timeoutMs), LB_DB_USER: data.user, LB_DB_PASSWORD: data.password };
  if (spec.front === 'redis' && data.kind === 'redis' && data.password) return { LB_REDIS_PASSWORD: data.password };
  return {};
}

/**
 * HAProxy on the run network relaying each connection to the VIP (config.ts forwarderCmd), its port published like
 * every port drill uses: 127.0.0.1 on a local engine, the engine's publish address on a remote one.
 */
async function startForwarder(ctx: LayerContext, stack: Stack, vip: string): Promise<RunningContainer> {
  return startContainer(ctx.docker, ctx.run, {
    node: 'lb-forwarder',
    name: `drill-${ctx.run.token}-lb-forwarder`,
    role: 'lb-forwarder',
    image: ctx.images.lb,
    cmd: forwarderCmd(vip),
    publish: [FORWARDER_PORT],
    networkName: stack.network,
  });
}

/** Point the app's database pool at `host` (the fixture app's POST /admin/primary). */
async function postAppPrimary(appUrl: string, host: string): Promise<void> {
  const res = await fetch(`${appUrl}/admin/primary?host=${encodeURIComponent(host)}`, { method: 'POST', signal: AbortSignal.timeout(5000) }).catch((error: unknown) => {
    throw new InfraError(`lb-vip layer: could not point the app at the VIP: ${errorMessage(error)}`);
  });
  if (!res.ok) throw new InfraError(`lb-vip layer: the app refused the VIP as its database: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
}

class LbVipLayer implements Layer {
  readonly kind = 'lb-vip';
  /** Where the load enters: the VIP or the forwarder to it (front: apps); absent with front: database or redis (the load goes to the app, the app's client through the VIP). */
  readonly loadUrls?: string[];
  /** The LB nodes and the forwarder (when there is one): removed and logged with the run. */
  readonly containers: RunningContainer[];
  /** The proxy's address on the VIP. */
  readonly frontUrl: string;
  private onEvent: (event: TimelineEvent) => void = () => undefined;
  private readonly poller: ServedPoller;
  /** Run-clock ms when the load started: holders and split brain are judged from here (the first election is not the drill's). */
  private loadStartMs: number | null = null;

  constructor(
    private readonly ctx: LayerContext,
    private readonly spec: LayerSpecOf<'lb-vip'>,
    stack: Stack,
    /** lb-1, lb-2. */
    private readonly nodes: RunningContainer[],
    forwarder: RunningContainer | null,
    apps: RunningContainer[],
    private readonly behind: RunningContainer[],
    private readonly vip: string,
  ) {
    this.containers = forwarder ? [...nodes, forwarder] : nodes;
    this.frontUrl = spec.front === 'database' ? `mysql://${vip}:${DB_PORT}` : spec.front === 'redis' ? `redis://${vip}:${REDIS_PORT}` : `http://${vip}:${PROXY_PORT}`;
    if (spec.front === 'apps') this.loadUrls = [forwarder ? `http://${engineHostAddress()}:${forwarder.ports[FORWARDER_PORT]}` : this.frontUrl];
    const urls = stack.appUrls ?? [stack.appUrl];
    this.poller = new ServedPoller(
      apps.map((a, i) => ({ node: a.node, url: urls[i] ?? '' })).filter((a) => a.url !== ''),
      ctx.clock,
    );
  }

  /** The LB nodes whose namespace holds the VIP now (ip addr in each; a node that does not answer holds nothing). */
  async holdersNow(): Promise<RunningContainer[]> {
    const held = await Promise.all(
      this.nodes.map(async (c) => {
        const res = await exec(this.ctx.docker, c.id, ['ip', '-o', 'addr', 'show', 'dev', 'eth0'], { timeoutMs: 3000 }).catch(() => null);
        return res?.code === 0 && res.stdout.includes(` inet ${this.vip}/`);
      }),
    );
    return this.nodes.filter((_, i) => held[i]);
  }

  async resolveTarget(target: string): Promise<RunningContainer | null> {
    if (target === 'active-lb' || target === 'backup-lb') {
      const holders = await this.holdersNow();
      if (target === 'active-lb') {
        if (holders.length === 0) throw new InfraError('target active-lb: no LB node holds the VIP right now');
        return holders[0]!;
      }
      const backup = this.nodes.find((c) => !holders.includes(c));
      if (!backup) throw new InfraError('target backup-lb: every LB node holds the VIP right now (split brain)');
      return backup;
    }
    return this.nodes.find((c) => c.node === target) ?? null;
  }

  events(onEvent: (event: TimelineEvent) => void): Promise<void> {
    // VRRP, VIP and server events are read from the nodes' own stamped logs after the load (exact times);
    // only the apps' counters are polled during the run.
    this.onEvent = onEvent;
    this.loadStartMs = this.ctx.clock.nowMs();
    this.poller.start();
    return Promise.resolve();
  }

  quiesce(): Promise<void> {
    this.poller.stop();
    return Promise.resolve();
  }

  /** What each LB node said so far (VRRP, VIP, servers, counters), from its stamped log, on the run clock. */
  async nodeEvents(): Promise<NodeEvents[]> {
    const { clock, docker } = this.ctx;
    const byIp = new Map(this.behind.map((a) => [a.ip, a.node]));
    const logs = await readContainerLogs(
      docker,
      this.nodes.map((c) => ({ node: c.node, container: c.name, id: c.id })),
      clock,
      true,
      (node, why) => {
        this.ctx.log.warn({ node, why }, 'lb-vip: could not read a node log');
      },
    );
    return logs.map((l) =>
      parseNodeLog(
        l.node,
        l.lines.map((x) => x.text),
        this.vip,
        (epochMs) => clock.fromEpochMs(epochMs),
        (address) => byIp.get(address.replace(/:\d+$/, '')) ?? null,
      ),
    );
  }

  async check(input: LayerCheckInput): Promise<LbVipLayerResult> {
    const { clock, docker } = this.ctx;
    const parsed = await this.nodeEvents();
    // A node whose container ended (kill, stop) no longer holds anything: its namespace is gone.
    const endedAtMs: Record<string, number> = {};
    for (const c of this.nodes) {
      const info = await docker
        .getContainer(c.id)
        .inspect()
        .catch(() => null);
      const finished = info?.State.FinishedAt;
      if (info && !info.State.Running && finished && !finished.startsWith('0001')) endedAtMs[c.node] = clock.fromEpochMs(Date.parse(finished));
    }
    const vrrp = parsed.flatMap((p) => p.vrrp).sort((a, b) => a.atMs - b.atMs);
    const vipChanges = parsed.flatMap((p) => p.vip).sort((a, b) => a.atMs - b.atMs);
    const backendStates = parsed.flatMap((p) => p.backends).sort((a, b) => a.atMs - b.atMs);
    const proxyServed = proxyRates(parsed.flatMap((p) => p.stats)).filter((r) => r.atMs >= (this.loadStartMs ?? -Infinity) && r.atMs <= input.loadEndMs);
    // From the load's start: the first election (both nodes start BACKUP; the lower priority may win, then
    // the higher preempts) is bring-up, not part of the drill.
    const fromMs = this.loadStartMs ?? -Infinity;
    const windows = holderWindows(vipChanges, endedAtMs, input.loadEndMs)
      .filter((w) => w.toMs > fromMs)
      .map((w) => ({ ...w, fromMs: Math.max(w.fromMs, fromMs) }));
    const split = splitBrainWindows(windows);
    // The client's recovery after each fault, measured exactly as the drill's own RTO is.
    // Failures after a stable recovery are a relapse of f's outage until the next fault began.
    const faultStartsMs = input.faults.map((g) => g.injectedAtMs);
    const recoveredAtMs = (f: FaultRecord) =>
      measure({ history: input.history, faults: [f], presentIds: null, stableMs: input.stableMs, bucketMs: 100, timerResolutionMs: 1, ...relapseBound(faultStartsMs, f.injectedAtMs) }).recoveredAtMs;
    const name = (c: RunningContainer) => ({ node: c.node, container: c.name });
    const rows = explain({
      spec: this.spec,
      lbNodes: this.nodes.map(name),
      appNodes: this.behind.map(name),
      faults: input.faults,
      windows,
      backends: backendStates,
      recoveredAtMs,
    });
    this.toTimeline(vrrp, vipChanges, backendStates, split);
    return {
      kind: 'lb-vip',
      proxy: this.spec.proxy,
      vip: this.vip,
      front: this.spec.front,
      reach: reachOf(this.spec),
      vipUrl: this.frontUrl,
      loadUrl: this.loadUrls?.[0] ?? this.frontUrl,
      containers: this.containers.map((c) => ({ name: c.name, role: c.role, image: c.image })),
      backends: this.behind.map((a) => a.node),
      keepalived: this.spec.keepalived,
      healthCheck: this.spec.healthCheck,
      vrrp,
      holders: windows,
      splitBrain: { windows: split.map((w) => ({ fromMs: w.fromMs, toMs: w.toMs })), totalMs: split.reduce((s, w) => s + (w.toMs - w.fromMs), 0) },
      backendStates,
      served: this.poller.perSecond(),
      proxyServed: this.spec.proxy === 'haproxy' ? { everyMs: STATS_EVERY_MS, unit: this.spec.front === 'apps' ? 'requests' : 'sessions', samples: proxyServed } : null,
      explain: rows,
      checks: lbChecks({ spec: this.spec, faults: input.faults, windows }),
    };
  }

  private toTimeline(
    vrrp: LbVipLayerResult['vrrp'],
    vip: { node: string; atMs: number; held: boolean }[],
    backends: LbVipLayerResult['backendStates'],
    split: { fromMs: number; toMs: number }[],
  ): void {
    for (const v of vrrp) this.onEvent({ atMs: v.atMs, source: 'lb-vip', message: `${v.node}: keepalived ${v.state}${v.detail ? ` (${v.detail})` : ''}`, marker: 'vrrp-state' });
    for (const c of vip) this.onEvent({ atMs: c.atMs, source: 'lb-vip', message: `${c.node}: VIP ${this.vip} ${c.held ? 'added' : 'removed'} (ip monitor)`, marker: 'vip-holder' });
    for (const b of backends) {
      this.onEvent({
        atMs: b.atMs,
        source: 'lb-vip',
        message: `${b.lb}: ${this.spec.proxy} server ${b.server} ${b.up ? 'UP' : 'DOWN'}${b.detail ? ` (${b.detail})` : ''}`,
        marker: b.up ? 'backend-up' : 'backend-down',
      });
    }
    for (const w of split) {
      this.onEvent({ atMs: w.fromMs, source: 'lb-vip', message: `VRRP split brain: both LB nodes hold the VIP for ${((w.toMs - w.fromMs) / 1000).toFixed(3)} s`, marker: 'split-brain' });
    }
  }
}
