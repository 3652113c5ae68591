import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertPass, faultAt, lbOf, savedLog, type Run } from './lb-helpers.js';
import { docker, leftovers, removeKeptRun, requireEngine, runDrillFile, tempDir } from './helpers.js';

// More faults on the front door (lb-vip layer): stop and pause of the active LB node, a slow app
// instance, and the load through the forwarder on 127.0.0.1 instead of straight to the VIP. As in
// lb.test.ts, each claim of the layer is checked against the nodes' own saved logs.

const vipAdded = (vip: string) => (l: { source: string; text: string }) => l.source === 'addr' && l.text.includes(` inet ${vip}/`) && !l.text.startsWith('Deleted');
const vipDeleted = (vip: string) => (l: { source: string; text: string }) => l.source === 'addr' && l.text.includes(` inet ${vip}/`) && l.text.startsWith('Deleted');

describe('lb-stop-active-haproxy', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-stop-active-haproxy.yaml');
  });

  it('keepalived on the stopped node handed the VIP over with a priority-0 advert: lb-1 removed it, lb-2 took it', async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    const f = run.result.faults[0]!;
    assert.equal(f.kind, 'stop');
    assert.ok(f.container.endsWith('-lb-1'), 'active-lb resolved to lb-1 (priority 150)');
    const at = faultAt(run.result);
    const log1 = await savedLog(run, 'lb-1');
    const log2 = await savedLog(run, 'lb-2');
    // The backup's own words: it heard the priority-0 advert, then became MASTER and got the VIP.
    const prio0 = log2.find((l) => l.source === 'vrrp' && /received priority 0 advertisement/i.test(l.text) && l.atMs > at - 100);
    const master = log2.find((l) => l.source === 'vrrp' && /Entering MASTER STATE/.test(l.text) && l.atMs > at - 100);
    const added = log2.find((l) => vipAdded(lb.vip)(l) && l.atMs > at - 100);
    assert.ok(prio0 && master && added, 'lb-2 never logged the priority-0 advert, MASTER, or the VIP after the stop');
    assert.ok(prio0.atMs <= master.atMs);
    // The stopped node's own namespace: keepalived removed the VIP before the container ended.
    assert.ok(
      log1.some((l) => vipDeleted(lb.vip)(l) && l.atMs > at - 100),
      'lb-1 never removed the VIP itself',
    );
    const row = lb.explain[0]!;
    assert.match(row.setting, /priority-0 advert/);
    assert.ok(row.vipMovedMs !== null && row.expectedMs !== null && row.vipMovedMs <= row.expectedMs.highMs + 150, JSON.stringify(row));
    assert.ok(Math.abs(added.atMs - at - row.vipMovedMs) < 2, `layer said ${row.vipMovedMs} ms, lb-2's ip monitor ${added.atMs - at} ms`);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('lb-pause-active-haproxy', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-pause-active-haproxy.yaml');
  });

  it('the backup took the VIP within the VRRP bound while the frozen node kept it in its namespace (measured as overlap)', async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    assert.equal(run.result.faults[0]!.kind, 'pause');
    // The declared load kept sending through the freeze: its own writes failed, and the outage is measured.
    const m = run.result.measured!;
    assert.ok(m.rtoMs !== null && m.rtoMs > 0, `RTO ${m.rtoMs} ± ${m.precisionMs}: ${m.notes.join(' | ')}`);
    const at = faultAt(run.result);
    const row = lb.explain[0]!;
    assert.ok(row.vipMovedMs !== null && row.expectedMs !== null, JSON.stringify(row));
    assert.ok(row.vipMovedMs >= row.expectedMs.lowMs - 60 && row.vipMovedMs <= row.expectedMs.highMs + 150, JSON.stringify(row));
    const log1 = await savedLog(run, 'lb-1');
    const log2 = await savedLog(run, 'lb-2');
    const added = log2.find((l) => vipAdded(lb.vip)(l) && l.atMs > at);
    assert.ok(added && log2.some((l) => l.source === 'vrrp' && /Entering MASTER STATE/.test(l.text) && l.atMs > at), 'lb-2 never became MASTER with the VIP');
    // Frozen, lb-1 neither removed the VIP nor said anything until the end of the load.
    const loadEndMs = lb.holders.at(-1)!.toMs;
    assert.ok(!log1.some((l) => vipDeleted(lb.vip)(l) && l.atMs > at && l.atMs < loadEndMs), 'the frozen lb-1 removed the VIP');
    const sb = lb.splitBrain.windows[0];
    assert.ok(sb && Math.abs(sb.fromMs - added.atMs) < 2, `split brain ${JSON.stringify(lb.splitBrain)} should start when lb-2 added the VIP (${added.atMs})`);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('lb-slow-app-instance', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-slow-app-instance.yaml');
  });

  it("HAProxy's check timed out on the slow app-2 and took it out within fall × (inter + timeout)", async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    const f = run.result.faults[0]!;
    assert.equal(f.kind, 'latency');
    assert.ok(f.container.endsWith('-app-2'));
    const row = lb.explain[0]!;
    assert.ok(row.removedMs !== null && row.removedMs !== undefined && row.expectedMs !== null, JSON.stringify(row));
    // Timed from the start of the injecting call: the rules went in somewhere before it returned.
    const callMs = f.injectReturnedAtMs - f.injectedAtMs;
    assert.ok(row.removedMs <= row.expectedMs.highMs + callMs + 200, `${JSON.stringify(row)} (call ${callMs} ms)`);
    const active = lb.holders.find((w) => w.fromMs <= f.injectedAtMs && w.toMs > f.injectedAtMs)!.nodes[0]!;
    const log = await savedLog(run, active);
    const down = log.find((l) => l.source === 'proxy' && /Server apps\/app-2 is DOWN/.test(l.text) && l.atMs > f.injectedAtMs);
    assert.ok(down, `${active}'s HAProxy never logged app-2 DOWN`);
    assert.ok(!log.some((l) => l.source === 'proxy' && /Server apps\/app-[13] is DOWN/.test(l.text) && l.atMs > f.injectedAtMs), 'a healthy instance was taken out');
    assert.ok(run.result.events.some((e) => e.marker === 'backend-down' && e.message.includes('app-2')));
    // HAProxy's own counters (stats socket, read in the node every 250 ms): all three served before the
    // fault; once app-2 was DOWN it was sent nothing while app-1 and app-3 took every request.
    const ps = lb.proxyServed;
    assert.ok(ps && ps.unit === 'requests' && ps.everyMs === 250, JSON.stringify(ps ?? null).slice(0, 200));
    const own = ps.samples.filter((x) => x.lb === active).sort((a, b) => a.atMs - b.atMs);
    const before = own.filter((x) => x.atMs > 0 && x.atMs < f.injectedAtMs);
    // A sample counts what was sent since the node's previous one: only those that began after the DOWN
    // (a loaded host spaced them 312 ms once, and the one after the DOWN began 6 ms before it).
    const afterDown = own.filter((x, i) => i > 0 && own[i - 1]!.atMs > down.atMs + 50);
    assert.ok(before.length >= 4 && afterDown.length >= 4, `${before.length} samples before the fault, ${afterDown.length} after app-2 DOWN`);
    for (const x of before) for (const app of ['app-1', 'app-2', 'app-3']) assert.ok((x.perBackend[app] ?? 0) > 0, `${app} sent nothing at ${x.atMs}: ${JSON.stringify(x)}`);
    for (const x of afterDown) {
      assert.equal(x.perBackend['app-2'], 0, `HAProxy still sent app-2 requests at ${x.atMs}`);
      assert.ok((x.perBackend['app-1'] ?? 0) > 0 && (x.perBackend['app-3'] ?? 0) > 0, JSON.stringify(x));
    }
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('the load through the forwarder on 127.0.0.1 (lb-kill-active-haproxy with reach: forwarder)', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    const shipped = await readFile('drills/lb-kill-active-haproxy.yaml', 'utf8');
    const edited = shipped.replace('name: lb-kill-active-haproxy', 'name: lb-kill-active-forwarder').replace('    proxy: haproxy\n', '    proxy: haproxy\n    reach: forwarder\n');
    assert.equal(edited.split('reach: forwarder').length, 2, 'the shipped drill changed: update this test');
    const file = path.join(await tempDir('lb-forwarder'), 'lb-kill-active-forwarder.yaml');
    await writeFile(file, edited);
    run = await runDrillFile(file, ['--keep-stack']);
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    if (run) await removeKeptRun(run.result.runId);
  });

  it('the forwarder, published on 127.0.0.1 only, relayed the load to the VIP, and the VIP move was still measured', async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    assert.equal(lb.reach, 'forwarder');
    const port = /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(lb.loadUrl)?.[1];
    assert.ok(port, `load entered at ${lb.loadUrl}`);
    assert.equal(lb.vipUrl, `http://${lb.vip}:80`);
    // The engine's own view of the forwarder: its one port published on 127.0.0.1 and nowhere else.
    const name = lb.containers.find((c) => c.role === 'lb-forwarder')!.name;
    const bindings = (await docker.getContainer(name).inspect()).HostConfig.PortBindings as Record<string, { HostIp: string; HostPort: string }[]>;
    assert.deepEqual(Object.values(bindings).flat(), [{ HostIp: '127.0.0.1', HostPort: port }]);
    // The forwarder's own log: the load's connections accepted (opened in the warm-up and kept alive), and
    // new ones relayed to the VIP after the kill (to lb-2 by then).
    const at = faultAt(run.result);
    const log = await savedLog(run, 'lb-forwarder');
    assert.ok(
      log.some((l) => l.text.startsWith(`forwarded `) && l.text.includes(` -> ${lb.vip}:80 `) && l.atMs < at),
      'no connection relayed to the VIP before the kill',
    );
    assert.ok(
      log.some((l) => l.text.startsWith(`forwarded `) && l.text.includes(` -> ${lb.vip}:80 `) && l.atMs > at),
      'no connection relayed to the VIP after the kill',
    );
    const row = lb.explain[0]!;
    assert.ok(row.vipMovedMs !== null && row.expectedMs !== null && row.vipMovedMs <= row.expectedMs.highMs + 150, JSON.stringify(row));
    assert.ok(run.result.measured!.rtoMs !== null && run.result.measured!.rtoMs > 0, 'the writes through the forwarder saw the failover');
  });

  it('leaves nothing behind once the kept stack is removed', async () => {
    await removeKeptRun(run.result.runId);
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});
