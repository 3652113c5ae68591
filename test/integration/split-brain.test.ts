import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ID_RANGE_PER_TARGET } from '../../src/load/multi-load.js';
import { leftovers, requireEngine, runDrillFile } from './helpers.js';

// Split brain on Redis: the old master and app-2 on one side of a partition, the replica(s), the
// Sentinels and app-1 on the other. Writes app-2 gets acknowledged by the old master are lost when it
// rejoins as a replica. The mitigated variant (min-replicas-to-write) refuses them instead.

describe('redis split brain', () => {
  let plain: Awaited<ReturnType<typeof runDrillFile>>;
  let mitigated: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    plain = await runDrillFile('drills/redis-split-brain.yaml');
    mitigated = await runDrillFile('drills/redis-split-brain-min-replicas.yaml');
  });

  it('counts the writes acknowledged by the isolated old master after the fault, and fails RPO 0', () => {
    const { result, code } = plain;
    assert.equal(result.verdict, 'fail', result.reason ?? '');
    assert.equal(code, 1);
    const fault = result.faults[0]!;
    assert.equal(fault.kind, 'partition');
    assert.ok(fault.healedAtMs !== undefined, 'the partition was never healed');
    assert.ok(
      result.events.some((e) => e.marker === 'switch-master' && e.atMs > fault.injectedAtMs && e.atMs < fault.healedAtMs!),
      'Sentinel did not fail over during the partition',
    );
    const m = result.measured!;
    // 150 writes/s went to app-2 for the ~6 s partition: most of them were acknowledged, then lost.
    assert.ok(m.lostWrites! > 300, `only ${m.lostWrites} writes lost`);
    assert.equal(m.lost.ackedAfterFault, m.lostWrites, 'every lost write was acknowledged after the partition began');
    for (const lost of m.lost.firstIds) {
      assert.ok(lost.ackMs > fault.injectedAtMs && lost.ackMs < fault.healedAtMs, `lost write acked at ${lost.ackMs}, outside the partition`);
      // app-1 (majority side) can only have lost writes the old master acknowledged while the rules were
      // still going in; once the partition is in place only app-2 reaches the old master.
      if (lost.id < ID_RANGE_PER_TARGET)
        assert.ok(lost.ackMs <= fault.injectReturnedAtMs, `app-1's write ${lost.id} acked at ${lost.ackMs}, after the partition was in place (${fault.injectReturnedAtMs})`);
    }
    // The bulk was acknowledged deep inside the partition: by the old master, to app-2.
    assert.ok(m.lost.ackSpanMs!.lastMs > fault.injectReturnedAtMs + 3000, `last lost write acked at ${m.lost.ackSpanMs!.lastMs}`);
    assert.equal(result.objectives.find((o) => o.name === 'lostWrites')!.met, false);
  });

  it('shows the lost writes in red where they happened: per bucket, inside the partition, every one on the chart', async () => {
    const { result, resultPath } = plain;
    const fault = result.faults[0]!;
    const lostBuckets = result.timeline.buckets.filter((b) => (b.lost ?? 0) > 0);
    assert.equal(
      lostBuckets.reduce((s, b) => s + (b.lost ?? 0), 0),
      result.measured!.lostWrites,
      'per-bucket lost counts add up to the lost writes',
    );
    // Split brain lasts from the partition until the old master is demoted (Sentinel converts it some
    // seconds after it is reachable again; until then it takes app-2's writes): every lost write was sent
    // in that window, whose end the old master's own log gives.
    const demoted = result.events.find((e) => e.marker === 'node-demoted' && e.atMs > fault.healedAtMs!);
    assert.ok(demoted, "the old master's log does not say it became a replica");
    const oldMaster = result.files?.logs?.find((l) => l.container === result.stack.primaryBefore)?.node;
    assert.equal(demoted.log?.node, oldMaster, `${demoted.message}: not the old master ${result.stack.primaryBefore}`);
    const endMs = demoted.atMs;
    for (const b of lostBuckets)
      assert.ok(
        b.startMs + result.timeline.bucketMs > fault.injectedAtMs && b.startMs < endMs,
        `lost writes in the bucket at ${b.startMs} ms, outside the split brain (${fault.injectedAtMs}–${endMs} ms)`,
      );
    const page = await readFile(path.join(path.dirname(resultPath), 'report.html'), 'utf8');
    // The overview chart is the first: its dark-red layer holds every lost write, one titled bar per bucket.
    const layer = /<g fill="#6e0a1e" class="bars-lost" data-testid="bars-lost" data-count="(\d+)">(.*?)<\/g>/s.exec(page);
    assert.ok(layer, 'no lost-writes layer on the chart');
    assert.equal(Number(layer[1]), result.measured!.lostWrites);
    const titles = [...layer[2]!.matchAll(/<title>(\d+) acknowledged, then lost/g)].map((t) => Number(t[1]));
    assert.equal(
      titles.reduce((s, n) => s + n, 0),
      result.measured!.lostWrites,
    );
  });

  it('with min-replicas-to-write, the old master refuses writes instead of losing them', () => {
    const p = plain.result.measured!;
    const m = mitigated.result.measured!;
    // The old master refuses writes once it has not heard from a replica for 1 s (min-replicas-max-lag):
    // about the first 1–2 s of app-2's writes can still be lost, against the whole 6 s without it.
    assert.ok(m.lostWrites! * 2 < p.lostWrites!, `mitigated lost ${m.lostWrites}, unmitigated ${p.lostWrites}`);
    assert.ok(m.failedWrites > p.failedWrites + 300, `mitigated failed ${m.failedWrites}, unmitigated ${p.failedWrites}: writes were not refused`);
  });

  it('leaves nothing behind, helper containers included', async () => {
    assert.deepEqual(await leftovers(plain.result.runId), []);
    assert.deepEqual(await leftovers(mitigated.result.runId), []);
  });
});
