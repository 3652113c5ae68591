import assert from 'node:assert/strict';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { FaultContext, InjectedFault } from '../../src/faults/plugin.js';
import { injectFault } from '../../src/faults/registry.js';
import { purgeNetworkHelpers, type NetworkFaultRecord } from '../../src/faults/network/index.js';
import { exec } from '../../src/engine/docker-exec.js';
import type { TimelineEvent } from '../../src/measure/types.js';
import { createRunClock } from '../../src/util/clock.js';
import { ensureImages } from '../../src/run/preflight-images.js';
import { drillSchema, type FaultStepSpec } from '../../src/spec/schema.js';
import { pluginOf } from '../../src/stacks/registry.js';
import { removeRun, type RunningContainer } from '../../src/engine/resources.js';
import { runFilter } from '../../src/engine/labels.js';
import type { Stack } from '../../src/stacks/stack.js';
import { createLogger } from '../../src/util/log.js';
import { docker, leftovers, requireEngine } from './helpers.js';

// Network faults on a real redis-sentinel stack (2 Redis, 3 Sentinels, the app), injected through
// injectFault() with parsed steps, each observed from both sides with tools of the stack's own containers
// (nc, node), not with drill's probes; then healed, and the paths checked open again with no helper left.
// Sentinel's down-after is long so that no failover changes who is where during the test. The tests share
// one stack, so each one starts by proving the previous fault gone (no helper, every path open, no loss),
// and no check races a time box: waits are derived from the fault's recorded instants.

const token = `nf${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const run = { runId: `network-faults-test-${token}`, token, drillName: 'network-faults-test' };
const log = createLogger({ level: process.env.DRILL_LOG_LEVEL ?? 'warn', pretty: false });
const clock = createRunClock();
const notes: TimelineEvent[] = [];
/** Faults injected by the current test: healed after it whatever happened (heal() is idempotent). */
const active: InjectedFault[] = [];

const drill = drillSchema.parse({
  name: run.drillName,
  stack: { kind: 'redis-sentinel', replicas: 1, sentinels: 3, sentinel: { downAfter: '60s', failoverTimeout: '180s' } },
  load: { rate: 1, duration: '1s' },
  steps: [
    { at: '0s', fault: 'isolate', target: 'redis-1' },
    { at: '0s', fault: 'partition', groups: [['redis-1'], ['redis-2', 'sentinels']] },
    { at: '0s', fault: 'partition', groups: [['redis-1'], ['redis-2']], oneWay: true },
    { at: '0s', fault: 'loss', target: 'redis-2', percent: 30 },
    { at: '0s', fault: 'loss', between: [['redis-1'], ['redis-2']], percent: 50 },
    { at: '0s', fault: 'latency', target: 'redis-1', delay: '150ms', jitter: '20ms' },
    { at: '0s', fault: 'partition', groups: [['redis-1'], ['redis-2']], oneWay: true, duration: '2s' },
  ],
});
const steps = drill.steps as FaultStepSpec[];

let stack: Stack;
let ctx: FaultContext;
const node = (name: string): RunningContainer => {
  const c = stack.containers.find((x) => x.node === name);
  assert.ok(c, `no node ${name}`);
  return c;
};

/** Does `from` (a stack container, its own nc) reach `to`'s service port? */
async function reaches(from: string, to: string): Promise<boolean> {
  const target = node(to);
  const port = Object.keys(target.ports)[0]!;
  const res = await exec(docker, node(from).id, ['nc', '-z', '-w', '1', target.ip, port]);
  return res.code === 0;
}

async function reachMatrix(pairs: [string, string][]): Promise<string[]> {
  const results = await Promise.all(pairs.map(async ([a, b]) => `${a}→${b} ${(await reaches(a, b)) ? 'open' : 'blocked'}`));
  return results;
}

/**
 * Datagrams from one stack container to another, sent and counted by `node -e` in the containers themselves.
 * The listener counts until the sender has finished (it is told by a file), never for a fixed window: on a
 * slow machine a late sender would otherwise look like loss.
 */
async function udpDelivered(from: string, to: string, count: number, intervalMs = 3): Promise<number> {
  const port = 40000 + Math.floor(Math.random() * 20000);
  const stop = `/tmp/test-udp-stop-${port}`;
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const listener = exec(
    docker,
    node(to).id,
    [
      'node',
      '-e',
      `const fs=require('fs');const s=require('dgram').createSocket('udp4');let n=0;s.on('message',()=>n++);const end=()=>{try{fs.unlinkSync('${stop}')}catch{};console.log(n);process.exit(0)};s.bind(${port},()=>{console.log('ready');setInterval(()=>fs.existsSync('${stop}')&&end(),5);setTimeout(end,60000)})`,
    ],
    {
      onLine: (l) => {
        if (l === 'ready') ready();
      },
      timeoutMs: 75_000,
    },
  );
  await isReady;
  await exec(docker, node(from).id, [
    'node',
    '-e',
    `const s=require('dgram').createSocket('udp4');s.on('error',()=>{});let i=0;const t=setInterval(()=>{s.send('x',${port},'${node(to).ip}',()=>{});if(++i>=${count}){clearInterval(t);setTimeout(()=>process.exit(0),50)}},${intervalMs})`,
  ]);
  await new Promise((r) => setTimeout(r, 150));
  await exec(docker, node(to).id, ['touch', stop]);
  const res = await listener;
  return Number(res.stdout.trim().split('\n').pop());
}

/**
 * An observer of drill's own, independent of its witness: from inside `from`'s container (its own perl),
 * an empty datagram to `to` every ~0.2 ms, each send's fate read at once (sent, or refused by a rule in
 * the namespace: EPERM). Each change of fate is reported as [start of the last send before it, end of the
 * first after it] (epoch ms): the rule change happened inside.
 */
function watchSends(from: string, to: string): { ready: Promise<void>; stop: () => Promise<{ refused: boolean; afterEpochMs: number; byEpochMs: number }[]> } {
  const stop = `/tmp/test-watch-stop-${Math.random().toString(36).slice(2)}`;
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const perl = [
    'use Time::HiRes qw(time sleep); use Socket; use Errno qw(EPERM);',
    'socket(my $s, PF_INET, SOCK_DGRAM, 0) or die; my $to = sockaddr_in(9, inet_aton($ARGV[0]));',
    'my ($was, $last, $end) = (-1, 0, time + 120); $| = 1; print "ready\\n";',
    'until (-e $ARGV[1] || time > $end) {',
    "  my $t0 = time; my $now = defined send($s, '', 0, $to) ? 0 : $! == EPERM ? 1 : 2; my $t1 = time;",
    // Any other error tells nothing about the rules: such a send is left out.
    '  if ($now < 2) { printf "change %d %.0f %.0f\\n", $now, $last * 1e9, $t1 * 1e9 if $was >= 0 && $now != $was; ($was, $last) = ($now, $t0) }',
    '  sleep(0.0002);',
    '}',
  ].join(' ');
  const watcher = exec(docker, node(from).id, ['perl', '-e', perl, node(to).ip, stop], {
    onLine: (l) => {
      if (l === 'ready') ready();
    },
    timeoutMs: 150_000,
  });
  return {
    ready: isReady,
    stop: async () => {
      await exec(docker, node(from).id, ['touch', stop]);
      const res = await watcher;
      await exec(docker, node(from).id, ['rm', '-f', stop]);
      return [...res.stdout.matchAll(/^change (\d) (\d+) (\d+)$/gm)].map((m) => ({ refused: m[1] === '1', afterEpochMs: Number(m[2]) / 1e6, byEpochMs: Number(m[3]) / 1e6 }));
    },
  };
}

/** Redis PING round trips from the host through the node's published port, fresh connection each. */
async function pingMs(name: string, samples = 5): Promise<number[]> {
  const port = node(name).ports[6379]!;
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    out.push(
      await new Promise<number>((resolve, reject) => {
        const s = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => {
          const t0 = performance.now();
          s.write('PING\r\n');
          s.once('data', (d) => {
            s.destroy();
            if (!String(d).startsWith('+PONG')) reject(new Error(`unexpected answer ${String(d)}`));
            else resolve(performance.now() - t0);
          });
        });
        s.on('error', reject);
      }),
    );
  }
  return out;
}

async function helpersLeft(): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`drill.run-id=${run.runId}`, 'drill.role=netfault'] } });
  return list.map((c) => c.Names[0] ?? c.Id);
}

async function injectTimed(step: FaultStepSpec): Promise<{ fault: InjectedFault; record: NetworkFaultRecord; callMs: number }> {
  const t0 = performance.now();
  const fault = await injectFault(ctx, step);
  active.push(fault);
  const callMs = performance.now() - t0;
  const record = fault.record as NetworkFaultRecord;
  console.log(`# ${step.fault}: injectFault ${callMs.toFixed(0)} ms, rules ${(record.injectReturnedAtMs - record.injectedAtMs).toFixed(0)} ms, ${record.mechanism}: ${record.verified}`);
  return { fault, record, callMs };
}

async function healTimed(fault: InjectedFault): Promise<number> {
  const t0 = performance.now();
  await fault.heal();
  const ms = performance.now() - t0;
  console.log(`#   heal ${ms.toFixed(0)} ms`);
  return ms;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Every pair of nodes the tests cut, both ways, and the app's way to both Redis nodes. */
const allPairs: [string, string][] = [
  ['redis-1', 'redis-2'],
  ['redis-2', 'redis-1'],
  ['sentinel-1', 'redis-1'],
  ['redis-1', 'sentinel-2'],
  ['sentinel-3', 'redis-2'],
  ['app-1', 'redis-1'],
  ['app-1', 'redis-2'],
];

describe('network faults on a redis-sentinel stack', { timeout: 180_000 }, () => {
  before(async () => {
    await requireEngine();
    const images = await ensureImages(docker, drill.stack, log);
    const t0 = performance.now();
    stack = await pluginOf(drill.stack).start({ docker, run, clock, log, signal: new AbortController().signal, images, readyTimeoutMs: 60_000 }, drill.stack);
    console.log(`# stack up in ${(performance.now() - t0).toFixed(0)} ms`);
    ctx = { docker, run, stack, clock, log, engineEvents: null, note: (e) => notes.push(e) };
  });

  // Whatever the previous test did, nothing of it may be left when the next one starts.
  beforeEach(async () => {
    assert.deepEqual(await helpersLeft(), [], 'a helper of an earlier fault is still there');
    assert.deepEqual(
      await reachMatrix(allPairs),
      allPairs.map(([a, b]) => `${a}→${b} open`),
      'an earlier fault still cuts a path',
    );
    const [ab, ba] = await Promise.all([udpDelivered('redis-1', 'redis-2', 50), udpDelivered('redis-2', 'redis-1', 50)]);
    assert.deepEqual([ab, ba], [50, 50], 'datagrams between redis-1 and redis-2 are lost before any fault');
  });

  afterEach(async () => {
    for (const f of active.splice(0)) await f.heal();
  });

  after(async () => {
    await stack.stop().catch(() => {});
    const removed = await removeRun(docker, run.runId);
    assert.deepEqual(removed.errors, []);
    assert.deepEqual(await leftovers(run.runId), []);
  });

  it('isolate redis-1: cut from every other node both ways, the rest untouched; heal reopens; no helper left', async () => {
    const pairs: [string, string][] = [
      ['redis-1', 'redis-2'],
      ['redis-2', 'redis-1'],
      ['sentinel-1', 'redis-1'],
      ['redis-1', 'sentinel-2'],
      ['app-1', 'redis-1'],
      ['redis-2', 'sentinel-1'],
      ['app-1', 'redis-2'],
    ];
    assert.deepEqual(
      await reachMatrix(pairs),
      pairs.map(([a, b]) => `${a}→${b} open`),
    );
    const watch = watchSends('redis-1', 'redis-2');
    await watch.ready;
    const { fault, record } = await injectTimed(steps[0]!);
    assert.equal(record.kind, 'isolate');
    assert.equal(record.mechanism, 'iptables');
    assert.match(record.verified, /blocked \d+: redis-1 → /);
    // redis-1's own rules cut every path to it, so they alone are the first wave and stamp the fault's
    // start (the other five nodes' rules follow before the verify): the window stamped inside its
    // namespace lies inside the call and is far narrower than it.
    const callMs = record.injectReturnedAtMs - record.injectedAtMs;
    assert.ok(callMs < 2000, `installing the rules took ${callMs} ms`);
    // The stamps are narrowed by the witness: redis-1's sends to a cut peer, refused from the commit on.
    assert.equal(record.effectEvidence, 'rules stamped inside 1 node namespace; witnessed there by datagrams to a cut peer');
    assert.ok(record.effectFromMs! >= record.injectedAtMs && record.effectByMs! <= record.injectReturnedAtMs && record.effectFromMs! <= record.effectByMs!);
    assert.ok(record.effectByMs! - record.effectFromMs! < callMs / 2, `stamped window ${record.effectByMs! - record.effectFromMs!} ms in a ${callMs} ms call`);
    assert.deepEqual(await reachMatrix(pairs), [
      'redis-1→redis-2 blocked',
      'redis-2→redis-1 blocked',
      'sentinel-1→redis-1 blocked',
      'redis-1→sentinel-2 blocked',
      'app-1→redis-1 blocked',
      'redis-2→sentinel-1 open',
      'app-1→redis-2 open',
    ]);
    // The runner's own way in (127.0.0.1, through the bridge gateway) is not a node: still open.
    assert.ok((await pingMs('redis-1', 1))[0]! < 1000);
    // Both sides carry the rules (the cut holds if one side restarts): one helper per node of the stack.
    assert.equal((await helpersLeft()).length, stack.containers.length);
    await healTimed(fault);
    assert.deepEqual(
      await reachMatrix(pairs),
      pairs.map(([a, b]) => `${a}→${b} open`),
    );
    assert.deepEqual(await helpersLeft(), []);
    assert.ok(record.healedAtMs !== undefined);
    // The independent observer's changes hold the same instants as drill's windows: the cut, then the heal
    // (redis-1's own rules went last). Two brackets of one instant must overlap, however narrow each is.
    const changes = await watch.stop();
    assert.deepEqual(
      changes.map((c) => c.refused),
      [true, false],
      `the observer saw ${JSON.stringify(changes)}`,
    );
    const overlaps = (c: { afterEpochMs: number; byEpochMs: number }, fromMs: number, byMs: number) => clock.fromEpochMs(c.afterEpochMs) < byMs && clock.fromEpochMs(c.byEpochMs) >= fromMs;
    const show = (c: { afterEpochMs: number; byEpochMs: number }, fromMs: number, byMs: number) =>
      `observer ${clock.fromEpochMs(c.afterEpochMs).toFixed(3)}..${clock.fromEpochMs(c.byEpochMs).toFixed(3)}, drill ${fromMs.toFixed(3)}..${byMs.toFixed(3)}`;
    assert.ok(overlaps(changes[0]!, record.effectFromMs!, record.effectByMs!), `cut: ${show(changes[0]!, record.effectFromMs!, record.effectByMs!)}`);
    assert.ok(record.healFromMs !== undefined && record.healByMs !== undefined);
    assert.ok(overlaps(changes[1]!, record.healFromMs, record.healByMs), `heal: ${show(changes[1]!, record.healFromMs, record.healByMs)}`);
    console.log(`#   cut ${show(changes[0]!, record.effectFromMs!, record.effectByMs!)}; heal ${show(changes[1]!, record.healFromMs, record.healByMs)}`);
    assert.ok(notes.some((n) => n.marker === 'heal' && n.message.includes('isolate')));
  });

  it('partition [redis-1] | [redis-2, sentinels]: cut between the groups only, the app (in no group) reaches both', async () => {
    const pairs: [string, string][] = [
      ['redis-1', 'redis-2'],
      ['redis-2', 'redis-1'],
      ['sentinel-3', 'redis-1'],
      ['redis-1', 'sentinel-3'],
      ['app-1', 'redis-1'],
      ['app-1', 'redis-2'],
      ['redis-1', 'app-1'],
      ['sentinel-1', 'redis-2'],
    ];
    const { fault, record } = await injectTimed(steps[1]!);
    assert.equal(record.kind, 'partition');
    assert.match(record.verified, /open \d+: .*app-1/, 'the probe did not check the path to a node in no group');
    assert.deepEqual(await reachMatrix(pairs), [
      'redis-1→redis-2 blocked',
      'redis-2→redis-1 blocked',
      'sentinel-3→redis-1 blocked',
      'redis-1→sentinel-3 blocked',
      'app-1→redis-1 open',
      'app-1→redis-2 open',
      'redis-1→app-1 open',
      'sentinel-1→redis-2 open',
    ]);
    await healTimed(fault);
    assert.deepEqual(
      await reachMatrix(pairs),
      pairs.map(([a, b]) => `${a}→${b} open`),
    );
    assert.deepEqual(await helpersLeft(), []);
  });

  it('one-way partition redis-1 → redis-2: datagrams from redis-1 dropped, the other way delivered; heal proves the path open again', async () => {
    const { fault, record } = await injectTimed(steps[2]!);
    assert.match(record.verified, /redis-1 → redis-2 \(udp\) \(udp 0\/10\)/);
    assert.ok(record.verifiedAtMs !== undefined && record.verifiedAtMs >= record.injectReturnedAtMs, 'the probe ran before the rules were in');
    const [forward, backward] = await Promise.all([udpDelivered('redis-1', 'redis-2', 20), udpDelivered('redis-2', 'redis-1', 20)]);
    console.log(`#   one-way: redis-1→redis-2 ${forward}/20, redis-2→redis-1 ${backward}/20 delivered`);
    assert.equal(forward, 0);
    assert.equal(backward, 20);
    // TCP needs both directions: a connection either way stalls.
    assert.deepEqual(
      await reachMatrix([
        ['redis-2', 'redis-1'],
        ['redis-1', 'redis-2'],
      ]),
      ['redis-2→redis-1 blocked', 'redis-1→redis-2 blocked'],
    );
    assert.equal(record.healedAtMs, undefined, 'no duration: healed by itself');
    await healTimed(fault);
    // The heal is reported only with the injection's probe seeing the cut path open again.
    assert.match(record.healVerified ?? '', /open again 1: redis-1 → redis-2 \(udp\) \(udp 10\/10\)/);
    assert.ok(notes.some((n) => n.marker === 'heal' && n.message.includes('open again')));
    assert.deepEqual(await helpersLeft(), []);
    assert.equal(await udpDelivered('redis-1', 'redis-2', 20), 20);
  });

  it('a time-boxed fault lasts its duration from the moment its rules are in, however slow the install and the probe', async () => {
    const { fault, record } = await injectTimed(steps[6]!);
    const durationMs = 2000;
    // The box counts from injectReturnedAtMs (rules in), not from t_fault; the probe after it does not shorten it.
    const dueMs = record.injectReturnedAtMs + durationMs;
    const startedMs = clock.nowMs();
    while (record.healReturnedAtMs === undefined && clock.nowMs() - startedMs < durationMs + 60_000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(record.healedAtMs !== undefined && record.healReturnedAtMs !== undefined, 'did not heal itself');
    console.log(
      `#   time box: rules ${(record.injectReturnedAtMs - record.injectedAtMs).toFixed(0)} ms, probe ${(record.verifiedAtMs! - record.injectReturnedAtMs).toFixed(0)} ms, heal started ${(record.healedAtMs - record.injectReturnedAtMs).toFixed(0)} ms after the rules were in (duration ${durationMs} ms), heal + proof ${(record.healReturnedAtMs - record.healedAtMs).toFixed(0)} ms`,
    );
    assert.ok(record.healedAtMs >= dueMs, `healed ${(dueMs - record.healedAtMs).toFixed(1)} ms before the end of its duration`);
    assert.match(record.healVerified ?? '', /open again/);
    assert.deepEqual(await helpersLeft(), []);
    assert.equal(await udpDelivered('redis-1', 'redis-2', 20), 20);
    await fault.heal(); // idempotent: already healed
  });

  it('loss 30 % on redis-2: about 30 % of datagrams to and from it are lost, none elsewhere', async () => {
    const { fault, record } = await injectTimed(steps[3]!);
    assert.match(record.verified, /lost \(asked 30\.0 %\)/);
    const n = 300;
    const [toIt, fromIt, elsewhere] = await Promise.all([udpDelivered('sentinel-1', 'redis-2', n), udpDelivered('redis-2', 'sentinel-2', n), udpDelivered('sentinel-3', 'redis-1', n)]);
    const lost = (d: number) => (n - d) / n;
    console.log(`#   loss observed: →redis-2 ${(100 * lost(toIt)).toFixed(1)} %, redis-2→ ${(100 * lost(fromIt)).toFixed(1)} %, elsewhere ${(100 * lost(elsewhere)).toFixed(1)} % (asked 30 %)`);
    // 5 σ of a binomial(300, 0.3) ≈ 13 points.
    assert.ok(Math.abs(lost(toIt) - 0.3) < 0.13, `to redis-2: ${lost(toIt)}`);
    assert.ok(Math.abs(lost(fromIt) - 0.3) < 0.13, `from redis-2: ${lost(fromIt)}`);
    assert.equal(elsewhere, n);
    await healTimed(fault);
    assert.match(record.healVerified ?? '', /healed, expected 0\.0 %/);
    assert.equal(await udpDelivered('sentinel-1', 'redis-2', 100), 100);
    assert.deepEqual(await helpersLeft(), []);
  });

  it('loss 50 % between [redis-1] and [redis-2]: only that link loses, once per direction', async () => {
    const { fault, record } = await injectTimed(steps[4]!);
    const n = 300;
    const [ab, ba, other] = await Promise.all([udpDelivered('redis-1', 'redis-2', n), udpDelivered('redis-2', 'redis-1', n), udpDelivered('sentinel-1', 'redis-2', n)]);
    const lost = (d: number) => (n - d) / n;
    console.log(
      `#   loss between observed: redis-1→redis-2 ${(100 * lost(ab)).toFixed(1)} %, redis-2→redis-1 ${(100 * lost(ba)).toFixed(1)} %, sentinel-1→redis-2 ${(100 * lost(other)).toFixed(1)} % (asked 50 %)`,
    );
    assert.ok(Math.abs(lost(ab) - 0.5) < 0.15, `redis-1→redis-2 ${lost(ab)}`);
    assert.ok(Math.abs(lost(ba) - 0.5) < 0.15, `redis-2→redis-1 ${lost(ba)}`);
    assert.equal(other, n);
    assert.equal(record.mechanism, 'iptables');
    await healTimed(fault);
    assert.deepEqual(await helpersLeft(), []);
  });

  it('latency +150 ± 20 ms on redis-1: round trips from the host and writes through the app slow down; existing connections are reset; heal restores', async () => {
    const before = await pingMs('redis-1');
    // A connection opened before the fault: nat does not move it, so the fault must reset it.
    const old = net.connect({ host: '127.0.0.1', port: node('redis-1').ports[6379]! });
    await new Promise((r) => old.once('connect', r));
    const oldClosed = new Promise<string>((resolve) => {
      old.on('error', (e) => {
        resolve(`error ${(e as NodeJS.ErrnoException).code}`);
      });
      old.on('close', () => {
        resolve('closed');
      });
    });
    const { fault, record } = await injectTimed(steps[5]!);
    assert.equal(record.mechanism, process.env.DRILL_LATENCY_MECHANISM ?? 'tcp-proxy', 'this kernel has no netem: expected the proxy');
    assert.ok(
      notes.some((n) => n.message.startsWith(`latency via ${record.mechanism}`)),
      'no note names the mechanism',
    );
    const during = await pingMs('redis-1');
    old.write('PING\r\n');
    const oldOutcome = await Promise.race([
      oldClosed,
      new Promise<string>((r) =>
        setTimeout(() => {
          r('still open');
        }, 2000),
      ),
    ]);
    // Node to node: the app's write goes app-1 → redis-1 through the proxy. Its connection from before the
    // fault was reset, so the first write may time out while ioredis reconnects (Sentinel, ROLE, INFO, each delayed).
    let writeMs = 0;
    const writes: string[] = [];
    for (let id = 7001; id < 7006 && !writeMs; id++) {
      const t0 = performance.now();
      const res = await fetch(`${stack.appUrl}/write?id=${id}`, { method: 'POST' });
      const body = await res.text();
      writes.push(`${res.status} ${(performance.now() - t0).toFixed(0)} ms`);
      if (res.status === 200) writeMs = performance.now() - t0;
      else assert.match(body, /timed out|reset|closed/i);
    }
    await healTimed(fault);
    const afterHeal = await pingMs('redis-1');
    console.log(
      `#   latency PING ms: before ${before.map((x) => x.toFixed(1)).join(' ')} | during ${during.map((x) => x.toFixed(1)).join(' ')} | after ${afterHeal.map((x) => x.toFixed(1)).join(' ')}; app writes ${writes.join(', ')}; old connection: ${oldOutcome}`,
    );
    assert.ok(Math.min(...during) >= 130 - 2, `a round trip under delay - jitter: ${during.join(', ')}`);
    assert.ok(Math.max(...during) < 400, `far more than asked: ${during.join(', ')}`);
    assert.ok(mean(during) - mean(before) > 110, 'mean increase too small');
    assert.ok(writeMs >= 128, `the app's write (app → redis-1): ${writes.join(', ')}`);
    assert.notEqual(oldOutcome, 'still open', 'a connection from before the fault kept going around the proxy');
    assert.ok(Math.max(...afterHeal) < 50, `still slow after heal: ${afterHeal.join(', ')}`);
    assert.deepEqual(await helpersLeft(), []);
    old.destroy();
  });

  it('a helper carries the run and owner labels of the stack: after a crash, cleanup removes it with the stack', async () => {
    const { fault } = await injectTimed(steps[3]!);
    const [helper] = await docker.listContainers({ all: true, filters: { label: [`drill.run-id=${run.runId}`, 'drill.role=netfault', 'drill.netfault-node=redis-2'] } });
    assert.ok(helper, 'no helper on redis-2 while the loss is in effect');
    const nodeLabels = (await docker.getContainer(node('redis-2').id).inspect()).Config.Labels;
    for (const key of ['drill.run-id', 'drill.drill', 'drill.owner-pid', 'drill.owner-host']) assert.equal(helper.Labels[key], nodeLabels[key], key);
    assert.equal(helper.Labels['drill.netfault-node'], 'redis-2');
    assert.equal(helper.Names[0], `/drill-${run.token}-net-redis-2`);
    await healTimed(fault);
  });

  it('a fault that cannot be put in place is rolled back and reported as an infrastructure error', async () => {
    // netem forced on a kernel without it: tc fails after the helper is up; nothing may stay behind.
    const saved = process.env.DRILL_LATENCY_MECHANISM;
    process.env.DRILL_LATENCY_MECHANISM = 'netem';
    try {
      await assert.rejects(injectFault(ctx, steps[5]!), (e: Error) => e.name === 'InfraError' && /netem on .*redis-1/.test(e.message));
    } finally {
      if (saved === undefined) delete process.env.DRILL_LATENCY_MECHANISM;
      else process.env.DRILL_LATENCY_MECHANISM = saved;
    }
    assert.deepEqual(await helpersLeft(), []);
    assert.ok(mean(await pingMs('redis-1', 3)) < 50);
  });

  it('after a crash, purging the helpers removes exactly the rules drill listed, nothing else', async () => {
    // The runner "crashes" with a partition in effect: no heal. A rule of someone else's sits beside drill's.
    const { fault } = await injectTimed(steps[1]!);
    const helperId = (await docker.listContainers({ filters: { label: [`drill.run-id=${run.runId}`, 'drill.netfault-node=redis-1'] } }))[0]!.Id;
    assert.equal((await exec(docker, helperId, ['sh', '-c', 'iptables -N NOT-DRILLS && iptables -A NOT-DRILLS -j RETURN'])).code, 0);
    const report = await purgeNetworkHelpers(docker, runFilter(run.runId));
    console.log(`#   purge: ${report.helpers} helpers, ${report.removed.length} removed, errors ${report.errors.length}`);
    assert.deepEqual(report.errors, []);
    assert.equal(report.helpers, 5);
    assert.equal(report.removed.length, 5);
    assert.deepEqual(
      await reachMatrix([
        ['redis-2', 'redis-1'],
        ['redis-1', 'sentinel-1'],
      ]),
      ['redis-2→redis-1 open', 'redis-1→sentinel-1 open'],
    );
    const left = await exec(docker, helperId, ['iptables', '-S']);
    assert.match(left.stdout, /-N NOT-DRILLS/);
    assert.doesNotMatch(left.stdout, /DRILL-/);
    await exec(docker, helperId, ['sh', '-c', 'iptables -F NOT-DRILLS && iptables -X NOT-DRILLS']);
    // A heal after the purge still works (the chain is already gone: success) and removes the helpers.
    await healTimed(fault);
    assert.deepEqual(await helpersLeft(), []);
  });

  it('two faults on one node share its helper: healing one leaves the other in effect', async () => {
    const partition = await injectTimed(steps[1]!);
    const latency = await injectTimed(steps[5]!);
    const helpers = await helpersLeft();
    assert.equal(helpers.filter((h) => h.endsWith('-net-redis-1')).length, 1);
    await healTimed(latency.fault);
    assert.ok(mean(await pingMs('redis-1', 3)) < 50, 'latency still in effect after its heal');
    assert.deepEqual(await reachMatrix([['redis-2', 'redis-1']]), ['redis-2→redis-1 blocked'], 'the partition went with the latency');
    assert.ok(
      (await helpersLeft()).some((h) => h.endsWith('-net-redis-1')),
      'the shared helper was removed under the partition',
    );
    await healTimed(partition.fault);
    assert.deepEqual(await reachMatrix([['redis-2', 'redis-1']]), ['redis-2→redis-1 open']);
    assert.deepEqual(await helpersLeft(), []);
  });
});
