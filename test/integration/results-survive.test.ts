import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { leftovers, requireEngine, runCli, tempDir } from './helpers.js';

// A run's evidence survives whatever goes wrong around it, and a signal is always answered: an unusable
// reports directory is refused before anything starts (exit 2), one that fails at the end sends
// result.json to the system temp directory (exit 3), and a run stuck after SIGTERM is ended by the
// watchdog within --stop-timeout with its stack removed. Real engine, real drills.

const DRILL = 'drills/redis-stop-replica.yaml';
const mounts: string[] = [];

after(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      // already unmounted
    }
  }
});

/** A tmpfs of its own at a new directory: read-only for root too once remounted so (chmod proves nothing to root). */
async function tmpfs(name: string): Promise<string> {
  const dir = await tempDir(name);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

const remountReadOnly = (dir: string) => execFileSync('mount', ['-o', 'remount,ro', dir]);

/** Every drill container on the engine now (no other run is going on during these tests). */
const anyLeftovers = () => leftovers();

describe('the reports directory is checked before anything starts', () => {
  for (const [what, out, reason] of [
    ['a path under a file', '/etc/hostname/reports', /not a directory/i],
    ['a directory in /proc (where recursive mkdir loops forever)', '/proc/drill-nope/reports', /ENOENT|no such file/i],
  ] as const) {
    it(`${what}: exit 2 within 5 s with the path and the reason, nothing started`, async () => {
      await requireEngine();
      const started = Date.now();
      const run = await runCli(['run', DRILL, '--out', out], { timeoutMs: 20_000 });
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(run.stderr.includes(out), run.stderr);
      assert.match(run.stderr, reason);
      assert.match(run.stderr, /nothing was started/);
      assert.deepEqual(await anyLeftovers(), []);
    });
  }

  it('a read-only filesystem (a tmpfs mounted read-only: root too): exit 2', async () => {
    const dir = await tmpfs('ro-before');
    remountReadOnly(dir);
    const run = await runCli(['run', DRILL, '--out', path.join(dir, 'reports')], { timeoutMs: 20_000 });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /read-only file system|EROFS/i);
    assert.deepEqual(await anyLeftovers(), []);
  });
});

describe('the reports directory fails during the run', () => {
  it('made read-only mid-run: result.json goes to the temp directory, its path printed, exit 3, stack removed', async () => {
    const dir = await tmpfs('ro-during');
    let flipped = false;
    const run = await runCli(['run', DRILL, '--out', path.join(dir, 'reports'), '--json'], {
      onStderr: (chunk) => {
        if (!flipped && chunk.includes('load started')) {
          flipped = true;
          remountReadOnly(dir);
        }
      },
    });
    assert.ok(flipped, 'the run never reached the load');
    assert.equal(run.code, 3, run.stderr.slice(-3000));
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { runId: string; resultPath: string; fallback: boolean; result: ResultJson };
    assert.equal(summary.fallback, true);
    assert.equal(path.dirname(summary.resultPath), os.tmpdir());
    assert.ok(summary.resultPath.includes(summary.runId));
    const saved = JSON.parse(await readFile(summary.resultPath, 'utf8')) as ResultJson;
    assert.equal(saved.runId, summary.runId);
    assert.equal(saved.verdict, 'pass', 'the drill itself passed: only the reports directory failed');
    assert.ok(saved.measured!.ackedWrites > 1000);
    assert.deepEqual(summary.result.measured?.ackedWrites, saved.measured?.ackedWrites, '--json carries the whole result');
    assert.match(run.stderr, /read-only file system|EROFS/i);
    assert.deepEqual(await leftovers(saved.runId), []);
    await rm(summary.resultPath);
  });

  it('removed mid-run: created again, the reports land where asked, exit 0', async () => {
    const dir = await tempDir('removed');
    const out = path.join(dir, 'reports');
    let removed = false;
    const run = await runCli(['run', DRILL, '--out', out, '--json'], {
      onStderr: (chunk) => {
        if (!removed && chunk.includes('load started')) {
          removed = true;
          execFileSync('rm', ['-rf', dir]);
        }
      },
    });
    assert.ok(removed);
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { resultPath: string };
    assert.ok(summary.resultPath.startsWith(out), summary.resultPath);
    assert.equal((JSON.parse(await readFile(summary.resultPath, 'utf8')) as ResultJson).verdict, 'pass');
  });
});

describe('SIGTERM is always answered', () => {
  /** Run with a stuck point (test hook), SIGTERM once the load runs, and time the end. */
  async function stuckRun(point: string, trigger: string) {
    const dir = await tempDir(`stuck-${point}`);
    const out = path.join(dir, 'reports');
    let sentAt = 0;
    const run = await runCli(['run', DRILL, '--out', out, '--stop-timeout', '12s'], {
      env: { DRILL_TEST_HANG: point },
      timeoutMs: 120_000,
      onStderr: (chunk, child) => {
        if (!sentAt && chunk.includes(trigger)) {
          sentAt = Date.now();
          setTimeout(() => child.kill('SIGTERM'), 500);
        }
      },
    });
    return { run, out, endedAfterMs: Date.now() - sentAt - 500, sent: sentAt > 0 };
  }

  it('a phase stuck and deaf to the signal: the watchdog heals, removes the stack, writes the result and exits 143 within --stop-timeout', async () => {
    const { run, out, endedAfterMs, sent } = await stuckRun('steps', 'steps: running the steps');
    assert.ok(sent, `never reached the load:\n${run.stderr.slice(-3000)}`);
    assert.equal(run.code, 143, run.stderr.slice(-3000));
    assert.ok(endedAfterMs < 12_000 + 2000, `ended ${endedAfterMs} ms after SIGTERM (stop-timeout 12 s)`);
    assert.match(run.stderr, /did not end in time/);
    const [runDir] = await readdir(out);
    const result = JSON.parse(await readFile(path.join(out, runDir!, 'result.json'), 'utf8')) as ResultJson;
    assert.equal(result.verdict, 'aborted');
    assert.match(result.reason ?? '', /SIGTERM/);
    assert.ok(result.measured!.totalWrites > 0, 'what the load measured is kept');
    assert.deepEqual(await leftovers(result.runId), []);
  });

  it('SIGTERM while the report is being written (the write stuck): the result still reaches the disk, exit 143', async () => {
    const { run, out, endedAfterMs, sent } = await stuckRun('report', 'stack removed');
    assert.ok(sent, `never reached the teardown:\n${run.stderr.slice(-3000)}`);
    assert.equal(run.code, 143, run.stderr.slice(-3000));
    assert.ok(endedAfterMs < 12_000 + 2000, `ended ${endedAfterMs} ms after SIGTERM`);
    const [runDir] = await readdir(out);
    const result = JSON.parse(await readFile(path.join(out, runDir!, 'result.json'), 'utf8')) as ResultJson;
    assert.equal(result.verdict, 'pass', 'the run itself had finished');
    assert.deepEqual(await leftovers(result.runId), []);
  });

  it('a second signal skips the wait: out at once', async () => {
    const dir = await tempDir('second');
    let firstAt = 0;
    let secondAt = 0;
    const run = await runCli(['run', DRILL, '--out', path.join(dir, 'reports')], {
      env: { DRILL_TEST_HANG: 'steps' },
      onStderr: (chunk, child) => {
        // The hang point, not 'load started': a signal before the phase hangs ends the run at once,
        // before the second signal is sent, and the test would measure nothing.
        if (!firstAt && chunk.includes('steps: running the steps')) {
          firstAt = Date.now();
          child.kill('SIGTERM');
          setTimeout(() => {
            secondAt = Date.now();
            child.kill('SIGTERM');
          }, 1000);
        }
      },
    });
    assert.equal(run.code, 143, run.stderr.slice(-3000));
    assert.ok(secondAt > 0, `the run ended before the second signal:\n${run.stderr.slice(-3000)}`);
    assert.ok(Date.now() - secondAt < 12_000, `ended ${Date.now() - secondAt} ms after the second signal (the default stop-timeout is 30 s)`);
    assert.match(run.stderr, /second signal/);
    assert.deepEqual(await anyLeftovers(), []);
  });
});
