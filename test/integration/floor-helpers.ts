import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResultJson } from '../../src/report/result.js';
import { writesOf } from './restore-helpers.js';

type Floor = NonNullable<NonNullable<ResultJson['measured']>['recoveryFloor']>;

/**
 * The recovery floor drill used holds in this run, checked against the run's own files rather than drill's
 * figures: the line it names is in that node's saved log, and no write of the load or of the probe stream
 * sent after the cut (cutByMs: when the old way of writing was certainly gone) was acknowledged before the
 * floor (one sent before may have been answered just before the cut, its answer still on the way).
 * Recovery is counted at or after it; where it narrowed the edge, it lies inside the stated precision.
 */
export async function assertRecoveryFloor(resultPath: string, result: ResultJson, cutByMs: number): Promise<Floor> {
  const m = result.measured!;
  const floor = m.recoveryFloor;
  assert.ok(floor, `no recovery floor: ${m.notes.join(' | ')}`);
  assert.notEqual(floor.effect, 'contradicted');
  const named = /^(\S+) logged "(.*)"$/.exec(floor.why);
  assert.ok(named, `the floor names no log line: ${floor.why}`);
  const file = result.files?.logs?.find((l) => l.node === named[1])?.file;
  assert.ok(file, `no saved log of ${named[1]}`);
  const log = await readFile(path.join(path.dirname(resultPath), file), 'utf8');
  assert.ok(
    log.split('\n').some((l) => l.includes(named[2]!)),
    `no line "${named[2]}" in ${file}`,
  );
  const all = [...(await writesOf(resultPath)), ...(await writesOf(resultPath, 'probe-writes.csv'))];
  const firstAckMs = Math.min(...all.filter((w) => w.ok && w.invokeMs > cutByMs).map((w) => w.completeMs));
  assert.ok(firstAckMs > floor.atMs, `a write was acknowledged at ${firstAckMs} ms, before the floor ${floor.atMs} ms`);
  assert.ok(m.recoveredAtMs! >= floor.atMs, `recovered ${m.recoveredAtMs} ms, before the floor ${floor.atMs} ms`);
  if (floor.effect === 'narrowed') {
    assert.equal(m.precision?.gapFrom, 'system');
    assert.ok(m.recoveredAtMs! - m.precisionMs <= floor.atMs, `recovered ${m.recoveredAtMs} ± ${m.precisionMs} ms, floor ${floor.atMs} ms`);
  }
  return floor;
}
