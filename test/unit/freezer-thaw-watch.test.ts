import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { thawWatchOf } from '../../src/faults/container/freezer-watch.js';

// The thaw is watched in the same cgroup files as the freeze, the other way round.

describe('freezer watch: the thaw', () => {
  it('cgroup v1: from the last read still FROZEN to the first THAWED', () => {
    const file = '/sys/fs/cgroup/freezer/docker/abc/freezer.state';
    assert.deepEqual(thawWatchOf({ begun: { file, notBegun: 'THAWED' }, done: { file, frozen: 'FROZEN' } }), {
      begun: { file, notBegun: 'FROZEN' },
      done: { file, frozen: 'THAWED' },
    });
  });

  it('cgroup v2: from the last read of cgroup.freeze still 1 to cgroup.events saying "frozen 0"', () => {
    const dir = '/sys/fs/cgroup/system.slice/docker-abc.scope';
    const freeze = { begun: { file: `${dir}/cgroup.freeze`, notBegun: '0' }, done: { file: `${dir}/cgroup.events`, frozen: 'frozen 1' } };
    assert.deepEqual(thawWatchOf(freeze), { begun: { file: `${dir}/cgroup.freeze`, notBegun: '1' }, done: { file: `${dir}/cgroup.events`, frozen: 'frozen 0' } });
  });
});
