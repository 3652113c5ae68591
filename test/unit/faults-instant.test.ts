import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent, EngineEventLog } from '../../src/engine/engine-events.js';
import type { RunningContainer } from '../../src/engine/resources.js';
import { containerFault } from '../../src/faults/container/container-fault.js';
import { engineEventLagMs } from '../../src/faults/container/engine-event-lag.js';
import type { FaultContext } from '../../src/faults/plugin.js';
import { measure } from '../../src/measure/measure.js';
import type { FaultRecord, TimelineEvent } from '../../src/measure/types.js';
import type { WriteRecord } from '../../src/load/history.js';
import type { RunClock } from '../../src/util/clock.js';
import { createLogger } from '../../src/util/log.js';

// How the fault instant is bounded: by the engine's own event for container faults (minus the measured
// lag between acting and logging), and by the injecting call when neither is there. Fakes only: no engine.

/** A run clock that only moves when told to; epoch = run ms + 1e12. */
function manualClock(): RunClock & { advance(ms: number): void } {
  let now = 0;
  const EPOCH = 1e12;
  return {
    nowMs: () => now,
    setOriginNow: () => {},
    toEpochMs: (ms) => ms + EPOCH,
    fromEpochMs: (epochMs) => epochMs - EPOCH,
    advance: (ms) => {
      now += ms;
    },
  };
}

const container = { id: 'c1', name: 'drill-x-redis-1', node: 'redis-1' } as RunningContainer;

/** Inject a container fault whose call takes `callMs`, the engine logging `action` `eventAtMs` after the call started (null: no event). */
async function inject(callMs: number, action: string, eventAtMs: number | null): Promise<{ record: FaultRecord; notes: TimelineEvent[] }> {
  const clock = manualClock();
  clock.advance(5000);
  const notes: TimelineEvent[] = [];
  const callStartEpochMs = clock.toEpochMs(clock.nowMs());
  const events: EngineEventLog = {
    waitFor: (id, actions, sinceEpochMs) => {
      if (eventAtMs === null || id !== container.id || !actions.includes(action)) return Promise.resolve(null);
      const event: EngineEvent = { containerId: id, action, epochMs: callStartEpochMs + eventAtMs, attributes: action === 'kill' ? { signal: '9' } : {} };
      return Promise.resolve(event.epochMs >= sinceEpochMs ? event : null);
    },
    stop: () => {},
  };
  const ctx = { clock, engineEvents: events, log: createLogger({ level: 'silent', pretty: false }), note: (e: TimelineEvent) => notes.push(e) } as unknown as FaultContext;
  const apply = () => {
    clock.advance(callMs);
    return Promise.resolve();
  };
  const fault = await containerFault(ctx, { fault: action === 'pause' ? 'pause' : 'kill', target: 'primary' }, container, apply, null, undefined, [action]);
  return { record: fault.record, notes };
}

describe('fault instant of a container fault', () => {
  const lag = engineEventLagMs('kill')!;

  it('lies in [event − the measured lag, event] when the engine logged its kill well inside the call', async () => {
    const { record, notes } = await inject(250, 'kill', 60);
    assert.equal(record.injectedAtMs, 5000);
    assert.equal(record.effectByMs, 5060);
    assert.equal(record.effectFromMs, 5060 - lag);
    assert.equal(record.effectEvidence, `engine event kill (signal 9), acted at most ${lag} ms before it`);
    assert.ok(notes.some((n) => n.source === 'docker' && n.atMs === 5060));
  });

  it('never starts before the call: an event sooner than the lag after the call start keeps the call start', async () => {
    const { record } = await inject(250, 'kill', lag / 2);
    assert.equal(record.effectFromMs, 5000);
    assert.equal(record.effectByMs, 5000 + lag / 2);
  });

  it('keeps [call start, event] for pause: no lag is known for the freezer', async () => {
    assert.equal(engineEventLagMs('pause'), null);
    const { record } = await inject(40, 'pause', 30);
    assert.equal(record.effectFromMs, undefined);
    assert.equal(record.effectByMs, 5030);
    assert.equal(record.effectEvidence, 'engine event pause');
  });

  it('falls back to the call when no event came, or when the event lies after the call returned', async () => {
    for (const eventAtMs of [null, 400]) {
      const { record } = await inject(250, 'kill', eventAtMs);
      assert.equal(record.effectFromMs, undefined);
      assert.equal(record.effectByMs, undefined);
      assert.equal(record.injectReturnedAtMs, 5250);
    }
  });
});

describe('the measurement uses the bound', () => {
  // 100 writes/s; writes fail from 5.1 s to 7.5 s.
  const history: WriteRecord[] = [];
  for (let k = 0; k < 1500; k++) {
    const t = k * 10;
    const ok = t < 5100 || t >= 7500;
    history.push({ id: k, scheduledMs: t, invokeMs: t, completeMs: t + 2, outcome: ok ? 'ok' : 'fail' });
  }
  const base = { kind: 'kill', target: 'primary', container: 'c', injectedAtMs: 5000, injectReturnedAtMs: 5250 };

  it('measures RTO from the bound’s start and counts only the bound’s width in the precision', () => {
    const m = measure({ history, faults: [{ ...base, effectFromMs: 5040, effectByMs: 5060 }], presentIds: null, stableMs: 1000, bucketMs: 100, timerResolutionMs: 1 });
    assert.equal(m.faultAtMs, 5040);
    assert.equal(m.rtoMs, 7500 - 5040);
    assert.equal(m.precision?.injectMs, 20);
  });

  it('falls back to the whole call without evidence', () => {
    const m = measure({ history, faults: [base], presentIds: null, stableMs: 1000, bucketMs: 100, timerResolutionMs: 1 });
    assert.equal(m.faultAtMs, 5000);
    assert.equal(m.precision?.injectMs, 250);
  });
});
