import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker, leftovers, requireEngine, runCli, tempDir } from './helpers.js';

// The engine going away mid-drill (issue 6): exit 3 with a clear message, and once the engine is back
// the next cleanup removes what the run left. It restarts the engine and, whatever happens, leaves it
// answering and able to run containers again, so the test files after it do not depend on its place.

const viaSystemd = spawnSync('systemctl', ['is-active', '--quiet', 'docker']).status === 0;

async function engineUp(): Promise<boolean> {
  return docker.ping().then(
    () => true,
    () => false,
  );
}

function stopEngine(): void {
  if (viaSystemd) execFileSync('systemctl', ['stop', 'docker']);
  else spawnSync('pkill', ['-TERM', '-x', 'dockerd']);
}

async function startEngine(): Promise<void> {
  if (!(await engineUp())) {
    if (viaSystemd) execFileSync('systemctl', ['start', 'docker']);
    else spawn('sh', ['-c', 'nohup dockerd >>/var/log/drill-dockerd.log 2>&1 &'], { stdio: 'ignore', detached: true }).unref();
  }
  // A dockerd started while the stopped one was still stopping its containers exits at once (its pid file
  // is taken): start it again while none runs.
  for (let i = 0; i < 240 && !(await engineUp()); i++) {
    if (!viaSystemd && i % 10 === 9 && spawnSync('pgrep', ['-x', 'dockerd']).status !== 0) {
      spawn('sh', ['-c', 'nohup dockerd >>/var/log/drill-dockerd.log 2>&1 &'], { stdio: 'ignore', detached: true }).unref();
    }
    await sleep(500);
  }
  assert.ok(await engineUp(), 'the Docker engine did not come back');
  // Answering is not yet ready: wait until it lists its default bridge (networking restored).
  for (
    let i = 0;
    i < 60 &&
    !(await docker.listNetworks().then(
      (n) => n.some((x) => x.Name === 'bridge'),
      () => false,
    ));
    i++
  )
    await sleep(500);
}

describe('the Docker engine stops mid-drill', () => {
  before(async () => {
    await requireEngine();
    assert.equal(process.getuid?.(), 0, 'this test restarts the Docker engine: run it as root (CI does)');
  });
  after(startEngine);

  it('ends in exit 3 naming the engine, and a later cleanup removes the leftovers', async () => {
    let runId: string | undefined;
    let stopped = false;
    const run = await runCli(['run', 'drills/redis-stop-replica.yaml', '--out', await tempDir('engine')], {
      onStderr: (chunk) => {
        runId ??= /"run":"([^"]+)"/.exec(chunk)?.[1];
        if (!stopped && chunk.includes('load started')) {
          stopped = true;
          setTimeout(stopEngine, 1000);
        }
      },
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the stderr callback
    assert.ok(stopped && runId, `the run never reached the load: ${run.stderr.slice(-2000)}`);
    assert.equal(run.code, 3, run.stderr.slice(-3000));
    assert.match(run.stderr + run.stdout, /Docker engine .* stopped answering/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'a stack trace was printed');

    await startEngine();
    const cleanup = await runCli(['cleanup']);
    assert.equal(cleanup.code, 0, cleanup.stderr);
    assert.deepEqual(await leftovers(runId), []);
  });
});
