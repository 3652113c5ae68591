import assert from 'node:assert/strict';
import type { ResultJson } from '../../src/report/result.js';

// A test's own read of the surviving primary against drill's figures. The primary holds the declared
// load's writes and the probe stream's (ids from PROBE_FIRST_ID, on by default on the stacks drill
// starts), each counted in its own figures: for both, acked that survived + unknown that landed +
// unexpected (failed writes must not be there); and no id drill reports lost is there.
export function assertDirectReadBack(result: ResultJson, present: ReadonlySet<number>, where: string): void {
  const m = result.measured!;
  const p = m.probe;
  const declared = m.ackedWrites - m.lostWrites! + m.recoveredWrites! + m.unexpectedWrites!;
  const probes = p ? p.ackedWrites - p.lostWrites! + p.recoveredWrites! + p.unexpectedWrites! : 0;
  assert.equal(present.size, declared + probes, `${where}: read ${present.size} ids; declared ${declared}, probes ${probes}: ${JSON.stringify({ ...m, probe: p })}`);
  for (const lost of [...m.lost.firstIds.map((l) => l.id), ...(p?.lostIds ?? [])]) assert.ok(!present.has(lost), `write ${lost} reported lost but present on ${where}`);
}
