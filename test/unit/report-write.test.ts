import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempPathFor, writeFileAtomic } from '../../src/report/write-file-atomic.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-report-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes and replaces a file, leaving no temp file behind', async () => {
    const path = join(dir, 'a.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, Buffer.from('two'));
    assert.equal(await readFile(path, 'utf8'), 'two');
    assert.deepEqual(await readdir(dir), ['a.json']);
  });

  it('goes through a hidden, unique temp file in the same directory (so the rename is atomic)', () => {
    const path = join(dir, 'result.json');
    const a = tempPathFor(path);
    const b = tempPathFor(path);
    assert.equal(dirname(a), dir);
    assert.match(basename(a), /^\.result\.json\.\d+\.[0-9a-f]{12}\.tmp$/);
    assert.notEqual(a, b);
  });

  it('a failed write throws, leaves the old content intact and cleans up its temp file', async () => {
    const path = join(dir, 'keep.json');
    await writeFile(path, 'old content');
    // Invalid data makes the write fail after the temp file was created, before any rename.
    await assert.rejects(writeFileAtomic(path, 12345 as unknown as string));
    assert.equal(await readFile(path, 'utf8'), 'old content');
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });

  it('a target that cannot be replaced (a directory) throws and leaves no temp file', async () => {
    const path = join(dir, 'sub');
    await mkdir(join(path, 'inner'), { recursive: true });
    await assert.rejects(writeFileAtomic(path, 'data'));
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.endsWith('.tmp')),
      [],
    );
    assert.deepEqual(await readdir(path), ['inner']);
  });

  it('concurrent writers: the file holds one complete version', async () => {
    const path = join(dir, 'race.txt');
    const versions = Array.from({ length: 20 }, (_, i) => String(i).repeat(100_000));
    await Promise.all(versions.map((v) => writeFileAtomic(path, v)));
    assert.ok(versions.includes(await readFile(path, 'utf8')));
  });
});
