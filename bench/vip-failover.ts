// Benchmark: the front door's timings on this machine, with the lb-vip layer's own configuration text
// (src/layers/lb-vip/config.ts) on drill's own images, two LB nodes and three trivial HTTP backends on a
// labelled network of its own (removed at the end, whatever happens):
//   1. VIP failover, client-visible: the node holding the VIP is SIGKILLed; once the kill call has returned
//      (the container is dead), a probe sends GET / to the VIP every 10 ms on a fresh connection (100 ms
//      timeout); the figure is from the kill call's start to the start of the first answered probe. With advert_int 1 s (keepalived's default) and 100 ms (the fastest tried here).
//   2. HAProxy's health-check removal against inter × fall: a backend is SIGKILLed and HAProxy's own
//      "Server apps/app-2 is DOWN" line (stamped in the node) is timed from the kill.
//   3. Requests per second through HAProxy on the VIP against straight to one backend (autocannon, 50
//      connections, 5 s each).
// Usage: npm run build && node bin/drill.js images --build && node --import tsx bench/vip-failover.ts [trials, default 3]
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { createDocker } from '../src/engine/docker-client.js';
import { imageRefs } from '../src/engine/images.js';
import { createNetwork, removeLabelled, startContainer, type RunningContainer } from '../src/engine/resources.js';
import { runFilter } from '../src/engine/labels.js';
import { entrypointScript, haproxyConfig, keepalivedConfig } from '../src/layers/lb-vip/config.js';
import { masterDownIntervalMs, removalBoundsMs } from '../src/layers/lb-vip/assess.js';
import { vipOf } from '../src/layers/lb-vip/vip-address.js';
import type { LbVipLayerSpec } from '../src/spec/schema.js';

const trials = Number(process.argv[2] ?? 3);
const docker = createDocker();
const refs = await imageRefs();
const token = `b${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const run = { runId: `bench-vip-${token}`, drillName: 'bench-vip-failover' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const baseSpec = (advertIntMs: number, interMs = 200, fall = 3): LbVipLayerSpec => ({
  kind: 'lb-vip',
  proxy: 'haproxy',
  front: 'apps',
  reach: 'direct',
  healthCheck: { interMs, fall, rise: 2, timeoutMs: interMs },
  keepalived: { advertIntMs, priorities: [150, 100], preempt: true, trackProxy: true, trackIntervalMs: 1000, trackFall: 1 },
  vipMovesWithinMs: undefined,
  splitBrainAtMostMs: undefined,
});

/** One GET on a fresh connection; true when it answered 200 within timeoutMs. */
function probe(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      resolve(false);
    });
  });
}

async function holder(nodes: RunningContainer[], vip: string): Promise<RunningContainer | null> {
  for (const n of nodes) {
    const exec = await docker.getContainer(n.id).exec({ Cmd: ['ip', '-o', 'addr', 'show', 'dev', 'eth0'], AttachStdout: true });
    const stream = await exec.start({});
    const out = await new Promise<string>((r) => {
      let s = '';
      stream.on('data', (d: Buffer) => (s += d.toString()));
      stream.on('end', () => {
        r(s);
      });
    });
    if (out.includes(` inet ${vip}/`)) return n;
  }
  return null;
}

async function lbPair(network: string, spec: LbVipLayerSpec, vip: { address: string; prefix: number }, backends: RunningContainer[], tag: string): Promise<RunningContainer[]> {
  const conf = haproxyConfig(
    spec,
    backends.map((b) => ({ node: b.node, host: b.name, port: 8080 })),
  );
  return Promise.all(
    [1, 2].map((i) =>
      startContainer(docker, run, {
        node: `lb-${i}`,
        name: `drill-${token}-${tag}-lb-${i}`,
        role: 'lb',
        image: refs.lb.tag,
        cmd: ['bash', '-c', entrypointScript(spec)],
        env: { LB_PROXY_CONF: conf, LB_KEEPALIVED_CONF: keepalivedConfig(spec, { name: `lb-${i}`, priority: spec.keepalived.priorities[i - 1]! }, vip, 51) },
        networkName: network,
        capAdd: ['NET_ADMIN', 'NET_RAW'],
      }),
    ),
  );
}

async function waitVip(nodes: RunningContainer[], vip: string, url: string): Promise<RunningContainer> {
  for (let i = 0; i < 300; i++) {
    const h = await holder(nodes, vip);
    if (h && (await probe(url, 300))) return h;
    await sleep(100);
  }
  throw new Error('the VIP never answered');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  const net = `drill-${token}-net`;
  await createNetwork(docker, run, net);
  const info = await docker.getNetwork(net).inspect();
  const vip = vipOf((info as { IPAM: { Config: { Subnet: string }[] } }).IPAM.Config[0]!.Subnet);
  const url = `http://${vip.address}/`;
  const backends = await Promise.all(
    [1, 2, 3].map((i) =>
      startContainer(docker, run, {
        node: `app-${i}`,
        name: `drill-${token}-app-${i}`,
        role: 'app',
        image: refs.lb.tag,
        cmd: ['node', '-e', "require('http').createServer((q,s)=>s.end('ok')).listen(8080)"],
        networkName: net,
      }),
    ),
  );
  console.log(`VIP failover and health checks, ${trials} trials per setting, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(2)}`);

  // 1. VIP failover, client-visible.
  const failover: Record<string, string | number>[] = [];
  for (const advertIntMs of [1000, 100]) {
    const figures: number[] = [];
    for (let t = 0; t < trials; t++) {
      const nodes = await lbPair(net, baseSpec(advertIntMs), vip, backends, `f${advertIntMs}-${t}`);
      await waitVip(nodes, vip.address, url);
      // Let the first election settle (the lower priority may win it, then the higher preempts), then ask again.
      await sleep(3 * advertIntMs + 500);
      const active = await holder(nodes, vip.address);
      if (!active) throw new Error('nobody holds the VIP');
      const t0 = performance.now();
      // The kill call returns once the container is dead: a probe before that would still reach it.
      await docker.getContainer(active.id).kill();
      let back: number | null = null;
      while (performance.now() - t0 < 15_000) {
        const start = performance.now();
        if (await probe(url, 100)) {
          back = start - t0;
          break;
        }
        await sleep(Math.max(0, 10 - (performance.now() - start)));
      }
      if (back === null) throw new Error(`advert_int ${advertIntMs} ms: the VIP never answered again`);
      figures.push(back);
      for (const n of nodes) await docker.getContainer(n.id).remove({ force: true });
    }
    failover.push({
      advert_int: `${advertIntMs} ms`,
      // The backup's timer runs from the last advert it heard: up to one advert_int before the kill.
      'expected ms (3 × advert + skew, less up to one advert)': `${Math.round(masterDownIntervalMs(advertIntMs, 100) - advertIntMs)}–${Math.round(masterDownIntervalMs(advertIntMs, 100))}`,
      'client-visible median ms': Math.round(median(figures)),
      'min ms': Math.round(Math.min(...figures)),
      'max ms': Math.round(Math.max(...figures)),
    });
  }
  console.log('1. VIP failover, SIGKILL of the node holding it → first answer through the VIP (10 ms probe, 100 ms timeout)');
  console.table(failover);

  // 2. Health-check removal against inter × fall.
  const removal: Record<string, string | number>[] = [];
  for (const [interMs, fall] of [
    [200, 3],
    [1000, 2],
  ] as const) {
    const figures: number[] = [];
    for (let t = 0; t < trials; t++) {
      const victims = await Promise.all(
        [9].map((i) =>
          startContainer(docker, run, {
            node: `app-${i}`,
            name: `drill-${token}-hc${interMs}-${t}-app-${i}`,
            role: 'app',
            image: refs.lb.tag,
            cmd: ['node', '-e', "require('http').createServer((q,s)=>s.end('ok')).listen(8080)"],
            networkName: net,
          }),
        ),
      );
      const victim = { ...victims[0]!, node: 'app-2' };
      const nodes = await lbPair(net, baseSpec(100, interMs, fall), vip, [backends[0]!, victim], `h${interMs}-${t}`);
      const active = await waitVip(nodes, vip.address, url);
      await sleep(2 * interMs + 300);
      const killEpochMs = Date.now();
      await docker.getContainer(victim.id).kill();
      let downAt: number | null = null;
      for (let i = 0; i < 100 && downAt === null; i++) {
        await sleep(interMs);
        const logs = (await docker.getContainer(active.id).logs({ stdout: true, stderr: true })).toString();
        const m = /drill-event (\d+) proxy .*Server apps\/app-2 is DOWN/.exec(logs);
        if (m) downAt = Number(m[1]) / 1000;
      }
      if (downAt === null) throw new Error(`inter ${interMs} ms: HAProxy never marked the killed backend DOWN`);
      figures.push(downAt - killEpochMs);
      for (const n of [...nodes, victim]) await docker.getContainer(n.id).remove({ force: true });
    }
    removal.push({
      'inter × fall': `${interMs} ms × ${fall}`,
      'expected ms': `${removalBoundsMs(baseSpec(100, interMs, fall)).lowMs}–${removalBoundsMs(baseSpec(100, interMs, fall)).highMs}`,
      'measured median ms': Math.round(median(figures)),
      'min ms': Math.round(Math.min(...figures)),
      'max ms': Math.round(Math.max(...figures)),
    });
  }
  console.log('2. Health-check removal: SIGKILL of a backend → HAProxy logs it DOWN');
  console.table(removal);

  // 3. Requests per second through HAProxy against straight to one backend.
  const nodes = await lbPair(net, baseSpec(100), vip, backends, 'rps');
  await waitVip(nodes, vip.address, url);
  const rps: Record<string, string | number>[] = [];
  for (const [what, target] of [
    ['through HAProxy on the VIP (3 backends)', url],
    ['straight to app-1', `http://${backends[0]!.ip}:8080/`],
  ] as const) {
    const r = await autocannon({ url: target, connections: 50, duration: 5 });
    rps.push({ path: what, 'req/s (mean)': Math.round(r.requests.average), 'p50 latency ms': r.latency.p50, 'p99 latency ms': r.latency.p99, errors: r.errors + r.non2xx });
  }
  console.log('3. Requests per second (autocannon, 50 connections, 5 s; the load generator shares the 2 cores)');
  console.table(rps);
}

// Ctrl-C: clean up too (the finally below does not run when the process is interrupted).
process.once('SIGINT', () => {
  void removeLabelled(docker, runFilter(run.runId)).finally(() => process.exit(130));
});
try {
  await main();
} finally {
  const removed = await removeLabelled(docker, runFilter(run.runId));
  if (removed.errors.length) console.error('cleanup:', removed.errors.join('; '));
}
