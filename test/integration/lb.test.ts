import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { assertPass, faultAt, lbOf, savedLog, stampedLog, type Run } from './lb-helpers.js';
import { leftovers, requireEngine, runDrillFile, tempDir } from './helpers.js';

// The front-door drills (lb-vip layer): real HAProxy/Nginx and Keepalived on two LB nodes, the load
// through the VIP. Each test checks the layer's claims against the nodes' own logs as saved with the run
// (keepalived's "Entering MASTER STATE", HAProxy's "is DOWN", ip monitor's address lines), not only
// against the layer's own arithmetic.

describe('lb-kill-active-haproxy', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-kill-active-haproxy.yaml');
  });

  it('sent the load through the VIP and moved the VIP to the backup within the VRRP bound', async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    assert.match(lb.loadUrl, new RegExp(`^http://${lb.vip.replaceAll('.', '\\.')}:80$`));
    assert.equal(run.result.faults[0]!.container.endsWith('-lb-1'), true, 'active-lb resolved to lb-1 (priority 150)');
    const row = lb.explain[0]!;
    assert.ok(row.vipMovedMs !== null && row.expectedMs !== null);
    // 3 × 100 ms + skew ≈ 361 ms; the window allows one advert either way plus the kill's own width.
    assert.ok(row.vipMovedMs >= row.expectedMs.lowMs - 60 && row.vipMovedMs <= row.expectedMs.highMs + 150, JSON.stringify(row));
    // The backup's own log: keepalived entered MASTER and the VIP appeared in its namespace after the kill.
    const log = await stampedLog(run, 'lb-2');
    const master = log.find((l) => l.source === 'vrrp' && /Entering MASTER STATE/.test(l.text) && l.atMs > faultAt(run.result));
    const added = log.find((l) => l.source === 'addr' && l.text.includes(` inet ${lb.vip}/`) && !l.text.startsWith('Deleted') && l.atMs > faultAt(run.result));
    assert.ok(master && added, 'lb-2 never became MASTER or never got the VIP after the kill');
    assert.ok(Math.abs(added.atMs - faultAt(run.result) - row.vipMovedMs) < 2, `layer said ${row.vipMovedMs} ms, lb-2's ip monitor ${added.atMs - faultAt(run.result)} ms`);
    // The engine's exit of lb-1 is on the fault: the recovery floor at lb-2's request counts from it, and holds.
    const f = run.result.faults[0]!;
    assert.ok(f.goneByMs !== undefined && f.goneByMs >= f.injectedAtMs, JSON.stringify(f));
    const floor = run.result.measured!.recoveryFloor;
    assert.ok(floor, `no recovery floor: ${run.result.measured!.notes.join(' | ')}`);
    assert.notEqual(floor.effect, 'contradicted', run.result.measured!.notes.join(' | '));
  });

  it('put keepalived and the VIP on the timeline, and spread the load over the three apps', () => {
    const markers = run.result.events.map((e) => e.marker);
    assert.ok(markers.includes('vrrp-state') && markers.includes('vip-holder'), 'no VRRP or VIP event on the timeline');
    const lb = lbOf(run.result);
    const before = lb.served.filter((s) => s.atMs < faultAt(run.result) && s.atMs > 0);
    assert.ok(before.length > 0, 'no per-backend sample before the fault');
    for (const s of before) for (const b of lb.backends) assert.ok((s.perBackend[b] ?? 0) > 50, `${b} answered ${s.perBackend[b]} req/s at ${s.atMs}: round robin over 3 at 300/s is ~100`);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('lb-kill-proxy-process-tracked', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-kill-proxy-process-tracked.yaml');
  });

  it('killed HAProxy alone; the track_script put lb-1 in FAULT and lb-2 took the VIP', async () => {
    assertPass(run);
    const f = run.result.faults[0]!;
    assert.equal(f.kind, 'kill-process');
    const lb = lbOf(run.result);
    const log1 = await stampedLog(run, 'lb-1');
    const fault = log1.find((l) => l.source === 'vrrp' && /Entering FAULT STATE|entering FAULT state/.test(l.text) && l.atMs > faultAt(run.result));
    assert.ok(fault, 'lb-1 never went to FAULT after its proxy died');
    // keepalived itself lived on in lb-1: it logged the FAULT, and the container was still running.
    assert.ok(lb.vrrp.some((v) => v.node === 'lb-1' && v.state === 'FAULT'));
    const row = lb.explain[0]!;
    assert.ok(row.vipMovedMs !== null && row.expectedMs !== null && row.vipMovedMs <= row.expectedMs.highMs + 150, JSON.stringify(row));
  });

  it("floors recovery at lb-2's own request to add the VIP, and no write was answered before it", async () => {
    const lb = lbOf(run.result);
    const m = run.result.measured!;
    const f = run.result.faults[0]!;
    const origin = run.result.clockOriginEpochMs;
    // strace's stamp of keepalived's request in lb-2's saved log, and ip monitor's line of the address it made.
    const log2 = await savedLog(run, 'lb-2');
    const request = log2
      .map((l) => new RegExp(`drill-trace (\\d+) RTM_NEWADDR ${lb.vip.replaceAll('.', '\\.')}$`).exec(l.text))
      .map((x) => (x ? Number(x[1]) / 1000 - origin : null))
      .find((atMs): atMs is number => atMs !== null && atMs > f.injectReturnedAtMs);
    const added = log2.find((l) => l.source === 'addr' && l.text.includes(` inet ${lb.vip}/`) && !l.text.startsWith('Deleted') && l.atMs > f.injectReturnedAtMs);
    assert.ok(request !== undefined && added, "no traced request or no ip monitor line of lb-2's VIP after the fault");
    assert.ok(request <= added.atMs, `the request at ${request} ms came after ip monitor saw the address at ${added.atMs} ms`);
    const floor = m.recoveryFloor;
    assert.ok(floor, `no recovery floor: ${m.notes.join(' | ')}`);
    assert.match(floor.why, /^lb-2's keepalived asked the kernel to add the VIP .* \(strace\)$/);
    assert.ok(Math.abs(floor.atMs - request) < 1.5, `floor ${floor.atMs} ms, lb-2's own stamp ${request} ms`);
    assert.notEqual(floor.effect, 'contradicted');
    // The floor's claim against the saved histories: no write sent after pgrep found no proxy left was answered before it.
    const dir = path.dirname(run.resultPath);
    const floorAtMs = floor.atMs;
    for (const file of ['writes.csv', 'probe-writes.csv']) {
      const rows = (await readFile(path.join(dir, file), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const early: string[][] = rows.filter((c) => Number(c[1]) > f.injectReturnedAtMs && c[3] === 'ok' && Number(c[2]) < floorAtMs);
      assert.deepEqual(early.slice(0, 3), [], `${file}: answered before the floor`);
    }
    if (floor.effect === 'narrowed') assert.ok(m.recoveredAtMs! >= floor.atMs, `recovered at ${m.recoveredAtMs} ms, before the floor`);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('lb-kill-proxy-process-untracked (expected to fail its RTO)', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-kill-proxy-process-untracked.yaml');
  });

  it('fails with exit 1: the VIP stayed on the node without a proxy and the black hole is measured', async () => {
    assert.equal(run.code, 1, run.stderr.slice(-2000));
    assert.equal(run.result.verdict, 'fail');
    const m = run.result.measured!;
    assert.equal(m.rtoMs, null, 'writes cannot recover while the VIP leads to a dead proxy');
    const lb = lbOf(run.result);
    assert.equal(lb.explain[0]!.vipMovedMs, null);
    assert.ok(!lb.vrrp.some((v) => v.atMs > faultAt(run.result)), 'keepalived changed state, yet nothing tracked the proxy');
    // Independently of the layer: lb-2's log has no MASTER after the fault, and lb-1's proxy said nothing more.
    const log2 = await stampedLog(run, 'lb-2');
    assert.ok(!log2.some((l) => /Entering MASTER STATE/.test(l.text) && l.atMs > faultAt(run.result)));
    // The black hole, from the saved write history: nearly every write sent after the fault failed (refused
    // by the node that holds the VIP without a proxy behind it).
    const csv = await readFile(path.join(path.dirname(run.resultPath), 'writes.csv'), 'utf8');
    const after = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter((c) => Number(c[1]) >= faultAt(run.result) + 100);
    assert.ok(after.length > 1000, `only ${after.length} writes after the fault`);
    const ok = after.filter((c) => c[3] === 'ok').length;
    assert.ok(ok <= after.length * 0.01, `${ok} of ${after.length} writes sent after the fault succeeded`);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('lb-kill-app-instance', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-kill-app-instance.yaml');
  });

  it('HAProxy marked app-2 DOWN within inter × fall, and app-2 stopped serving', async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    const row = lb.explain[0]!;
    assert.ok(row.removedMs !== null && row.removedMs !== undefined && row.expectedMs !== null, JSON.stringify(row));
    assert.ok(row.removedMs >= row.expectedMs.lowMs - 50 && row.removedMs <= row.expectedMs.highMs + 200, JSON.stringify(row));
    const active = lb.holders.find((w) => w.fromMs <= faultAt(run.result) && w.toMs > faultAt(run.result))!.nodes[0]!;
    const log = await stampedLog(run, active);
    assert.ok(
      log.some((l) => l.source === 'proxy' && /Server apps\/app-2 is DOWN/.test(l.text) && l.atMs > faultAt(run.result)),
      `${active}'s HAProxy never logged app-2 DOWN`,
    );
    assert.ok(run.result.events.some((e) => e.marker === 'backend-down'));
    const later = lb.served.filter((s) => s.atMs > faultAt(run.result) + 1500);
    assert.ok(later.length > 0 && later.every((s) => s.perBackend['app-2'] === null), 'app-2 still answered after it was killed');
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('lb-vrrp-split-brain', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/lb-vrrp-split-brain.yaml');
  });

  it('measured both nodes holding the VIP while they were cut off, from each namespace', async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    const f = run.result.faults[0]!;
    // The stack is up once the first election is quiet: no split brain before the cut (a CI run had lb-2
    // join for 105 ms at the load's start when one poll of the holders was taken for the end of it).
    assert.deepEqual(
      lb.splitBrain.windows.filter((x) => x.fromMs <= faultAt(run.result)),
      [],
      'split brain before the fault',
    );
    assert.ok(lb.splitBrain.windows.length >= 1, 'no split brain measured');
    const w = lb.splitBrain.windows[0]!;
    // Starts ≈ 3 × advert_int + skew after the cut and ends after the heal began (lb-2 hears lb-1 again).
    assert.ok(w.fromMs > faultAt(run.result) && w.fromMs - faultAt(run.result) < 1000, JSON.stringify(w));
    assert.ok(w.toMs >= f.healedAtMs! && w.toMs - f.healedAtMs! < 1500, `${JSON.stringify(w)} heal at ${f.healedAtMs}`);
    // Each namespace's own log: lb-2 added the VIP inside the window while lb-1 never removed it.
    const log1 = await stampedLog(run, 'lb-1');
    const log2 = await stampedLog(run, 'lb-2');
    assert.ok(log2.some((l) => l.source === 'addr' && !l.text.startsWith('Deleted') && l.text.includes(lb.vip) && Math.abs(l.atMs - w.fromMs) < 2));
    assert.ok(!log1.some((l) => l.source === 'addr' && l.text.startsWith('Deleted') && l.atMs > faultAt(run.result) && l.atMs < w.toMs));
    assert.ok(run.result.events.some((e) => e.marker === 'split-brain'));
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('nginx-kill-active', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/nginx-kill-active.yaml');
  });

  it('ran Nginx on the LB nodes and moved the VIP within the VRRP bound', async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    assert.equal(lb.proxy, 'nginx');
    const log = await stampedLog(run, 'lb-2');
    assert.ok(!log.some((l) => l.source === 'proxy' && /\[emerg\]/.test(l.text)), 'nginx refused its configuration');
    const row = lb.explain[0]!;
    assert.ok(row.vipMovedMs !== null && row.expectedMs !== null && row.vipMovedMs <= row.expectedMs.highMs + 150, JSON.stringify(row));
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('mariadb-haproxy-kill-primary', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/mariadb-haproxy-kill-primary.yaml');
  });

  it('moved the writes to the promoted node through HAProxy, without a repoint', async () => {
    assertPass(run);
    const lb = lbOf(run.result);
    assert.equal(lb.front, 'database');
    assert.deepEqual(lb.backends, ['db-1', 'db-2']);
    assert.ok(!run.result.events.some((e) => e.marker === 'runbook-repoint'), 'the drill repointed the app');
    const promoted = run.result.events.find((e) => e.marker === 'runbook-promote');
    assert.ok(promoted, 'no promotion on the timeline');
    // The active node's HAProxy put db-2 in only after the promotion made it writable (its own log).
    const active = lb.holders.find((w) => w.fromMs <= faultAt(run.result) && w.toMs > faultAt(run.result))!.nodes[0]!;
    const log = await stampedLog(run, active);
    const up = log.find((l) => l.source === 'proxy' && /Server dbs\/db-2 is UP/.test(l.text) && l.atMs > faultAt(run.result));
    assert.ok(up, `${active}'s HAProxy never put db-2 in`);
    assert.ok(up.atMs > promoted.atMs, `db-2 UP at ${up.atMs} before the promotion at ${promoted.atMs}`);
    // The writes recovered after db-2 came in, not before (the app's only path to the data is the VIP).
    const m = run.result.measured!;
    assert.ok(m.recoveredAtMs !== null && m.recoveredAtMs >= up.atMs - m.precisionMs - 5, `recovered at ${m.recoveredAtMs}, db-2 UP at ${up.atMs}`);
    // The check that put db-2 in stamped its pass before HAProxy said so: the recovery floor, and it holds.
    const passes = (await savedLog(run, active)).filter((l) => /drill-check \d+ db-2 pass$/.test(l.text));
    const pass = passes
      .map((l) => Number(/drill-check (\d+)/.exec(l.text)![1]) / 1000 - run.result.clockOriginEpochMs)
      .filter((atMs) => atMs <= up.atMs)
      .at(-1);
    assert.ok(pass !== undefined && pass > promoted.atMs, `no pass of db-2 on ${active} between the promotion and its UP line`);
    const floor = m.recoveryFloor;
    assert.ok(floor, `no recovery floor: ${m.notes.join(' | ')}`);
    assert.equal(floor.why, `${active}'s HAProxy check of db-2 passed the 2nd time in a row (read_only = 0)`);
    assert.ok(Math.abs(floor.atMs - pass) < 1.5, `floor ${floor.atMs} ms, ${active}'s last pass before its UP line ${pass} ms`);
    assert.notEqual(floor.effect, 'contradicted', m.notes.join(' | '));
    const goneBy = run.result.faults[0]!.goneByMs!;
    for (const file of ['writes.csv', 'probe-writes.csv']) {
      const rows = (await readFile(path.join(path.dirname(run.resultPath), file), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const early: string[][] = rows.filter((c) => Number(c[1]) > goneBy && c[3] === 'ok' && Number(c[2]) < floor.atMs);
      assert.deepEqual(early.slice(0, 3), [], `${file}: answered before the floor`);
    }
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('kill only keepalived on the active node (lb-kill-active-haproxy with fault: kill-process, process: keepalived)', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    const shipped = await readFile('drills/lb-kill-active-haproxy.yaml', 'utf8');
    const edited = shipped
      .replace('name: lb-kill-active-haproxy', 'name: lb-kill-keepalived')
      .replace('    fault: kill\n    target: active-lb', '    fault: kill-process\n    target: active-lb\n    process: keepalived');
    assert.notEqual(edited, shipped, 'the shipped drill changed: update this test');
    const file = path.join(await tempDir('lb-keepalived'), 'lb-kill-keepalived.yaml');
    await writeFile(file, edited);
    run = await runDrillFile(file);
  });

  it('the backup takes the VIP, and the killed keepalived leaves it behind on lb-1: both hold it', async () => {
    const lb = lbOf(run.result);
    assert.equal(run.result.faults[0]!.process, 'keepalived');
    const row = lb.explain[0]!;
    // keepalived died somewhere inside the kill-process call (a docker exec: up to hundreds of ms on a
    // busy engine), and the move is counted from the call's start: the bound carries the call's width.
    const fault = run.result.faults[0]!;
    const callMs = (fault.effectByMs ?? fault.injectReturnedAtMs) - (fault.effectFromMs ?? fault.injectedAtMs);
    assert.ok(row.vipMovedMs !== null && row.expectedMs !== null && row.vipMovedMs <= row.expectedMs.highMs + callMs + 150, `${JSON.stringify(row)}; the kill call took ${callMs} ms`);
    // SIGKILL gives keepalived no chance to remove its address: lb-1's namespace never logged it deleted.
    const log1 = await stampedLog(run, 'lb-1');
    assert.ok(!log1.some((l) => l.source === 'addr' && l.text.startsWith('Deleted') && l.atMs > faultAt(run.result)));
    assert.ok(lb.splitBrain.totalMs > 0, 'both nodes should hold the VIP after keepalived died on lb-1');
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});
