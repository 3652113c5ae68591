import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { makeDir } from '../../src/util/make-dir.js';

it('makeDir: creates every missing component, accepts what exists, fails at once where it cannot (no retry loop)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drill-mkdir-'));
  try {
    await makeDir(path.join(dir, 'a', 'b', 'c'));
    assert.ok((await stat(path.join(dir, 'a', 'b', 'c'))).isDirectory());
    await makeDir(path.join(dir, 'a', 'b', 'c'));
    await writeFile(path.join(dir, 'file'), '');
    await assert.rejects(makeDir(path.join(dir, 'file', 'x')), /ENOTDIR/);
    // fs.mkdir(..., { recursive: true }) spins forever here on Node 20.
    const started = Date.now();
    await assert.rejects(makeDir('/proc/drill-nope/x'), /ENOENT/);
    assert.ok(Date.now() - started < 1000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
