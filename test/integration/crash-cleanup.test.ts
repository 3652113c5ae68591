import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { before, describe, it } from 'node:test';
import { FREEZER_ROOT, warmCgroupOf } from '../../src/faults/container/freezer-warm.js';
import { docker, leftovers, requireEngine, runCli, tempDir } from './helpers.js';

// The runner after a crash: kill -9 leaves the stack behind (nothing can run in a killed process), and
// the next `drill cleanup` (or run) removes exactly that, never a live run's resources.

describe('after SIGKILL of the runner', () => {
  before(requireEngine);

  it('SIGTERM mid-run exits 143 with nothing left behind', async () => {
    const out = await tempDir('sigterm');
    let sent = false;
    const run = await runCli(['run', 'drills/redis-stop-replica.yaml', '--out', out], {
      onStderr: (chunk, child) => {
        if (!sent && chunk.includes('stack ready')) {
          sent = true;
          child.kill('SIGTERM');
        }
      },
    });
    assert.ok(sent, 'the stack never came up');
    assert.equal(run.code, 143, run.stderr.slice(-2000));
    const runId = /"run":"([^"]+)"/.exec(run.stderr)?.[1];
    assert.ok(runId);
    assert.deepEqual(await leftovers(runId), []);
  });

  it('drill cleanup removes the dead run’s stack and keeps a live run’s', async () => {
    // A "live run": labelled resources whose owner process is alive (a sleeping child of this test).
    const liveOwner = spawn('sleep', ['120'], { stdio: 'ignore' });
    const liveRunId = `test-live-${Date.now()}`;
    const images = await docker.listImages({ filters: { label: ['drill.image-recipe'] } });
    const image = images.find((i) => i.RepoTags?.some((t) => t.startsWith('drill/redis:')))!.RepoTags![0]!;
    const live = await docker.createContainer({
      name: `drill-${liveRunId}`,
      Image: image,
      Cmd: ['sleep', '300'],
      HostConfig: { NetworkMode: 'none' },
      Labels: { 'drill.run-id': liveRunId, 'drill.drill': 'test', 'drill.role': 'redis', 'drill.owner-pid': String(liveOwner.pid), 'drill.owner-host': os.hostname() },
    });
    await live.start();
    try {
      let runId: string | undefined;
      const run = await runCli(['run', 'drills/redis-stop-replica.yaml', '--out', await tempDir('sigkill')], {
        onStderr: (chunk, child) => {
          runId ??= /"run":"([^"]+)"/.exec(chunk)?.[1];
          if (chunk.includes('load started')) child.kill('SIGKILL');
        },
      });
      assert.equal(run.signal, 'SIGKILL');
      assert.ok(runId, 'no run id in the logs');
      const left = await leftovers(runId);
      assert.ok(left.length >= 6, `a killed runner cannot clean up, yet only ${left.length} resources were left: ${left.join(', ')}`);

      const cleanup = await runCli(['cleanup', '--json']);
      assert.equal(cleanup.code, 0, cleanup.stderr);
      assert.deepEqual(await leftovers(runId), [], 'the dead run’s resources survived cleanup');
      assert.equal((await live.inspect()).State.Running, true, 'cleanup removed a live run’s container');
    } finally {
      liveOwner.kill();
      await live.remove({ force: true }).catch(() => {});
    }
  });

  it('a run with a pause killed with -9 leaves its frozen empty cgroup; cleanup thaws and removes it, never a live run’s', async () => {
    // This machine's kind: root, cgroup v1 (the freezer the pause fault watches). Elsewhere drill keeps no such cgroup.
    assert.ok(existsSync(`${FREEZER_ROOT}/cgroup.procs`), `no cgroup v1 freezer hierarchy at ${FREEZER_ROOT}`);
    const liveOwner = spawn('sleep', ['120'], { stdio: 'ignore' });
    const live = warmCgroupOf(liveOwner.pid!);
    mkdirSync(live);
    writeFileSync(`${live}/freezer.state`, 'FROZEN');
    let killedPid: number | undefined;
    try {
      const run = await runCli(['run', 'drills/redis-pause-master-no-failover.yaml', '--out', await tempDir('sigkill-pause')], {
        onStderr: (chunk, child) => {
          if (killedPid === undefined && chunk.includes('load started')) {
            killedPid = child.pid;
            child.kill('SIGKILL');
          }
        },
      });
      assert.equal(run.signal, 'SIGKILL');
      const dead = warmCgroupOf(killedPid!);
      assert.equal(readFileSync(`${dead}/freezer.state`, 'utf8').trim(), 'FROZEN', 'the killed run held no frozen warm cgroup');
      const cleanup = await runCli(['cleanup', '--json']);
      assert.equal(cleanup.code, 0, cleanup.stderr);
      assert.equal(existsSync(dead), false, 'the dead run’s warm cgroup survived cleanup');
      assert.equal(readFileSync(`${live}/freezer.state`, 'utf8').trim(), 'FROZEN', 'cleanup thawed a live run’s warm cgroup');
    } finally {
      liveOwner.kill();
      writeFileSync(`${live}/freezer.state`, 'THAWED');
      rmdirSync(live);
    }
  });
});
