import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { runScenario, type ScenarioRun } from '../../bench/precision/run-scenario.js';
import { SCENARIOS } from '../../bench/precision/scenarios.js';
import { docker, leftovers, requireEngine, tempDir } from './helpers.js';

// bench/precision end to end, one run of each kind of ground truth: a freeze (the target's cgroup freezer,
// read by the harness itself from the container's start) and a kill followed by a restart (the app's own record
// of the writes it served, DRILL_APP_SERVE_LOG). Each truth must be found, and drill's measured downtime
// must lie inside the precision it states.
//
// The scenarios run with the probe stream on (load.probe): it finds the freeze's edges, where the
// declared load alone counts recovery from a queued write's ack minus the p99 latency before the fault,
// which a loaded host makes land before the thaw (README "Benchmarks"). A freeze is checked one way here
// (never reported shorter than it was); the two-sided coverage is the benchmark's figure.

const scenario = (name: string) => {
  const s = SCENARIOS.find((x) => x.name === name);
  assert.ok(s, `scenario ${name}`);
  return s;
};

for (const name of ['pause-1.3s', 'kill-app']) {
  describe(`bench/precision ${name}`, () => {
    let run: ScenarioRun;

    before(async () => {
      await requireEngine();
      run = await runScenario(docker, scenario(name), await tempDir(`precision-${name}`), `t${process.pid}`);
    });

    it('finds the true outage from the target side, one clean gap in what the app served', () => {
      assert.ok(run.truth, `no ground truth: ${run.problem}`);
      assert.ok(run.servedGap, 'no served writes on both sides of the fault');
      // A frozen Redis answered some writes just before the freeze, and the app may reply to them later.
      if (run.scenario.kind !== 'pause') assert.equal(run.servedGap.ackedInsideFault, 0, 'the app served writes while the fault was in place');
      // The fault lasts its declared duration from the injecting call's return: the truth cannot be shorter.
      assert.ok(run.truth.outageMs >= run.scenario.faultMs, `true outage ${run.truth.outageMs} ms < the fault's ${run.scenario.faultMs} ms`);
      if (run.scenario.kind === 'pause') {
        assert.match(run.truth.evidence, /cgroup freezer/);
        // Read every ~0.25 ms: the freeze and thaw are each known within a few reads (1.5–3.6 ms), inside
        // drill's ±. A starved host can hold the reading thread back at either instant (39.3 ms once in a CI
        // run, while the whole host stalled at the fault): the truth must then still be sharper than drill's
        // stated precision, or it could not judge it.
        const sharpEnoughMs = Math.max(20, run.judged?.precisionMs ?? 0);
        assert.ok(run.truth.overstateMs < sharpEnoughMs, `the freezer's reads left ${run.truth.overstateMs} ms of doubt (drill's ± ${run.judged?.precisionMs} ms)`);
        // The engine's own events, a second look: they trail the freezer, never lead it by more than a read.
        assert.ok(run.engineFreeze, 'no pause/unpause engine events');
      } else assert.equal(run.truth, run.servedGap);
    });

    it("measures a downtime whose error is inside drill's stated precision", async () => {
      assert.ok(run.judged, `not judged: ${run.problem}`);
      if (run.scenario.kind === 'pause') {
        const measuredMs = run.judged.measuredMs;
        assert.ok(measuredMs !== null, `no measured downtime: ${run.problem}`);
        // Never shorter than the freeze: recovery is not counted before the thaw (the declared load alone
        // did that on a loaded host, by up to 864 ms). Longer is what clients saw while the frozen server and
        // the app drained their backlog, which a starved host stretches; bench/precision reports both ways.
        // The freezer's record says how long the freeze lasted at least (its truth less its reads' doubt).
        const certainMs = run.judged.trueOutageMs - run.judged.truthSlackMs;
        assert.ok(
          measuredMs >= certainMs - run.judged.precisionMs,
          `downtime ${measuredMs} ms vs a freeze of at least ${certainMs.toFixed(1)} ms (engine events: ${run.engineFreeze?.outageMs.toFixed(1) ?? 'none'} ms): shorter, beyond ± ${run.judged.precisionMs} ms`,
        );
        return;
      }
      // The outage lay between what it certainly lasted (the process gone, by the fault's bound, until the
      // start call) and the app's served gap, which overstates it by an ack gap and a write's latency at
      // each end: drill's downtime must lie within its precision of that range. (bench/precision judges
      // against the served gap less its measured overstatement, a narrower range: its coverage is in the
      // README, below 95 % since the fault instant's bound shrank to µs — issue 21.)
      const measuredMs = run.judged.measuredMs;
      assert.ok(measuredMs !== null, `no measured downtime: ${run.problem}`);
      const fault = (JSON.parse(await readFile(run.resultPath!, 'utf8')) as ResultJson).faults[0]!;
      const certainMs = fault.healedAtMs! - (fault.effectByMs ?? fault.injectReturnedAtMs);
      const p = run.judged.precisionMs;
      assert.ok(
        measuredMs >= certainMs - p && measuredMs <= run.judged.trueOutageMs + p,
        `downtime ${measuredMs} ms outside [${certainMs.toFixed(1)}, ${run.judged.trueOutageMs}] ms ± ${p} ms (${run.problem ?? 'no problem noted'})`,
      );
    });

    it('left nothing of the run behind', async () => {
      assert.ok(run.resultPath);
      const result = JSON.parse(await readFile(run.resultPath, 'utf8')) as ResultJson;
      assert.deepEqual(await leftovers(result.runId), []);
    });
  });
}
