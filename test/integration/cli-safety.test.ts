import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { docker, leftovers, requireEngine, runCli, tempDir } from './helpers.js';

describe('drill CLI on the real engine', () => {
  before(requireEngine);

  it('a mistyped flag, an unknown command or a missing argument: usage and exit 2 before anything starts', async () => {
    for (const args of [['run', 'drills/redis-stop-replica.yaml', '--rate', '500'], ['nope'], ['run']]) {
      const started = Date.now();
      const run = await runCli(args, { timeoutMs: 20_000 });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /Unknown argument|Not enough non-option arguments/);
      assert.match(run.stderr, /drill --help/);
      assert.ok(Date.now() - started < 5000, `${args.join(' ')} took ${Date.now() - started} ms: did it run a drill?`);
    }
    assert.deepEqual(await leftovers(), []);
  });

  it('rejects a malformed drill file with exit 2, naming file, line and path', async () => {
    const dir = await tempDir('bad');
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nstack:\n  kind: redis-sentinel\nload:\n  rate: fast\n  duration: 10s\nsteps:\n  - at: 1s\n    fault: kill\n    target: primary\n');
    const run = await runCli(['run', file]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:`));
    assert.match(run.stderr, /load\.rate/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'a stack trace was printed');
  });

  it('on SIGINT mid-run: heals, tears down, writes an aborted result and exits 130', async () => {
    const out = await tempDir('sigint');
    let sent = false;
    const run = await runCli(['run', 'drills/redis-sentinel-kill-master.yaml', '--out', out], {
      onStderr: (chunk, child) => {
        // Interrupt once the load is running: the stack is up and writes are in flight.
        if (!sent && chunk.includes('load started')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 1500);
        }
      },
    });
    assert.ok(sent, `the run never reached the load phase:\n${run.stderr.slice(-3000)}`);
    assert.equal(run.code, 130, run.stderr.slice(-3000));
    const [runDir] = await readdir(out);
    const result = JSON.parse(await readFile(path.join(out, runDir!, 'result.json'), 'utf8')) as ResultJson;
    assert.equal(result.verdict, 'aborted');
    assert.match(result.reason ?? '', /SIGINT/);
    assert.ok(result.measured && result.measured.totalWrites > 0, 'what was measured before the signal is kept');
    assert.deepEqual(await leftovers(result.runId), []);
  });

  it('a stop condition aborts the run: faults healed, stack removed, verdict "aborted" with the reason, exit 3', async () => {
    const dir = await tempDir('abort');
    const source = await readFile('drills/redis-sentinel-kill-master.yaml', 'utf8');
    const file = path.join(dir, 'abort.yaml');
    await writeFile(file, `${source}\nabortIf:\n  errorRate: { above: 0.5, for: 500ms }\n`);
    const out = path.join(dir, 'out');
    const prom = path.join(dir, 'drill.prom');
    const run = await runCli(['run', file, '--out', out, '--json', '--metrics-file', prom]);
    assert.equal(run.code, 3, run.stderr.slice(-3000));
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { resultPath: string };
    const result = JSON.parse(await readFile(summary.resultPath, 'utf8')) as ResultJson;
    assert.equal(result.verdict, 'aborted');
    // --metrics-file on a real run (test/integration/metrics-file.test.ts has node_exporter read the format).
    const metrics = await readFile(prom, 'utf8');
    assert.match(metrics, new RegExp(`^drill_run_info\\{drill="${result.drill.name}",run_id="${result.runId}",verdict="aborted",stack="redis-sentinel"\\} 1$`, 'm'));
    assert.match(metrics, /^drill_run_passed\{drill="[^"]+"\} 0$/m);
    assert.match(result.reason ?? '', /stop condition: error rate \d+\.\d % > 50\.0 % over the last 500 ms/);
    const abortAt = result.events.find((e) => e.marker === 'abort')!.atMs;
    assert.ok(abortAt > result.faults[0]!.injectedAtMs && abortAt < result.faults[0]!.injectedAtMs + 2000, `aborted at ${abortAt} ms`);
    assert.deepEqual(await leftovers(result.runId), []);
  });

  it('never writes a stack password to logs, result.json, report.html or any other artefact', async () => {
    const secret = 'Drill-S3cret-pw-4242';
    const dir = await tempDir('secret');
    const source = (await readFile('drills/redis-sentinel-kill-master.yaml', 'utf8')).replace('  kind: redis-sentinel\n', `  kind: redis-sentinel\n  password: "${secret}"\n`);
    assert.ok(source.includes(secret));
    const file = path.join(dir, 'secret.yaml');
    await writeFile(file, source);
    const out = path.join(dir, 'out');
    const run = await runCli(['run', file, '--out', out, '--json', '--log-level', 'debug']);
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { resultPath: string };
    const result = JSON.parse(await readFile(summary.resultPath, 'utf8')) as ResultJson;
    // The password was really in use: Redis required it and writes went through.
    assert.ok(result.measured!.ackedWrites > 1000);
    assert.match(result.drill.source, /password: "\*\*\*"/);
    const runDir = path.dirname(summary.resultPath);
    // Every file of the run, the nodes' saved logs (logs/<node>.log) included.
    const artefacts = (await readdir(runDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(runDir, path.join(e.parentPath, e.name)));
    assert.ok(artefacts.includes('report.html') && artefacts.includes('result.json') && artefacts.some((a) => a.startsWith('logs/')), artefacts.join(', '));
    for (const name of artefacts) {
      assert.ok(!(await readFile(path.join(runDir, name), 'utf8')).includes(secret), `${name} contains the password`);
    }
    assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'the password was logged');
  });

  it('cleanup removes a dead run’s leftovers and never touches an unlabelled decoy', async () => {
    const images = await docker.listImages({ filters: { label: ['drill.image-recipe'] } });
    const image = images.find((i) => i.RepoTags?.some((t) => t.startsWith('drill/redis:')))?.RepoTags?.[0];
    assert.ok(image, 'drill images are not built');
    // A pid that surely belongs to no live process: one that just exited.
    const deadPid = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    const runId = `test-dead-${Date.now()}`;
    const labels = { 'drill.run-id': runId, 'drill.drill': 'test', 'drill.role': 'redis', 'drill.owner-pid': deadPid, 'drill.owner-host': (await import('node:os')).hostname() };
    const net = await docker.createNetwork({ Name: `drill-${runId}`, Labels: labels });
    const leftover = await docker.createContainer({ name: `drill-${runId}`, Image: image, Cmd: ['sleep', '300'], Labels: labels, HostConfig: { NetworkMode: `drill-${runId}` } });
    await leftover.start();
    const decoyNet = await docker.createNetwork({ Name: `decoy-${runId}` });
    const decoy = await docker.createContainer({ name: `decoy-${runId}`, Image: image, Cmd: ['sleep', '300'], HostConfig: { NetworkMode: `decoy-${runId}` } });
    await decoy.start();
    try {
      const run = await runCli(['cleanup', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await leftovers(runId), []);
      assert.equal((await decoy.inspect()).State.Running, true, 'the decoy container was touched');
      assert.ok(await decoyNet.inspect(), 'the decoy network was removed');
    } finally {
      await decoy.remove({ force: true });
      await decoyNet.remove();
      await leftover.remove({ force: true }).catch(() => {});
      await net.remove().catch(() => {});
    }
  });
});
