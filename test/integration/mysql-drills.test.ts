import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { assertRecoveryFloor } from './floor-helpers.js';
import { assertDirectReadBack } from './read-back.js';
import { docker, leftovers, requireEngine, runCli, runDrillFile, tempDir } from './helpers.js';

// The MySQL drills on the real engine with the offline MariaDB image, each with an assertion that would
// catch a wrong answer: lost writes against a direct read of the survivor, loss that must be detected.

function marker(result: ResultJson, name: string) {
  return result.events.find((e) => e.marker === name);
}

/** Ids in drill.writes on a node, read directly (root over the container's unix socket). */
function directIds(container: string): Set<number> {
  const out = execFileSync('docker', ['exec', container, 'mariadb', '-N', '-B', '-e', 'SELECT id FROM drill.writes'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return new Set(out.split('\n').filter(Boolean).map(Number));
}

describe('mysql-kill-primary (runbook failover), checked against a direct read of the survivor', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/mysql-kill-primary.yaml', ['--keep-stack']);
  });

  it('passes: the runbook promoted a replica and the app followed', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(run.code, 0);
    assert.equal(result.faults[0]!.container, result.stack.primaryBefore);
    const promote = marker(result, 'runbook-promote');
    const repoint = marker(result, 'runbook-repoint');
    assert.ok(promote && repoint, 'runbook steps missing from the timeline');
    assert.ok(promote.atMs >= result.faults[0]!.injectedAtMs + 1000, 'promote did not wait for the operator step');
    assert.ok(repoint.atMs >= promote.atMs);
    assert.notEqual(result.stack.primaryAfter, result.stack.primaryBefore);
    // Writes cannot succeed before the app was pointed at the new primary.
    assert.ok(result.measured!.recoveredAtMs! >= repoint.atMs - result.measured!.precisionMs, `recovered at ${result.measured!.recoveredAtMs} before the repoint at ${repoint.atMs}`);
  });

  it("puts the replicas' own log lines on the timeline: each lost its primary once after the kill, and the repointed one reconnected", async () => {
    const { result, resultPath } = run;
    const fault = result.faults[0]!;
    const fromLog = result.events.filter((e) => e.source === 'log');
    const lost = fromLog.filter((e) => e.marker === 'replica-link-lost');
    const replicas = result.stack.containers.filter((c) => c.role !== 'app' && c.name !== fault.container).length;
    assert.equal(new Set(lost.map((e) => e.log!.node)).size, replicas, `replicas that logged the loss: ${lost.map((e) => e.message).join(' | ')}`);
    for (const e of lost) {
      assert.ok(e.atMs >= fault.injectedAtMs, `${e.message} at ${e.atMs} ms, before the fault at ${fault.injectedAtMs} ms`);
      const file = result.files!.logs!.find((l) => l.node === e.log!.node)!.file;
      const line = (await readFile(path.join(path.dirname(resultPath), file), 'utf8')).split('\n')[e.log!.line - 1]!;
      assert.match(line, /Slave I\/O/);
    }
    // A retrying replica logs the loss every second; the timeline keeps one event per loss.
    for (const node of new Set(lost.map((e) => e.log!.node))) {
      const seq = fromLog.filter((e) => e.log!.node === node).map((e) => e.marker);
      for (let i = 1; i < seq.length; i++) assert.notEqual(seq[i], seq[i - 1], `${node}: ${seq.join(', ')}`);
    }
    const up = fromLog.find((e) => e.marker === 'replica-link-up' && e.atMs > marker(result, 'runbook-repoint')!.atMs - 1000);
    assert.ok(up, 'no replica logged its connection to the new primary');
  });

  it('reports the same data as a direct read of the new primary, and the other replica converged', () => {
    const { result } = run;
    const present = directIds(result.stack.primaryAfter!);
    assertDirectReadBack(result, present, 'the new primary');
    assert.ok(result.divergence, 'no divergence check');
    for (const replica of result.divergence.replicas) assert.ok(replica.converged, `${replica.name} diverged: ${JSON.stringify(replica)}`);
  });

  it('cleanup removes the kept stack', async () => {
    const cleanup = await runCli(['cleanup']);
    assert.equal(cleanup.code, 0, cleanup.stderr);
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('mysql-semisync-kill-primary', () => {
  it('loses no acknowledged write while semi-sync holds', async () => {
    await requireEngine();
    const { result, code } = await runDrillFile('drills/mysql-semisync-kill-primary.yaml');
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(code, 0);
    assert.equal(result.measured!.lostWrites, 0);
    assert.ok(result.measured!.ackedWrites > 1000);
    assert.deepEqual(await leftovers(result.runId), []);
  });
});

describe('mysql-async-lagging-replica-kill-primary', () => {
  it('detects and counts the writes lost by promoting a lagging replica, and fails RPO 0', async () => {
    await requireEngine();
    const { result, code, resultPath } = await runDrillFile('drills/mysql-async-lagging-replica-kill-primary.yaml');
    assert.equal(result.verdict, 'fail', result.reason ?? '');
    assert.equal(code, 1);
    const m = result.measured!;
    const fault = result.faults[0]!;
    // db-2 applies each write 3 s late: about the last 3 s of acknowledged writes (200/s) are lost.
    assert.ok(m.lostWrites! > 200 && m.lostWrites! < 1000, `lost ${m.lostWrites} writes, expected ≈ 600`);
    // Every lost write was acknowledged by db-1 before it died (the engine's exit time of it), give or
    // take the replies already on their way through the app (500 ms on a busy host), and within the ~3 s lag.
    const exit = result.events.find((e) => e.marker === 'container-exit' && e.message.startsWith(fault.container));
    assert.ok(exit, 'no engine exit time of the killed primary on the timeline');
    assert.ok(m.lost.ackSpanMs && m.lost.ackSpanMs.lastMs <= exit.atMs + 500, `a lost write was acked at ${m.lost.ackSpanMs?.lastMs}, after ${fault.container} exited at ${exit.atMs}`);
    assert.ok(m.lost.ackSpanMs.firstMs > fault.injectedAtMs - 4500, `lost writes start at ${m.lost.ackSpanMs.firstMs}, more than the lag before the kill`);
    // MASTER_DELAY compares whole-second binlog stamps, so db-2 applies a write 2–3 s after it was acknowledged,
    // and goes on applying until the promotion stops it: the RPO is up to 1 s + that much under 3 s (a CI run: 1,979.8 ms).
    const promote = marker(result, 'runbook-promote');
    assert.ok(promote, 'no promotion on the timeline');
    const lowestMs = 3000 - 1000 - (promote.atMs - fault.injectedAtMs);
    assert.ok(m.rpoMs! > lowestMs && m.rpoMs! < 4500, `RPO ${m.rpoMs} ms for a replica 3 s behind (at least ${lowestMs} ms expected)`);
    const objective = result.objectives.find((o) => o.name === 'lostWrites')!;
    assert.equal(objective.met, false);
    // writes.csv beside result.json has every write, so every lost one (result.json lists the first 20).
    const rows = (await readFile(path.join(path.dirname(resultPath), 'writes.csv'), 'utf8')).trim().split('\n');
    assert.equal(rows[0], 'id,invokeMs,completeMs,outcome,found');
    assert.equal(rows.length - 1, m.totalWrites);
    const lost = rows.filter((r) => r.endsWith(',ok,0')).map((r) => Number(r.split(',')[0]));
    assert.equal(lost.length, m.lostWrites);
    for (const first of m.lost.firstIds) assert.ok(lost.includes(first.id), `lost write ${first.id} is in writes.csv as lost`);
    assert.deepEqual(await leftovers(result.runId), []);
  });
});

describe('mysql-kill-primary-auto (drill’s detector runs the runbook)', () => {
  it('detects the dead primary, fails over by itself, and the RTO includes detection', async () => {
    await requireEngine();
    const { result, code } = await runDrillFile('drills/mysql-kill-primary-auto.yaml');
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(code, 0);
    const fault = result.faults[0]!;
    const detection = marker(result, 'detection');
    const promote = marker(result, 'runbook-promote');
    assert.ok(detection && promote, 'no detection/promotion on the timeline');
    // 3 failed checks at 200 ms intervals: detection cannot come before ~400 ms after the kill.
    assert.ok(detection.atMs - fault.injectedAtMs >= 350, `detected ${detection.atMs - fault.injectedAtMs} ms after the kill`);
    assert.ok(result.measured!.rtoMs! >= detection.atMs - fault.injectedAtMs);
    assert.equal(result.measured!.lostWrites, 0);
  });
});

describe('a wrong runbook', () => {
  before(requireEngine);

  it('promoting the killed primary ends in a clear error (exit 3) and a clean teardown', async () => {
    const dir = await tempDir('wrong-runbook');
    const source = (await readFile('drills/mysql-kill-primary.yaml', 'utf8')).replace('candidate: most-advanced', 'candidate: db-1');
    const file = path.join(dir, 'wrong.yaml');
    await writeFile(file, source);
    const run = await runCli(['run', file, '--out', path.join(dir, 'out'), '--json']);
    assert.equal(run.code, 3, run.stderr.slice(-2000));
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { resultPath: string };
    const result = JSON.parse(await readFile(summary.resultPath, 'utf8')) as ResultJson;
    assert.equal(result.verdict, 'error');
    assert.match(result.reason ?? '', /cannot promote db-1/);
    assert.deepEqual(await leftovers(result.runId), []);
    assert.equal((await docker.listContainers({ all: true, filters: { label: [`drill.run-id=${result.runId}`] } })).length, 0);
  });

  it('promoting a replica that does not exist is refused before anything starts (exit 2)', async () => {
    const dir = await tempDir('wrong-runbook-2');
    const source = (await readFile('drills/mysql-kill-primary.yaml', 'utf8')).replace('candidate: most-advanced', 'candidate: db-9');
    const file = path.join(dir, 'wrong.yaml');
    await writeFile(file, source);
    const run = await runCli(['run', file]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /db-9/);
    assert.match(run.stderr, /wrong\.yaml:\d+:\d+: steps\[\d\]\.candidate/);
  });
});

describe('mysql-partition-primary (primary cut off from replicas, app and drill’s detector)', () => {
  it('verifies the partition, fails over by detection, heals, and reports the old primary’s divergence', async () => {
    await requireEngine();
    const { result, resultPath } = await runDrillFile('drills/mysql-partition-primary.yaml');
    assert.ok(result.verdict === 'pass' || result.verdict === 'fail', `${result.verdict}: ${result.reason}`);
    const fault = result.faults[0]!;
    assert.equal(fault.kind, 'partition');
    assert.equal(fault.mechanism, 'iptables');
    assert.match(fault.verified ?? '', /db-1 → db-2:3306 \(timeout/);
    assert.ok(fault.healedAtMs !== undefined && Math.abs(fault.healedAtMs - fault.injectReturnedAtMs - 6000) < 1000, `healed at ${fault.healedAtMs}`);
    const detection = marker(result, 'detection');
    assert.ok(detection && detection.atMs > fault.injectedAtMs, 'the detector did not lose the primary: the runner was not cut off');
    assert.notEqual(result.stack.primaryAfter, result.stack.primaryBefore);
    // The app's first connection to the new primary bounds recovery below: the old one was cut off from it.
    assert.deepEqual(fault.groups?.[0], [result.stack.primaryBefore]);
    const floor = await assertRecoveryFloor(resultPath, result, fault.effectByMs ?? fault.injectReturnedAtMs);
    assert.equal(floor.why, `app-1 logged "primary pool connected to ${result.stack.primaryAfter!}"`);
    // The old primary is back after the heal, unfenced: it is compared with the new primary, not hidden.
    const old = result.divergence?.replicas.find((r) => r.name === result.stack.primaryBefore);
    assert.ok(old, `no divergence entry for the old primary: ${JSON.stringify(result.divergence)}`);
    assert.equal(old.converged, false);
    assert.ok(old.missingWrites > 0, 'the old primary should miss the writes made after the failover');
    assert.deepEqual(await leftovers(result.runId), []);
  });
});
