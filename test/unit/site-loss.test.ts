import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteRecord } from '../../src/load/history.js';
import { standbyLag, standbyLagNote } from '../../src/measure/standby-lag.js';
import type { FaultRecord } from '../../src/measure/types.js';
import { DrillFileError, parseDrillText } from '../../src/spec/load-drill.js';

// The site-loss fault's drill-file checks, the slow link's options, and where a standby stood at the
// disaster (standby-lag.ts) on a made-up history. The real thing: test/integration/site-loss.test.ts.

function problems(steps: string): string[] {
  const text = ['name: sl', 'stack: { kind: mysql-replication, replicas: 2 }', 'load: { rate: 100, duration: 10s }', 'steps:', steps].join('\n');
  try {
    parseDrillText(text, 'sl.yaml');
  } catch (error) {
    assert.ok(error instanceof DrillFileError, String(error));
    return error.errors.map((e) => `${e.path}: ${e.message}`);
  }
  return [];
}

describe('site-loss and the slow link in a drill file', () => {
  it('accepts a site of data nodes and a link from a peer, as a condition', () => {
    assert.deepEqual(problems('  - { at: 0s, fault: latency, target: primary, from: [db-3], delay: 300ms, condition: true }\n  - { at: 5s, fault: site-loss, nodes: [primary, db-2] }'), []);
  });

  it('refuses an app in the site, a link from the runner or from the target itself', () => {
    const found = problems('  - { at: 0s, fault: latency, target: db-1, from: [runner, db-1], delay: 300ms }\n  - { at: 5s, fault: site-loss, nodes: [primary, app-1] }');
    assert.ok(
      found.some((p) => p.startsWith('steps[0].from[0]: expected a node whose connections')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.startsWith('steps[0].from[1]: expected a node other than the target')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.startsWith('steps[1].nodes[1]: expected a data node')),
      found.join('\n'),
    );
  });
});

const write = (id: number, completeMs: number, outcome: WriteRecord['outcome'] = 'ok'): WriteRecord => ({ id, scheduledMs: completeMs - 2, invokeMs: completeMs - 2, completeMs, outcome });

describe('standby lag at a site loss', () => {
  const fault = (standbys: FaultRecord['standbys']): FaultRecord => ({ kind: 'site-loss', target: 'primary+db-2', container: 'db-1, db-2', injectedAtMs: 1000, injectReturnedAtMs: 1500, standbys });

  it('measures how old its newest write was and how many acknowledged writes it lacked', () => {
    const history = [write(1, 100), write(2, 600), write(3, 700), write(4, 900, 'fail'), write(5, 1400), write(6, 2000)];
    const [lag] = standbyLag([fault([{ node: 'db-3', lastWriteId: 2, askedFromMs: 980, answeredAtMs: 1000 }])], history);
    // #2 acked at 600, answer at 1000: 400 ms; lacked #3 and #5 (acked before the site was gone), not #4 (failed) nor #6 (after).
    assert.deepEqual(lag, { node: 'db-3', lastWriteId: 2, lagMs: 400, writesBehind: 2 });
    assert.equal(standbyLagNote(lag, 1), 'at the site loss db-3 was 400 ms behind (newest write #2), 2 acknowledged writes short; the failover lost 1');
  });

  it('a standby with nothing applied lacks every acknowledged write', () => {
    const [lag] = standbyLag([fault([{ node: 'db-3', lastWriteId: null, askedFromMs: 980, answeredAtMs: 1000 }])], [write(1, 100), write(2, 600)]);
    assert.deepEqual(lag, { node: 'db-3', lastWriteId: null, lagMs: null, writesBehind: 2 });
  });
});
