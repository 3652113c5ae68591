import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { dockerGroupUid, runDrillAsDockerGroupUser } from './docker-group-user.js';
import { leftovers, requireEngine } from './helpers.js';

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
    ({ code, stderr, result, out } = await runDrillAsDockerGroupUser('drills/redis-stop-replica.yaml', 'non-root'));
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
