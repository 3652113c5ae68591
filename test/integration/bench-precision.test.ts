import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { runScenario, type ScenarioRun } from '../../bench/precision/run-scenario.js';
import { SCENARIOS } from '../../bench/precision/scenarios.js';
import { docker, leftovers, requireEngine, tempDir } from './helpers.js';

// bench/precision end to end, one run of each kind of ground truth: a freeze (the engine's pause and
// unpause events, followed by the harness itself) and a kill followed by a restart (the app's own record
// of the writes it served, DRILL_APP_SERVE_LOG). Each truth must be found, and drill's measured downtime
// must lie inside the precision it states.

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
      assert.equal(run.servedGap.ackedInsideFault, 0, 'the app served writes while the fault was in place');
      // The fault lasts its declared duration from the injecting call's return: the truth cannot be shorter.
      assert.ok(run.truth.outageMs >= run.scenario.faultMs, `true outage ${run.truth.outageMs} ms < the fault's ${run.scenario.faultMs} ms`);
      if (run.scenario.kind === 'pause') assert.match(run.truth.evidence, /engine events pause → unpause/);
      else assert.equal(run.truth, run.servedGap);
    });

    it("measures a downtime whose error is inside drill's stated precision", () => {
      assert.ok(run.judged, `not judged: ${run.problem}`);
      assert.ok(
        run.judged.inside,
        `downtime ${run.judged.measuredMs} ms vs true ${run.judged.trueOutageMs} ms: error ${run.judged.errorMs} ms outside ± ${run.judged.precisionMs} ms (${run.problem ?? 'no problem noted'})`,
      );
    });

    it('left nothing of the run behind', async () => {
      assert.ok(run.resultPath);
      const result = JSON.parse(await readFile(run.resultPath, 'utf8')) as ResultJson;
      assert.deepEqual(await leftovers(result.runId), []);
    });
  });
}
