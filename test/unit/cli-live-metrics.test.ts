import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderLiveMetrics, serveLiveMetrics } from '../../src/cli/live-metrics.js';
import { NO_MEMORY, readSnapshot } from '../../src/cli/progress-state.js';
import type { RunSnapshot } from '../../src/run/live-view.js';

// The live metrics' exposition from run snapshots whose figures are known; the real run is read in
// test/integration/redis-drills.test.ts (redis-kill-app).

function snap(elapsedMs: number, ok: number, failed: number, faultState: 'pending' | 'in-effect' | 'healed'): RunSnapshot {
  return {
    runId: 'r-1',
    drillName: 'say "hi"',
    elapsedMs,
    phases: [{ phase: 'steps', atMs: 0 }],
    finished: false,
    writes: { sent: ok + failed, ok, failed, unknown: 0, inFlight: 2 },
    faults: [
      faultState === 'pending' ? { fault: 'kill', target: 'primary', atMs: 5000, state: 'pending', inMs: 100 } : { fault: 'kill', target: 'primary', atMs: 5000, state: faultState, node: 'redis-1' },
    ],
    event: null,
  };
}

describe('live metrics', () => {
  it('say how long writes have been failing and which fault is in place, with the post-run names for the counts', () => {
    let memory = NO_MEMORY;
    const readings = [snap(1000, 100, 0, 'pending'), snap(1100, 110, 0, 'in-effect'), snap(1200, 110, 5, 'in-effect'), snap(1700, 110, 40, 'in-effect')];
    let text = '';
    for (const s of readings) {
      const next = readSnapshot(memory, s);
      memory = next.memory;
      text = renderLiveMetrics(s, next.view);
    }
    assert.match(text, /^drill_writes\{drill="say \\"hi\\"",outcome="ok"\} 110$/m);
    assert.match(text, /^drill_writes\{drill="say \\"hi\\"",outcome="fail"\} 40$/m);
    assert.match(text, /^drill_outage_active\{drill="say \\"hi\\""\} 1$/m);
    // Failing since the last reading where ok writes grew (1100 ms): 600 ms at 1700 ms.
    assert.match(text, /^drill_outage_seconds\{drill="say \\"hi\\""\} 0\.6$/m);
    assert.match(text, /^drill_fault_active\{drill="say \\"hi\\""\} 1$/m);
    assert.match(text, /^drill_run_phase\{drill="say \\"hi\\"",phase="steps"\} 1$/m);
    for (const line of text.trim().split('\n')) assert.match(line, /^(# (HELP|TYPE) drill_\w+ .+|drill_\w+\{[^}]*\} -?[\d.e+-]+)$/, line);
  });

  it('serve /metrics on 127.0.0.1 only; a port in use is refused before anything starts', async () => {
    const server = await serveLiveMetrics(0);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /version=0\.0\.4/);
      assert.equal((await fetch(`http://127.0.0.1:${server.port}/other`)).status, 404);
      await assert.rejects(serveLiveMetrics(server.port), /--metrics-port \d+: cannot listen on 127\.0\.0\.1:\d+/);
    } finally {
      await server.close();
    }
  });
});
