import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

// The dependency check that `npm run lint` runs: it must pass on src/ and fail on a planted cycle (made of
// type-only imports, which count too), so a green check means something.

const root = path.resolve(import.meta.dirname, '..', '..');
const depcruise = (target: string) =>
  spawnSync(process.execPath, [path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), target, '--config', '.dependency-cruiser.cjs'], { cwd: root, encoding: 'utf8' });

describe('dependency check', () => {
  it('finds no cycle and no layering violation in src/', () => {
    const res = depcruise('src');
    assert.equal(res.status, 0, res.stdout + res.stderr);
  });

  it('fails on a planted cycle of type-only imports', () => {
    const res = depcruise('test/fixtures/cycle');
    assert.notEqual(res.status, 0, 'the planted cycle was not found');
    assert.match(res.stdout, /no-circular/);
    assert.match(res.stdout, /test\/fixtures\/cycle\/a\.ts/);
  });
});
