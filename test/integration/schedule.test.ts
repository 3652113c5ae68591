import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { leftovers, repoRoot, requireEngine, runCli, tempDir } from './helpers.js';

// `drill schedule`: two real drills on seconds-level cron expressions (one every 10 s on :00/:10/…, one on
// :05/:15/…), run for a bounded window through the real CLI, then SIGTERM while a drill runs. Checked:
// both ran, the same drill never overlapped itself, every run has its reports and is in the index, the
// interrupted run is reported as aborted, nothing is left on the engine, and the exit code is 143.

const drill = (name: string, cron: string) => `name: ${name}
schedule: "${cron}"
stack: { kind: redis-sentinel, replicas: 1, sentinels: 1, sentinel: { downAfter: 1000ms, failoverTimeout: 5000ms } }
load: { rate: 100, connections: 4, timeout: 1s, warmup: 1s, duration: 3s }
steps:
  - { at: 1s, fault: pause, target: replica, duration: 500ms }
objectives: { lostWrites: 0 }
`;

interface RunLine {
  drill: string;
  runId: string;
  verdict: string;
  startedAt: string;
  finishedAt: string;
  resultPath: string;
  reportPath: string;
}

describe('drill schedule', { timeout: 300_000 }, () => {
  before(requireEngine);

  it('runs two drills at their cron times, never overlapping, reports and indexes each run, and stops cleanly on SIGTERM', async () => {
    const dir = await tempDir('schedule');
    const drills = path.join(dir, 'drills');
    const out = path.join(dir, 'reports');
    await mkdir(drills);
    await writeFile(path.join(drills, 'sched-a.yaml'), drill('sched-a', '*/10 * * * * *'));
    await writeFile(path.join(drills, 'sched-b.yaml'), drill('sched-b', '5-59/10 * * * * *'));
    await writeFile(path.join(drills, 'README.txt'), 'not a drill file');

    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'drill.js'), 'schedule', drills, '--out', out, '--json'], {
      cwd: repoRoot,
      env: { ...process.env, DRILL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const runs = (): RunLine[] =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RunLine);
    const starts = () => stderr.split('\n').filter((l) => l.includes('"msg":"scheduled run starting"')).length;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const t0 = Date.now();
    let termSentAt = 0;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => {
        resolve({ code, signal });
      }),
    );
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      // Once three runs have finished and a fourth has started, interrupt it in the middle.
      if (!termSentAt && runs().length >= 3 && starts() >= 4) {
        termSentAt = Date.now();
        setTimeout(() => child.kill('SIGTERM'), 2500);
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
    const { code, signal } = await exited;
    clearTimeout(guard);
    const all = runs();
    assert.ok(termSentAt > 0, `the window did not get three runs in ${Date.now() - t0} ms:\n${stderr.slice(-4000)}`);
    assert.equal(signal, null);
    assert.equal(code, 143, `exit ${code}\n${stderr.slice(-3000)}`);

    assert.deepEqual([...new Set(all.map((r) => r.drill))].sort(), ['sched-a', 'sched-b'], 'both drills ran');
    for (const r of all.slice(0, -1)) assert.equal(r.verdict, 'pass', `${r.drill} ${r.runId}: ${r.verdict}`);
    const last = all[all.length - 1]!;
    assert.equal(last.verdict, 'aborted', 'the run in progress at SIGTERM is reported as aborted');
    assert.match(JSON.parse(await readFile(last.resultPath, 'utf8')).reason, /SIGTERM/);

    // The same drill never overlaps itself (and, serial by default, no two drills overlap at all).
    const spans = all.map((r) => ({ drill: r.drill, from: Date.parse(r.startedAt), to: Date.parse(r.finishedAt) })).sort((a, b) => a.from - b.from);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i]!.from >= spans[i - 1]!.to, `runs overlap: ${JSON.stringify(spans)}`);
    // Each run was fired by one of its drill's cron times (a run queued behind the other drill starts later).
    const fired = stderr
      .split('\n')
      .filter((l) => l.includes('"msg":"scheduled run starting"'))
      .map((l) => JSON.parse(l) as { drill: string; scheduledAt: string });
    assert.ok(fired.length >= all.length);
    for (const f of fired) assert.equal(new Date(f.scheduledAt).getUTCSeconds() % 10, f.drill === 'sched-a' ? 0 : 5, `${f.drill} fired at ${f.scheduledAt}`);
    assert.match(stderr, /scheduling 2 drill\(s\)/);

    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    for (const r of all) {
      assert.ok(index.includes(r.runId), `index.html does not list ${r.runId}`);
      await readFile(r.reportPath, 'utf8');
    }
    for (const r of all) assert.deepEqual(await leftovers(r.runId), [], `run ${r.runId} left resources`);
    process.stderr.write(`schedule window: ${all.length} runs in ${Date.now() - t0} ms\n`);
  });

  it('rejects what cannot be scheduled, naming the file and the problem (exit 2)', async () => {
    const dir = await tempDir('schedule-bad');
    const file = path.join(dir, 'no-schedule.yaml');
    await writeFile(file, drill('no-schedule', '* * * * *').replace(/^schedule: .*\n/m, ''));
    const missing = await runCli(['schedule', file]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no-schedule\.yaml: no schedule/);
    const badCron = await runCli(['schedule', file, '--cron', '61 * * * *']);
    assert.equal(badCron.code, 2);
    assert.match(badCron.stderr, /--cron: expected a cron expression .*minute/i);
    await writeFile(file, drill('bad-schedule', 'every night'));
    const badFile = await runCli(['schedule', file]);
    assert.equal(badFile.code, 2);
    assert.match(badFile.stderr, /no-schedule\.yaml:2:\d+: schedule: expected a cron expression/);
    await writeFile(file, drill('dry-run', '*/30 * * * *'));
    const dry = await runCli(['schedule', file, '--cron', '0 3 * * *', '--timezone', 'UTC', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(
      JSON.parse(dry.stdout).next.map((t: string) => t.slice(11)),
      ['03:00:00.000Z', '03:00:00.000Z', '03:00:00.000Z'],
    );
  });

  it('`drill schedule drills/` as documented: the shipped drills with a schedule, each at its own time, the rest left out', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dry = await runCli(['schedule', 'drills/', '--timezone', 'UTC', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = dry.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { drill: string; cron: string; next: string[] });
    const files = (await readdir('drills')).filter((f) => f.endsWith('.yaml'));
    const withSchedule = [];
    for (const f of files) if (/^schedule: /m.test(await readFile(path.join('drills', f), 'utf8'))) withSchedule.push(f.replace(/\.yaml$/, ''));
    assert.deepEqual(planned.map((p) => p.drill).sort(), withSchedule.sort());
    assert.ok(planned.length >= 10, `${planned.length} shipped drills scheduled`);
    // Staggered: no two shipped drills start at the same minute.
    assert.equal(new Set(planned.map((p) => p.next[0])).size, planned.length, planned.map((p) => `${p.drill} ${p.cron}`).join('; '));
    // The bring-your-own-stack drills need the user's compose stack up: never scheduled by default.
    assert.ok(!planned.some((p) => p.drill.startsWith('compose-')));
  });
});
