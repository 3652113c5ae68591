import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freezerTruth, freezeTruth, judge, parseServedLog, servedGapTruth } from '../../bench/precision/ground-truth.js';
import { appCommandTimeoutMs, SCENARIOS, scenarioYaml } from '../../bench/precision/scenarios.js';
import { loadDrillText } from '../../src/spec/load-drill.js';

// bench/precision's ground truth from the target's side, on hand-made records: the app's served log, the
// engine's freeze events, and the judgement against the stated precision.

describe('bench/precision ground truth', () => {
  it('reads the served lines of a saved node log and nothing else', () => {
    const log = [
      '2026-12-02T15:55:59.704150494Z app listening on 8080 (redis-sentinel)',
      '2026-12-02T15:56:00.001000000Z served 17 1796226960001',
      'served 18 1796226960004',
      '2026-12-02T15:56:00.009000000Z served 19 not-a-time',
      '',
    ].join('\n');
    assert.deepEqual(parseServedLog(log), [
      { id: 17, epochMs: 1796226960001 },
      { id: 18, epochMs: 1796226960004 },
    ]);
  });

  it('the served gap runs from the last ack before the heal began to the first after it', () => {
    const served = [10, 13, 16, 19, 1019, 1022, 1025].map((epochMs, i) => ({ id: i + 1, epochMs }));
    const gap = servedGapTruth(served, 50, 600);
    assert.ok(gap);
    assert.equal(gap.outageMs, 1000);
    assert.deepEqual([gap.lastBefore.id, gap.firstAfter.id], [4, 5]);
    assert.equal(gap.ackedInsideFault, 0);
    assert.equal(gap.flapMs, 3);
    // It may overstate by the ack gap before (19 − 16) and after (1022 − 1019) plus 1 ms at each end.
    assert.equal(gap.overstateMs, 3 + 3 + 2);
    // A killed app stamps nothing after the cut; one cut off its backend may, by its last write's latency + 1 ms.
    assert.equal(gap.understateMs, 0);
    assert.equal(servedGapTruth(served, 50, 600, (id) => (id === 4 ? 7 : 2), true)?.understateMs, 8);
  });

  it('counts acks while the fault was certainly in place, and a second gap after recovery', () => {
    const served = [10, 13, 300, 1019, 1022, 1400, 1403].map((epochMs, i) => ({ id: i + 1, epochMs }));
    const gap = servedGapTruth(served, 100, 600);
    assert.ok(gap);
    assert.equal(gap.ackedInsideFault, 1);
    assert.equal(gap.outageMs, 1019 - 300);
    assert.equal(gap.flapMs, 1400 - 1022);
  });

  it('a second gap that begins inside the second after the first ack counts whole, however long', () => {
    const served = [10, 13, 1019, 1022, 4022, 4025].map((epochMs, i) => ({ id: i + 1, epochMs }));
    assert.equal(servedGapTruth(served, 100, 600)?.flapMs, 3000);
    const later = [10, 13, 1019, 1022, 2100, 5100].map((epochMs, i) => ({ id: i + 1, epochMs }));
    assert.equal(servedGapTruth(later, 100, 600)?.flapMs, 1078);
  });

  it('has no served gap without acks on both sides', () => {
    assert.equal(servedGapTruth([{ id: 1, epochMs: 10 }], 50, 600), null);
    assert.equal(servedGapTruth([{ id: 1, epochMs: 700 }], 50, 600), null);
  });

  it('a freeze runs from the pause event to the unpause event of the same container', () => {
    const truth = freezeTruth([
      { containerId: 'aaa', action: 'pause', epochMs: 1000.25 },
      { containerId: 'bbb', action: 'unpause', epochMs: 1200 },
      { containerId: 'aaa', action: 'unpause', epochMs: 2300.75 },
    ]);
    assert.equal(truth?.outageMs, 1300.5);
    assert.equal(freezeTruth([{ containerId: 'aaa', action: 'pause', epochMs: 1 }]), null);
    assert.equal(freezeTruth([]), null);
  });

  it("a freeze read off the cgroup freezer runs from its leaving THAWED to its return, the reads' width as slack", () => {
    const truth = freezerTruth([
      { containerId: 'aaa', from: 'THAWED', to: 'FREEZING', afterEpochMs: 1000, byEpochMs: 1000.5 },
      { containerId: 'aaa', from: 'FREEZING', to: 'FROZEN', afterEpochMs: 1001, byEpochMs: 1001.25 },
      { containerId: 'bbb', from: 'FROZEN', to: 'THAWED', afterEpochMs: 1200, byEpochMs: 1200.4 },
      { containerId: 'aaa', from: 'FROZEN', to: 'THAWED', afterEpochMs: 2300, byEpochMs: 2300.25 },
    ]);
    assert.ok(truth);
    assert.equal(truth.outageMs, 1300.25);
    assert.equal(truth.overstateMs, 0.75);
    assert.match(truth.evidence, /THAWED → FREEZING … FROZEN → THAWED/);
    // cgroup v2's cgroup.freeze: 0 → 1 → 0.
    assert.equal(
      freezerTruth([
        { containerId: 'c', from: '0', to: '1', afterEpochMs: 10, byEpochMs: 11 },
        { containerId: 'c', from: '1', to: '0', afterEpochMs: 20, byEpochMs: 21 },
      ])?.outageMs,
      11,
    );
    // A freezer seen passing through a state for a few ms before the real freeze: the longest freeze is the scenario's.
    assert.equal(
      freezerTruth([
        { containerId: 'c', from: 'THAWED', to: 'FREEZING', afterEpochMs: 5, byEpochMs: 6 },
        { containerId: 'c', from: 'FREEZING', to: 'THAWED', afterEpochMs: 19, byEpochMs: 20 },
        { containerId: 'c', from: 'THAWED', to: 'FROZEN', afterEpochMs: 100, byEpochMs: 101 },
        { containerId: 'c', from: 'FROZEN', to: 'THAWED', afterEpochMs: 2800, byEpochMs: 2801 },
      ])?.outageMs,
      2701,
    );
    assert.equal(freezerTruth([{ containerId: 'c', from: 'THAWED', to: 'FROZEN', afterEpochMs: 10, byEpochMs: 11 }]), null);
    assert.equal(freezerTruth([]), null);
  });

  it('judges the error against the stated precision, both ways, and a missing measurement as outside', () => {
    assert.deepEqual(judge(1000, 1020.04, 25), { trueOutageMs: 1000, measuredMs: 1020.04, errorMs: 20, precisionMs: 25, truthSlackMs: 0, truthUnderstateMs: 0, inside: true });
    assert.equal(judge(1000, 970, 25).inside, false);
    assert.equal(judge(1000, 975, 25).inside, true);
    assert.equal(judge(1000, null, 25).inside, false);
    // A truth that may overstate by 8 ms: shorter by up to precision + 8 is inside, longer only by the precision.
    assert.equal(judge(1000, 967, 25, 8).inside, true);
    assert.equal(judge(1000, 966, 25, 8).inside, false);
    assert.equal(judge(1000, 1026, 25, 8).inside, false);
    // A truth that may understate (an app cut off its backend stamped its last ack after the cut) allows that much above.
    assert.equal(judge(1000, 1031, 25, 0, 6).inside, true);
    assert.equal(judge(1000, 1032, 25, 0, 6).inside, false);
  });

  it('every scenario is a valid drill whose freeze fails writes (command timeout at most half the fault)', () => {
    for (const s of SCENARIOS) {
      const drill = loadDrillText(scenarioYaml(s, `precision-${s.name.replace('.', '-')}-1`), s.name);
      assert.equal(drill.spec.steps.length, 2, s.name);
      assert.ok(appCommandTimeoutMs(s) <= s.faultMs / 2, s.name);
    }
  });
});
