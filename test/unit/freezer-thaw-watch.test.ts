import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monoNowMs, thawWatchOf, watchFreeze, WATCH_NICE } from '../../src/faults/container/freezer-watch.js';

// The thaw is watched in the same cgroup files as the freeze, the other way round. cgroup v1's freeze is
// bounded by the first FREEZING read after the last THAWED one (every task told to stop by then).

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A kernel file is never read half written; a test file is, unless it is replaced whole.
const put = async (file: string, text: string) => {
  await writeFile(`${file}.new`, text);
  await rename(`${file}.new`, file);
};

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

  it('reads from a thread of its own at nice -15 when drill runs as root (a busy host left it off the CPU for 19 ms), and sees a change in the files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'freezer-'));
    const [freeze, events] = [path.join(dir, 'cgroup.freeze'), path.join(dir, 'cgroup.events')];
    await writeFile(freeze, '0\n');
    await writeFile(events, 'populated 1\nfrozen 0\n');
    const watch = await watchFreeze({ begun: { file: freeze, notBegun: '0' }, done: { file: events, frozen: 'frozen 1' } });
    // Each thread's nice is field 19 of its stat line (after the name in parentheses: field 3 is the 1st).
    const nices = await Promise.all(
      (await readdir('/proc/self/task')).map(async (tid) => {
        const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      }),
    );
    await writeFile(freeze, '1\n');
    await writeFile(events, 'populated 1\nfrozen 1\n');
    const seen = await watch.result();
    assert.ok(seen && seen.fromMonoMs <= seen.byMonoMs, JSON.stringify(seen));
    if (process.getuid?.() === 0) assert.ok(nices.includes(WATCH_NICE), `no thread at nice ${WATCH_NICE}: ${nices.join(' ')}`);
    else assert.ok(!nices.includes(WATCH_NICE), 'not root, yet a thread at a negative nice');
  });

  it('cgroup v1: the freeze is bounded by the first FREEZING read after the last THAWED one, not by FROZEN', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'freezer-'));
    const file = path.join(dir, 'freezer.state');
    await put(file, 'THAWED\n');
    const watch = await watchFreeze({ begun: { file, notBegun: 'THAWED' }, done: { file, frozen: 'FROZEN' } });
    // runc may thaw and freeze again while FREEZING lasts: the first FREEZING does not count then.
    await put(file, 'FREEZING\n');
    await sleep(30);
    await put(file, 'THAWED\n');
    await sleep(30);
    const beforeMs = monoNowMs();
    await put(file, 'FREEZING\n');
    const afterMs = monoNowMs();
    await sleep(60);
    await put(file, 'FROZEN\n');
    const seen = await watch.result();
    assert.ok(seen, 'no change seen');
    assert.equal(seen.seenState, 'FREEZING');
    assert.ok(seen.fromMonoMs >= beforeMs - 40 && seen.fromMonoMs <= afterMs, `from ${seen.fromMonoMs} not just before the second FREEZING (${beforeMs}–${afterMs})`);
    assert.ok(seen.byMonoMs >= beforeMs && seen.byMonoMs < afterMs + 40, `by ${seen.byMonoMs}: not the FREEZING read (${afterMs}), FROZEN came 60 ms later`);
  });

  it('cgroup v2: the freeze is still bounded by cgroup.events "frozen 1" (cgroup.freeze is set before the tasks are told)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'freezer-'));
    const [freeze, events] = [path.join(dir, 'cgroup.freeze'), path.join(dir, 'cgroup.events')];
    await put(freeze, '0\n');
    await put(events, 'populated 1\nfrozen 0\n');
    const watch = await watchFreeze({ begun: { file: freeze, notBegun: '0' }, done: { file: events, frozen: 'frozen 1' } });
    await put(freeze, '1\n');
    await sleep(60);
    const beforeFrozenMs = monoNowMs();
    await put(events, 'populated 1\nfrozen 1\n');
    const seen = await watch.result();
    assert.ok(seen, 'no change seen');
    assert.equal(seen.seenState, 'frozen 1');
    assert.ok(seen.byMonoMs >= beforeFrozenMs, `by ${seen.byMonoMs}, before "frozen 1" was written (${beforeFrozenMs})`);
  });
});
