import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Dockerode from 'dockerode';
import type { ResultJson } from '../../src/report/result.js';
import { appCommandTimeoutMs, scenarioYaml, type Scenario } from './scenarios.js';
import { freezerTruth, freezeTruth, judge, parseServedLog, servedGapTruth, type Judged, type OutageTruth, type ServedGap } from './ground-truth.js';
import { watchFreezes } from './freeze-watch.js';

// One run of one scenario through the real CLI, as a user runs it, then its measured downtime against
// the truth from the target's side (ground-truth.ts).

/** A gap between the app's acks this long after recovery is a second outage (a write is served every 3.3 ms). */
const FLAP_MS = 100;

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export interface ScenarioRun {
  scenario: Scenario;
  /** The truth the scenario is judged on: the freeze for a pause, the app's served gap otherwise. */
  truth: OutageTruth | null;
  /** The app's served gap of a pause too: a second, independent look at the same outage. */
  servedGap: ServedGap | null;
  /** A pause's engine events (pause → unpause): a third look, which trails the freezer. */
  engineFreeze: OutageTruth | null;
  judged: Judged | null;
  verdict: string;
  resultPath: string | null;
  /** Why the run could not be judged, or what looks wrong in it. */
  problem: string | null;
}

function runCli(file: string, outDir: string, commandTimeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, DRILL_LOG_LEVEL: 'warn', DRILL_APP_SERVE_LOG: '1', DRILL_APP_COMMAND_TIMEOUT_MS: String(commandTimeoutMs) };
    execFile(process.execPath, [path.join(repoRoot, 'bin', 'drill.js'), 'run', file, '--out', outDir, '--json'], { cwd: repoRoot, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function servedOf(result: ResultJson, resultPath: string): Promise<ReturnType<typeof parseServedLog>> {
  const log = result.files?.logs?.find((l) => l.node === 'app-1');
  if (!log) return [];
  return parseServedLog(await readFile(path.join(path.dirname(resultPath), log.file), 'utf8'));
}

/** Each write's latency (answer − send) by id, from the run's writes.csv and probe-writes.csv. */
async function latenciesOf(resultPath: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const name of ['writes.csv', 'probe-writes.csv']) {
    const text = await readFile(path.join(path.dirname(resultPath), name), 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [id, invokeMs, completeMs] = line.split(',');
      if (id && invokeMs && completeMs) out.set(Number(id), Number(completeMs) - Number(invokeMs));
    }
  }
  return out;
}

export async function runScenario(docker: Dockerode, scenario: Scenario, outDir: string, tag: string): Promise<ScenarioRun> {
  const drillName = `precision-${scenario.name.replace(/[^a-z0-9-]/g, '-')}-${tag}`;
  const file = path.join(outDir, `${drillName}.yaml`);
  await writeFile(file, scenarioYaml(scenario, drillName));
  const watch = await watchFreezes(docker, drillName);
  const failed = (problem: string, verdict = 'error'): ScenarioRun => ({ scenario, truth: null, servedGap: null, engineFreeze: null, judged: null, verdict, resultPath: null, problem });
  let run;
  try {
    run = await runCli(file, outDir, appCommandTimeoutMs(scenario));
  } finally {
    await watch.stop();
  }
  const line = run.stdout.trim().split('\n').pop();
  if (!line) return failed(`no result (exit ${run.code}): ${run.stderr.slice(-500)}`);
  const { resultPath } = JSON.parse(line) as { resultPath: string };
  const result = JSON.parse(await readFile(resultPath, 'utf8')) as ResultJson;
  const fault = result.faults[0];
  const m = result.measured;
  if (!fault || fault.healedAtMs === undefined || !m) return { ...failed(result.reason ?? 'no healed fault', result.verdict), resultPath };
  // Run-clock times to epoch ms (clockOriginEpochMs is rounded to 1 ms: only used to place the fault among the acks).
  // In place once the call returned and, for a kill, once the engine saw the process gone (a kill drill
  // sends itself returns within µs of the signal); + 1 ms for the rounded origin and the app's Date.now().
  const exit = result.events.find((e) => e.marker === 'container-exit' && e.message.startsWith(fault.container) && e.atMs >= fault.injectedAtMs);
  const inPlaceEpochMs = result.clockOriginEpochMs + Math.max(fault.injectReturnedAtMs, exit?.atMs ?? 0) + 1;
  const healEpochMs = result.clockOriginEpochMs + fault.healedAtMs;
  const latencies = await latenciesOf(resultPath);
  const servedGap = servedGapTruth(await servedOf(result, resultPath), inPlaceEpochMs, healEpochMs, (id) => latencies.get(id) ?? 0, scenario.kind === 'partition');
  const engineFreeze = scenario.kind === 'pause' ? freezeTruth(watch.events()) : null;
  const truth = scenario.kind === 'pause' ? freezerTruth(watch.changes()) : servedGap;
  const problems: string[] = [];
  if (!truth)
    problems.push(
      scenario.kind === 'pause'
        ? `no freeze and thaw read off the cgroup freezer (engine events: ${engineFreeze ? `${engineFreeze.outageMs.toFixed(1)} ms` : 'none'})`
        : 'no served writes on both sides of the fault',
    );
  // A pause's served gap is only a second look: the app may still reply, late, to writes Redis answered before the freeze.
  if (scenario.kind !== 'pause' && servedGap && servedGap.ackedInsideFault > 0) problems.push(`${servedGap.ackedInsideFault} write(s) served while the fault was in place`);
  if (servedGap && servedGap.flapMs > FLAP_MS) problems.push(`the app's record has another ${servedGap.flapMs} ms gap within 1 s of its first ack after the fault: it flapped`);
  // No failover can happen in these drills: the outage cannot end before its heal began.
  if (m.recoveredAtMs !== null && m.recoveredAtMs < fault.healedAtMs) problems.push(`drill's recovery point is ${(fault.healedAtMs - m.recoveredAtMs).toFixed(0)} ms before the heal began`);
  if (m.downtimeMs === null) problems.push(`drill measured no downtime: ${m.notes.join('; ')}`);
  return {
    scenario,
    truth,
    servedGap,
    engineFreeze,
    judged: truth ? judge(Math.round(truth.outageMs * 10) / 10, m.downtimeMs, m.precisionMs, truth.overstateMs, truth.understateMs) : null,
    verdict: result.verdict,
    resultPath,
    problem: problems.length ? problems.join('; ') : null,
  };
}
