import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { leftovers, requireEngine, runCli, tempDir } from './helpers.js';
import type { NotificationBody } from '../../src/outputs/notify-body.js';
import { startReceiver, type ReceivedRequest } from './notify-receiver.js';

// The walking skeleton, end to end: the shipped drill on the real engine, real Redis replication and
// Sentinel, real load. Asserts the numbers against Sentinel's own evidence, not against constants.

describe('drill run drills/redis-sentinel-kill-master.yaml', () => {
  let result: ResultJson;
  let exitCode: number | null;
  let stdoutJson: { runId: string; verdict: string; reportPath: string; resultPath: string };
  let notified: ReceivedRequest[];

  before(async () => {
    await requireEngine();
    const out = await tempDir('kill-master');
    // --notify-url on a real run, to a receiver on 127.0.0.1 (notify.test.ts covers the failure paths).
    const receiver = await startReceiver('ok');
    const run = await runCli(['run', 'drills/redis-sentinel-kill-master.yaml', '--out', out, '--json', '--notify-url', receiver.url], { timeoutMs: 240_000 });
    await receiver.close();
    notified = receiver.requests;
    exitCode = run.code;
    assert.ok(run.stdout.trim(), `no JSON summary on stdout; stderr:\n${run.stderr.slice(-4000)}`);
    stdoutJson = JSON.parse(run.stdout.trim().split('\n').pop()!);
    result = JSON.parse(await readFile(stdoutJson.resultPath, 'utf8')) as ResultJson;
  });

  it('passes its objectives and exits 0 (or says why not)', () => {
    assert.equal(result.verdict, 'pass', `verdict ${result.verdict}: ${result.reason}\nnotes: ${result.measured?.notes.join(' | ')}`);
    assert.equal(exitCode, 0);
    assert.equal(stdoutJson.verdict, 'pass');
  });

  it('killed the master that Sentinel named, and Sentinel promoted the replica', () => {
    assert.equal(result.faults.length, 1);
    const fault = result.faults[0]!;
    assert.equal(fault.kind, 'kill');
    assert.equal(fault.target, 'primary');
    assert.equal(fault.container, result.stack.primaryBefore);
    assert.ok(result.stack.primaryAfter, 'no primary after the drill');
    assert.notEqual(result.stack.primaryAfter, result.stack.primaryBefore, 'the primary did not change');
    assert.ok(Math.abs(fault.injectedAtMs - 3000) < 200, `fault injected at ${fault.injectedAtMs} ms, declared at 3000 ms`);
  });

  it('measures an RTO consistent with Sentinel’s own failover timeline', (t) => {
    const m = result.measured!;
    const fault = result.faults[0]!;
    const switchMaster = result.events.find((e) => e.source === 'sentinel' && e.marker === 'switch-master' && e.atMs > fault.injectedAtMs);
    const promotion = result.events.find((e) => e.source === 'sentinel' && e.marker === 'failover-state-send-slaveof-noone');
    assert.ok(switchMaster, 'no +switch-master from Sentinel on the timeline');
    assert.ok(promotion, 'no promotion (send-slaveof-noone) from Sentinel on the timeline');
    assert.ok(m.rtoMs !== null && m.recoveredAtMs !== null, `not recovered: ${m.notes.join(' | ')}`);
    // The killed master accepts nothing, and the replica is read-only until Sentinel promotes it:
    // writes cannot have recovered before the promotion was sent.
    assert.ok(m.recoveredAtMs >= promotion.atMs - m.precisionMs, `recovered at ${m.recoveredAtMs} ms, before the promotion at ${promotion.atMs} ms`);
    // The app follows +switch-master (failoverDetector): recovery should come soon after it.
    assert.ok(m.recoveredAtMs <= switchMaster.atMs + 3000, `recovered at ${m.recoveredAtMs} ms, >3 s after +switch-master at ${switchMaster.atMs} ms`);
    // Sentinel needs at least down-after (1000 ms) to even suspect the master.
    assert.ok(m.rtoMs >= 1000, `RTO ${m.rtoMs} ms is shorter than Sentinel's down-after`);
    assert.ok(m.downtimeMs !== null && m.downtimeMs <= m.rtoMs + m.precisionMs);
    // Precision is stated, and made of its parts: write gap + timer resolution + the fault instant's bound.
    // On a local engine, as root, drill sends the SIGKILL itself between two clock readings (the engine's
    // own call is the fallback, bounded by its `kill` event: test/unit/faults-instant.test.ts): the bound is
    // that span, and the engine saw the container exit after it, never before.
    assert.match(fault.effectEvidence ?? '', /^SIGKILL sent by drill to the container's main process \(host pid \d+\) between two clock readings$/);
    assert.equal(fault.effectFromMs, fault.injectedAtMs);
    assert.equal(fault.effectByMs, fault.injectReturnedAtMs);
    assert.equal(m.faultAtMs, fault.injectedAtMs);
    const boundMs = fault.effectByMs - fault.effectFromMs;
    const exit = result.events.find((e) => e.marker === 'container-exit' && e.message.startsWith(fault.container));
    assert.ok(exit, 'no engine exit time of the killed container on the timeline');
    // FinishedAt is the engine's (same host clock, read to the ms here: 1 ms + the clock mapping's slack).
    assert.ok(exit.atMs >= fault.effectFromMs - 1.5, `the engine saw ${fault.container} exit at ${exit.atMs} ms, before drill signalled it at ${fault.effectFromMs} ms`);
    assert.ok(exit.atMs - fault.effectByMs < 1000, `${fault.container} exited ${exit.atMs - fault.effectByMs} ms after its SIGKILL`);
    assert.ok(Math.abs(m.precision!.injectMs - boundMs) < 0.1, `precision's fault part ${m.precision!.injectMs} ms vs the bound ${boundMs} ms`);
    const { gapMs, timerResolutionMs, queueMs = 0 } = m.precision!;
    assert.ok(
      Math.abs(m.precisionMs - (gapMs + timerResolutionMs + boundMs + queueMs)) <= 0.2,
      `precision ${m.precisionMs} ms ≠ gap ${gapMs} + timer ${timerResolutionMs} + fault bound ${boundMs} + queued ack ${queueMs} ms`,
    );
    t.diagnostic(
      `fault instant bound ${boundMs.toFixed(3)} ms; exit seen ${(exit.atMs - fault.effectByMs).toFixed(1)} ms after it; precision ± ${m.precisionMs} ms (gap ${gapMs} ms from ${m.precision!.gapFrom})`,
    );
  });

  it('judges the availability its recovery implies: MTBF / (MTBF + RTO) against the declared floor', () => {
    const o = result.objectives.find((x) => x.name === 'availability');
    assert.ok(o, 'no availability objective');
    const mtbfMs = 90 * 86_400_000;
    const expected = (100 * mtbfMs) / (mtbfMs + result.measured!.rtoMs!);
    assert.ok(Math.abs(o.measured! - expected) < 1e-7, `availability ${o.measured} %, by hand ${expected} %`);
    assert.deepEqual([o.declared, o.bound, o.state], [99.999, 'min', expected >= 99.999 ? 'met' : 'missed']);
  });

  it('accounts for every write sent', () => {
    const m = result.measured!;
    assert.equal(m.ackedWrites + m.failedWrites + m.unknownWrites, m.totalWrites);
    assert.equal(m.totalWrites, result.load.sentWrites);
    assert.ok(m.failedWrites + m.unknownWrites > 0, 'the kill caused no failed write at all');
    // Open-loop at 300/s over warm-up (3 s) + load (15 s): the offered load is the declared rate.
    const expected = (result.load.rate * (result.load.warmupMs + result.load.durationMs)) / 1000;
    assert.ok(Math.abs(m.totalWrites - expected) / expected < 0.1, `sent ${m.totalWrites} writes, expected ≈ ${expected}`);
    assert.ok(m.lostWrites !== null && m.unexpectedWrites === 0 && m.recoveredWrites !== null, 'verification did not run');
    assert.ok(m.lostWrites <= m.ackedWrites);
    const bucketTotal = result.timeline.buckets.reduce((s, b) => s + b.ok + b.fail + b.unknown, 0);
    assert.equal(bucketTotal, m.totalWrites, 'the timeline does not add up to the history');
  });

  it('writes report.html next to result.json, and reports/latest points at the run', async () => {
    const html = await readFile(path.join(path.dirname(stdoutJson.resultPath), 'report.html'), 'utf8');
    const { realpath } = await import('node:fs/promises');
    const runDir = path.dirname(stdoutJson.resultPath);
    assert.equal(await realpath(path.join(path.dirname(runDir), 'latest')), await realpath(runDir));
    assert.match(html, /PASS/);
    assert.match(html, /<svg/);
    assert.ok(html.includes(result.drill.name));
  });

  it('posts the verdict to --notify-url once, after the reports are written', async () => {
    assert.equal(notified.length, 1, 'exactly one POST');
    const body = JSON.parse(notified[0]!.body) as NotificationBody;
    assert.equal(body.drill.runId, result.runId);
    assert.equal(body.drill.verdict, result.verdict);
    assert.equal(body.drill.measured?.rtoMs, result.measured!.rtoMs);
    assert.equal(body.drill.resultPath, path.resolve(stdoutJson.resultPath));
    assert.match(body.text, new RegExp(`^${result.verdict.toUpperCase()}  ${result.drill.name}: RTO `));
    const reportWrittenMs = (await stat(body.drill.reportPath!)).mtimeMs;
    assert.ok(reportWrittenMs <= notified[0]!.receivedAtMs, 'the notification came before report.html was written');
  });

  it("saves every node's log and links the system's events to the lines they came from", async () => {
    const dir = path.dirname(stdoutJson.resultPath);
    const logs = result.files?.logs ?? [];
    for (const c of result.stack.containers)
      assert.ok(
        logs.some((l) => l.container === c.name && l.lines > 0),
        `no log saved for ${c.name}`,
      );
    const lineOf = async (ref: { node: string; line: number }) => {
      const file = logs.find((l) => l.node === ref.node)!.file;
      return (await readFile(path.join(dir, file), 'utf8')).split('\n')[ref.line - 1] ?? '';
    };
    // Sentinel's +sdown heard live over Pub/Sub is the line that Sentinel logged, within the linking window.
    const sdowns = result.events.filter((e) => e.marker === 'sdown' && e.log);
    assert.ok(sdowns.length >= 2, `sdown events linked to a log line: ${sdowns.length}`);
    for (const e of sdowns) {
      const line = await lineOf(e.log!);
      // The whole event as published ("+sdown master drill 172.20.0.2 6379") is what the line says.
      assert.ok(line.endsWith(e.message.slice(e.message.indexOf(': ') + 2)), `${e.message} → ${line}`);
      const stampMs = Date.parse(line.slice(0, line.indexOf(' ')));
      assert.ok(Math.abs(stampMs - (result.clockOriginEpochMs + e.atMs)) < 2000, `log line at ${line.slice(0, 30)}, event at ${e.atMs} ms`);
    }
    // The surviving replica's own words: it lost its master after the kill, then became master.
    const fault = result.faults[0]!;
    const lost = result.events.find((e) => e.source === 'log' && e.marker === 'replica-link-lost' && e.atMs >= fault.injectedAtMs);
    const promoted = result.events.find((e) => e.source === 'log' && e.marker === 'node-promoted');
    assert.ok(lost && promoted, 'the replica did not log the lost master and its promotion');
    assert.match(await lineOf(lost.log!), /Connection with master lost/);
    assert.match(await lineOf(promoted.log!), /MASTER MODE enabled/);
    assert.ok(promoted.atMs > lost.atMs);
    // The whole write history is saved and linked: one line per write sent.
    assert.equal(result.files?.writes?.writes, result.measured!.totalWrites);
    const csv = (await readFile(path.join(dir, result.files.writes.file), 'utf8')).trim().split('\n');
    assert.equal(csv.length - 1, result.measured!.totalWrites);
  });

  it('leaves nothing labelled behind', async () => {
    assert.deepEqual(await leftovers(result.runId), []);
  });
});
