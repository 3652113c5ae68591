import assert from 'node:assert/strict';
import { chmod, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { asDockerGroupUser, dockerGroupUid } from './docker-group-user.js';
import { leftovers, repoRoot, requireEngine, runProgram, tempDir } from './helpers.js';

// A user who is not root, only in the `docker` group (no sudo), runs a real drill: nothing in a run may
// need root once the images exist (they are built as root, once: debootstrap). Run as root (CI), the test
// makes such a user; run by a non-root developer, it runs the drill as that developer, which is the path.

describe('a non-root user in the docker group', () => {
  let result: ResultJson;
  let out = '';
  let code: number | null = null;
  let stderr = '';
  before(async () => {
    await requireEngine();
    out = await tempDir('non-root');
    await chmod(out, 0o777);
    const { command, prefix } = asDockerGroupUser();
    const run = await runProgram(command, [...prefix, path.join(repoRoot, 'bin', 'drill.js'), 'run', 'drills/redis-stop-replica.yaml', '--out', path.join(out, 'reports'), '--json'], {
      cwd: repoRoot,
      timeoutMs: 240_000,
      // HOME for a user without one: nothing drill writes goes there, but Node and npm look.
      env: { DRILL_LOG_LEVEL: 'info', HOME: out },
    });
    code = run.code;
    stderr = run.stderr;
    const line = run.stdout.trim().split('\n').pop();
    assert.ok(line, `no JSON summary (exit ${run.code}); stderr:\n${run.stderr.slice(-3000)}`);
    result = JSON.parse(await readFile((JSON.parse(line) as { resultPath: string }).resultPath, 'utf8')) as ResultJson;
  });

  it('runs a real drill to its verdict without root', () => {
    assert.equal(result.verdict, 'pass', `${result.reason ?? ''}\n${stderr.slice(-2000)}`);
    assert.equal(code, 0);
  });

  it('writes its reports as that user, and removes everything it created', async () => {
    const owner = (await stat(path.join(out, 'reports', result.runId, 'result.json'))).uid;
    assert.equal(owner, dockerGroupUid());
    assert.deepEqual(await leftovers(result.runId), []);
  });
});
